"""결제 (payments): orders residents are asked to pay, the payments received, the refunds.

Other apps own what is bought; an order only names it by ``purpose`` (``"waste.booking"``)
and ``reference`` (the owner's object id as text), so payments imports no domain app.
Money is integer KRW. The database holds the invariants that protect money: amounts
are never negative, refunds never exceed what was paid, and an order has at most one
successful payment. Every change goes through ``services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("결제 대기")
    PAID = "paid", _("결제 완료")
    PARTIALLY_REFUNDED = "partially_refunded", _("부분 환불")
    REFUNDED = "refunded", _("전액 환불")
    CANCELLED = "cancelled", _("취소")
    EXPIRED = "expired", _("기한 만료")


PAID_STATUSES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)


class PaymentStatus(models.TextChoices):
    APPROVED = "approved", _("승인")
    PARTIALLY_REFUNDED = "partially_refunded", _("부분 환불")
    REFUNDED = "refunded", _("전액 환불")
    FAILED = "failed", _("실패")


class PaymentMethod(models.TextChoices):
    CARD = "card", _("카드")
    VIRTUAL_ACCOUNT = "virtual_account", _("가상계좌")
    TRANSFER = "transfer", _("계좌이체")
    CASH = "cash", _("현금(창구)")
    CARD_TERMINAL = "card_terminal", _("카드(창구 단말기)")
    EASY_PAY = "easy_pay", _("간편결제")
    FREE = "free", _("무료")
    OTHER = "other", _("기타")


class RefundStatus(models.TextChoices):
    DONE = "done", _("환불 완료")
    FAILED = "failed", _("환불 실패")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("승인 대기")
    APPROVED = "approved", _("승인")


class Order(models.Model):
    """주문: what a resident is asked to pay for, with its lines and total."""

    public_id = models.CharField(_("주문번호"), max_length=40, unique=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("결제자"), on_delete=models.PROTECT, related_name="payment_orders"
    )
    # The department that owns what was sold: its staff handle the order (see selectors);
    # empty: city-wide staff and holders of ``payments.handle_any_order`` only.
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("담당 부서"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("용도"), max_length=60, db_index=True, help_text=_("예: waste.booking"))
    reference = models.CharField(_("대상 번호"), max_length=64)
    title = models.CharField(_("주문명"), max_length=100)
    provider = models.CharField(_("결제 수단 제공자"), max_length=30)
    total_amount = models.PositiveIntegerField(_("결제 금액(원)"))
    paid_amount = models.PositiveIntegerField(_("결제된 금액(원)"), default=0)
    refunded_amount = models.PositiveIntegerField(_("환불된 금액(원)"), default=0)
    status = models.CharField(_("상태"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    expires_at = models.DateTimeField(_("결제 기한"))
    paid_at = models.DateTimeField(_("결제 일시"), null=True, blank=True)
    closed_at = models.DateTimeField(_("취소·만료 일시"), null=True, blank=True)
    return_url = models.CharField(_("돌아갈 주소"), max_length=300, blank=True)
    # What the provider issued for this order (e.g. the virtual account); shown on checkout.
    provider_data = models.JSONField(_("제공자 정보"), default=dict, blank=True)
    idempotency_key = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("생성 일시"), default=timezone.now)
    updated_at = models.DateTimeField(_("수정 일시"), auto_now=True)

    class Meta:
        verbose_name = _("주문")
        verbose_name_plural = _("주문")
        ordering = ["-created_at", "-id"]
        # 세입 담당: staff holding this see and handle every department's orders.
        permissions = [("handle_any_order", _("모든 부서의 주문을 수납·환불 처리"))]
        indexes = [
            models.Index(fields=["purpose", "reference"], name="payorder_purpose_ref"),
            models.Index(fields=["status", "expires_at"], name="payorder_status_expiry"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="payorder_total_nonnegative"),
            models.CheckConstraint(condition=Q(paid_amount__lte=F("total_amount")), name="payorder_paid_le_total"),
            models.CheckConstraint(condition=Q(refunded_amount__lte=F("paid_amount")), name="payorder_refund_le_paid"),
            models.CheckConstraint(
                condition=~Q(status__in=[s.value for s in PAID_STATUSES]) | Q(paid_amount=F("total_amount")),
                name="payorder_paid_in_full",
            ),
            models.UniqueConstraint(
                fields=["payer", "idempotency_key"], condition=~Q(idempotency_key=""), name="payorder_idempotency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("payments:checkout", args=[self.public_id])

    @property
    def refundable_amount(self) -> int:
        return self.paid_amount - self.refunded_amount

    @property
    def is_pending(self) -> bool:
        return self.status == OrderStatus.PENDING

    @property
    def is_paid(self) -> bool:
        return self.status in PAID_STATUSES


class OrderLine(models.Model):
    """주문 항목: one thing bought; a negative unit price is a discount (감면) line."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("항목"), max_length=120)
    unit_price = models.IntegerField(_("단가(원)"))
    quantity = models.PositiveIntegerField(_("수량"))
    amount = models.IntegerField(_("금액(원)"))

    class Meta:
        verbose_name = _("주문 항목")
        verbose_name_plural = _("주문 항목")
        ordering = ["order", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="payline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(amount=F("unit_price") * F("quantity")), name="payline_amount_is_product"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"


class Payment(models.Model):
    """결제: money received (or an attempt that failed) for an order."""

    order = models.ForeignKey(Order, verbose_name=_("주문"), on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("결제 수단 제공자"), max_length=30)
    provider_reference = models.CharField(_("제공자 거래번호"), max_length=200, blank=True)
    method = models.CharField(_("결제 방법"), max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.OTHER)
    amount = models.PositiveIntegerField(_("금액(원)"))
    refunded_amount = models.PositiveIntegerField(_("환불된 금액(원)"), default=0)
    status = models.CharField(_("상태"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.APPROVED)
    approved_at = models.DateTimeField(_("승인 일시"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("수납 직원"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("메모"), max_length=200, blank=True)
    failure_code = models.CharField(_("실패 코드"), max_length=60, blank=True)
    failure_message = models.CharField(_("실패 사유"), max_length=300, blank=True)
    # The provider's answer with secrets and card numbers removed (see providers.base.scrub).
    raw = models.JSONField(_("제공자 응답"), default=dict, blank=True)
    created_at = models.DateTimeField(_("생성 일시"), default=timezone.now)

    class Meta:
        verbose_name = _("결제")
        verbose_name_plural = _("결제")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(refunded_amount__lte=F("amount")), name="payment_refund_le_amount"),
            # A double click, a retried redirect or two workers: never two charges for one order.
            models.UniqueConstraint(
                fields=["order"], condition=~Q(status="failed"), name="payment_one_success_per_order"
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference="") & ~Q(status="failed"),
                name="payment_unique_provider_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.public_id} {self.amount}원 ({self.get_status_display()})"

    @property
    def refundable_amount(self) -> int:
        return self.amount - self.refunded_amount if self.status != PaymentStatus.FAILED else 0


class Refund(models.Model):
    """환불: money returned from a payment, whole or in part."""

    payment = models.ForeignKey(Payment, verbose_name=_("결제"), on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField(_("금액(원)"))
    reason = models.CharField(_("사유"), max_length=200)
    status = models.CharField(_("상태"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.DONE)
    provider_reference = models.CharField(_("제공자 거래번호"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("처리자"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    failure_code = models.CharField(_("실패 코드"), max_length=60, blank=True)
    failure_message = models.CharField(_("실패 사유"), max_length=300, blank=True)
    raw = models.JSONField(_("제공자 응답"), default=dict, blank=True)
    created_at = models.DateTimeField(_("환불 일시"), default=timezone.now)

    class Meta:
        verbose_name = _("환불")
        verbose_name_plural = _("환불")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"{self.payment.order.public_id} -{self.amount}원"


class RefundApproval(models.Model):
    """환불 승인 요청: a staff refund above ``PAYMENTS_REFUND_APPROVAL_OVER`` won waits here
    until a second member of staff (never the requester) approves it; only then is the
    provider asked (separation of duties)."""

    order = models.ForeignKey(Order, verbose_name=_("주문"), on_delete=models.PROTECT, related_name="refund_approvals")
    amount = models.PositiveIntegerField(_("금액(원)"))
    reason = models.CharField(_("사유"), max_length=200)
    status = models.CharField(_("상태"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("요청자"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("승인자"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refund = models.ForeignKey(
        Refund, verbose_name=_("환불"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("요청 일시"), default=timezone.now)
    approved_at = models.DateTimeField(_("승인 일시"), null=True, blank=True)

    class Meta:
        verbose_name = _("환불 승인 요청")
        verbose_name_plural = _("환불 승인 요청")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refundapproval_amount_positive"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
                name="refundapproval_two_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.public_id} -{self.amount}원 ({self.get_status_display()})"
