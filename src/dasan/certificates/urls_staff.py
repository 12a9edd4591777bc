"""Staff pages (mounted at /staff/documents/): the queue by office and day, a
request's preparation and pickup, and city-issued documents."""
from django.urls import path

from . import views

app_name = "certificates_staff"
urlpatterns = [
    path("", views.staff_index, name="index"),
    path("r/<int:pk>/", views.staff_request, name="request"),
    path("r/<int:pk>/file.pdf", views.staff_file, name="file"),
    path("r/<int:pk>/<slug:action>/", views.staff_action, name="action"),
    path("issued/", views.staff_issued, name="issued"),
    path("issued/<int:pk>/revoke/", views.staff_revoke, name="revoke"),
    path("issued/<int:pk>/document.pdf", views.staff_document_pdf, name="document_pdf"),
]
