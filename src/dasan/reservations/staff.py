"""What staff do at the reservation desk: decide requests (approve, deny), block time for
maintenance (사용 중지), confirm a use on the day (check-in, where the declared discount and
residence are verified), mark a no-show (which bars the resident from booking for
``RESERVATIONS_NO_SHOW_PENALTY_DAYS``) and settle a deposit (보증금) after the use.

Every function refuses anyone but staff with ``staff_only`` (403), locks the reservation
before it judges its state, and is audited. Staff may also cancel any reservation or lift
a block with ``services.cancel`` (then the city refunds in full).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.accounts.permissions import require_staff
from dasan.core import audit, timefmt
from dasan.core.conf import setting
from dasan.core.errors import Conflict, DasanError
from dasan.payments import selectors as payment_selectors
from dasan.payments import services as payments

from . import offers, selectors
from .availability import holding, parse_time
from .errors import Code
from .models import Kind, Penalty, Reservation, Resource, Status
from .pricing import create_order, quote_of
from .services import lock, notify


def approved_payment_hours() -> int:
    """How long a resident has to pay after staff approved a request."""
    return max(1, int(setting("RESERVATIONS_APPROVED_PAYMENT_HOURS")))


def no_show_penalty_days() -> int:
    """Days a resident cannot book after a no-show (0 switches the penalty off)."""
    return max(0, int(setting("RESERVATIONS_NO_SHOW_PENALTY_DAYS")))


def _decide(reservation, *, actor, want: tuple, code: Code, message) -> Reservation:
    """The reservation locked for ``actor`` (``staff_only`` to others), if its status is
    one of ``want``."""
    found = lock(selectors.staff_reservation(actor, reservation).pk)
    if found.status not in want:
        raise Conflict(code, message)
    return found


def _clean(reason) -> str:
    return " ".join(str(reason or "").split())[:300]


def _waiting_request(reservation, *, actor) -> Reservation:
    """The request, locked and authorised, still waiting for a decision (``not_requested``)."""
    return _decide(
        reservation,
        actor=actor,
        want=(Status.REQUESTED,),
        code=Code.NOT_REQUESTED,
        message=_("승인을 기다리는 예약이 아닙니다."),
    )


def approve(reservation, *, actor, now: dt.datetime | None = None) -> Reservation:
    """Approve a request: free → confirmed; paid → pending payment with an order the
    resident pays within ``RESERVATIONS_APPROVED_PAYMENT_HOURS`` (never after the start).
    Refused: ``not_requested`` (409), ``too_late`` after the start."""
    now = now or timezone.now()
    with transaction.atomic():
        reservation = _waiting_request(reservation, actor=actor)
        if now >= reservation.begin:
            raise DasanError(Code.TOO_LATE, _("이용 시간이 지난 신청은 승인할 수 없습니다."))
        reservation.decided_by, reservation.decided_at = actor, now
        deadline = min(now + dt.timedelta(hours=approved_payment_hours()), reservation.begin)
        if reservation.payable > 0:
            reservation.status = Status.PENDING_PAYMENT
            reservation.save(update_fields=["status", "decided_by", "decided_at"])
            create_order(reservation, quote_of(reservation), deadline)
        else:
            reservation.status, reservation.confirmed_at = Status.CONFIRMED, now
            reservation.save(update_fields=["status", "decided_by", "decided_at", "confirmed_at"])
        audit.record(
            "reservations.approve",
            actor=actor,
            target=reservation,
            data={"price": reservation.price, "deposit": reservation.deposit},
        )
        notify(reservation, "reservations.approved", pay=reservation.payable > 0, deadline=timefmt.fmt(deadline))
    return reservation


def deny(reservation, *, actor, reason: str, now: dt.datetime | None = None) -> Reservation:
    """Refuse a request with a reason the resident is told (``reason_required``); the slot
    is free again. ``not_requested`` (409) once decided."""
    reason = _clean(reason)
    if not reason:
        raise DasanError(Code.REASON_REQUIRED, _("반려 사유를 적어 주세요."), field="reason")
    now = now or timezone.now()
    with transaction.atomic():
        reservation = _waiting_request(reservation, actor=actor)
        reservation.status, reservation.reason = Status.DENIED, reason
        reservation.decided_by, reservation.decided_at = actor, now
        reservation.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit.record("reservations.deny", actor=actor, target=reservation, reason=reason)
        notify(reservation, "reservations.denied", reason=reason)
        offers.freed(reservation.resource, now=now)
    return reservation


def block(resource, begin, end, *, actor, reason: str, now: dt.datetime | None = None) -> Reservation:
    """사용 중지: hold the whole resource from ``begin`` to ``end`` (maintenance, a city
    event). Refused with ``block_conflicts`` (409, the codes in ``details``) while
    active reservations overlap — cancel or move those first."""
    require_staff(actor, selectors.STAFF_ONLY)
    resource = selectors.get_resource(resource)
    begin, end = parse_time(begin, "begin"), parse_time(end, "end")
    reason = _clean(reason)
    if end <= begin:
        raise DasanError(Code.INVALID_TIME, _("끝나는 시각은 시작 시각보다 뒤여야 합니다."), field="end")
    if not reason:
        raise DasanError(Code.REASON_REQUIRED, _("사용 중지 사유를 적어 주세요."), field="reason")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        codes = [r.code for r in holding(locked, begin, end)]
        if codes:
            raise Conflict(
                Code.BLOCK_CONFLICTS,
                _("그 시간에 유효한 예약이 있습니다: %(codes)s. 먼저 취소하거나 반려해 주세요.")
                % {"codes": ", ".join(codes)},
                reservations=codes,
            )
        reservation = Reservation.objects.create(
            resource=locked,
            kind=Kind.BLOCK,
            status=Status.CONFIRMED,
            begin=begin,
            end=end,
            blocked_from=begin,
            blocked_until=end,
            exclusive=locked.exclusive,
            party_size=locked.capacity,
            reason=reason,
            decided_by=actor,
            decided_at=now,
            confirmed_at=now,
            created_at=now,
        )
        audit.record(
            "reservations.block",
            actor=actor,
            target=reservation,
            reason=reason,
            data={"resource": locked.pk, "begin": begin.isoformat(), "end": end.isoformat()},
        )
    return reservation


def _confirmed_booking(reservation, *, actor, message) -> Reservation:
    """The reservation, locked and authorised, a confirmed booking (not a block or a stay
    hold); else ``not_confirmed`` (409) with ``message``."""
    reservation = _decide(reservation, actor=actor, want=(Status.CONFIRMED,), code=Code.NOT_CONFIRMED, message=message)
    if reservation.kind != Kind.BOOKING:
        raise Conflict(Code.NOT_CONFIRMED, message)
    return reservation


def check_in(reservation, *, actor, now: dt.datetime | None = None) -> Reservation:
    """이용 확인 on the day of use, before it ends (``not_today``); staff also verify the
    declared discount and residence here. ``not_confirmed`` (409) otherwise."""
    now = now or timezone.now()
    message = _("확정된 예약만 이용 확인할 수 있습니다.")
    with transaction.atomic():
        reservation = _confirmed_booking(reservation, actor=actor, message=message)
        if timefmt.local_date(now) != timefmt.local_date(reservation.begin) or now >= reservation.end:
            raise DasanError(Code.NOT_TODAY, _("이용 당일, 끝나기 전에만 이용 확인할 수 있습니다."))
        reservation.status, reservation.checked_in_at = Status.CHECKED_IN, now
        reservation.decided_by, reservation.decided_at = actor, now
        reservation.save(update_fields=["status", "checked_in_at", "decided_by", "decided_at"])
        audit.record(
            "reservations.check_in",
            actor=actor,
            target=reservation,
            data={"discount": reservation.discount, "declared_resident": reservation.declared_resident},
        )
    return reservation


def mark_no_show(reservation, *, actor, now: dt.datetime | None = None) -> Reservation:
    """노쇼: a confirmed reservation nobody came to, once it has started (``too_early``).
    The resident cannot book for ``RESERVATIONS_NO_SHOW_PENALTY_DAYS`` days."""
    now = now or timezone.now()
    message = _("확정된 예약만 노쇼로 처리할 수 있습니다.")
    with transaction.atomic():
        reservation = _confirmed_booking(reservation, actor=actor, message=message)
        if now < reservation.begin:
            raise DasanError(Code.TOO_EARLY, _("이용 시작 시각이 지나야 노쇼로 처리할 수 있습니다."))
        reservation.status = Status.NO_SHOW
        reservation.decided_by, reservation.decided_at = actor, now
        reservation.save(update_fields=["status", "decided_by", "decided_at"])
        days = no_show_penalty_days()
        if days:
            Penalty.objects.create(
                resident=reservation.resident,
                reservation=reservation,
                until=now + dt.timedelta(days=days),
                reason=_("%(code)s 노쇼") % {"code": reservation.code},
                created_at=now,
            )
        audit.record("reservations.no_show", actor=actor, target=reservation, data={"penalty_days": days})
    return reservation


# --- deposits (보증금) ----------------------------------------------------------------------------


def settle_deposit(reservation, *, actor, withheld=0, reason: str = "", now: dt.datetime | None = None) -> Reservation:
    """보증금 정산 after the use: return the deposit, less ``withheld`` won kept for damage
    or loss (a reason is then required and the resident is told it).

    Only for a booking that was used (checked in) or not shown up for, once it has
    started, and only once. Refused: ``no_deposit`` (409), ``deposit_settled`` (409),
    ``not_used`` (409), ``too_early``, ``invalid_amount``, ``reason_required``,
    ``not_refundable`` (409: the order cannot return it)."""
    now = now or timezone.now()
    withheld = _withheld_amount(withheld)
    reason = _clean(reason)
    with transaction.atomic():
        reservation = _decide(
            reservation,
            actor=actor,
            want=(Status.CHECKED_IN, Status.NO_SHOW),
            code=Code.NOT_USED,
            message=_("이용 확인 또는 노쇼 처리한 예약만 보증금을 정산할 수 있습니다."),
        )
        _check_settlement(reservation, withheld, reason, now)
        back = reservation.deposit - withheld
        if back:
            _return_deposit(reservation, back, actor=actor)
        reservation.refresh_from_db()
        reservation.deposit_returned, reservation.deposit_withheld = back, withheld
        reservation.deposit_settled_at, reservation.deposit_note = now, reason
        reservation.save(update_fields=["deposit_returned", "deposit_withheld", "deposit_settled_at", "deposit_note"])
        audit.record(
            "reservations.deposit_settled",
            actor=actor,
            target=reservation,
            reason=reason,
            data={"deposit": reservation.deposit, "returned": back, "withheld": withheld},
        )
        notify(
            reservation, "reservations.deposit_settled", returned=f"{back:,}", withheld=f"{withheld:,}", reason=reason
        )
    return reservation


def _withheld_amount(value) -> int:
    try:
        return int(str(value if value not in (None, "") else 0).replace(",", "").strip())
    except ValueError:
        raise DasanError(Code.INVALID_AMOUNT, _("공제 금액은 숫자(원)로 적어 주세요."), field="withheld") from None


def _check_settlement(reservation: Reservation, withheld: int, reason: str, now: dt.datetime) -> None:
    if reservation.deposit == 0 or reservation.confirmed_at is None:
        raise Conflict(Code.NO_DEPOSIT, _("이 예약에는 받은 보증금이 없습니다."))
    if reservation.deposit_settled_at is not None:
        raise Conflict(Code.DEPOSIT_SETTLED, _("보증금은 이미 정산했습니다."))
    if now < reservation.begin:
        raise DasanError(Code.TOO_EARLY, _("이용 시작 뒤에 보증금을 정산할 수 있습니다."))
    if withheld < 0 or withheld > reservation.deposit:
        raise DasanError(
            Code.INVALID_AMOUNT,
            _("공제 금액은 0원에서 보증금 %(deposit)s원 사이여야 합니다.") % {"deposit": f"{reservation.deposit:,}"},
            field="withheld",
        )
    if withheld and not reason:
        raise DasanError(Code.REASON_REQUIRED, _("보증금을 공제하는 사유를 적어 주세요."), field="reason")


def _return_deposit(reservation: Reservation, amount: int, *, actor) -> None:
    order = selectors.order_for(reservation) if reservation.order_id else None
    if order is None or payment_selectors.refundable_amount(order) < amount:
        raise Conflict(
            Code.NOT_REFUNDABLE, _("결제 내역에서 보증금을 돌려줄 수 없습니다. 결제 담당자에게 문의해 주세요.")
        )
    payments.refund(order, amount, str(_("보증금 반환")), actor=actor)
