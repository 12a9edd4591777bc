"""Staff pages (mounted at /staff/documents/): the queue of requests to prepare (사전발급)
and city-issued documents — issue, list, revoke."""

from django.urls import path

from . import views

app_name = "certificates_staff"
urlpatterns = [
    path("", views.staff_index, name="index"),
    path("requests/<int:pk>/", views.staff_request, name="request"),
    path("requests/<int:pk>/file.pdf", views.staff_file, name="file"),
    path("requests/<int:pk>/<slug:action>/", views.staff_action, name="action"),
    path("issued/", views.staff_issued, name="issued"),
    path("issued/<int:pk>/revoke/", views.staff_revoke, name="revoke"),
    path("issued/<int:pk>/document.pdf", views.staff_document_pdf, name="document_pdf"),
]
