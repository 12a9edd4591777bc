"""Bulky-waste services: the only place where bookings and capacity change.

Booking holds the district's day capacity at once (the ``DayCapacity`` row is locked
with ``select_for_update``, so concurrent bookings for one day run one after the other
and the database refuses a count above the capacity), copies the fees in force into
the booking (the quote it keeps), and creates a payments order. The payments app
tells us the outcome through the callbacks registered in ``apps.py``: paid → the
booking is confirmed and gets its disposal number (배출번호); an order that expires
or is cancelled unpaid releases the capacity. See docs/dev/waste.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from dasan.core import audit, calendar
from dasan.core.errors import Conflict, CoreCode, DasanError, NotFound, PermissionDenied
from dasan.payments import services as payments
from dasan.payments.services import Line
from dasan.waste.errors import Code

from . import photos, streets
from . import search as item_search
from .models import OUTCOMES, Booking, BookingLine, BookingStatus, Crew, DayCapacity, District, FeeTable, Item, Variant

logger = logging.getLogger("dasan.waste")

PURPOSE = "waste.booking"
MAX_QUANTITY = 20  # of one size in one booking
MAX_LINES = 30


def setting(name: str, default):
    return getattr(settings, "DASAN", {}).get(name, default)


def cutoff_time() -> dt.time:
    """Bookings and free cancellations close at this time on the day before collection."""
    value = str(setting("WASTE_CUTOFF", "17:00"))
    try:
        hours, minutes = (int(part) for part in value.split(":", 1))
        return dt.time(hours, minutes)
    except ValueError:
        logger.warning("DASAN_WASTE_CUTOFF %r is not HH:MM; using 17:00", value)
        return dt.time(17, 0)


def cutoff_for(day: dt.date) -> dt.datetime:
    """The moment bookings for ``day`` close (the day before, at the cut-off time)."""
    return timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=1), cutoff_time()))


def late_refund_percent() -> int:
    """City policy: percentage refunded for a cancellation after the cut-off (default 0)."""
    return max(0, min(100, int(setting("WASTE_LATE_CANCEL_REFUND_PERCENT", 0))))


def booking_window_days() -> int:
    return max(1, int(setting("WASTE_BOOKING_DAYS", 30)))


# --- catalogue ----------------------------------------------------------------------------------


def current_table(on: dt.date | None = None) -> FeeTable | None:
    """The fee table in force on ``on`` (default today): the latest that has started."""
    on = on or timezone.localdate()
    return FeeTable.objects.filter(effective_from__lte=on).order_by("-effective_from").first()


def catalogue(table: FeeTable | None = None) -> list[Item]:
    """Every item of the table in force, with its variants."""
    table = table or current_table()
    if table is None:
        return []
    return list(table.items.prefetch_related(Prefetch("variants", queryset=Variant.objects.order_by("position", "id"))))


def _names(item: Item) -> tuple[str, ...]:
    # "냉장고(온장고 포함)" is found as 냉장고 and as 온장고.
    name = item.name
    parts = [name]
    if "(" in name:
        head, _sep, rest = name.partition("(")
        parts += [head, rest.rstrip(")")]
    return tuple(parts)


def search_items(query: str, *, table: FeeTable | None = None, limit: int = 20) -> list[Item]:
    """Items of the table in force matching ``query``, forgiving spelling and spacing
    ("쇼파", "냉장 고") and accepting initials (ㅅㅍ). An empty query gives nothing."""
    items = catalogue(table)
    by_pk = {item.pk: item for item in items}
    ranked = item_search.rank(query, [item_search.Candidate(item.pk, _names(item)) for item in items])
    return [by_pk[pk] for pk, _score in ranked[:limit]]


# --- districts and days -------------------------------------------------------------------------


def districts() -> list[District]:
    return list(District.objects.filter(active=True))


def get_district(value) -> District:
    if isinstance(value, District):
        return value
    district = District.objects.filter(pk=value, active=True).first() if str(value).isdigit() else None
    if district is None:
        raise DasanError(
            Code.UNKNOWN_DISTRICT, _("우리 시의 수거 구역(행정동)을 목록에서 골라 주세요."), field="district"
        )
    return district


def _booked(district: District, days: Iterable[dt.date]) -> dict[dt.date, int]:
    return dict(DayCapacity.objects.filter(district=district, date__in=list(days)).values_list("date", "booked"))


@dataclass(frozen=True)
class Day:
    date: dt.date
    remaining: int
    cutoff: dt.datetime


def available_days(district: District, *, now: dt.datetime | None = None, days: int | None = None) -> list[Day]:
    """Collection days still open for ``district``: crew working days (not holidays)
    whose cut-off has not passed, with the items that can still be booked."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = []
    for offset in range(1, (days or booking_window_days()) + 1):
        day = today + dt.timedelta(days=offset)
        if district.works_on(day) and not calendar.is_holiday(day) and now < cutoff_for(day):
            candidates.append(day)
    booked = _booked(district, candidates)
    return [Day(day, max(0, district.daily_capacity - booked.get(day, 0)), cutoff_for(day)) for day in candidates]


# --- booking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteLine:
    variant: Variant
    quantity: int

    @property
    def amount(self) -> int:
        return self.variant.fee * self.quantity


def _int(value, field: str) -> int:
    if isinstance(value, bool):
        raise DasanError(Code.INVALID_QUANTITY, _("수량은 정수로 적어 주세요."), field=field)
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise DasanError(Code.INVALID_QUANTITY, _("수량은 정수로 적어 주세요."), field=field) from None


def quote(items, *, table: FeeTable | None = None) -> list[QuoteLine]:
    """Check ``items`` (``{variant_id: quantity}`` or ``[(variant_id, quantity)]``) against
    the fee table in force and return the priced lines."""
    table = table or current_table()
    if table is None:
        raise DasanError(Code.NO_FEE_TABLE, _("대형폐기물 수수료표가 아직 등록되지 않았습니다."), status=503)
    pairs = list(items.items()) if isinstance(items, dict) else list(items or ())
    wanted: dict[int, int] = {}
    for variant_id, quantity in pairs:
        vid = _int(variant_id, "items")
        qty = _int(quantity, "items")
        if qty < 0:
            raise DasanError(Code.INVALID_QUANTITY, _("수량은 0보다 작을 수 없습니다."), field="items")
        if qty:
            wanted[vid] = wanted.get(vid, 0) + qty
    if not wanted:
        raise DasanError(Code.NO_ITEMS, _("버릴 품목을 하나 이상 고르고 수량을 적어 주세요."), field="items")
    if len(wanted) > MAX_LINES:
        raise DasanError(Code.TOO_MANY_ITEMS, _("한 번에 신고할 수 있는 품목이 너무 많습니다."), field="items")
    variants = {v.pk: v for v in Variant.objects.filter(pk__in=wanted, item__table=table).select_related("item")}
    unknown = [vid for vid in wanted if vid not in variants]
    if unknown:
        raise DasanError(Code.UNKNOWN_ITEM, _("수수료표에 없는 품목입니다. 목록에서 다시 골라 주세요."), field="items")
    lines = []
    for vid, qty in wanted.items():
        if qty > MAX_QUANTITY:
            raise DasanError(
                Code.INVALID_QUANTITY,
                _("한 규격은 %(max)d개까지 신고할 수 있습니다.") % {"max": MAX_QUANTITY},
                field="items",
            )
        lines.append(QuoteLine(variants[vid], qty))
    return lines


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
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DasanError(Code.INVALID_DATE, _("수거일을 목록에서 골라 주세요."), field="collection_date") from None


def _check_day(district: District, value, now: dt.datetime) -> dt.date:
    """The collection day asked for, refused unless it is open for booking now."""
    day = _parse_day(value)
    if day <= timezone.localdate(now):
        raise DasanError(Code.PAST_DATE, _("수거일은 내일 이후여야 합니다."), field="collection_date")
    if (day - timezone.localdate(now)).days > booking_window_days():
        raise DasanError(
            Code.DATE_TOO_FAR,
            _("수거일은 %(days)d일 안에서 골라 주세요.") % {"days": booking_window_days()},
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


def create_booking(
    resident,
    *,
    district,
    address: str,
    collection_date,
    items,
    placement: str = "",
    expected_total: int | None = None,
    idempotency_key: str = "",
    photo=None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book a collection: check the district, day (crew day, not past its cut-off, room
    left), items and quantities, hold the capacity, price the lines from the fee table
    in force, and create the payments order. Returns the booking (pending payment; a
    free booking is confirmed at once).

    With ``idempotency_key`` the same resident and key return the first booking, so a
    double click never books or charges twice. ``expected_total`` (what the page
    showed) must match the quote, so a tampered or outdated price is refused. ``photo``
    (optional, an upload or bytes) is kept as a clean JPEG copy (``photos.prepare``)."""
    if resident is None or not getattr(resident, "is_authenticated", False):
        raise DasanError(Code.LOGIN_REQUIRED, _("로그인이 필요합니다."), status=401)
    key = str(idempotency_key or "").strip()[:200]
    if key:
        existing = Booking.objects.filter(resident=resident, idempotency_key=key).first()
        if existing is not None:
            return existing
    now = now or timezone.now()
    district = get_district(district)
    address = _clean_address(address)
    check_address(district, address)
    placement = str(placement or "").strip()[:300]
    day = _check_day(district, collection_date, now)
    table = current_table(timezone.localdate(now))
    lines = quote(items, table=table)
    picture = photos.prepare(photo)  # decoded before the transaction holds any lock
    total = sum(line.amount for line in lines)
    count = sum(line.quantity for line in lines)
    if expected_total is not None and _int(expected_total, "expected_total") != total:
        raise Conflict(
            Code.PRICE_CHANGED,
            _("수수료가 바뀌었습니다. 새 금액 %(total)s원을 확인하고 다시 신청해 주세요.") % {"total": f"{total:,}"},
            total=total,
        )
    try:
        with transaction.atomic():
            capacity = _lock_day(district, day)
            if capacity.booked + count > capacity.capacity:
                raise _day_full(district, day, capacity)
            capacity.booked += count
            capacity.save(update_fields=["booked"])
            booking = Booking.objects.create(
                resident=resident,
                district=district,
                address=address,
                placement=placement,
                collection_date=day,
                total_fee=total,
                item_count=count,
                fee_table=table,
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
                for l in lines
            )
            audit.record(
                "waste.booking.create",
                actor=resident,
                target=booking,
                data={"district": district.code, "date": day.isoformat(), "items": count, "total": total},
            )
            expires = min(cutoff_for(day), now + dt.timedelta(minutes=int(setting("PAYMENTS_ORDER_TTL_MINUTES", 1440))))
            order = payments.create_order(
                resident,
                PURPOSE,
                str(booking.pk),
                [Line(l.variant.item.name + " " + l.variant.spec, l.variant.fee, l.quantity) for l in lines],
                title=_("대형폐기물 배출신고 %(date)s") % {"date": day.isoformat()},
                expires_at=expires,
                return_url=reverse("waste:detail", args=[booking.pk]),
            )
            if picture:
                booking.photo.save("photo.jpg", ContentFile(picture), save=False)
                Booking.objects.filter(pk=booking.pk).update(photo=booking.photo.name)
            Booking.objects.filter(pk=booking.pk).update(order_id=order.public_id)
            booking.refresh_from_db()
    except IntegrityError:
        if not key:
            raise
        existing = Booking.objects.filter(resident=resident, idempotency_key=key).first()
        if existing is None:
            raise
        return existing
    return booking


def get_booking(user, pk) -> Booking:
    """The resident's own booking (staff views come with the crew pages)."""
    booking = None
    if getattr(user, "is_authenticated", False) and str(pk).isdigit():
        booking = Booking.objects.select_related("district").filter(pk=pk, resident=user).first()
    if booking is None:
        raise NotFound(Code.BOOKING_NOT_FOUND, _("배출신고를 찾을 수 없습니다."))
    return booking


def bookings_for(user):
    return Booking.objects.filter(resident=user).select_related("district").prefetch_related("lines")


def order_for(booking: Booking):
    return payments.orders_for(PURPOSE, str(booking.pk)).first()


def _lock_booking(pk) -> Booking:
    return Booking.objects.select_for_update().select_related("district", "resident").get(pk=pk)


def _new_number(booking: Booking) -> str:
    return f"W{booking.collection_date:%y%m%d}-{booking.pk:06d}"


def _notify(booking: Booking, template: str, **extra) -> None:
    from dasan.core.models import Municipality
    from dasan.notify.services import enqueue

    municipality = Municipality.current()
    base = str(setting("PUBLIC_URL", "") or "").rstrip("/")
    context = {
        "city": municipality.name if municipality else "",
        "number": booking.number or "",
        "date": booking.collection_date.isoformat(),
        "district": booking.district.name,
        "total": f"{booking.total_fee:,}",
        "url": base + reverse("waste:detail", args=[booking.pk]) if base else "",
        **extra,
    }
    try:
        enqueue(template, recipient=booking.resident, context=context)
    except DasanError as error:  # no address to send to: the booking stands, staff see the log
        logger.warning("waste notification %s for booking %s not sent: %s", template, booking.pk, error.code)


# --- payment callbacks (registered in apps.py) ----------------------------------------------------


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
    if booking.status != BookingStatus.PENDING:
        return
    booking.status = BookingStatus.EXPIRED if order.status == "expired" else BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    _release(booking)
    audit.record("waste.booking.released", target=booking, data={"order_status": order.status})


def booking_refunded(order, refund) -> None:
    """A refund (ours or staff's on the payments pages): keep the amount; a full refund
    of a confirmed booking by staff cancels it and frees the capacity."""
    booking = _lock_booking(order.reference)
    booking.refunded_amount = order.refunded_amount
    fields = ["refunded_amount"]
    if booking.status == BookingStatus.CONFIRMED and order.refunded_amount >= order.paid_amount:
        booking.status, booking.cancelled_at = BookingStatus.CANCELLED, timezone.now()
        fields += ["status", "cancelled_at"]
        _release(booking)
        _notify(booking, "waste.cancelled", refund=f"{order.refunded_amount:,}")
    booking.save(update_fields=fields)


# --- reminders ----------------------------------------------------------------------------------


def reminder_time() -> dt.time:
    value = str(setting("WASTE_REMINDER_TIME", "18:00"))
    try:
        hours, minutes = (int(part) for part in value.split(":", 1))
        return dt.time(hours, minutes)
    except ValueError:
        return dt.time(18, 0)


def send_reminders(now: dt.datetime | None = None) -> int:
    """The evening before collection (from ``WASTE_REMINDER_TIME``, default 18:00), remind
    each confirmed booking once to put the items out. Periodic job; safe to repeat."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.time() < reminder_time():
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


def refund_due(booking: Booking, paid: int, *, now: dt.datetime | None = None) -> int:
    """What a cancellation now returns: everything before the cut-off, then the policy's share."""
    now = now or timezone.now()
    if now < cutoff_for(booking.collection_date):
        return paid
    return paid * late_refund_percent() // 100


def cancel_booking(user, booking: Booking, *, now: dt.datetime | None = None) -> Booking:
    """Cancel the resident's booking: the capacity is freed; an unpaid order is
    cancelled; a paid one is refunded in full before the cut-off, afterwards by the
    city's policy (``WASTE_LATE_CANCEL_REFUND_PERCENT``). Not on or after the
    collection day."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _lock_booking(get_booking(user, booking.pk if isinstance(booking, Booking) else booking).pk)
        if not booking.is_active:
            raise Conflict(Code.NOT_CANCELLABLE, _("이미 취소되었거나 끝난 배출신고입니다."))
        if timezone.localdate(now) >= booking.collection_date:
            raise DasanError(Code.TOO_LATE, _("수거일 당일 이후에는 취소할 수 없습니다. 담당 부서에 문의해 주세요."))
        order = order_for(booking)
        booking.status, booking.cancelled_at = BookingStatus.CANCELLED, now
        booking.save(update_fields=["status", "cancelled_at"])
        _release(booking)
        refunded = 0
        if order is not None and order.is_pending:
            payments.cancel_order(order, actor=user, reason=str(_("배출신고 취소")))
        elif order is not None and order.is_paid:
            due = min(refund_due(booking, order.paid_amount, now=now), payments.refundable_amount(order))
            if due > 0:
                payments.refund(order, due, str(_("배출신고 취소")), actor=user)
                refunded = due
        audit.record("waste.booking.cancel", actor=user, target=booking, data={"refund": refunded})
        booking.refresh_from_db()
        _notify(booking, "waste.cancelled", refund=f"{refunded:,}")
    return booking


# --- changes by the resident --------------------------------------------------------------------


def change_booking(
    user, booking, *, collection_date=None, address=None, placement=None, now: dt.datetime | None = None
) -> Booking:
    """Change a paid booking's collection day, detailed address or placement before the
    cut-off of the day it is booked for (after that the crew's list is fixed).

    A new day must be open for booking and have room; the items move from the old
    day's capacity to the new one (both rows locked, earlier day first, so two changes
    crossing each other cannot deadlock). The disposal number carries the day, so a
    new day gives a new number; the old one stays valid at the door
    (``previous_numbers``) until the resident prints the new stickers. Unpaid bookings
    are changed by cancelling and booking again (``pay_first``)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _lock_booking(get_booking(user, booking.pk if isinstance(booking, Booking) else booking).pk)
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
        changed: dict[str, object] = {}
        if address is not None:
            new_address = _clean_address(address)
            if new_address != booking.address:
                check_address(booking.district, new_address)
            if new_address != booking.address:
                booking.address, changed["address"] = new_address, True
        if placement is not None:
            new_placement = str(placement).strip()[:300]
            if new_placement != booking.placement:
                booking.placement, changed["placement"] = new_placement, True
        if collection_date not in (None, ""):
            day = _parse_day(collection_date)
            if day != booking.collection_date:
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
                changed["collection_date"] = {"from": old_day.isoformat(), "to": day.isoformat()}
        if not changed:
            return booking
        booking.save()
        audit.record("waste.booking.change", actor=user, target=booking, data=changed)
        _notify(booking, "waste.changed")
    return booking


# --- crews and staff ----------------------------------------------------------------------------

_NUMBER = re.compile(r"W(\d{6})-(\d{6,})")


def sticker_code(number: str) -> str:
    """A short keyed check printed (inside the QR code) next to the number, so the public
    sticker page confirms a sticker someone holds without letting anyone walk through
    every number (numbers are sequential)."""
    return salted_hmac("dasan.waste.sticker", number).hexdigest()[:12]


def parse_number(text: str) -> str:
    """The disposal number in what a crew typed or scanned (the number itself, or the
    sticker's QR link); "" when there is none."""
    match = _NUMBER.search(str(text or "").upper().replace(" ", ""))
    return match.group(0) if match else ""


def find_by_number(number: str) -> tuple[Booking, bool]:
    """(booking, stale) for a disposal number; ``stale`` when the sticker was printed
    before the resident moved the collection day. Raises ``booking_not_found``."""
    number = parse_number(number)
    not_found = NotFound(Code.BOOKING_NOT_FOUND, _("그 배출번호의 신고가 없습니다. 번호를 다시 확인해 주세요."))
    if not number:
        raise not_found
    booking = Booking.objects.select_related("district", "resident").filter(number=number).first()
    if booking is not None:
        return booking, False
    pk = int(_NUMBER.match(number).group(2))
    booking = Booking.objects.select_related("district", "resident").filter(pk=pk).first()
    if booking is None or number not in booking.previous_numbers.split():
        raise not_found
    return booking, True


def verify_sticker(number: str, code: str) -> Booking | None:
    """The booking a sticker belongs to when its number and check code match, else None."""
    number = parse_number(number)
    if not number or not code or not constant_time_compare(sticker_code(number), str(code)):
        return None
    try:
        return find_by_number(number)[0]
    except DasanError:
        return None


def _require_staff(actor) -> None:
    if not getattr(actor, "is_city_staff", False) or not actor.is_active:
        raise PermissionDenied(CoreCode.STAFF_ONLY, _("직원만 할 수 있습니다."))


def staff_booking(actor, number: str, *, reason: str = "") -> tuple[Booking, bool]:
    """A booking by its number for a crew or an officer; the read (name, address) is audited."""
    _require_staff(actor)
    booking, stale = find_by_number(number)
    audit.record_read(actor, booking, reason=reason or str(_("대형폐기물 수거")))
    return booking, stale


def crews() -> list[Crew]:
    return list(Crew.objects.filter(active=True).prefetch_related("districts"))


def crew_of(user) -> Crew | None:
    """The crew whose member ``user`` is (their scan page opens on its route)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Crew.objects.filter(active=True, members=user).first()


# Bookings a crew visits on a day: paid and not cancelled (outcomes already recorded stay listed).
ON_ROUTE = (BookingStatus.CONFIRMED, *OUTCOMES)


def route(day: dt.date, *, crew: Crew | None = None, district: District | None = None):
    """The day's bookings for a crew's districts (or one district, or all), in route order:
    district, then address. The lines come with them."""
    bookings = Booking.objects.filter(collection_date=day, status__in=ON_ROUTE)
    if crew is not None:
        bookings = bookings.filter(district__in=crew.districts.all())
    if district is not None:
        bookings = bookings.filter(district=district)
    return (
        bookings.select_related("district", "resident", "outcome_by")
        .prefetch_related("lines")
        .order_by("district__name", "address", "pk")
    )


@dataclass
class DistrictDay:
    district: District
    capacity: int
    booked: int
    bookings: int = 0
    pending: int = 0
    done: dict = field(default_factory=dict)

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.booked)


def day_overview(day: dt.date) -> list[DistrictDay]:
    """Per district for ``day``: capacity, items booked, and bookings by state."""
    rows = {
        d.pk: DistrictDay(d, d.daily_capacity, 0, done={o.value: 0 for o in OUTCOMES})
        for d in District.objects.filter(active=True)
    }
    for cap in DayCapacity.objects.filter(date=day, district__in=list(rows)):
        rows[cap.district_id].capacity, rows[cap.district_id].booked = cap.capacity, cap.booked
    counts = (
        Booking.objects.filter(collection_date=day, status__in=ON_ROUTE + (BookingStatus.PENDING,))
        .values("district_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in counts:
        if row["district_id"] not in rows:
            continue
        entry = rows[row["district_id"]]
        if row["status"] == BookingStatus.PENDING:
            entry.pending += row["n"]
            continue
        entry.bookings += row["n"]
        if row["status"] in entry.done:
            entry.done[row["status"]] += row["n"]
    return sorted(rows.values(), key=lambda r: r.district.name)


def record_outcome(
    actor, booking: Booking, outcome: str, *, note: str = "", photo=None, now: dt.datetime | None = None
) -> Booking:
    """A crew records what it found at the door: collected (수거 완료), not found (미배출)
    or not as declared (신고 내용과 다름: say what differs). The crew's photo is kept as a
    clean copy and shown to the resident. Only paid bookings, from their collection day;
    a second scan with the same result changes nothing, a different one corrects the
    first (both audited). The resident is told each result once."""
    _require_staff(actor)
    now = now or timezone.now()
    if outcome not in {s.value for s in OUTCOMES}:
        raise DasanError(Code.INVALID_OUTCOME, _("수거 결과를 골라 주세요."), field="outcome")
    note = " ".join(str(note or "").split())[:300]
    if outcome == BookingStatus.MISMATCH and not note:
        raise DasanError(Code.NOTE_REQUIRED, _("신고 내용과 무엇이 다른지 적어 주세요."), field="note")
    picture = photos.prepare(photo)
    with transaction.atomic():
        booking = _lock_booking(booking.pk)
        if booking.status not in ON_ROUTE:
            raise Conflict(
                Code.NOT_COLLECTABLE,
                _("이 신고는 %(status)s 상태라 수거하지 않습니다.") % {"status": booking.get_status_display()},
            )
        if timezone.localdate(now) < booking.collection_date:
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
            base = str(setting("PUBLIC_URL", "") or "").rstrip("/")
            extra = {"note": booking.outcome_note, "phone": _department_phone()}
            if base and booking.crew_photo:
                extra["photo_url"] = base + reverse("waste:crew_photo", args=[booking.pk])
            _notify(booking, f"waste.{outcome}", **extra)
    return booking


def _department_phone() -> str:
    from dasan.core.models import Municipality

    municipality = Municipality.current()
    return str(setting("WASTE_PHONE", "") or (municipality.phone if municipality else ""))
