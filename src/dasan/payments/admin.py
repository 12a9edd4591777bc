"""Back office for payments: read-only records; the actions call the services, so
money only ever moves through them (and every movement is audited there)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from dasan.core import audit
from dasan.core.http import user_errors

from . import selectors, services
from .models import Order, OrderLine, Payment, Refund, RefundApproval


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyMixin, admin.TabularInline):
    model = OrderLine
    fields = ["name", "unit_price", "quantity", "amount"]
    readonly_fields = fields
    extra = 0


class PaymentInline(ReadOnlyMixin, admin.TabularInline):
    model = Payment
    fields = ["provider", "method", "amount", "refunded_amount", "status", "approved_at", "failure_code"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


def _run(modeladmin, request, queryset, action, done_message):
    done = 0
    for order in queryset:
        # One refusal (already paid, nothing to refund) is reported and the others go on.
        with user_errors(flash=False) as outcome:
            action(order)
        if outcome.ok:
            done += 1
        else:
            modeladmin.message_user(request, f"{order.public_id}: {outcome.message}", level=messages.ERROR)
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, level=messages.SUCCESS)


@admin.register(Order)
class OrderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "public_id",
        "title",
        "purpose",
        "total_amount",
        "paid_amount",
        "refunded_amount",
        "status",
        "provider",
        "expires_at",
    ]
    list_filter = ["status", "provider", "purpose"]
    search_fields = ["public_id", "reference"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, PaymentInline]
    readonly_fields = [f.name for f in Order._meta.fields if f.name != "idempotency_key"]
    actions = ["mark_paid_cash", "refund_all", "cancel"]

    def has_change_permission(self, request, obj=None):
        # Viewable (read-only fields) by whoever may view; nothing is editable.
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or request.user.has_perm("payments.view_order")

    def get_queryset(self, request):
        # The same scope as the staff pages: the orders this member of staff handles.
        return super().get_queryset(request) & selectors.staff_orders(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, object_id)
        if order is not None:
            audit.record_read(request.user, order, reason="admin")
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("선택한 주문을 창구 현금 수납 처리"), permissions=["view"])
    def mark_paid_cash(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda o: services.mark_paid_at_office(o, actor=request.user, method="cash", note="admin"),
            _("%(count)d건을 수납 처리했습니다."),
        )

    @admin.action(description=_("선택한 주문을 남은 금액 전액 환불"), permissions=["view"])
    def refund_all(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            # Above the city's threshold this records a request a second person approves.
            lambda o: services.staff_refund(o, None, str(_("관리 화면에서 전액 환불")), actor=request.user),
            _("%(count)d건을 환불했습니다."),
        )

    @admin.action(description=_("선택한 결제 대기 주문 취소"), permissions=["view"])
    def cancel(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda o: services.cancel_order(o, actor=request.user, reason="admin"),
            _("%(count)d건을 취소했습니다."),
        )


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["order", "provider", "method", "amount", "refunded_amount", "status", "approved_at"]
    list_filter = ["status", "provider", "method"]
    search_fields = ["order__public_id", "provider_reference"]
    readonly_fields = [f.name for f in Payment._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(order__in=selectors.staff_orders(request.user))


@admin.register(Refund)
class RefundAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["payment", "amount", "reason", "status", "actor", "created_at"]
    list_filter = ["status"]
    search_fields = ["payment__order__public_id", "provider_reference"]
    readonly_fields = [f.name for f in Refund._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(payment__order__in=selectors.staff_orders(request.user))


@admin.register(RefundApproval)
class RefundApprovalAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["order", "amount", "reason", "status", "requested_by", "approved_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["order__public_id"]
    readonly_fields = [f.name for f in RefundApproval._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(order__in=selectors.staff_orders(request.user))
