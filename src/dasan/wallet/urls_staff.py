"""Staff pages (mounted at /staff/wallet/)."""

from django.urls import path

from . import views

app_name = "wallet_staff"
urlpatterns = [
    path("", views.staff_index, name="index"),
]
