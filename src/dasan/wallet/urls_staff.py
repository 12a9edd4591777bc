"""Staff pages (mounted at /staff/wallet/)."""

from django.urls import path

from . import views_staff as views

app_name = "wallet_staff"
urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/new/", views.programme_form, name="programme_new"),
    path("programmes/<int:pk>/", views.programme, name="programme"),
    path("programmes/<int:pk>/edit/", views.programme_form, name="programme_edit"),
    path("programmes/<int:pk>/fund/", views.fund, name="fund"),
    path("programmes/<int:pk>/events/", views.add_event, name="add_event"),
    path("programmes/<int:pk>/tokens/", views.issue_token, name="issue_token"),
    path("programmes/<int:pk>/csv/", views.upload_csv, name="upload_csv"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("events/<int:pk>/", views.event, name="event"),
    path("claims/", views.claims, name="claims"),
    path("claims/<int:pk>/", views.claim, name="claim"),
    path("claims/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("export.csv", views.export, name="export"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
]
