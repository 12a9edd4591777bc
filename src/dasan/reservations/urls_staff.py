"""Staff pages (mounted at /staff/reservations/): all resources, a resource's day or
week with approve / deny / check-in / no-show / cancel, and blocking time."""

from django.urls import path

from . import views

app_name = "reservations_staff"
urlpatterns = [
    path("", views.staff_index, name="index"),
    path("report/", views.staff_report, name="report"),
    path("lotteries/", views.staff_lotteries, name="lotteries"),
    path("groups/", views.staff_groups, name="groups"),
    path("groups/<int:pk>/<slug:action>/", views.staff_group_decide, name="group_decide"),
    path("lotteries/<int:pk>/", views.staff_lottery, name="lottery"),
    path("lotteries/<int:pk>/draw/", views.staff_lottery_draw, name="lottery_draw"),
    path("r/<int:pk>/", views.staff_resource, name="resource"),
    path("r/<int:pk>/block/", views.staff_block, name="block"),
    path("b/<int:pk>/<slug:action>/", views.staff_action, name="action"),
]
