"""Resident pages (mounted at /wallet/)."""

from django.urls import path

from . import views

app_name = "wallet"
urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/", views.programmes, name="programmes"),
    path("code/", views.my_code, name="code"),
    path("scan/", views.scan, name="scan"),
    path("report/", views.report, name="report"),
    path("card/", views.card, name="card"),
    path("convert/", views.convert, name="convert"),
    path("conversions/<int:pk>/", views.conversion, name="conversion"),
]
