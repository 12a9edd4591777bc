"""Resident, kiosk and hall-display pages (mounted at /queue/)."""

from django.urls import path

from . import views

app_name = "queueing"
urlpatterns = [
    path("", views.index, name="index"),
    path("o/<slug:code>/", views.take, name="take"),
    path("t/<str:token>/", views.ticket, name="ticket"),
    path("t/<str:token>/status/", views.ticket_status, name="ticket_status"),
    path("t/<str:token>/cancel/", views.ticket_cancel, name="ticket_cancel"),
    path("kiosk/<slug:code>/", views.kiosk, name="kiosk"),
    path("display/<slug:code>/", views.display, name="display"),
    path("display/<slug:code>/board/", views.display_board, name="display_board"),
]
