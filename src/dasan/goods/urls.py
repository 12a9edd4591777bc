"""Pages of the garbage-bag shop (mounted at /goods/)."""

from django.urls import path

from . import views

app_name = "goods"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("orders/", views.mine, name="mine"),
    path("orders/<str:number>/", views.detail, name="detail"),
    path("orders/<str:number>/cancel/", views.cancel, name="cancel"),
    path("staff/", views.staff, name="staff"),
    path("staff/orders/<str:number>/status/", views.staff_status, name="staff_status"),
    path("staff/stock/", views.staff_stock, name="staff_stock"),
]
