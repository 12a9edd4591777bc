"""Resident complaint pages and the public statistics, mounted at /complaints/.

Fixed paths come before ``<number>/`` so that "new" or "stats" are never read as
a complaint number (numbers look like 2026-000123)."""

from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("new/parking/", views.new_parking, name="new_parking"),
    path("stats/", views.stats_page, name="stats"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/receipt.pdf", views.receipt, name="receipt"),
    path("<str:number>/rate/", views.rate, name="rate"),
    path("<str:number>/withdraw/", views.withdraw, name="withdraw"),
]
