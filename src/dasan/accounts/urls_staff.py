"""Staff pages of residency (mounted at /staff/residency/): the queue, one declaration and its
decision, the resident list upload."""

from django.urls import path

from . import views_staff

app_name = "residency_staff"
urlpatterns = [
    path("", views_staff.queue, name="queue"),
    path("<int:pk>/", views_staff.detail, name="detail"),
    path("<int:pk>/<slug:action>/", views_staff.decide, name="decide"),
    path("roster/", views_staff.roster_upload, name="roster"),
]
