"""Staff pages (mounted at /staff/__APP_URL__/)."""

from django.urls import path

from . import views

app_name = "__APP_LABEL___staff"
urlpatterns = [
    path("", views.staff_index, name="index"),
]
