"""Staff pages (mounted at /staff/documents/): city-issued documents — issue, list, revoke."""
from django.urls import path

from . import views

app_name = "certificates_staff"
urlpatterns = [
    path("", views.staff_issued, name="issued"),
    path("issued/<int:pk>/revoke/", views.staff_revoke, name="revoke"),
    path("issued/<int:pk>/document.pdf", views.staff_document_pdf, name="document_pdf"),
]
