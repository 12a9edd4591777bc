"""Resident and public pages (mounted at /documents/): the catalogue, requests for
documents prepared before a visit (사전발급), city-issued documents and 문서 진위확인."""

from django.urls import path

from . import views

app_name = "certificates"
urlpatterns = [
    path("", views.index, name="index"),
    path("request/<slug:code>/", views.new_request, name="new"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("requests/<int:pk>/ticket/", views.ticket, name="ticket"),
    path("issue/", views.issue, name="issue"),
    path("issue/facility/<int:pk>/", views.issue_facility, name="issue_facility"),
    path("issue/complaint/<str:number>/", views.issue_complaint, name="issue_complaint"),
    path("d/<int:pk>/", views.document, name="document"),
    path("d/<int:pk>/document.pdf", views.document_pdf, name="document_pdf"),
    path("verify/", views.verify, name="verify"),
]
