"""Staff pages (mounted at /staff/reservations/): all resources, a resource's day or
week with approve / deny / check-in / no-show / cancel, and blocking time."""

from django.urls import path

from . import views_staff

app_name = "reservations_staff"
urlpatterns = [
    path("", views_staff.staff_index, name="index"),
    path("report/", views_staff.staff_report, name="report"),
    path("lotteries/", views_staff.staff_lotteries, name="lotteries"),
    path("groups/", views_staff.staff_groups, name="groups"),
    path("groups/<int:pk>/<slug:action>/", views_staff.staff_group_decide, name="group_decide"),
    path("lotteries/<int:pk>/", views_staff.staff_lottery, name="lottery"),
    path("lotteries/<int:pk>/draw/", views_staff.staff_lottery_draw, name="lottery_draw"),
    path("r/<int:pk>/", views_staff.staff_resource, name="resource"),
    path("r/<int:pk>/block/", views_staff.staff_block, name="block"),
    path("b/<int:pk>/<slug:action>/", views_staff.staff_action, name="action"),
]
