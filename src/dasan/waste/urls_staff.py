"""Staff and crew pages: day overview, route sheets, scan, booking outcome, month report."""

from django.urls import path

from . import views_staff as views

app_name = "waste_staff"
urlpatterns = [
    path("", views.index, name="index"),
    path("route/", views.route, name="route"),
    path("scan/", views.scan, name="scan"),
    path("b/<str:number>/", views.booking, name="booking"),
    path("b/<str:number>/photo/<str:kind>/", views.booking_photo, name="booking_photo"),
    path("report/", views.report, name="report"),
]
