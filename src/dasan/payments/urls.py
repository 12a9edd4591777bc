"""Payment pages: the payer's checkout, the card PG's return URLs, provider webhooks,
and the staff pages for counter payments and refunds (mounted at ``/payments/``)."""

from django.urls import path, register_converter

from . import views


class PublicIdConverter:
    regex = r"[0-9]{8}-[0-9A-Z]{10}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(PublicIdConverter, "order")

app_name = "payments"
urlpatterns = [
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<order:public_id>/", views.staff_detail, name="staff_detail"),
    path("staff/<order:public_id>/mark-paid/", views.staff_mark_paid, name="staff_mark_paid"),
    path("staff/<order:public_id>/refund/", views.staff_refund, name="staff_refund"),
    path("staff/<order:public_id>/cancel/", views.staff_cancel, name="staff_cancel"),
    path(
        "staff/<order:public_id>/refund-approvals/<int:pk>/approve/",
        views.staff_approve_refund,
        name="staff_approve_refund",
    ),
    path("webhooks/<slug:provider>/", views.webhook, name="webhook"),
    path("<order:public_id>/", views.checkout, name="checkout"),
    path("<order:public_id>/start/", views.start, name="start"),
    path("<order:public_id>/return/success/", views.success, name="success"),
    path("<order:public_id>/return/fail/", views.fail, name="fail"),
]
