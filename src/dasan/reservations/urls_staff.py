"""Staff pages (mounted at /staff/reservations/): all resources, a resource's day or
week with approve / deny / check-in / no-show / cancel, and blocking time."""
from django.urls import path

from . import views

app_name = "reservations_staff"
urlpatterns = [
    path("", views.staff_index, name="index"),
    path("report/", views.staff_report, name="report"),
    path("r/<int:pk>/", views.staff_resource, name="resource"),
    path("r/<int:pk>/block/", views.staff_block, name="block"),
    path("b/<int:pk>/<slug:action>/", views.staff_action, name="action"),
]
