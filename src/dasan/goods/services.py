"""Garbage-bag home delivery: the only place where goods state changes.

Ordering reserves stock at once (under row locks on the products, in a fixed order so
two orders never deadlock), checks the city's monthly limit per household (the
resident's account), and creates the payment order (purpose ``"goods"``). The payments
handlers declared in ``apps.py`` (``on_paid``, ``on_cancelled``, ``on_refunded``) confirm
the order when it is paid and give the stock back when the payment order is cancelled,
expires or is refunded in full. Staff then move a paid order along 접수 → 배송 준비 →
배송 중 → 배송 완료. Reading (catalogue, prices, monthly counts, lists) is ``selectors``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.accounts.permissions import is_staff, require_staff
from dasan.core import audit, timefmt
from dasan.core.errors import Conflict, DasanError, NotFound, PermissionDenied
from dasan.core.idempotency import IdempotencyMismatch
from dasan.goods.errors import Code
from dasan.payments import selectors as payment_selectors
from dasan.payments import services as payments

from . import selectors
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
        "G" + timefmt.local_date().strftime("%y%m%d") + "-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(6))
    )


def _same_content(order: Order, wanted: dict[str, int]) -> bool:
    return {line.product.code: line.quantity for line in order.lines.select_related("product")} == wanted


def place_order(items, delivery: Delivery, *, actor, idempotency_key: str = "") -> Order:
    """주문하기: reserve stock for ``items`` ({product code: packs}) for the resident
    ``actor`` and create the payment order; returns the goods order (pay through
    ``selectors.payment_url(order)``).

    Prices come from the price table on the day of ordering, never from the caller.
    Refuses unknown or withdrawn products, zero/negative/fractional quantities, more
    than the stock (``out_of_stock``, 409) and more than the household's monthly limit
    (``monthly_limit``, 409). The same ``idempotency_key`` from the same resident returns
    the first order (a double click orders once); with other items it raises
    ``IdempotencyMismatch``."""
    resident = actor
    if resident is None or not getattr(resident, "is_authenticated", False):
        raise PermissionDenied(Code.LOGIN_REQUIRED, _("로그인한 주민만 주문할 수 있습니다."))
    if not getattr(resident, "is_resident", False):
        raise PermissionDenied(Code.RESIDENTS_ONLY, _("종량제봉투 배송은 주민 계정으로만 주문할 수 있습니다."))
    wanted = _quantities(items)
    delivery = _delivery(delivery)
    key = (idempotency_key or "").strip()[:200]
    if key and (existing := _earlier(resident, key, wanted)) is not None:
        return existing
    try:
        return _place(resident, wanted, delivery, key)
    except IntegrityError:
        # A concurrent submit with the same key won the insert: answer with its order.
        existing = _earlier(resident, key, wanted) if key else None
        if existing is None:
            raise
        return existing


def _earlier(resident, key: str, wanted: dict[str, int]) -> Order | None:
    """The order ``resident`` already placed with idempotency ``key`` (same items), if any."""
    existing = Order.objects.filter(resident=resident, idempotency_key=key).first()
    if existing is not None and not _same_content(existing, wanted):
        raise IdempotencyMismatch()
    return existing


def _check_line(resident, product: Product | None, code: str, quantity: int, now: dt.datetime) -> int:
    """The price of one pack of ``product`` once ``quantity`` packs may be ordered (product
    row locked): on sale, priced, within the household's monthly limit and the stock."""
    if product is None or not product.is_active:
        raise DasanError(
            Code.UNKNOWN_PRODUCT, _("판매하지 않는 물품입니다: %(code)s") % {"code": code[:40]}, field=code
        )
    price = selectors.price_on(product, timefmt.local_date(now))
    if price is None:
        raise DasanError(
            Code.UNKNOWN_PRODUCT, _("아직 가격이 정해지지 않은 물품입니다: %(name)s") % {"name": product.name}
        )
    if product.monthly_limit is not None:
        already = selectors.ordered_this_month(resident, product, now)
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
    return price


def _create_numbered(resident, delivery: Delivery, key: str, total: int, now: dt.datetime) -> Order:
    """The order row under a fresh random number (a collision is tried again)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Order.objects.create(
                    number=_new_number(),
                    resident=resident,
                    created_at=now,
                    idempotency_key=key,
                    total_amount=total,
                    **dataclasses.asdict(delivery),
                )
        except IntegrityError:
            if key and Order.objects.filter(resident=resident, idempotency_key=key).exists():
                raise
    # Five random collisions in a row.
    raise DasanError(
        Code.NUMBER_UNAVAILABLE, _("주문번호를 만들지 못했습니다. 다시 시도해 주세요.")
    )  # pragma: no cover


def _place(resident, wanted: dict[str, int], delivery: Delivery, key: str) -> Order:
    now = timezone.now()
    with transaction.atomic():
        # Lock the products in code order: concurrent orders queue here, so stock and
        # monthly counts are read after the previous order committed.
        products = {p.code: p for p in Product.objects.select_for_update().filter(code__in=wanted).order_by("code")}
        lines = []
        for code, quantity in wanted.items():
            product = products.get(code)
            lines.append((product, _check_line(resident, product, code, quantity, now), quantity))
        total = sum(price * quantity for _, price, quantity in lines)
        order = _create_numbered(resident, delivery, key, total, now)
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
            return_url=selectors.order_url(order),
            department=_owning_department([p for p, _price, _q in lines]),
        )
        # A free order is paid inside create_order and already confirmed by on_paid.
        Order.objects.filter(pk=order.pk).update(payment_order=payment.public_id)
    order.refresh_from_db()
    return order


def _owning_department(products):
    """The department that sells all of ``products`` (``Product.department``, e.g. 청소행정과):
    its staff handle the payment. Products of several departments, or of none, leave it
    to city-wide staff and 세입 담당."""
    departments = {p.department_id for p in products}
    return products[0].department if len(departments) == 1 and None not in departments else None


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
    require_staff(actor)
    if status == OrderStatus.CANCELLED:
        return cancel_order(order, actor=actor, reason=note or _("담당자 취소"))
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


def cancel_order(order: Order, *, actor, reason: str = "") -> Order:
    """Cancel an order before delivery starts. Unpaid: the payment order is cancelled;
    paid: refunded in full. Either way the payments callback marks the order cancelled
    and returns the stock. Residents may cancel their own order until it is being prepared."""
    staff = is_staff(actor)
    if not staff and order.resident_id != getattr(actor, "pk", None):
        raise NotFound(Code.ORDER_NOT_FOUND, _("주문을 찾을 수 없습니다."))
    allowed = (OrderStatus.AWAITING_PAYMENT, OrderStatus.RECEIVED) + ((OrderStatus.PREPARING,) if staff else ())
    reason = (reason or "").strip()[:200] or (_("담당자 취소") if staff else _("주민 취소"))
    with transaction.atomic():
        order = _lock(order)
        if order.status == OrderStatus.CANCELLED:
            return order
        if order.status not in allowed:
            raise Conflict(
                Code.CANNOT_CANCEL, _("배송 준비가 시작된 주문은 취소할 수 없습니다. 담당 부서에 문의해 주세요.")
            )
        payment = payment_selectors.order_by_public_id(order.payment_order)
        if payment is not None and payment.is_pending:
            payments.cancel_order(payment, actor=actor, reason=reason)
        elif payment is not None and payment_selectors.refundable_amount(payment) > 0:
            payments.refund(payment, None, reason, actor=actor)
        order.refresh_from_db()
        if order.status != OrderStatus.CANCELLED:  # no payment to undo (free order)
            _cancel_locked(order, actor=actor, reason=reason)
        audit.record("goods.order.cancel", actor=actor, target=order, reason=reason)
    return order


def _cancel_locked(order: Order, *, actor=None, reason: str = "") -> None:
    _release_stock(order)
    _set_status(order, OrderStatus.CANCELLED, actor=actor, note=reason)


# --- payments handlers (declared in apps.py) ----------------------------------------------------


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
    require_staff(actor)
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
