"""Bulky-waste services: the only place where bookings and capacity change.

Booking holds the district's day capacity at once (the ``DayCapacity`` row is locked
with ``select_for_update``, so concurrent bookings for one day run one after the other
and the database refuses a count above the capacity), copies the fees in force into
the booking (the quote it keeps), and creates a payments order. The payments app
tells us the outcome through the handlers declared in ``apps.py``: paid → the booking
is confirmed and gets its disposal number (배출번호); an order that expires or is
cancelled unpaid releases the capacity. Reading (fees, days, bookings, routes) is
``selectors``. See docs/dev/waste.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.accounts.permissions import require_staff
from dasan.core import audit, calendar, images, timefmt
from dasan.core.conf import setting
from dasan.core.errors import Conflict, DasanError
from dasan.core.links import public_url, public_url_for
from dasan.core.models import Municipality
from dasan.notify.services import enqueue
from dasan.payments import handlers as payment_handlers
from dasan.payments import selectors as payment_selectors
from dasan.payments import services as payments
from dasan.payments.services import Line
from dasan.waste.errors import Code

from . import selectors, streets
from .models import OUTCOMES, Booking, BookingLine, BookingStatus, DayCapacity, District, FeeTable
from .selectors import PURPOSE, QuoteLine, cutoff_for, cutoff_time, order_for

logger = logging.getLogger("dasan.waste")


# --- photos -------------------------------------------------------------------------------------


def _photo(upload) -> bytes | None:
    """A clean JPEG copy of an optional photo (``core.images``: no EXIF, upright, at most
    ``WASTE_PHOTO_MAX_SIDE`` pixels on the long side), or None when there is none.
    Decoded before any transaction takes a lock."""
    if upload is None:
        return None
    max_bytes = int(setting("WASTE_PHOTO_MAX_BYTES"))
    data = images.read_upload(upload, max_bytes, field="photo")
    if not data:
        return None
    side = int(setting("WASTE_PHOTO_MAX_SIDE"))
    return images.sanitise(data, max_bytes=max_bytes, max_side=side, field="photo").content


# --- capacity and checks ------------------------------------------------------------------------


def _lock_day(district: District, day: dt.date) -> DayCapacity:
    """The day's capacity row, created if needed, locked for this transaction."""
    try:
        with transaction.atomic():  # savepoint: another booking may create it first
            DayCapacity.objects.get_or_create(
                district=district, date=day, defaults={"capacity": district.daily_capacity}
            )
    except IntegrityError:
        pass
    return DayCapacity.objects.select_for_update().get(district=district, date=day)


def _release(booking: Booking) -> None:
    DayCapacity.objects.filter(district_id=booking.district_id, date=booking.collection_date).update(
        booked=F("booked") - booking.item_count
    )


def _parse_day(value) -> dt.date:
    day = timefmt.parse_date(value)
    if day is None:
        raise DasanError(Code.INVALID_DATE, _("수거일을 목록에서 골라 주세요."), field="collection_date")
    return day


def _check_day(district: District, value, now: dt.datetime) -> dt.date:
    """The collection day asked for, refused unless it is open for booking now."""
    day = _parse_day(value)
    if day <= timefmt.local_date(now):
        raise DasanError(Code.PAST_DATE, _("수거일은 내일 이후여야 합니다."), field="collection_date")
    if (day - timefmt.local_date(now)).days > selectors.booking_window_days():
        raise DasanError(
            Code.DATE_TOO_FAR,
            _("수거일은 %(days)d일 안에서 골라 주세요.") % {"days": selectors.booking_window_days()},
            field="collection_date",
        )
    if not district.works_on(day) or calendar.is_holiday(day):
        raise DasanError(
            Code.NO_COLLECTION,
            _("%(district)s은(는) 그날 수거하지 않습니다. 다른 날을 골라 주세요.") % {"district": district.name},
            field="collection_date",
        )
    if now >= cutoff_for(day):
        raise DasanError(
            Code.PAST_CUTOFF,
            _("%(date)s 수거 신청은 전날 %(time)s에 마감되었습니다.")
            % {"date": day.isoformat(), "time": cutoff_time().strftime("%H:%M")},
            field="collection_date",
        )
    return day


def _clean_address(address) -> str:
    address = " ".join(str(address or "").split())
    if not address:
        raise DasanError(Code.ADDRESS_REQUIRED, _("상세 주소를 적어 주세요."), field="address")
    if len(address) > 200:
        raise DasanError(Code.ADDRESS_TOO_LONG, _("상세 주소는 200자 이내로 적어 주세요."), field="address")
    return address


def check_address(district: District, address: str) -> None:
    """Once the city has loaded its road table, the address must be a road-name address
    on one of its roads, and in the district chosen (the district the road gives is
    named so the resident can pick it). Without a road table the district list is the check."""
    if not streets.loaded():
        return
    if streets.parse(address) is None:
        raise DasanError(
            Code.ADDRESS_UNRECOGNISED,
            _("도로명과 건물번호로 적어 주세요. 예: 중앙로 12, 101동 1203호"),
            field="address",
        )
    found = streets.resolve(address)
    if found is None:
        raise DasanError(
            Code.OUTSIDE_CITY,
            _("우리 시의 도로명 주소가 아닙니다. 우리 시 안의 주소만 신청할 수 있습니다."),
            field="address",
        )
    if found.pk != district.pk:
        raise DasanError(
            Code.WRONG_DISTRICT,
            _("이 주소는 %(district)s입니다. 행정동을 %(district)s(으)로 골라 주세요.") % {"district": found.name},
            field="district",
            district=found.pk,
        )


def _day_full(district: District, day: dt.date, capacity: DayCapacity) -> Conflict:
    left = capacity.capacity - capacity.booked
    return Conflict(
        Code.DAY_FULL,
        _("%(date)s에는 %(district)s의 수거 가능 수량이 %(left)d개 남았습니다. 다른 날을 골라 주세요.")
        % {"date": day.isoformat(), "district": district.name, "left": left},
        remaining=left,
    )


@dataclasses.dataclass(frozen=True)
class _Request:
    """A booking asked for, checked (see :func:`create_booking`)."""

    district: District
    address: str
    placement: str
    day: dt.date
    lines: list[QuoteLine]
    total: int
    count: int
    table: FeeTable | None


def _checked_request(*, district, address, placement, collection_date, items, expected_total, now) -> _Request:
    district = selectors.get_district(district)
    address = _clean_address(address)
    check_address(district, address)
    day = _check_day(district, collection_date, now)
    table = selectors.current_table(timefmt.local_date(now))
    lines = selectors.quote(items, table=table)
    total = sum(line.amount for line in lines)
    if expected_total is not None and selectors.as_int(expected_total, "expected_total") != total:
        raise Conflict(
            Code.PRICE_CHANGED,
            _("수수료가 바뀌었습니다. 새 금액 %(total)s원을 확인하고 다시 신청해 주세요.") % {"total": f"{total:,}"},
            total=total,
        )
    return _Request(
        district=district,
        address=address,
        placement=str(placement or "").strip()[:300],
        day=day,
        lines=lines,
        total=total,
        count=sum(line.quantity for line in lines),
        table=table,
    )


def _hold(resident, wanted: _Request, *, key: str, now: dt.datetime) -> Booking:
    """Take the day's capacity and write the booking and its lines (inside the caller's
    transaction)."""
    capacity = _lock_day(wanted.district, wanted.day)
    if capacity.booked + wanted.count > capacity.capacity:
        raise _day_full(wanted.district, wanted.day, capacity)
    capacity.booked += wanted.count
    capacity.save(update_fields=["booked"])
    booking = Booking.objects.create(
        resident=resident,
        district=wanted.district,
        address=wanted.address,
        placement=wanted.placement,
        collection_date=wanted.day,
        total_fee=wanted.total,
        item_count=wanted.count,
        fee_table=wanted.table,
        idempotency_key=key,
        created_at=now,
    )
    BookingLine.objects.bulk_create(
        BookingLine(
            booking=booking,
            variant=l.variant,
            item_name=l.variant.item.name,
            spec=l.variant.spec,
            unit_fee=l.variant.fee,
            quantity=l.quantity,
            amount=l.amount,
        )
        for l in wanted.lines
    )
    audit.record(
        "waste.booking.create",
        actor=resident,
        target=booking,
        data={
            "district": wanted.district.code,
            "date": wanted.day.isoformat(),
            "items": wanted.count,
            "total": wanted.total,
        },
    )
    return booking


def _order(resident, booking: Booking, wanted: _Request, now: dt.datetime):
    """The payments order for ``booking``: due by the cut-off at the latest, handled by the
    district's department (``District.department``, e.g. 청소행정과)."""
    ttl = dt.timedelta(minutes=int(setting("PAYMENTS_ORDER_TTL_MINUTES")))
    return payments.create_order(
        resident,
        PURPOSE,
        str(booking.pk),
        [Line(l.variant.item.name + " " + l.variant.spec, l.variant.fee, l.quantity) for l in wanted.lines],
        title=_("대형폐기물 배출신고 %(date)s") % {"date": wanted.day.isoformat()},
        expires_at=min(cutoff_for(wanted.day), now + ttl),
        return_url=reverse("waste:detail", args=[booking.pk]),
        department=wanted.district.department,
    )


def create_booking(
    district,
    collection_date,
    items,
    *,
    actor,
    address: str,
    placement: str = "",
    expected_total: int | None = None,
    idempotency_key: str = "",
    photo=None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book a collection for the resident ``actor``: check the district, day (crew day,
    not past its cut-off, room left), items and quantities, hold the capacity, price the
    lines from the fee table in force, and create the payments order. Returns the
    booking (pending payment; a free booking is confirmed at once).

    With ``idempotency_key`` the same resident and key return the first booking, so a
    double click never books or charges twice. ``expected_total`` (what the page
    showed) must match the quote, so a tampered or outdated price is refused. ``photo``
    (optional, an upload or bytes) is kept as a clean JPEG copy."""
    resident = actor
    if resident is None or not getattr(resident, "is_authenticated", False):
        raise DasanError(Code.LOGIN_REQUIRED, _("로그인이 필요합니다."), status=401)
    key = str(idempotency_key or "").strip()[:200]
    if key and (existing := Booking.objects.filter(resident=resident, idempotency_key=key).first()) is not None:
        return existing
    now = now or timezone.now()
    wanted = _checked_request(
        district=district,
        address=address,
        placement=placement,
        collection_date=collection_date,
        items=items,
        expected_total=expected_total,
        now=now,
    )
    picture = _photo(photo)  # decoded before the transaction holds any lock
    try:
        with transaction.atomic():
            booking = _hold(resident, wanted, key=key, now=now)
            order = _order(resident, booking, wanted, now)
            if picture:
                booking.photo.save("photo.jpg", ContentFile(picture), save=False)
                Booking.objects.filter(pk=booking.pk).update(photo=booking.photo.name)
            Booking.objects.filter(pk=booking.pk).update(order_id=order.public_id)
            booking.refresh_from_db()
    except IntegrityError:
        existing = Booking.objects.filter(resident=resident, idempotency_key=key).first() if key else None
        if existing is None:
            raise
        return existing
    return booking


def _lock_booking(pk) -> Booking:
    return Booking.objects.select_for_update().select_related("district", "resident").get(pk=pk)


def _new_number(booking: Booking) -> str:
    return f"W{booking.collection_date:%y%m%d}-{booking.pk:06d}"


def _notify(booking: Booking, template: str, **extra) -> None:
    municipality = Municipality.current()
    context = {
        "city": municipality.name if municipality else "",
        "number": booking.number or "",
        "date": booking.collection_date.isoformat(),
        "district": booking.district.name,
        "total": f"{booking.total_fee:,}",
        "url": public_url_for("waste:detail", booking.pk),
        **extra,
    }
    try:
        enqueue(template, recipient=booking.resident, context=context)
    except DasanError as error:  # no address to send to: the booking stands, staff see the log
        logger.warning("waste notification %s for booking %s not sent: %s", template, booking.pk, error.code)


# --- payment handlers (declared in apps.py) -------------------------------------------------------


def booking_paid(order) -> None:
    """Paid: confirm the booking and issue its disposal number (배출번호)."""
    booking = _lock_booking(order.reference)
    if booking.status != BookingStatus.PENDING:
        return
    booking.status = BookingStatus.CONFIRMED
    booking.confirmed_at = timezone.now()
    booking.number = _new_number(booking)
    booking.save(update_fields=["status", "confirmed_at", "number"])
    audit.record("waste.booking.confirmed", target=booking, data={"number": booking.number, "order": order.public_id})
    _notify(booking, "waste.confirmed")


def booking_released(order) -> None:
    """The order was cancelled or expired unpaid: give the capacity back."""
    booking = _lock_booking(order.reference)
    if not payment_handlers.mark_released(
        order, booking, pending=BookingStatus.PENDING, expired=BookingStatus.EXPIRED, cancelled=BookingStatus.CANCELLED
    ):
        return
    _release(booking)
    audit.record("waste.booking.released", target=booking, data={"order_status": order.status})


def booking_refunded(order, refund) -> None:
    """A refund (ours or staff's on the payments pages): keep the amount; a full refund
    of a confirmed booking by staff cancels it and frees the capacity."""
    booking = _lock_booking(order.reference)
    if payment_handlers.record_refund(
        order, booking, confirmed=BookingStatus.CONFIRMED, cancelled=BookingStatus.CANCELLED
    ):
        _release(booking)
        _notify(booking, "waste.cancelled", refund=f"{order.refunded_amount:,}")


# --- reminders ----------------------------------------------------------------------------------


def send_reminders(now: dt.datetime | None = None) -> int:
    """The evening before collection (from ``WASTE_REMINDER_TIME``, default 18:00), remind
    each confirmed booking once to put the items out. Periodic job; safe to repeat."""
    now = now or timezone.now()
    local = timefmt.local(now)
    if local.time() < selectors.reminder_time():
        return 0
    tomorrow = local.date() + dt.timedelta(days=1)
    sent = 0
    pks = list(
        Booking.objects.filter(
            status=BookingStatus.CONFIRMED, collection_date=tomorrow, reminded_at__isnull=True
        ).values_list("pk", flat=True)[:500]
    )
    for pk in pks:
        with transaction.atomic():
            booking = _lock_booking(pk)
            if booking.status != BookingStatus.CONFIRMED or booking.reminded_at is not None:
                continue
            booking.reminded_at = now
            booking.save(update_fields=["reminded_at"])
            _notify(booking, "waste.reminder")
            sent += 1
    return sent


# --- cancellation -------------------------------------------------------------------------------


def cancel_booking(booking: Booking | int, *, actor, now: dt.datetime | None = None) -> Booking:
    """The resident ``actor`` cancels their booking: the capacity is freed; an unpaid
    order is cancelled; a paid one is refunded in full before the cut-off, afterwards by
    the city's policy (``WASTE_LATE_CANCEL_REFUND_PERCENT``). Not on or after the
    collection day."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _lock_own(actor, booking)
        if not booking.is_active:
            raise Conflict(Code.NOT_CANCELLABLE, _("이미 취소되었거나 끝난 배출신고입니다."))
        if timefmt.local_date(now) >= booking.collection_date:
            raise DasanError(Code.TOO_LATE, _("수거일 당일 이후에는 취소할 수 없습니다. 담당 부서에 문의해 주세요."))
        order = order_for(booking)
        booking.status, booking.cancelled_at = BookingStatus.CANCELLED, now
        booking.save(update_fields=["status", "cancelled_at"])
        _release(booking)
        refunded = 0
        if order is not None and order.is_pending:
            payments.cancel_order(order, actor=actor, reason=str(_("배출신고 취소")))
        elif order is not None and order.is_paid:
            due = selectors.refund_due(booking, order.paid_amount, now=now)
            due = min(due, payment_selectors.refundable_amount(order))
            if due > 0:
                payments.refund(order, due, str(_("배출신고 취소")), actor=actor)
                refunded = due
        audit.record("waste.booking.cancel", actor=actor, target=booking, data={"refund": refunded})
        booking.refresh_from_db()
        _notify(booking, "waste.cancelled", refund=f"{refunded:,}")
    return booking


def _lock_own(user, booking: Booking | int) -> Booking:
    """``booking`` (or its pk) locked, when it is ``user``'s own; ``booking_not_found`` otherwise."""
    return _lock_booking(selectors.get_booking(user, getattr(booking, "pk", booking)).pk)


# --- changes by the resident --------------------------------------------------------------------


def _move_day(booking: Booking, collection_date, now: dt.datetime) -> dict | None:
    """Move ``booking`` (locked) to another open day with room: the items move from the
    old day's capacity to the new one (both rows locked, earlier day first, so two changes
    crossing each other cannot deadlock), and the number changes with the day."""
    day = _parse_day(collection_date)
    if day == booking.collection_date:
        return None
    day = _check_day(booking.district, day, now)
    old_day = booking.collection_date
    locked = {d: _lock_day(booking.district, d) for d in sorted((old_day, day))}
    target = locked[day]
    if target.booked + booking.item_count > target.capacity:
        raise _day_full(booking.district, day, target)
    target.booked += booking.item_count
    target.save(update_fields=["booked"])
    _release(booking)
    booking.collection_date = day
    old_number = booking.number
    booking.number = _new_number(booking)
    booking.previous_numbers = " ".join(filter(None, [booking.previous_numbers, old_number]))[-200:]
    booking.reminded_at = None
    return {"from": old_day.isoformat(), "to": day.isoformat()}


def _change_place(booking: Booking, address, placement) -> dict:
    """Set a new detailed address (checked against the road table) or placement."""
    changed: dict[str, object] = {}
    if address is not None:
        new_address = _clean_address(address)
        if new_address != booking.address:
            check_address(booking.district, new_address)
            booking.address, changed["address"] = new_address, True
    if placement is not None:
        new_placement = str(placement).strip()[:300]
        if new_placement != booking.placement:
            booking.placement, changed["placement"] = new_placement, True
    return changed


def change_booking(
    booking: Booking | int,
    *,
    actor,
    collection_date=None,
    address=None,
    placement=None,
    now: dt.datetime | None = None,
) -> Booking:
    """The resident ``actor`` changes a paid booking's collection day, detailed address or
    placement before the cut-off of the day it is booked for (after that the crew's list
    is fixed).

    A new day must be open for booking and have room. The disposal number carries the
    day, so a new day gives a new number; the old one stays valid at the door
    (``previous_numbers``) until the resident prints the new stickers. Unpaid bookings
    are changed by cancelling and booking again (``pay_first``)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _lock_own(actor, booking)
        if booking.status == BookingStatus.PENDING:
            raise Conflict(Code.PAY_FIRST, _("결제 전인 신청은 취소하고 다시 신청해 주세요."))
        if booking.status != BookingStatus.CONFIRMED:
            raise Conflict(Code.NOT_CHANGEABLE, _("이미 취소되었거나 끝난 배출신고는 바꿀 수 없습니다."))
        if now >= cutoff_for(booking.collection_date):
            raise DasanError(
                Code.CHANGE_CLOSED,
                _("수거일 전날 %(time)s이 지나 바꿀 수 없습니다. 담당 부서에 문의해 주세요.")
                % {"time": cutoff_time().strftime("%H:%M")},
            )
        changed = _change_place(booking, address, placement)
        if collection_date not in (None, "") and (moved := _move_day(booking, collection_date, now)):
            changed["collection_date"] = moved
        if not changed:
            return booking
        booking.save()
        audit.record("waste.booking.change", actor=actor, target=booking, data=changed)
        _notify(booking, "waste.changed")
    return booking


# --- what the crew found ------------------------------------------------------------------------


def record_outcome(
    booking: Booking, outcome: str, *, actor, note: str = "", photo=None, now: dt.datetime | None = None
) -> Booking:
    """A crew records what it found at the door: collected (수거 완료), not found (미배출)
    or not as declared (신고 내용과 다름: say what differs). The crew's photo is kept as a
    clean copy and shown to the resident. Only paid bookings, from their collection day;
    a second scan with the same result changes nothing, a different one corrects the
    first (both audited). The resident is told each result once."""
    require_staff(actor, _("직원만 할 수 있습니다."))
    now = now or timezone.now()
    if outcome not in {s.value for s in OUTCOMES}:
        raise DasanError(Code.INVALID_OUTCOME, _("수거 결과를 골라 주세요."), field="outcome")
    note = " ".join(str(note or "").split())[:300]
    if outcome == BookingStatus.MISMATCH and not note:
        raise DasanError(Code.NOTE_REQUIRED, _("신고 내용과 무엇이 다른지 적어 주세요."), field="note")
    picture = _photo(photo)
    with transaction.atomic():
        booking = _lock_booking(booking.pk)
        if booking.status not in selectors.ON_ROUTE:
            raise Conflict(
                Code.NOT_COLLECTABLE,
                _("이 신고는 %(status)s 상태라 수거하지 않습니다.") % {"status": booking.get_status_display()},
            )
        if timefmt.local_date(now) < booking.collection_date:
            raise Conflict(
                Code.NOT_DUE, _("수거일(%(date)s) 전입니다.") % {"date": booking.collection_date.isoformat()}
            )
        if booking.status == outcome and not picture and note in ("", booking.outcome_note):
            return booking
        previous = booking.status
        booking.status, booking.outcome_at, booking.outcome_by = outcome, now, actor
        booking.outcome_note = note or (booking.outcome_note if previous == outcome else "")
        if picture:
            booking.crew_photo.save("crew.jpg", ContentFile(picture), save=False)
        booking.save()
        audit.record(
            "waste.booking.outcome",
            actor=actor,
            target=booking,
            data={"outcome": outcome, "previous": previous, "photo": bool(picture)},
        )
        if previous != outcome:
            _notify(booking, f"waste.{outcome}", **_outcome_context(booking))
    return booking


def _outcome_context(booking: Booking) -> dict:
    """What the outcome message adds: the crew's note, whom to call, and the crew's photo
    (a link only where the message can carry an absolute one)."""
    extra = {"note": booking.outcome_note, "phone": _department_phone()}
    photo_url = public_url(reverse("waste:crew_photo", args=[booking.pk])) if booking.crew_photo else ""
    if photo_url:
        extra["photo_url"] = photo_url
    return extra


def _department_phone() -> str:
    municipality = Municipality.current()
    return str(setting("WASTE_PHONE") or (municipality.phone if municipality else ""))
