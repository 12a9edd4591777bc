"""Payments services: the only place where orders, payments and refunds change.

Every change locks the order's row (``select_for_update``) inside a transaction, so
two confirmations of one order (a double click, a retried redirect, a webhook racing
the payer's return) or two refunds of one payment run one after the other and the
second sees what the first did. The database constraints in ``models.py`` are the
last line: a refund can never exceed what was paid, and an order can never hold two
successful payments.

The apps that sell things learn the outcome through the handlers they declare by purpose
(``PaymentPurpose(paid=, refunded=, cancelled=)`` in their AppConfig), run inside the same
transaction.
See docs/dev/payments.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import secrets
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.accounts.permissions import is_staff, require_staff
from dasan.core import audit, timefmt
from dasan.core.appconfig import payment_handlers
from dasan.core.conf import setting
from dasan.core.errors import Conflict, DasanError, NotFound, PermissionDenied
from dasan.core.idempotency import IdempotencyMismatch
from dasan.core.links import public_url
from dasan.payments.errors import Code

from . import providers, selectors
from .models import (
    PAID_STATUSES,
    ApprovalStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundApproval,
    RefundStatus,
)
from .providers import Approval, NextStep, ProviderError, ReturnUrls

logger = logging.getLogger("dasan.payments")

__all__ = [
    "Line",
    "create_order",
    "start_payment",
    "confirm_payment",
    "mark_paid_at_office",
    "cancel_order",
    "refund",
    "staff_refund",
    "approve_refund",
    "expire_stale_orders",
    "handle_webhook",
]

MAX_LINES = 100
MAX_AMOUNT = 2_000_000_000  # fits PositiveIntegerField on every backend
_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud at a counter


@dataclasses.dataclass(frozen=True)
class Line:
    """One line of an order: ``unit_price`` in KRW (negative for a discount), ``quantity`` > 0."""

    name: str
    unit_price: int
    quantity: int = 1

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


# --- callbacks ----------------------------------------------------------------------------------

# The apps that sell things declare what happens when their orders change
# (``PaymentPurpose`` in their AppConfig, see core.appconfig); payments calls them by
# purpose without importing those apps.


def _fire(kind: str, order: Order, *args) -> None:
    for callback in payment_handlers(order.purpose, kind):
        callback(order, *args)


# --- helpers ------------------------------------------------------------------------------------


def _int(value, *, field: str) -> int:
    if isinstance(value, bool):
        raise DasanError(Code.INVALID_ORDER, _("%(field)s 값은 정수여야 합니다.") % {"field": field})
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise DasanError(Code.INVALID_ORDER, _("%(field)s 값은 정수여야 합니다.") % {"field": field})


def _normalise_lines(lines) -> list[Line]:
    result = []
    for raw in lines or ():
        if isinstance(raw, Line):
            line = raw
        elif isinstance(raw, dict):
            line = Line(raw.get("name", ""), raw.get("unit_price"), raw.get("quantity", 1))
        elif isinstance(raw, (tuple, list)) and len(raw) in (2, 3):
            line = Line(*raw)
        else:
            raise DasanError(Code.INVALID_ORDER, _("주문 항목의 형식이 올바르지 않습니다."))
        name = str(line.name or "").strip()
        if not name:
            raise DasanError(Code.INVALID_ORDER, _("주문 항목의 이름이 비어 있습니다."))
        unit_price = _int(line.unit_price, field=_("단가"))
        quantity = _int(line.quantity, field=_("수량"))
        if quantity <= 0:
            raise DasanError(Code.INVALID_ORDER, _("수량은 1 이상이어야 합니다: %(name)s") % {"name": name})
        if abs(unit_price) * quantity > MAX_AMOUNT:
            raise DasanError(Code.INVALID_ORDER, _("금액이 너무 큽니다: %(name)s") % {"name": name})
        result.append(Line(name[:120], unit_price, quantity))
    if not result:
        raise DasanError(Code.INVALID_ORDER, _("주문 항목이 없습니다."))
    if len(result) > MAX_LINES:
        raise DasanError(Code.INVALID_ORDER, _("주문 항목이 너무 많습니다."))
    return result


def _new_public_id() -> str:
    day = timefmt.local_date().strftime("%Y%m%d")
    return f"{day}-{''.join(secrets.choice(_ID_ALPHABET) for _ in range(10))}"


def _default_expiry() -> dt.datetime:
    minutes = int(setting("PAYMENTS_ORDER_TTL_MINUTES"))
    return timezone.now() + dt.timedelta(minutes=max(minutes, 1))


def _default_title(lines: list[Line]) -> str:
    first = lines[0].name
    if len(lines) == 1:
        return first[:100]
    return str(_("%(first)s 외 %(count)d건") % {"first": first, "count": len(lines) - 1})[:100]


def _lock(order: Order | str) -> Order:
    """The order re-read under a row lock (PostgreSQL; SQLite serialises writers)."""
    public_id = order.public_id if isinstance(order, Order) else str(order)
    locked = Order.objects.select_for_update().filter(public_id=public_id).first()
    if locked is None:
        raise NotFound(Code.ORDER_NOT_FOUND, _("주문을 찾을 수 없습니다."))
    return locked


def _same_content(order: Order, purpose: str, reference: str, lines: list[Line], provider: str) -> bool:
    stored = [(l.name, l.unit_price, l.quantity) for l in order.lines.all()]
    return (order.purpose, order.reference, order.provider) == (purpose, reference, provider) and stored == [
        (l.name, l.unit_price, l.quantity) for l in lines
    ]


def _refuse_unless_payable(order: Order, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    if order.status in PAID_STATUSES:
        raise Conflict(Code.ALREADY_PAID, _("이미 결제된 주문입니다."))
    if order.status == OrderStatus.CANCELLED:
        raise DasanError(Code.ORDER_CANCELLED, _("취소된 주문입니다. 신청을 처음부터 다시 해 주세요."))
    if order.status == OrderStatus.EXPIRED or order.expires_at <= now:
        raise DasanError(Code.ORDER_EXPIRED, _("결제 기한이 지난 주문입니다. 신청을 처음부터 다시 해 주세요."))


# --- orders -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Draft:
    """An order's content, checked, before it is written."""

    purpose: str
    reference: str
    lines: list[Line]
    total: int
    provider: str
    expires_at: dt.datetime
    return_url: str


def _draft(purpose, reference, lines, *, provider, expires_at, return_url) -> _Draft:
    """Check what an owner app asks to sell (see :func:`create_order`)."""
    purpose = str(purpose or "").strip()
    reference = str(reference if reference is not None else "").strip()
    if not purpose or len(purpose) > 60 or not reference or len(reference) > 64:
        raise DasanError(Code.INVALID_ORDER, _("주문의 용도와 대상이 올바르지 않습니다."))
    normalised = _normalise_lines(lines)
    total = sum(line.amount for line in normalised)
    if total < 0:
        raise DasanError(Code.INVALID_ORDER, _("결제 금액이 0원보다 적을 수 없습니다."))
    if total > MAX_AMOUNT:
        raise DasanError(Code.INVALID_ORDER, _("결제 금액이 너무 큽니다."))
    provider_name = providers.get(provider).name
    expires_at = expires_at or _default_expiry()
    if expires_at <= timezone.now():
        raise DasanError(Code.INVALID_ORDER, _("결제 기한이 이미 지났습니다."))
    return_url = str(return_url or "")
    if return_url and (not return_url.startswith("/") or return_url.startswith("//") or len(return_url) > 300):
        raise DasanError(Code.INVALID_ORDER, _("돌아갈 주소는 이 사이트 안의 경로여야 합니다."))
    return _Draft(purpose, reference, normalised, total, provider_name, expires_at, return_url)


def _earlier(payer, key: str, draft: _Draft) -> Order | None:
    """The order ``payer`` already created with idempotency ``key`` (same content), if any."""
    existing = Order.objects.filter(payer=payer, idempotency_key=key).first()
    if existing is not None and not _same_content(
        existing, draft.purpose, draft.reference, draft.lines, draft.provider
    ):
        raise IdempotencyMismatch()
    return existing


def _insert_order(payer, draft: _Draft, *, title: str, key: str, department=None) -> Order:
    """Write the order and its lines; a free order is paid at once."""
    with transaction.atomic():
        order = Order.objects.create(
            public_id=_new_public_id(),
            payer=payer,
            department=department,
            purpose=draft.purpose,
            reference=draft.reference,
            title=(str(title).strip() or _default_title(draft.lines))[:100],
            provider=draft.provider,
            total_amount=draft.total,
            expires_at=draft.expires_at,
            return_url=draft.return_url[:300],
            idempotency_key=key,
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order, position=i, name=l.name, unit_price=l.unit_price, quantity=l.quantity, amount=l.amount
            )
            for i, l in enumerate(draft.lines)
        )
        audit.record(
            "payments.order.create",
            actor=payer,
            target=order,
            data={
                "purpose": draft.purpose,
                "reference": draft.reference,
                "total": draft.total,
                "provider": draft.provider,
            },
        )
        if draft.total == 0:
            order.status, order.paid_at = OrderStatus.PAID, timezone.now()
            order.provider_data = NextStep(kind="paid").as_data()
            order.save(update_fields=["status", "paid_at", "provider_data", "updated_at"])
            audit.record("payments.order.free", actor=payer, target=order, data={"total": 0})
            _fire("paid", order)
    return order


def create_order(
    payer,
    purpose: str,
    reference: str,
    lines: Iterable,
    *,
    title: str = "",
    provider: str | None = None,
    idempotency_key: str | None = None,
    expires_at: dt.datetime | None = None,
    return_url: str = "",
    department=None,
) -> Order:
    """Create a pending order for ``payer`` to pay, and return it.

    ``department`` (a ``core.Department``) is the department that owns what is sold: its
    staff handle the order (mark it paid, refund it); without one only city-wide staff and
    세입 담당 do (see ``selectors.can_handle``).

    ``purpose`` is ``"<app>.<thing>"`` (the callback key), ``reference`` the owner's
    object id; ``lines`` are :class:`Line` objects, ``(name, unit_price, quantity)``
    tuples or dicts. The total is the sum of the lines and may not be negative; a total
    of 0 is paid at once (the purpose's ``paid`` handler runs inside this call). With ``idempotency_key``
    the same payer and key return the first order (a different content raises
    :class:`~dasan.core.idempotency.IdempotencyMismatch`).
    """
    if payer is None or not getattr(payer, "pk", None):
        raise DasanError(Code.INVALID_ORDER, _("결제할 사람이 정해지지 않았습니다."))
    draft = _draft(purpose, reference, lines, provider=provider, expires_at=expires_at, return_url=return_url)
    key = (idempotency_key or "").strip()[:200]
    if key and (existing := _earlier(payer, key, draft)) is not None:
        return existing
    try:
        return _insert_order(payer, draft, title=title, key=key, department=department)
    except IntegrityError:
        # A concurrent request with the same key won the insert: answer with its order.
        existing = _earlier(payer, key, draft) if key else None
        if existing is None:
            raise
        return existing


def _return_urls(order: Order, base_url: str) -> ReturnUrls:
    """The PG sends the payer back to the site they paid from (``base_url``, the page's
    own address), so their session is still there; without one, to the public address."""

    def absolute(name: str) -> str:
        path = reverse(name, args=[order.public_id])
        return base_url.rstrip("/") + path if base_url else (public_url(path) or path)

    return ReturnUrls(success=absolute("payments:success"), fail=absolute("payments:fail"))


def start_payment(order: Order, *, provider: str | None = None, actor=None, base_url: str = "") -> NextStep:
    """Choose (or switch) how a pending order is paid and return what the payer does next:
    the virtual account to deposit into, or the card PG's page to go to.

    ``base_url`` (``https://city.example``) makes the PG's return URLs absolute;
    default the public address (``core.links``). Refuses orders that are paid, cancelled or
    past their deadline."""
    with transaction.atomic():
        order = _lock(order)
        _refuse_unless_payable(order)
        chosen = providers.get(provider or order.provider)
        if not chosen.is_configured():
            raise DasanError(Code.UNKNOWN_PROVIDER, _("사용할 수 없는 결제 수단입니다."))
        step = chosen.start(order, urls=_return_urls(order, base_url))
        order.provider = chosen.name
        order.provider_data = step.as_data()
        order.save(update_fields=["provider", "provider_data", "updated_at"])
    return step


# --- payments -----------------------------------------------------------------------------------


def _record_payment(order: Order, approval: Approval, provider_name: str, *, actor=None, note: str = "") -> Payment:
    """Write the approved payment and mark the order paid (order row already locked)."""
    method = approval.method if approval.method in PaymentMethod.values else PaymentMethod.OTHER
    with transaction.atomic():  # savepoint: a lost race on the unique constraint is answered below
        payment = Payment.objects.create(
            order=order,
            provider=provider_name,
            provider_reference=approval.provider_reference,
            method=method,
            amount=approval.amount,
            status=PaymentStatus.APPROVED,
            approved_at=approval.approved_at,
            received_by=actor if is_staff(actor) else None,
            note=note[:200],
            raw=approval.raw,
        )
    order.status = OrderStatus.PAID
    order.paid_amount = approval.amount
    order.paid_at = approval.approved_at
    order.provider_data = NextStep(kind="paid").as_data() | {"previous": order.provider_data.get("kind", "")}
    order.save(update_fields=["status", "paid_amount", "paid_at", "provider_data", "updated_at"])
    audit.record(
        "payments.payment.approved",
        actor=actor,
        target=order,
        data={"amount": approval.amount, "provider": provider_name, "method": method, "payment": payment.pk},
    )
    _fire("paid", order)
    return payment


def _record_failure(order: Order, provider_name: str, reference: str, error: ProviderError, amount: int, actor) -> None:
    Payment.objects.create(
        order=order,
        provider=provider_name,
        provider_reference=reference,
        amount=max(amount, 0),
        status=PaymentStatus.FAILED,
        failure_code=(error.provider_code or error.code)[:60],
        failure_message=str(error.message)[:300],
        raw=error.raw if isinstance(error.raw, dict) else {},
    )
    audit.record(
        "payments.payment.failed",
        actor=actor,
        target=order,
        data={"provider": provider_name, "code": error.code, "provider_code": error.provider_code},
    )


def _replayed(order: Order, provider, reference: str, *, replay: bool) -> Payment | None:
    """The order's payment when ``reference`` reports it again; otherwise ``already_paid``
    when the order is paid at all. Returns None for an order still to be paid."""
    existing = order.payments.exclude(status=PaymentStatus.FAILED).first()
    if existing is not None:
        if replay and reference and existing.provider == provider.name and existing.provider_reference == reference:
            return existing  # the same payment reported again: nothing more to do
        raise Conflict(Code.ALREADY_PAID, _("이미 결제된 주문입니다."))
    if order.status in PAID_STATUSES:  # free orders: paid without a Payment row
        raise Conflict(Code.ALREADY_PAID, _("이미 결제된 주문입니다."))
    return None


def _amount_mismatch(order: Order, provider, approval: Approval | None, params: dict, actor) -> DasanError | None:
    """The error to answer when the amount claimed is not the order's (recorded in the
    audit log, which commits even though the answer is a refusal: a tampered amount is
    worth a trace)."""
    claimed = approval.amount if approval else params.get("amount", order.total_amount)
    try:
        claimed = int(claimed)
    except (TypeError, ValueError):
        claimed = -1
    if claimed == order.total_amount:
        return None
    audit.record(
        "payments.payment.amount_mismatch",
        actor=actor,
        target=order,
        data={"expected": order.total_amount, "claimed": claimed, "provider": provider.name},
    )
    return DasanError(
        Code.AMOUNT_MISMATCH,
        _("결제 금액이 주문 금액과 다릅니다. 처음부터 다시 결제해 주세요."),
        expected=order.total_amount,
    )


def _confirm(
    order: Order,
    provider,
    params: dict,
    *,
    actor=None,
    approval: Approval | None = None,
    replay: bool = True,
    note: str = "",
) -> Payment:
    """``provider``: a Provider, or None for the order's own (read under the lock, as
    a payer may have switched it since the caller loaded the order)."""
    with transaction.atomic():
        order = _lock(order)
        if provider is None:
            provider = providers.get(order.provider, enabled_only=False)
            if not provider.payer_confirmable:
                raise DasanError(Code.UNKNOWN_PROVIDER, _("이 결제 수단은 직원이 수납 처리합니다."))
        reference = approval.provider_reference if approval else provider.reference_from(params)
        if (existing := _replayed(order, provider, reference, replay=replay)) is not None:
            return existing
        _refuse_unless_payable(order)
        failure = _amount_mismatch(order, provider, approval, params, actor)
        if failure is None and approval is None:
            try:
                approval = provider.confirm(order, params)
            except ProviderError as error:
                failure = error
                _record_failure(order, provider.name, reference, error, order.total_amount, actor)
        if failure is None:
            try:
                return _record_payment(order, approval, provider.name, actor=actor, note=note)
            except IntegrityError:
                pass  # another process recorded it first (SQLite has no row locks): read it below
    if failure is not None:
        raise failure
    winner = order.payments.exclude(status=PaymentStatus.FAILED).first()
    if winner is not None and winner.provider == provider.name and winner.provider_reference == reference:
        return winner
    raise Conflict(Code.ALREADY_PAID, _("이미 결제된 주문입니다."))


def confirm_payment(order: Order, params: dict, *, provider: str | None = None, actor=None) -> Payment:
    """Finish a payment the provider reports (Toss: ``paymentKey``, ``orderId`` and
    ``amount`` from the success redirect) and return the ``Payment``.

    Idempotent: the same provider reference again returns the same payment and charges
    nothing; another payment for a paid order raises ``already_paid`` (409). The amount
    must equal the order's (``amount_mismatch``); expired or cancelled orders are refused
    before the provider is asked, so nothing is charged. Runs the purpose's ``paid`` handler once."""
    if not isinstance(params, dict):
        raise DasanError(Code.INVALID_REQUEST, _("결제 정보가 올바르지 않습니다."))
    chosen = None
    if provider:
        chosen = providers.get(provider, enabled_only=False)
        # Counter payments are staff's word (mark_paid_at_office), never the payer's.
        if not chosen.payer_confirmable:
            raise DasanError(Code.UNKNOWN_PROVIDER, _("이 결제 수단은 직원이 수납 처리합니다."))
    return _confirm(order, chosen, params, actor=actor)


def mark_paid_at_office(order: Order, *, actor, method: str = "cash", note: str = "") -> Payment:
    """Staff record money taken at the counter or seen on the city's account
    (``method``: cash, card_terminal, transfer, virtual_account). Runs the ``paid`` handler;
    a paid order raises ``already_paid``."""
    require_staff(actor)
    if method not in ("cash", "card_terminal", "transfer", "virtual_account"):
        raise DasanError(Code.INVALID_REQUEST, _("수납 방법이 올바르지 않습니다."))
    office = providers.get("office", enabled_only=False)
    with transaction.atomic():
        locked = _lock(order)
        params = {"amount": locked.total_amount, "method": method, "reference": f"office-{locked.public_id}"}
        payment = _confirm(locked, office, params, actor=actor, replay=False, note=note)
        audit.record(
            "payments.payment.office",
            actor=actor,
            target=locked,
            data={"amount": payment.amount, "method": method},
            reason=note,
        )
    return payment


def handle_webhook(provider_name: str, body: bytes, headers) -> Payment | None:
    """Act on a provider's notice after verifying it (office: HMAC signature; Toss: the
    payment fetched again with our key). Returns the payment, or None when the notice
    needs nothing from us."""
    provider = providers.get(provider_name, enabled_only=False)
    event = provider.verify_webhook(body, headers)
    if event is None or event.approval is None:
        return None
    order = Order.objects.filter(public_id=event.order_public_id[:40]).first()
    if order is None:
        raise NotFound(Code.ORDER_NOT_FOUND, _("주문을 찾을 수 없습니다."))
    try:
        return _confirm(order, provider, {}, approval=event.approval)
    except DasanError as error:
        # Money may have arrived for an order we cannot accept it for (expired, already
        # paid, wrong amount): staff must see it and return it.
        audit.record(
            "payments.webhook.refused",
            target=order,
            reason=str(error.message),
            data={
                "provider": provider.name,
                "code": error.code,
                "amount": event.approval.amount,
                "reference": event.approval.provider_reference,
            },
        )
        raise


# --- cancellation and expiry --------------------------------------------------------------------


def cancel_order(order: Order, *, actor=None, reason: str = "") -> Order:
    """Give up a pending order (no money moved) and run the ``cancelled`` handler. Cancelling a
    cancelled or expired order changes nothing; a paid order must be refunded instead."""
    with transaction.atomic():
        order = _lock(order)
        if order.status in (OrderStatus.CANCELLED, OrderStatus.EXPIRED):
            return order
        if order.status in PAID_STATUSES:
            raise Conflict(Code.ALREADY_PAID, _("이미 결제된 주문은 취소할 수 없습니다. 환불을 신청해 주세요."))
        order.status, order.closed_at = OrderStatus.CANCELLED, timezone.now()
        order.save(update_fields=["status", "closed_at", "updated_at"])
        audit.record(
            "payments.order.cancel", actor=actor, target=order, reason=reason, data={"total": order.total_amount}
        )
        _fire("cancelled", order)
    return order


def expire_stale_orders(now: dt.datetime | None = None) -> int:
    """Mark pending orders past their deadline as expired (running the ``cancelled`` handler) and
    return how many. Safe to run from several workers at once."""
    now = now or timezone.now()
    count = 0
    stale = list(
        Order.objects.filter(status=OrderStatus.PENDING, expires_at__lte=now).values_list("pk", flat=True)[:500]
    )
    for pk in stale:
        with transaction.atomic():
            order = (
                Order.objects.select_for_update().filter(pk=pk, status=OrderStatus.PENDING, expires_at__lte=now).first()
            )
            if order is None:
                continue  # paid or expired by someone else meanwhile
            order.status, order.closed_at = OrderStatus.EXPIRED, now
            order.save(update_fields=["status", "closed_at", "updated_at"])
            audit.record("payments.order.expire", target=order, data={"total": order.total_amount})
            _fire("cancelled", order)
            count += 1
    return count


# --- refunds ------------------------------------------------------------------------------------


def _refund_amount(payment: Payment, amount) -> int:
    """``amount`` checked against what is left of ``payment`` (None: all of it)."""
    refundable = payment.amount - payment.refunded_amount
    if amount is None:
        amount = refundable
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        if amount == 0 and refundable == 0:
            raise Conflict(Code.REFUND_EXCEEDS_PAID, _("이미 전액 환불되었습니다."), refundable=0)
        raise DasanError(Code.INVALID_AMOUNT, _("환불 금액은 1원 이상의 정수여야 합니다."))
    if amount > refundable:
        raise Conflict(
            Code.REFUND_EXCEEDS_PAID,
            _("환불 금액(%(amount)s원)이 환불 가능한 금액(%(refundable)s원)보다 큽니다.")
            % {"amount": f"{amount:,}", "refundable": f"{refundable:,}"},
            refundable=refundable,
        )
    return amount


def _record_refund_failure(order: Order, payment: Payment, amount: int, reason: str, error: ProviderError, actor):
    Refund.objects.create(
        payment=payment,
        amount=amount,
        reason=reason,
        status=RefundStatus.FAILED,
        actor=actor if getattr(actor, "pk", None) else None,
        failure_code=(error.provider_code or error.code)[:60],
        failure_message=str(error.message)[:300],
        raw=error.raw if isinstance(error.raw, dict) else {},
    )
    audit.record(
        "payments.refund.failed",
        actor=actor,
        target=order,
        reason=reason,
        data={"amount": amount, "code": error.code, "provider_code": error.provider_code},
    )


def _record_refund(order: Order, payment: Payment, amount: int, reason: str, result, provider_name: str, actor):
    """Write the refund the provider made, update the sums and run the ``refunded`` handler."""
    refund_row = Refund.objects.create(
        payment=payment,
        amount=amount,
        reason=reason,
        status=RefundStatus.DONE,
        provider_reference=result.provider_reference,
        actor=actor if getattr(actor, "pk", None) else None,
        raw=result.raw,
    )
    new_refunded = payment.refunded_amount + amount
    Payment.objects.filter(pk=payment.pk).update(
        refunded_amount=F("refunded_amount") + amount,
        status=PaymentStatus.REFUNDED if new_refunded == payment.amount else PaymentStatus.PARTIALLY_REFUNDED,
    )
    order.refunded_amount += amount
    order.status = (
        OrderStatus.REFUNDED if order.refunded_amount == order.paid_amount else OrderStatus.PARTIALLY_REFUNDED
    )
    order.save(update_fields=["refunded_amount", "status", "updated_at"])
    audit.record(
        "payments.refund",
        actor=actor,
        target=order,
        reason=reason,
        data={
            "amount": amount,
            "refunded_total": order.refunded_amount,
            "provider": provider_name,
            "refund": refund_row.pk,
        },
    )
    _fire("refunded", order, refund_row)
    return refund_row


def refund(target: Order | Payment, amount: int | None = None, reason: str = "", *, actor=None) -> Refund:
    """Return ``amount`` won (default: all that is left) of a paid order or payment
    through its provider, and run the ``refunded`` handler.

    Never more than paid minus already refunded (``refund_exceeds_paid``), even when
    two refunds race: the order row is locked and the database checks the sums.
    Partial refunds are fine. A provider refusal is recorded as a failed refund and
    raised (``refund_failed`` / ``provider_unavailable``)."""
    order = target.order if isinstance(target, Payment) else target
    reason = (str(reason or "").strip() or str(_("환불")))[:200]
    with transaction.atomic():
        order = _lock(order)
        payments = Payment.objects.select_for_update().filter(order=order).exclude(status=PaymentStatus.FAILED)
        if isinstance(target, Payment):
            payments = payments.filter(pk=target.pk)
        payment = payments.first()
        if payment is None:
            raise DasanError(Code.NOT_PAID, _("환불할 결제가 없습니다."))
        amount = _refund_amount(payment, amount)
        provider = providers.get(payment.provider, enabled_only=False)
        # Same payment, same point in its history, same amount: the same key, so a retry
        # after a lost answer is answered by the PG instead of refunding twice.
        key = f"refund-{payment.pk}-{payment.refunded_amount}-{amount}"
        try:
            result = provider.refund(payment, amount, reason, idempotency_key=key)
        except ProviderError as error:
            # The failure is recorded (the transaction commits), then raised to the caller.
            _record_refund_failure(order, payment, amount, reason, error, actor)
            failure = error
        else:
            return _record_refund(order, payment, amount, reason, result, provider.name, actor)
    raise failure


# --- staff refunds: separation of duties ---------------------------------------------------------

# ``refund`` above is what the selling apps call when their own rules owe money back (a
# cancellation, a deposit); they have checked the actor against their own objects. A refund
# a member of staff decides at the payments desk goes through ``staff_refund``: the order
# must be one they handle, and above ``PAYMENTS_REFUND_APPROVAL_OVER`` won a second person
# approves it before the provider is asked.


def _approval_threshold() -> int:
    try:
        return max(int(setting("PAYMENTS_REFUND_APPROVAL_OVER") or 0), 0)
    except (TypeError, ValueError):
        return 0


def _require_handler(actor, order: Order) -> None:
    require_staff(actor)
    if not selectors.can_handle(actor, order):
        raise NotFound(Code.ORDER_NOT_FOUND, _("주문을 찾을 수 없습니다."))


def staff_refund(order: Order, amount: int | None, reason: str, *, actor) -> Refund | RefundApproval:
    """A refund decided by staff (``actor``) for an order they handle (else ``order_not_found``).

    Up to ``PAYMENTS_REFUND_APPROVAL_OVER`` won (0: any amount) it is made at once, as
    :func:`refund`, and the ``Refund`` returned. Above it, a pending ``RefundApproval`` is
    recorded and returned: nothing is asked of the provider until another member of staff
    approves it (:func:`approve_refund`). Both steps are audited."""
    _require_handler(actor, order)
    threshold = _approval_threshold()
    reason = (str(reason or "").strip() or str(_("환불")))[:200]
    if threshold:
        with transaction.atomic():
            locked = _lock(order)
            payment = locked.payments.exclude(status=PaymentStatus.FAILED).first()
            if payment is None:
                raise DasanError(Code.NOT_PAID, _("환불할 결제가 없습니다."))
            checked = _refund_amount(payment, amount)
            if checked > threshold:
                approval = RefundApproval.objects.create(
                    order=locked, amount=checked, reason=reason, requested_by=actor
                )
                audit.record(
                    "payments.refund.requested",
                    actor=actor,
                    target=locked,
                    reason=reason,
                    data={"amount": checked, "threshold": threshold, "approval": approval.pk},
                )
                return approval
    # Below the threshold: the refund as it always was (its own transaction, so a provider
    # refusal is recorded before it is raised).
    return refund(order, amount, reason, actor=actor)


def approve_refund(approval: RefundApproval | int, *, actor) -> Refund:
    """A second member of staff approves a pending refund: the provider is asked and the
    refund recorded (as :func:`refund`). The requester may not approve their own
    (``refund_needs_second_person``, 403); the approver must handle the order too (else
    ``order_not_found``); an approval already done answers ``refund_approval_closed`` (409)."""
    require_staff(actor)
    pk = approval.pk if isinstance(approval, RefundApproval) else approval
    with transaction.atomic():
        row = RefundApproval.objects.select_for_update().filter(pk=pk).first()
        if row is None or not selectors.can_handle(actor, row.order):
            raise NotFound(Code.ORDER_NOT_FOUND, _("주문을 찾을 수 없습니다."))
        if row.status != ApprovalStatus.PENDING:
            raise Conflict(Code.REFUND_APPROVAL_CLOSED, _("이미 처리된 환불 요청입니다."))
        if row.requested_by_id == actor.pk:
            raise PermissionDenied(
                Code.REFUND_NEEDS_SECOND_PERSON, _("환불을 요청한 사람이 아닌 다른 담당자가 승인해야 합니다.")
            )
        # Claimed before the provider is asked, so two approvers never refund it twice.
        row.status, row.approved_by, row.approved_at = ApprovalStatus.APPROVED, actor, timezone.now()
        row.save(update_fields=["status", "approved_by", "approved_at"])
    try:
        done = refund(row.order, row.amount, row.reason, actor=actor)
    except DasanError:
        # The provider refused or the money is no longer there: pending again, to retry or drop.
        RefundApproval.objects.filter(pk=row.pk).update(
            status=ApprovalStatus.PENDING, approved_by=None, approved_at=None
        )
        raise
    RefundApproval.objects.filter(pk=row.pk).update(refund=done)
    audit.record(
        "payments.refund.approved",
        actor=actor,
        target=row.order,
        reason=row.reason,
        data={"amount": row.amount, "requested_by": row.requested_by_id, "approval": row.pk, "refund": done.pk},
    )
    return done
