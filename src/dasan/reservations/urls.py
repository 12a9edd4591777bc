"""Resident pages (mounted at /reservations/): search, a resource's week, booking,
my reservations, cancellation and the .ics file."""

from django.urls import path

from . import views

app_name = "reservations"
urlpatterns = [
    path("", views.index, name="index"),
    path("r/<int:pk>/", views.resource, name="resource"),
    path("r/<int:pk>/book/", views.book, name="book"),
    path("r/<int:pk>/waitlist/", views.waitlist_join, name="waitlist_join"),
    path("l/<int:pk>/apply/", views.lottery_apply, name="lottery_apply"),
    path("a/<int:pk>/withdraw/", views.lottery_withdraw, name="lottery_withdraw"),
    path("mine/", views.mine, name="mine"),
    path("groups/", views.my_groups, name="groups"),
    path("groups/<int:pk>/withdraw/", views.group_withdraw, name="group_withdraw"),
    path("w/<int:pk>/<slug:action>/", views.waitlist_action, name="waitlist_action"),
    path("b/<int:pk>/", views.detail, name="detail"),
    path("b/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("b/<int:pk>/calendar.ics", views.ics, name="ics"),
]
