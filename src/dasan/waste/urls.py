"""Resident pages: fee search, booking, my bookings, the sticker, cancellation."""

from django.urls import path

from . import views

app_name = "waste"
urlpatterns = [
    path("", views.index, name="index"),
    path("book/", views.book, name="book"),
    path("mine/", views.mine, name="mine"),
    path("b/<int:pk>/", views.detail, name="detail"),
    path("b/<int:pk>/sticker/", views.sticker, name="sticker"),
    path("b/<int:pk>/photo/", views.photo, name="photo"),
    path("b/<int:pk>/crew-photo/", views.photo, {"kind": "crew"}, name="crew_photo"),
    path("b/<int:pk>/change/", views.change, name="change"),
    path("s/<str:number>/", views.verify, name="verify"),
    path("b/<int:pk>/cancel/", views.cancel, name="cancel"),
]
