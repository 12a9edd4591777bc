"""Resident pages (mounted at /__APP_URL__/)."""

from django.urls import path

from . import views

app_name = "__APP_LABEL__"
urlpatterns = [
    path("", views.index, name="index"),
]
