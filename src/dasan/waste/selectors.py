"""Reading bulky waste (대형폐기물): the fee table in force, the days a district can still
be booked, a priced quote, the resident's bookings, and what crews and staff look at.

The rules a booking follows are read here too, from the city's settings:

- **Cut-off** (``WASTE_CUTOFF``, default 17:00): bookings and free cancellations for a
  collection day close at this time on the day before; the crew's list is fixed then.
- **After the cut-off** a cancellation returns ``WASTE_LATE_CANCEL_REFUND_PERCENT`` of the
  fee (default 0).
- **How far ahead** (``WASTE_BOOKING_DAYS``, default 30) a day can be booked.
- **Reminder** (``WASTE_REMINDER_TIME``, default 18:00) the evening before collection.

A disposal number (배출번호, ``W<yymmdd>-<booking id>``) is printed on the stickers with a
short keyed check code inside the QR link, so the public sticker page confirms a sticker
someone holds without letting anyone walk through the (sequential) numbers. Nothing here
changes a row (``services`` does).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from dasan.accounts.permissions import require_staff
from dasan.core import audit, calendar, timefmt
from dasan.core.conf import setting
from dasan.core.errors import DasanError, NotFound
from dasan.payments import selectors as payment_selectors
from dasan.waste.errors import Code

from . import search as item_search
from .models import OUTCOMES, Booking, BookingStatus, Crew, DayCapacity, District, FeeTable, Item, Variant

logger = logging.getLogger("dasan.waste")

PURPOSE = "waste.booking"
MAX_QUANTITY = 20  # of one size in one booking
MAX_LINES = 30

# --- the city's rules ---------------------------------------------------------------------------


def cutoff_time() -> dt.time:
    """Bookings and free cancellations close at this time on the day before collection."""
    value = str(setting("WASTE_CUTOFF"))
    try:
        hours, minutes = (int(part) for part in value.split(":", 1))
        return dt.time(hours, minutes)
    except ValueError:
        logger.warning("DASAN_WASTE_CUTOFF %r is not HH:MM; using 17:00", value)
        return dt.time(17, 0)


def cutoff_for(day: dt.date) -> dt.datetime:
    """The moment bookings for ``day`` close (the day before, at the cut-off time)."""
    return dt.datetime.combine(day - dt.timedelta(days=1), cutoff_time(), tzinfo=timefmt.zone())


def late_refund_percent() -> int:
    """City policy: percentage refunded for a cancellation after the cut-off (default 0)."""
    return max(0, min(100, int(setting("WASTE_LATE_CANCEL_REFUND_PERCENT"))))


def booking_window_days() -> int:
    """How many days ahead a collection can be booked."""
    return max(1, int(setting("WASTE_BOOKING_DAYS")))


def reminder_time() -> dt.time:
    """From this time on the evening before collection, residents are reminded."""
    value = str(setting("WASTE_REMINDER_TIME"))
    try:
        hours, minutes = (int(part) for part in value.split(":", 1))
        return dt.time(hours, minutes)
    except ValueError:
        return dt.time(18, 0)


def refund_due(booking: Booking, paid: int, *, now: dt.datetime | None = None) -> int:
    """What a cancellation now returns: everything before the cut-off, then the policy's share."""
    now = now or timezone.now()
    if now < cutoff_for(booking.collection_date):
        return paid
    return paid * late_refund_percent() // 100


# --- catalogue ----------------------------------------------------------------------------------


def current_table(on: dt.date | None = None) -> FeeTable | None:
    """The fee table in force on ``on`` (default today): the latest that has started."""
    on = on or timefmt.local_date()
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
    """The collection districts (행정동) residents can choose."""
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
    today = timefmt.local_date(now)
    candidates = []
    for offset in range(1, (days or booking_window_days()) + 1):
        day = today + dt.timedelta(days=offset)
        if district.works_on(day) and not calendar.is_holiday(day) and now < cutoff_for(day):
            candidates.append(day)
    booked = _booked(district, candidates)
    return [Day(day, max(0, district.daily_capacity - booked.get(day, 0)), cutoff_for(day)) for day in candidates]


# --- quotes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteLine:
    variant: Variant
    quantity: int

    @property
    def amount(self) -> int:
        return self.variant.fee * self.quantity


def as_int(value, field: str) -> int:
    """``value`` as a whole number; ``invalid_quantity`` on ``field`` otherwise."""
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
        vid = as_int(variant_id, "items")
        qty = as_int(quantity, "items")
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


# --- the resident's bookings --------------------------------------------------------------------


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
    return payment_selectors.orders_for(PURPOSE, str(booking.pk)).first()


# --- numbers and stickers -----------------------------------------------------------------------


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


# --- crews and staff ----------------------------------------------------------------------------


def staff_booking(actor, number: str, *, reason: str = "") -> tuple[Booking, bool]:
    """A booking by its number for a crew or an officer; the read (name, address) is audited."""
    require_staff(actor, _("직원만 할 수 있습니다."))
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
