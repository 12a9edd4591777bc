"""종량제봉투 직접배송 (garbage-bag home delivery): the city's goods, their prices and
stock, residents' orders and their delivery.

A household is the resident's account here: the city's monthly limits count what one
signed-in resident ordered in a calendar month (Asia/Seoul). The invariants the
database can hold are held there: stock never below zero, positive quantities,
line amounts equal to price × quantity, one order per (resident, idempotency key).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProductKind(models.TextChoices):
    GENERAL = "general", _("일반용 종량제봉투")
    FOOD = "food", _("음식물 종량제봉투")
    REUSE = "reuse", _("재사용 종량제봉투")
    STICKER = "sticker", _("음식물 납부필증(스티커)")


class Product(models.Model):
    """판매 물품: one thing the city sells, e.g. "일반용 20ℓ 10매"."""

    code = models.SlugField(_("물품 코드"), max_length=40, unique=True)
    name = models.CharField(_("물품명"), max_length=80)
    kind = models.CharField(_("종류"), max_length=16, choices=ProductKind.choices)
    litres = models.PositiveSmallIntegerField(_("용량(ℓ)"), null=True, blank=True)
    pack_size = models.PositiveSmallIntegerField(_("묶음당 매수"), default=10)
    description = models.CharField(_("설명"), max_length=200, blank=True)
    stock = models.IntegerField(_("재고(묶음)"), default=0)
    monthly_limit = models.PositiveSmallIntegerField(
        _("가구당 월 구매 한도(묶음)"), null=True, blank=True, help_text=_("비워 두면 한도가 없습니다.")
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("담당 부서"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("이 부서의 직원이 결제를 받고 환불합니다. 비워 두면 시 전체 관리자와 세입 담당만 처리합니다."),
    )
    is_active = models.BooleanField(_("판매 중"), default=True)
    position = models.PositiveSmallIntegerField(_("표시 순서"), default=100)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("물품")
        verbose_name_plural = _("물품")
        constraints = [
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="goods_product_stock_not_negative"),
            models.CheckConstraint(condition=models.Q(pack_size__gt=0), name="goods_product_pack_size_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Price(models.Model):
    """가격: the price of one pack from ``effective_from`` until the next row's date.
    An order keeps the price it was placed at (its lines copy it)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices", verbose_name=_("물품"))
    amount = models.IntegerField(_("가격(원)"))
    effective_from = models.DateField(_("적용 시작일"))

    class Meta:
        ordering = ["product", "-effective_from"]
        verbose_name = _("가격")
        verbose_name_plural = _("가격")
        constraints = [
            models.UniqueConstraint(fields=["product", "effective_from"], name="goods_price_one_per_day"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="goods_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.amount}원 ({self.effective_from})"


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("결제 대기")
    RECEIVED = "received", _("접수")
    PREPARING = "preparing", _("배송 준비")
    SHIPPING = "shipping", _("배송 중")
    DELIVERED = "delivered", _("배송 완료")
    CANCELLED = "cancelled", _("취소")


class Order(models.Model):
    """배송 주문: a resident's order, delivered to one address."""

    number = models.CharField(_("주문번호"), max_length=20, unique=True)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="goods_orders", verbose_name=_("주민")
    )
    status = models.CharField(
        _("상태"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.AWAITING_PAYMENT, db_index=True
    )
    recipient_name = models.CharField(_("받는 분"), max_length=60)
    phone = models.CharField(_("연락처"), max_length=16)
    address = models.CharField(_("배송 주소"), max_length=200)
    address_detail = models.CharField(_("상세 주소"), max_length=100, blank=True)
    note = models.CharField(_("배송 요청 사항"), max_length=200, blank=True)
    total_amount = models.IntegerField(_("합계(원)"))
    payment_order = models.CharField(_("결제 주문번호"), max_length=32, blank=True)
    idempotency_key = models.CharField(max_length=200, blank=True, editable=False)
    stock_released = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("주문 일시"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("배송 주문")
        verbose_name_plural = _("배송 주문")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="goods_order_idempotency_key",
            ),
            models.CheckConstraint(condition=models.Q(total_amount__gte=0), name="goods_order_total_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status not in (OrderStatus.DELIVERED, OrderStatus.CANCELLED)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    name = models.CharField(max_length=80)
    unit_price = models.IntegerField()
    quantity = models.PositiveIntegerField()
    amount = models.IntegerField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="goods_line_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="goods_line_price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(amount=models.F("unit_price") * models.F("quantity")), name="goods_line_amount"
            ),
            models.UniqueConstraint(fields=["order", "product"], name="goods_line_one_per_product"),
        ]


class OrderEvent(models.Model):
    """A status change of an order, with who made it (the delivery history)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


class StockAdjustment(models.Model):
    """재고 조정: stock received from the supplier, counted, damaged... (never an order)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="adjustments")
    delta = models.IntegerField(_("증감"))
    stock_after = models.IntegerField(_("조정 후 재고"))
    reason = models.CharField(_("사유"), max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(delta=0), name="goods_adjustment_not_zero"),
            models.CheckConstraint(condition=models.Q(stock_after__gte=0), name="goods_adjustment_stock_not_negative"),
        ]
