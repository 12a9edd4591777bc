"""Staff workbench for complaints, mounted at /staff/complaints/."""

from django.urls import path

from . import views_staff

app_name = "complaints_staff"

urlpatterns = [
    path("", views_staff.queue, name="queue"),
    path("triage/", views_staff.triage, name="triage"),
    path("counter/", views_staff.counter, name="counter"),
    path("bulk-reassign/", views_staff.bulk_reassign, name="bulk_reassign"),
    path("<str:number>/", views_staff.detail, name="detail"),
    path("<str:number>/<slug:action>/", views_staff.act, name="act"),
]
