"""Counter staff pages (mounted at /staff/queue/)."""

from django.urls import path

from . import views

app_name = "queueing_staff"
urlpatterns = [
    path("", views.staff_index, name="index"),
    path("stats/", views.staff_stats, name="stats"),
    path("c/<int:pk>/", views.staff_counter, name="counter"),
    path("c/<int:pk>/<slug:action>/", views.staff_action, name="action"),
]
