"""Resident and public pages (mounted at /documents/): the catalogue, city-issued
documents and 문서 진위확인. The pages for requesting documents prepared before a visit
are not mounted yet (their services exist; see docs/dev/certificates.md)."""
from django.urls import path

from . import views

app_name = "certificates"
urlpatterns = [
    path("", views.index, name="index"),
    path("issue/", views.issue, name="issue"),
    path("issue/facility/<int:pk>/", views.issue_facility, name="issue_facility"),
    path("issue/complaint/<str:number>/", views.issue_complaint, name="issue_complaint"),
    path("d/<int:pk>/", views.document, name="document"),
    path("d/<int:pk>/document.pdf", views.document_pdf, name="document_pdf"),
    path("verify/", views.verify, name="verify"),
]
