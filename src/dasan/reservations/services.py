"""Booking and cancelling: the state changes of a reservation's life that residents cause
(staff decisions are in ``staff``), and the payments callbacks.

**No overbooking.** Booking first judges the request against the resource's rules
(``rules``: opening hours, holidays and closed dates, slot grid, durations, booking window,
party size; the resident's no-show penalty, residence, group) and prices it (``pricing``),
all without a lock. Then it locks the resource row (``select_for_update``), so bookings of
one resource run one after the other and of different resources in parallel, checks the
resident's active bookings and that the buffered span is free (reservations, blocks, live
waitlist offers, open lotteries; seats at the busiest instant on a shared resource) and
inserts. On PostgreSQL an exclusion constraint over the buffered span refuses an
overlapping row even if some code bypassed this module (migration 0002); the insert's
``IntegrityError`` is answered ``slot_taken``.

**Idempotency.** A resident's ``idempotency_key`` is unique (a database constraint). A
request that fails — the time is held, or the key's row exists — while an earlier booking
with the same key exists answers with that booking: a double click, a retried API call or
a racing twin books once, and the common path costs no extra query.

**Payment.** A paid booking waits in ``pending_payment`` with a payments order (purpose
``reservations.booking``); ``apps.py`` registers :func:`reservation_paid`,
:func:`reservation_refunded` and :func:`reservation_released` with payments. Whenever a
reservation stops holding its time, a lottery's next rank and the waitlist are offered it
inside the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dasan.accounts.permissions import is_staff
from dasan.core import audit
from dasan.core.conf import setting
from dasan.core.errors import Conflict, DasanError, PermissionDenied
from dasan.core.links import public_url_for
from dasan.payments import handlers as payment_handlers
from dasan.payments import selectors as payment_selectors
from dasan.payments import services as payments

from . import lottery, notifications, offers, selectors
from .availability import buffered_span, parse_party, parse_time, seats_left
from .errors import Code
from .groups import group_for_booking
from .models import ACTIVE, Discount, Group, Kind, Reservation, Resource, Status
from .pricing import Quote, create_order, quote, refund_due
from .rules import check_party_size, check_penalty, check_request, require_signed_in


def payment_minutes() -> int:
    """How long an instant booking holds its slot while waiting for payment."""
    return max(5, int(setting("RESERVATIONS_PAYMENT_MINUTES")))


def lock(pk) -> Reservation:
    """The reservation ``pk`` locked for update, with its resource, unit and resident."""
    return (
        Reservation.objects.select_for_update(of=("self",))
        .select_related("resource", "resource__unit", "resident")
        .get(pk=getattr(pk, "pk", pk))
    )


def notify(reservation: Reservation, template: str, **extra) -> None:
    """Tell the resident about their reservation (blocks have nobody to tell)."""
    resident = reservation.resident
    if resident is None:
        return
    with translation.override(getattr(resident, "language", None) or "ko"):
        discount = str(Discount(reservation.discount).label) if reservation.discount else ""
    context = {
        "code": reservation.code,
        "resource": f"{reservation.resource.unit.name} {reservation.resource.name}",
        "when": selectors.span_label(reservation.begin, reservation.end),
        "price": f"{reservation.payable:,}",
        "discount": discount,
        "url": public_url_for("reservations:detail", reservation.pk),
        **extra,
    }
    notifications.send(template, resident, context)


def released(reservation: Reservation, *, now: dt.datetime | None = None) -> None:
    """``reservation`` stopped holding its time: a lottery's next rank, then the waitlist."""
    if reservation.kind == Kind.BOOKING:
        lottery.released(reservation, now=now)
    offers.freed(reservation.resource, now=now)


# --- booking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    """A booking request that passed every rule that needs no lock."""

    resource: Resource
    begin: dt.datetime
    end: dt.datetime
    party: int
    declared: bool
    group: Group | None
    priced: Quote
    purpose: str
    key: str

    @property
    def status(self) -> str:
        if self.resource.needs_approval:
            return Status.REQUESTED
        return Status.CONFIRMED if self.priced.payable == 0 else Status.PENDING_PAYMENT


def book(
    resource,
    begin,
    end,
    *,
    actor,
    party_size=1,
    discount: str = "",
    declared_resident: bool = False,
    purpose: str = "",
    group=None,
    idempotency_key: str = "",
    expected_total: int | None = None,
    now: dt.datetime | None = None,
) -> Reservation:
    """Book ``resource`` from ``begin`` to ``end`` for the resident ``actor``.

    Refusals (``DasanError`` codes): ``login_required`` (401), ``no_show_penalty`` (403),
    ``unknown_resource`` (404), ``invalid_time``, ``past``, ``outside_hours``,
    ``not_slot_aligned``, ``too_short``, ``too_long``, ``window_not_open``,
    ``window_closed``, ``invalid_party_size``, ``over_capacity`` (400 for a party above
    the capacity, 409 when too few seats are left), ``residents_only`` (403),
    ``unknown_discount``, ``discount_not_offered``, ``price_changed`` (409),
    ``too_many_bookings`` (409), ``slot_taken`` (409), and for groups (``group``: an
    approved 이용 단체 of the resident) ``group_required`` (403, a groups-only resource),
    ``unknown_group`` (404), ``group_not_approved`` (403).

    The result is ``requested`` when the resource needs approval, ``confirmed`` when
    it is free, otherwise ``pending_payment`` with a payments order that expires after
    ``RESERVATIONS_PAYMENT_MINUTES`` (never after the start). The same resident and
    ``idempotency_key`` return the first reservation, so a double click books once.
    A declared discount category (감면) is priced now and verified by staff at check-in."""
    require_signed_in(actor)
    key = str(idempotency_key or "").strip()[:200]
    try:
        now = now or timezone.now()
        request = _checked_request(
            resource,
            begin,
            end,
            actor=actor,
            party_size=party_size,
            discount=discount,
            declared_resident=declared_resident,
            purpose=purpose,
            group=group,
            expected_total=expected_total,
            key=key,
            now=now,
        )
        return _insert(request, actor=actor, now=now)
    except (DasanError, IntegrityError) as error:
        earlier = selectors.booking_by_key(actor, key)
        if earlier is not None:
            return earlier
        if isinstance(error, IntegrityError):
            raise Conflict(
                Code.SLOT_TAKEN, _("이미 예약된 시간입니다. 다른 시간을 골라 주세요."), field="begin"
            ) from None
        raise


def _checked_request(
    resource,
    begin,
    end,
    *,
    actor,
    party_size,
    discount,
    declared_resident,
    purpose,
    group,
    expected_total,
    key,
    now,
) -> _Request:
    """Every rule that needs no lock: who, when, how many, residence, group, price."""
    check_penalty(actor, now)
    resource = selectors.get_resource(resource)
    begin, end = parse_time(begin, "begin"), parse_time(end, "end")
    party = parse_party(party_size)
    check_request(resource, begin, end, now=now)
    check_party_size(resource, party)
    declared = bool(declared_resident) or discount == Discount.RESIDENT
    if resource.residents_only and not declared:
        raise PermissionDenied(
            Code.RESIDENTS_ONLY,
            _("관내 거주자만 예약할 수 있습니다. 거주 여부는 이용 당일 확인합니다."),
            field="declared_resident",
        )
    group = group_for_booking(actor, resource, group)
    priced = quote(resource, begin, end, party_size=party, discount=discount)
    _check_expected_total(priced, expected_total)
    purpose = " ".join(str(purpose or "").split())[:200]
    return _Request(resource, begin, end, party, declared, group, priced, purpose, key)


def _check_expected_total(priced: Quote, expected_total) -> None:
    """``price_changed`` (409) when the resident saw another total than the one due now."""
    seen = "" if expected_total is None else str(expected_total).strip()
    if seen and seen != str(priced.payable):
        raise Conflict(
            Code.PRICE_CHANGED,
            _("이용료가 바뀌었습니다. 새 금액 %(total)s원을 확인하고 다시 예약해 주세요.")
            % {"total": f"{priced.payable:,}"},
            total=priced.payable,
        )


def _insert(request: _Request, *, actor, now: dt.datetime) -> Reservation:
    """Under the resource's row lock: the resident's limit, a free span, the row, the
    audit event, then the payments order or the message."""
    with transaction.atomic():
        locked = Resource.objects.select_for_update(of=("self",)).select_related("unit").get(pk=request.resource.pk)
        _check_active_limit(locked, actor, now)
        _check_free(locked, request, actor, now)
        start, stop = buffered_span(locked, request.begin, request.end)
        status = request.status
        priced = request.priced
        with transaction.atomic():  # savepoint: the DB constraints have the last word
            reservation = Reservation.objects.create(
                resource=locked,
                resident=actor,
                status=status,
                begin=request.begin,
                end=request.end,
                blocked_from=start,
                blocked_until=stop,
                exclusive=locked.exclusive,
                party_size=request.party,
                purpose=request.purpose,
                declared_resident=request.declared,
                group=request.group,
                discount=priced.discount,
                discount_percent=priced.percent,
                subtotal=priced.subtotal,
                price=priced.total,
                deposit=priced.deposit,
                idempotency_key=request.key,
                created_at=now,
                confirmed_at=now if status == Status.CONFIRMED else None,
            )
        _record_booking(reservation, request, actor)
        if status == Status.PENDING_PAYMENT:
            create_order(reservation, priced, min(now + dt.timedelta(minutes=payment_minutes()), request.begin))
        else:
            notify(reservation, "reservations.confirmed" if status == Status.CONFIRMED else "reservations.requested")
    reservation.refresh_from_db()
    return reservation


def _check_active_limit(resource: Resource, resident, now: dt.datetime) -> None:
    """``too_many_bookings`` (409) at ``max_active_per_resident`` upcoming active bookings."""
    mine = Reservation.objects.filter(
        resource=resource, resident=resident, kind=Kind.BOOKING, status__in=ACTIVE, end__gt=now
    ).count()
    if mine >= resource.max_active_per_resident:
        raise Conflict(
            Code.TOO_MANY_BOOKINGS,
            _("이 시설은 한 사람이 %(n)d건까지 예약할 수 있습니다. 이용하거나 취소한 뒤 다시 예약해 주세요.")
            % {"n": resource.max_active_per_resident},
            limit=resource.max_active_per_resident,
        )


def _check_free(resource: Resource, request: _Request, resident, now: dt.datetime) -> None:
    """``slot_taken`` (409) when the time is held; ``over_capacity`` (409, ``remaining``)
    when too few seats are left at its busiest instant."""
    left = seats_left(resource, request.begin, request.end, now=now, exclude_resident=resident)
    if left is None:
        raise Conflict(Code.SLOT_TAKEN, _("이미 예약된 시간입니다. 다른 시간을 골라 주세요."), field="begin")
    if request.party > left:
        raise Conflict(
            Code.OVER_CAPACITY,
            _("그 시간에는 %(left)d명(개)만 더 예약할 수 있습니다.") % {"left": left},
            field="party_size",
            remaining=left,
        )


def _record_booking(reservation: Reservation, request: _Request, actor) -> None:
    audit.record(
        "reservations.book",
        actor=actor,
        target=reservation,
        data={
            "resource": reservation.resource_id,
            "begin": request.begin.isoformat(),
            "end": request.end.isoformat(),
            "party": request.party,
            "total": request.priced.total,
            "deposit": request.priced.deposit,
            "status": reservation.status,
            "discount": request.priced.discount,
            "group": request.group.pk if request.group else None,
        },
    )


# --- cancellation -------------------------------------------------------------------------------


def cancel(reservation, *, actor, reason: str = "", now: dt.datetime | None = None) -> Reservation:
    """Cancel a reservation (or, for staff, a block).

    A resident cancels their own before it starts: an unpaid order is cancelled, a paid
    one refunded by the schedule (``pricing.refund_due``; the deposit comes back whole).
    Staff may cancel any active one; the city then refunds everything. Refused:
    ``reservation_not_found`` (404) for another's, ``not_cancellable`` (409) when it is
    no longer active or already used, ``too_late`` once it has started (residents)."""
    now = now or timezone.now()
    by_staff = is_staff(actor)
    reason = " ".join(str(reason or "").split())[:300]
    with transaction.atomic():
        reservation = _cancellable(reservation, actor=actor, by_staff=by_staff, now=now)
        order = selectors.order_for(reservation) if reservation.order_id else None
        reservation.status, reservation.cancelled_at = Status.CANCELLED, now
        reservation.reason = reason or reservation.reason
        if by_staff:
            reservation.decided_by, reservation.decided_at = actor, now
        reservation.save(update_fields=["status", "cancelled_at", "reason", "decided_by", "decided_at"])
        refunded = _settle_order(reservation, order, actor=actor, by_staff=by_staff, now=now)
        audit.record(
            "reservations.cancel",
            actor=actor,
            target=reservation,
            reason=reason,
            data={"refund": refunded, "by_staff": by_staff, "kind": reservation.kind},
        )
        reservation.refresh_from_db()
        if reservation.kind == Kind.BOOKING:
            notify(reservation, "reservations.cancelled", refund=f"{refunded:,}", reason=reason)
        released(reservation, now=now)
    return reservation


def _cancellable(reservation, *, actor, by_staff: bool, now: dt.datetime) -> Reservation:
    """The reservation locked, if ``actor`` may cancel it now."""
    if by_staff:
        found = selectors.staff_reservation(actor, reservation, reason="reservations.cancel")
    else:
        found = selectors.get_reservation(actor, reservation)
    found = lock(found.pk)
    if found.status not in (Status.PENDING_PAYMENT, Status.REQUESTED, Status.CONFIRMED):
        raise Conflict(Code.NOT_CANCELLABLE, _("이미 취소되었거나 이용이 끝난 예약입니다."))
    if not by_staff and now >= found.begin:
        raise DasanError(Code.TOO_LATE, _("이용 시작 뒤에는 취소할 수 없습니다. 시설에 문의해 주세요."))
    return found


def _settle_order(reservation: Reservation, order, *, actor, by_staff: bool, now: dt.datetime) -> int:
    """Cancel the unpaid order, or refund the paid one (all of it for staff, else what the
    schedule grants); returns the won refunded. A refund returns the deposit first."""
    if order is None:
        return 0
    if order.is_pending:
        payments.cancel_order(order, actor=actor, reason=str(_("예약 취소")))
        return 0
    if not order.is_paid:
        return 0
    refundable = payment_selectors.refundable_amount(order)
    due = refundable if by_staff else min(refund_due(reservation, order.paid_amount, now=now), refundable)
    if due <= 0:
        return 0
    payments.refund(order, due, str(_("예약 취소")), actor=actor)
    if reservation.deposit:
        reservation.deposit_returned = min(reservation.deposit, due)
        reservation.deposit_settled_at = now
        reservation.save(update_fields=["deposit_returned", "deposit_settled_at"])
    return due


def expire_requests(now: dt.datetime | None = None) -> int:
    """Requests nobody decided before their start expire (periodic job, every 15 min)."""
    now = now or timezone.now()
    count = 0
    for pk in list(
        Reservation.objects.filter(status=Status.REQUESTED, begin__lte=now).values_list("pk", flat=True)[:500]
    ):
        with transaction.atomic():
            reservation = lock(pk)
            if reservation.status != Status.REQUESTED:
                continue
            reservation.status, reservation.cancelled_at = Status.EXPIRED, now
            reservation.save(update_fields=["status", "cancelled_at"])
            audit.record("reservations.request_expired", target=reservation)
            offers.freed(reservation.resource, now=now)
            count += 1
    return count


# --- payment callbacks (registered in apps.py) --------------------------------------------------


def reservation_paid(order) -> None:
    """Paid: the reservation is confirmed (a lottery winner's application is booked)."""
    reservation = lock(order.reference)
    if reservation.status != Status.PENDING_PAYMENT:
        return
    reservation.status, reservation.confirmed_at = Status.CONFIRMED, timezone.now()
    reservation.save(update_fields=["status", "confirmed_at"])
    audit.record("reservations.confirmed", target=reservation, data={"order": order.public_id})
    lottery.paid(reservation)
    notify(reservation, "reservations.confirmed")


def reservation_released(order) -> None:
    """The order expired or was cancelled unpaid: the slot is free again."""
    reservation = lock(order.reference)
    if not payment_handlers.mark_released(
        order, reservation, pending=Status.PENDING_PAYMENT, expired=Status.EXPIRED, cancelled=Status.CANCELLED
    ):
        return
    audit.record("reservations.released", target=reservation, data={"order_status": order.status})
    released(reservation)


def reservation_refunded(order, refund) -> None:
    """A refund (ours or staff's on the payments pages): keep the amount; a full refund
    of a confirmed reservation cancels it."""
    reservation = lock(order.reference)
    if payment_handlers.record_refund(order, reservation, confirmed=Status.CONFIRMED, cancelled=Status.CANCELLED):
        notify(reservation, "reservations.cancelled", refund=f"{order.refunded_amount:,}", reason="")
        released(reservation)
