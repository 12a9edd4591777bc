"""Staff pages (mounted at /staff/participation/)."""

from django.urls import path

from . import views

app_name = "participation_staff"
urlpatterns = [
    path("", views.staff_index, name="index"),
]
