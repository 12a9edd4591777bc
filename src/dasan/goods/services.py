"""Garbage-bag home delivery: the only place where goods state changes.

Ordering reserves stock at once (under row locks on the products, in a fixed order so
two orders never deadlock), checks the city's monthly limit per household (the
resident's account), and creates the payment order (purpose ``"goods"``). The payments
callbacks registered in ``apps.ready`` confirm the order when it is paid and give the
stock back when the payment order is cancelled, expires or is refunded in full.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.core import audit
from dasan.core.errors import Conflict, DasanError, NotFound, PermissionDenied
from dasan.core.idempotency import IdempotencyMismatch
from dasan.goods.errors import Code

from .models import Order, OrderEvent, OrderLine, OrderStatus, Price, Product, StockAdjustment

logger = logging.getLogger("dasan.goods")

PURPOSE = "goods"
MAX_QUANTITY = 99
NUMBER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

# What staff may move an order to, from where. Cancelling after the bags left is not
# offered: the crew brings them back and staff adjust stock by hand.
STAFF_TRANSITIONS = {
    OrderStatus.RECEIVED: [OrderStatus.PREPARING, OrderStatus.CANCELLED],
    OrderStatus.PREPARING: [OrderStatus.SHIPPING, OrderStatus.CANCELLED],
    OrderStatus.SHIPPING: [OrderStatus.DELIVERED],
}
STATUS_TEMPLATES = {
    OrderStatus.RECEIVED: "goods.received",
    OrderStatus.PREPARING: "goods.preparing",
    OrderStatus.SHIPPING: "goods.shipping",
    OrderStatus.DELIVERED: "goods.delivered",
    OrderStatus.CANCELLED: "goods.cancelled",
}


@dataclasses.dataclass(frozen=True)
class Delivery:
    """Where and to whom the bags go."""

    recipient_name: str
    phone: str
    address: str
    address_detail: str = ""
    note: str = ""


# --- catalogue ----------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def price_on(product: Product, day: dt.date | None = None) -> int | None:
    """The price of one pack of ``product`` on ``day`` (today), or None when none applies yet."""
    row = Price.objects.filter(product=product, effective_from__lte=day or today()).order_by("-effective_from").first()
    return row.amount if row else None


def catalogue(day: dt.date | None = None) -> list[tuple[Product, int]]:
    """Products on sale with their price today; products without a price yet are left out."""
    day = day or today()
    items = []
    for product in Product.objects.filter(is_active=True).prefetch_related("prices"):
        prices = sorted((p for p in product.prices.all() if p.effective_from <= day), key=lambda p: p.effective_from)
        if prices:
            items.append((product, prices[-1].amount))
    return items


def month_bounds(moment: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The calendar month (Asia/Seoul) holding ``moment``, as [start, end)."""
    local = timezone.localtime(moment or timezone.now())
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def ordered_this_month(resident, product: Product, moment: dt.datetime | None = None) -> int:
    """Packs of ``product`` the household (resident account) ordered this month, cancelled orders excepted."""
    start, end = month_bounds(moment)
    total = (
        OrderLine.objects.filter(
            order__resident=resident,
            product=product,
            order__created_at__gte=start,
            order__created_at__lt=end,
        )
        .exclude(order__status=OrderStatus.CANCELLED)
        .aggregate(n=Sum("quantity"))["n"]
    )
    return total or 0


# --- ordering -----------------------------------------------------------------------------------


def _quantities(items) -> dict[str, int]:
    """``items``: {code: quantity} or [(code, quantity)]. Zero quantities are dropped
    (an untouched row of the form); anything not a whole number 0..99 is refused."""
    pairs = items.items() if isinstance(items, dict) else items
    wanted: dict[str, int] = {}
    for code, raw in pairs:
        code = str(code or "").strip()
        if isinstance(raw, bool):
            raw = None
        try:
            quantity = int(str(raw).strip()) if raw is not None and str(raw).strip() != "" else 0
        except ValueError:
            raise DasanError(Code.INVALID_QUANTITY, _("수량은 0 이상의 정수로 입력해 주세요."), field=code) from None
        if isinstance(raw, float) and raw != quantity:
            raise DasanError(Code.INVALID_QUANTITY, _("수량은 0 이상의 정수로 입력해 주세요."), field=code)
        if quantity < 0 or quantity > MAX_QUANTITY:
            raise DasanError(
                Code.INVALID_QUANTITY,
                _("수량은 0부터 %(max)d까지 입력할 수 있습니다.") % {"max": MAX_QUANTITY},
                field=code,
            )
        if quantity:
            wanted[code] = wanted.get(code, 0) + quantity
    if not wanted:
        raise DasanError(Code.EMPTY_ORDER, _("주문할 물품의 수량을 1 이상 입력해 주세요."))
    return wanted


def _delivery(delivery: Delivery) -> Delivery:
    name = (delivery.recipient_name or "").strip()
    phone = "".join(ch for ch in (delivery.phone or "") if ch.isdigit())
    address = (delivery.address or "").strip()
    if not name:
        raise DasanError(Code.INVALID_DELIVERY, _("받는 분 이름을 입력해 주세요."), field="recipient_name")
    if not (9 <= len(phone) <= 11) or not phone.startswith("0"):
        raise DasanError(
            Code.INVALID_DELIVERY, _("연락처를 0으로 시작하는 숫자 9~11자리로 입력해 주세요."), field="phone"
        )
    if len(address) < 5:
        raise DasanError(Code.INVALID_DELIVERY, _("배송 받을 주소를 입력해 주세요."), field="address")
    return Delivery(
        recipient_name=name[:60],
        phone=phone,
        address=address[:200],
        address_detail=(delivery.address_detail or "").strip()[:100],
        note=(delivery.note or "").strip()[:200],
    )


def _new_number() -> str:
    return (
        "G" + timezone.localdate().strftime("%y%m%d") + "-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(6))
    )


def _same_content(order: Order, wanted: dict[str, int]) -> bool:
    return {line.product.code: line.quantity for line in order.lines.select_related("product")} == wanted


def order_url(order: Order) -> str:
    return reverse("goods:detail", args=[order.number])


def place_order(resident, items, delivery: Delivery, *, idempotency_key: str = "") -> Order:
    """주문하기: reserve stock for ``items`` ({product code: packs}) and create the payment
    order; returns the goods order (pay through ``payment_url(order)``).

    Prices come from the price table on the day of ordering, never from the caller.
    Refuses unknown or withdrawn products, zero/negative/fractional quantities, more
    than the stock (``out_of_stock``, 409) and more than the household's monthly limit
    (``monthly_limit``, 409). The same ``idempotency_key`` from the same resident returns
    the first order (a double click orders once); with other items it raises
    ``IdempotencyMismatch``."""
    if resident is None or not getattr(resident, "is_authenticated", False):
        raise PermissionDenied(Code.LOGIN_REQUIRED, _("로그인한 주민만 주문할 수 있습니다."))
    if not getattr(resident, "is_resident", False):
        raise PermissionDenied(Code.RESIDENTS_ONLY, _("종량제봉투 배송은 주민 계정으로만 주문할 수 있습니다."))
    wanted = _quantities(items)
    delivery = _delivery(delivery)
    key = (idempotency_key or "").strip()[:200]

    if key:
        existing = Order.objects.filter(resident=resident, idempotency_key=key).first()
        if existing is not None:
            if not _same_content(existing, wanted):
                raise IdempotencyMismatch()
            return existing

    try:
        return _place(resident, wanted, delivery, key)
    except IntegrityError:
        if not key:
            raise
        # A concurrent submit with the same key won the insert: answer with its order.
        existing = Order.objects.filter(resident=resident, idempotency_key=key).first()
        if existing is None:
            raise
        if not _same_content(existing, wanted):
            raise IdempotencyMismatch() from None
        return existing


def _place(resident, wanted: dict[str, int], delivery: Delivery, key: str) -> Order:
    from dasan.payments import services as payments

    now = timezone.now()
    with transaction.atomic():
        # Lock the products in code order: concurrent orders queue here, so stock and
        # monthly counts are read after the previous order committed.
        products = {p.code: p for p in Product.objects.select_for_update().filter(code__in=wanted).order_by("code")}
        lines = []
        for code, quantity in wanted.items():
            product = products.get(code)
            if product is None or not product.is_active:
                raise DasanError(
                    Code.UNKNOWN_PRODUCT, _("판매하지 않는 물품입니다: %(code)s") % {"code": code[:40]}, field=code
                )
            price = price_on(product, timezone.localdate(now))
            if price is None:
                raise DasanError(
                    Code.UNKNOWN_PRODUCT, _("아직 가격이 정해지지 않은 물품입니다: %(name)s") % {"name": product.name}
                )
            if product.monthly_limit is not None:
                already = ordered_this_month(resident, product, now)
                if already + quantity > product.monthly_limit:
                    left = max(product.monthly_limit - already, 0)
                    raise Conflict(
                        Code.MONTHLY_LIMIT,
                        _(
                            "%(name)s은(는) 한 가구가 한 달에 %(limit)d묶음까지 주문할 수 있습니다. "
                            "이번 달에 더 주문할 수 있는 수량은 %(left)d묶음입니다."
                        )
                        % {"name": product.name, "limit": product.monthly_limit, "left": left},
                        product=code,
                        limit=product.monthly_limit,
                        left=left,
                    )
            if product.stock < quantity:
                raise Conflict(
                    Code.OUT_OF_STOCK,
                    _("%(name)s의 재고가 부족합니다. 남은 수량: %(stock)d묶음")
                    % {"name": product.name, "stock": product.stock},
                    product=code,
                    stock=product.stock,
                )
            lines.append((product, price, quantity))

        order = None
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    order = Order.objects.create(
                        number=_new_number(),
                        resident=resident,
                        created_at=now,
                        idempotency_key=key,
                        total_amount=sum(price * quantity for _, price, quantity in lines),
                        **dataclasses.asdict(delivery),
                    )
                break
            except IntegrityError:
                if key and Order.objects.filter(resident=resident, idempotency_key=key).exists():
                    raise
        if order is None:  # pragma: no cover - five random collisions in a row
            raise DasanError(Code.NUMBER_UNAVAILABLE, _("주문번호를 만들지 못했습니다. 다시 시도해 주세요."))
        OrderLine.objects.bulk_create(
            OrderLine(order=order, product=p, name=p.name, unit_price=price, quantity=q, amount=price * q)
            for p, price, q in lines
        )
        for product, _price, quantity in lines:
            Product.objects.filter(pk=product.pk).update(stock=F("stock") - quantity)
        OrderEvent.objects.create(order=order, status=order.status, actor=resident)
        audit.record(
            "goods.order.create",
            actor=resident,
            target=order,
            data={"lines": {p.code: q for p, _, q in lines}, "total": order.total_amount},
        )
        payment = payments.create_order(
            payer=resident,
            purpose=PURPOSE,
            reference=str(order.pk),
            lines=[payments.Line(p.name, price, q) for p, price, q in lines],
            title=_("종량제봉투 배송 %(number)s") % {"number": order.number},
            idempotency_key=f"goods:{order.number}",
            return_url=order_url(order),
        )
        # A free order is paid inside create_order and already confirmed by on_paid.
        Order.objects.filter(pk=order.pk).update(payment_order=payment.public_id)
    order.refresh_from_db()
    return order


def payment_url(order: Order) -> str:
    """Where the resident pays (the payments checkout page)."""
    return reverse("payments:checkout", args=[order.payment_order]) if order.payment_order else order_url(order)


def _payment_order(order: Order):
    from dasan.payments.models import Order as PaymentOrder

    return PaymentOrder.objects.filter(public_id=order.payment_order).first() if order.payment_order else None


# --- reading ------------------------------------------------------------------------------------


def orders_of(resident):
    return Order.objects.filter(resident=resident).prefetch_related("lines")


def get_order(user, number: str, *, reason: str = "") -> Order:
    """The order ``number`` for its resident or for staff (a staff read is audited);
    anyone else gets ``order_not_found``."""
    order = Order.objects.filter(number=str(number)[:20]).select_related("resident").first()
    if order is None or not getattr(user, "is_authenticated", False):
        raise NotFound(Code.ORDER_NOT_FOUND, _("주문을 찾을 수 없습니다."))
    if order.resident_id == user.pk:
        return order
    if getattr(user, "is_city_staff", False):
        audit.record_read(user, order, reason=reason or _("종량제봉투 배송 처리"))
        return order
    raise NotFound(Code.ORDER_NOT_FOUND, _("주문을 찾을 수 없습니다."))


def orders_to_deliver(status: str = "open", query: str = ""):
    """The staff list: ``status`` one of the order statuses, ``"open"`` (paid, not yet
    delivered) or ``"all"``; ``query`` an order number or part of an address."""
    orders = Order.objects.select_related("resident").prefetch_related("lines")
    if status == "open":
        orders = orders.filter(status__in=[OrderStatus.RECEIVED, OrderStatus.PREPARING, OrderStatus.SHIPPING])
    elif status in OrderStatus.values:
        orders = orders.filter(status=status)
    query = (query or "").strip()[:60]
    if query:
        orders = orders.filter(Q(number__icontains=query) | Q(address__icontains=query))
    return orders.order_by("created_at", "pk")


# --- status changes -----------------------------------------------------------------------------


def _notify(order: Order, status: str) -> None:
    """Tell the resident; a message that cannot be queued never undoes the change."""
    from dasan.notify.services import enqueue

    key = STATUS_TEMPLATES.get(status)
    if key is None:
        return
    try:
        with transaction.atomic():
            enqueue(key, recipient=order.resident, context={"number": order.number, "total": f"{order.total_amount:,}"})
    except DasanError as exc:
        logger.warning("goods order %s: notification %s not queued (%s)", order.number, key, exc.code)


def _set_status(order: Order, status: str, *, actor=None, note: str = "") -> Order:
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    OrderEvent.objects.create(order=order, status=status, actor=actor, note=note[:200])
    _notify(order, status)
    return order


def _release_stock(order: Order) -> None:
    """Give the reserved packs back (once)."""
    if order.stock_released:
        return
    for line in order.lines.all():
        Product.objects.filter(pk=line.product_id).update(stock=F("stock") + line.quantity)
    order.stock_released = True
    order.save(update_fields=["stock_released", "updated_at"])


def _lock(order: Order | int) -> Order:
    pk = order.pk if isinstance(order, Order) else order
    return Order.objects.select_for_update().select_related("resident").get(pk=pk)


def change_status(order: Order, status: str, *, actor, note: str = "") -> Order:
    """Staff move an order along 접수 → 배송 준비 → 배송 중 → 배송 완료 (or cancel it before it
    leaves: the payment is refunded in full and the stock returns). The resident is notified."""
    if not getattr(actor, "is_city_staff", False):
        raise PermissionDenied()
    if status == OrderStatus.CANCELLED:
        return cancel(order, actor=actor, reason=note or _("담당자 취소"))
    with transaction.atomic():
        order = _lock(order)
        if status not in STAFF_TRANSITIONS.get(order.status, []):
            raise Conflict(
                Code.INVALID_TRANSITION,
                _("'%(current)s' 상태의 주문은 '%(target)s'(으)로 바꿀 수 없습니다.")
                % {
                    "current": order.get_status_display(),
                    "target": OrderStatus(status).label if status in OrderStatus.values else status,
                },
            )
        previous = order.status
        _set_status(order, status, actor=actor, note=note)
        audit.record(
            "goods.order.status", actor=actor, target=order, reason=note, data={"from": previous, "to": status}
        )
    return order


def cancel(order: Order, *, actor, reason: str = "") -> Order:
    """Cancel an order before delivery starts. Unpaid: the payment order is cancelled;
    paid: refunded in full. Either way the payments callback marks the order cancelled
    and returns the stock. Residents may cancel their own order until it is being prepared."""
    from dasan.payments import services as payments
    from dasan.payments.models import OrderStatus as PayStatus

    is_staff = getattr(actor, "is_city_staff", False)
    if not is_staff and order.resident_id != getattr(actor, "pk", None):
        raise NotFound(Code.ORDER_NOT_FOUND, _("주문을 찾을 수 없습니다."))
    allowed = (OrderStatus.AWAITING_PAYMENT, OrderStatus.RECEIVED) + ((OrderStatus.PREPARING,) if is_staff else ())
    reason = (reason or "").strip()[:200] or (_("담당자 취소") if is_staff else _("주민 취소"))
    with transaction.atomic():
        order = _lock(order)
        if order.status == OrderStatus.CANCELLED:
            return order
        if order.status not in allowed:
            raise Conflict(
                Code.CANNOT_CANCEL, _("배송 준비가 시작된 주문은 취소할 수 없습니다. 담당 부서에 문의해 주세요.")
            )
        payment = _payment_order(order)
        if payment is not None and payment.status == PayStatus.PENDING:
            payments.cancel_order(payment, actor=actor, reason=reason)
        elif payment is not None and payments.refundable_amount(payment) > 0:
            payments.refund(payment, None, reason, actor=actor)
        order.refresh_from_db()
        if order.status != OrderStatus.CANCELLED:  # no payment to undo (free order)
            _cancel_locked(order, actor=actor, reason=reason)
        audit.record("goods.order.cancel", actor=actor, target=order, reason=reason)
    return order


def _cancel_locked(order: Order, *, actor=None, reason: str = "") -> None:
    _release_stock(order)
    _set_status(order, OrderStatus.CANCELLED, actor=actor, note=reason)


# --- payments callbacks (registered in apps.ready) ----------------------------------------------


def _order_for(payment_order) -> Order | None:
    try:
        return _lock(int(payment_order.reference))
    except (ValueError, Order.DoesNotExist):
        logger.error("payment %s names no goods order (%s)", payment_order.public_id, payment_order.reference)
        return None


def on_paid(payment_order) -> None:
    """Paid: the order is 접수 (confirmed) and goes on the delivery list."""
    order = _order_for(payment_order)
    if order is not None and order.status == OrderStatus.AWAITING_PAYMENT:
        _set_status(order, OrderStatus.RECEIVED, note=_("결제 완료"))


def on_cancelled(payment_order) -> None:
    """The payment order was cancelled or expired unpaid: give the stock back."""
    order = _order_for(payment_order)
    if order is not None and order.status == OrderStatus.AWAITING_PAYMENT:
        note = _("결제 기한 지남") if payment_order.status == "expired" else _("결제 취소")
        _cancel_locked(order, actor=None, reason=note)


def on_refunded(payment_order, refund) -> None:
    """Refunded in full before delivery: the order is cancelled and the stock returns."""
    order = _order_for(payment_order)
    if order is None or order.status not in (OrderStatus.RECEIVED, OrderStatus.PREPARING):
        return
    if payment_order.refunded_amount >= payment_order.paid_amount:
        _cancel_locked(order, actor=refund.actor, reason=refund.reason)


# --- stock --------------------------------------------------------------------------------------


def adjust_stock(product: Product, delta, *, actor, reason: str) -> StockAdjustment:
    """재고 조정: add (delivery from the supplier) or remove (damaged, counted short)
    ``delta`` packs; staff only, with a reason; audited. Stock never goes below zero."""
    if not getattr(actor, "is_city_staff", False):
        raise PermissionDenied()
    try:
        delta = int(str(delta).strip())
    except ValueError:
        raise DasanError(Code.INVALID_QUANTITY, _("증감 수량은 정수로 입력해 주세요."), field="delta") from None
    if delta == 0 or abs(delta) > 100_000:
        raise DasanError(Code.INVALID_QUANTITY, _("증감 수량은 0이 아닌 정수로 입력해 주세요."), field="delta")
    reason = (reason or "").strip()[:200]
    if not reason:
        raise DasanError(Code.REASON_REQUIRED, _("재고를 조정하는 사유를 입력해 주세요."), field="reason")
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        after = product.stock + delta
        if after < 0:
            raise Conflict(
                Code.STOCK_NEGATIVE,
                _("재고보다 많이 뺄 수 없습니다. 현재 재고: %(stock)d묶음") % {"stock": product.stock},
                stock=product.stock,
            )
        product.stock = after
        product.save(update_fields=["stock"])
        adjustment = StockAdjustment.objects.create(
            product=product, delta=delta, stock_after=after, reason=reason, actor=actor
        )
        audit.record(
            "goods.stock.adjust",
            actor=actor,
            target=product,
            reason=reason,
            data={"delta": delta, "stock_after": after},
        )
    return adjustment


def set_price(product: Product, amount: int, effective_from: dt.date, *, actor=None) -> Price:
    """Set the price of ``product`` from ``effective_from`` on (the demo and the admin use it)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise DasanError(Code.INVALID_PRICE, _("가격은 0원 이상의 정수로 입력해 주세요."))
    price, _created = Price.objects.update_or_create(
        product=product, effective_from=effective_from, defaults={"amount": amount}
    )
    audit.record("goods.price.set", actor=actor, target=product, data={"amount": amount, "from": effective_from})
    return price
