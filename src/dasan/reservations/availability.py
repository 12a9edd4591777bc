"""When a resource can be used and what already holds its time.

* **Opening hours**: the weekly hours of the opening period in force (where periods overlap
  the one that started last wins: a summer timetable inside the all-year one), less closed
  dates and — unless the resource opens on holidays — public holidays.
* **Booking window**: booking for day D opens at 00:00 of D − ``opens_days_ahead`` and closes
  ``closes_hours_before`` the start.
* **Stays** (숙박·대여): whole nights run from check-in on D to check-out on D+n, whole days
  from pick-up on D to return on D+n−1; the span is an ordinary ``[begin, end)``.
* **What holds time**: active reservations and blocks over their *buffered* span
  (``begin − buffer before`` .. ``end + buffer after``), live waitlist offers for everyone but
  the offered resident, and open lotteries (like a block). On a shared resource the load is
  the most seats in use *at one instant* (:func:`peak_load`), so uses that follow each other
  do not add up.

:func:`availability` turns these into a day's slots for the pages and the API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.core import calendar, timefmt
from dasan.core.errors import DasanError

from .errors import Code
from .models import (
    ACTIVE,
    ClosedDate,
    Kind,
    Lottery,
    LotteryStatus,
    OpeningPeriod,
    Reservation,
    Resource,
    StayUnit,
    WaitlistEntry,
    WaitlistStatus,
)

MAX_PARTY = 10_000


# --- reading what the user typed ----------------------------------------------------------------


def parse_day(value) -> dt.date:
    """A date from a date, a datetime (its local day) or ``YYYY-MM-DD``; ``invalid_date`` otherwise."""
    day = timefmt.parse_date(value)
    if day is None:
        raise DasanError(Code.INVALID_DATE, _("날짜를 YYYY-MM-DD 형식으로 골라 주세요."), field="date")
    return day


def parse_time(value, field: str = "begin") -> dt.datetime:
    """An aware datetime from a datetime or an ISO 8601 text; naive means the city's zone."""
    moment = timefmt.parse_datetime(value)
    if moment is None:
        raise DasanError(Code.INVALID_TIME, _("시각을 올바르게 골라 주세요."), field=field)
    return moment


def parse_party(value) -> int:
    """The number of people or items: a whole number from 1 to 10,000 (``invalid_party_size``)."""
    refusal = DasanError(Code.INVALID_PARTY_SIZE, _("인원(수량)은 1 이상의 정수로 적어 주세요."), field="party_size")
    if isinstance(value, bool):
        raise refusal
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise refusal from None
    if not 1 <= number <= MAX_PARTY:
        raise refusal
    return number


def at(day: dt.date, time: dt.time) -> dt.datetime:
    """``time`` on ``day`` in the city's zone."""
    return dt.datetime.combine(day, time, tzinfo=timefmt.zone())


# --- opening hours ------------------------------------------------------------------------------


def period_for(resource: Resource, day: dt.date) -> OpeningPeriod | None:
    """The opening period in force on ``day`` (where several cover it, the latest started)."""
    return (
        OpeningPeriod.objects.filter(resource=resource, valid_from__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .prefetch_related("hours")
        .order_by("-valid_from", "-id")
        .first()
    )


def closed_reason(resource: Resource, day: dt.date) -> str:
    """Why the resource is shut on ``day`` ("" when it may open): a closed date, a
    holiday (unless it opens on holidays), or no hours that day."""
    closed = ClosedDate.objects.filter(resource=resource, date=day).first()
    if closed is not None:
        return closed.reason or _("휴관일")
    if not resource.open_on_holidays and calendar.is_holiday(day):
        return calendar.holiday_name(day) or _("공휴일")
    if not opening_spans(resource, day, check_closed=False):
        return _("운영하지 않는 날")
    return ""


def opening_spans(
    resource: Resource, day: dt.date, *, check_closed: bool = True
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The opening spans of ``day`` as aware datetimes ([] when closed)."""
    if check_closed:
        if ClosedDate.objects.filter(resource=resource, date=day).exists():
            return []
        if not resource.open_on_holidays and calendar.is_holiday(day):
            return []
    period = period_for(resource, day)
    if period is None:
        return []
    return [
        (at(day, h.opens), at(day, h.closes))
        for h in sorted(period.hours.all(), key=lambda h: h.opens)
        if h.weekday == day.weekday()
    ]


def booking_opens_at(resource: Resource, day: dt.date) -> dt.datetime:
    """Booking for ``day`` opens at midnight ``opens_days_ahead`` days before it."""
    return at(day - dt.timedelta(days=resource.opens_days_ahead), dt.time(0, 0))


def booking_closes_at(resource: Resource, begin: dt.datetime) -> dt.datetime:
    return begin - dt.timedelta(hours=resource.closes_hours_before)


# --- stays (숙박·대여) ----------------------------------------------------------------------------


def is_stay(resource: Resource) -> bool:
    """Booked by whole nights (campsites) or days (equipment loans) instead of slots."""
    return bool(resource.stay_unit)


def stay_bounds(resource: Resource, day, count) -> tuple[dt.datetime, dt.datetime]:
    """Check-in and check-out of ``count`` nights (or days) from ``day``: a night ends at
    check-out the next morning, a day's loan at the return time that same day."""
    day = parse_day(day)
    try:
        count = int(str(count).strip())
    except (TypeError, ValueError):
        raise DasanError(Code.INVALID_TIME, _("몇 박(일)인지 골라 주세요."), field="stay") from None
    if count < 1:
        raise DasanError(Code.INVALID_TIME, _("몇 박(일)인지 골라 주세요."), field="stay")
    last = day + dt.timedelta(days=count if resource.stay_unit == StayUnit.NIGHT else count - 1)
    return at(day, resource.check_in_time), at(last, resource.check_out_time)


def stay_length(resource: Resource, begin: dt.datetime, end: dt.datetime) -> int | None:
    """How many nights (days) [begin, end) is, or None when it does not start at check-in
    and end at check-out."""
    b, e = timefmt.local(begin), timefmt.local(end)
    if b.time() != resource.check_in_time or e.time() != resource.check_out_time:
        return None
    count = (e.date() - b.date()).days + (0 if resource.stay_unit == StayUnit.NIGHT else 1)
    return count if count >= 1 else None


def stay_lengths(resource: Resource) -> list[int]:
    return list(range(resource.min_stay, resource.max_stay + 1))[:60]


# --- what holds time ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hold:
    """Time held by something that is not a reservation row (a waitlist offer, an open
    lottery), shaped like a reservation for :func:`peak_load`."""

    blocked_from: dt.datetime
    blocked_until: dt.datetime
    kind: str
    party_size: int


def buffered_span(resource: Resource, begin: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The span a use of [begin, end) keeps from others: its buffers before and after added."""
    return (
        begin - dt.timedelta(minutes=resource.buffer_before_minutes),
        end + dt.timedelta(minutes=resource.buffer_after_minutes),
    )


def holding(resource: Resource, start: dt.datetime, stop: dt.datetime):
    """Active reservations and blocks whose buffered span overlaps [start, stop)."""
    return Reservation.objects.filter(
        resource=resource, status__in=ACTIVE, blocked_from__lt=stop, blocked_until__gt=start
    )


def offer_holds(
    resource: Resource, start: dt.datetime, stop: dt.datetime, *, now: dt.datetime, exclude_resident=None
) -> list[Hold]:
    """Live waitlist offers overlapping [start, stop): the time is kept for the offered
    resident (``exclude_resident``: the one asking, who may take it)."""
    qs = WaitlistEntry.objects.filter(resource=resource, status=WaitlistStatus.OFFERED, offer_expires_at__gt=now)
    if exclude_resident is not None:
        qs = qs.exclude(resident=exclude_resident)
    holds = []
    for entry in qs:
        a, b = buffered_span(resource, entry.begin, entry.end)
        if a < stop and b > start:
            holds.append(Hold(a, b, Kind.BOOKING, entry.party_size))
    return holds


def lottery_holds(resource: Resource, start: dt.datetime, stop: dt.datetime) -> list[Hold]:
    """Open (not yet drawn) lotteries hold their slot like a block: nobody books it meanwhile."""
    holds = []
    for lottery in Lottery.objects.filter(
        resource=resource,
        status=LotteryStatus.OPEN,
        begin__lt=stop + dt.timedelta(days=1),
        end__gt=start - dt.timedelta(days=1),
    ):
        a, b = buffered_span(resource, lottery.begin, lottery.end)
        if a < stop and b > start:
            holds.append(Hold(a, b, Kind.BLOCK, resource.capacity))
    return holds


def holds(
    resource: Resource, start: dt.datetime, stop: dt.datetime, *, now: dt.datetime, exclude_resident=None
) -> list:
    """Everything that holds part of [start, stop): reservations, blocks, offers, lotteries."""
    return (
        list(holding(resource, start, stop))
        + offer_holds(resource, start, stop, now=now, exclude_resident=exclude_resident)
        + lottery_holds(resource, start, stop)
    )


def _load(held, resource: Resource) -> int:
    return resource.capacity if held.kind == Kind.BLOCK else held.party_size


def peak_load(resource: Resource, held, start: dt.datetime, stop: dt.datetime) -> int:
    """The most seats/items in use at any instant of [start, stop) by ``held``
    (blocks take the whole capacity). Reservations that merely follow each other do
    not add up: only what is in use at the same time does."""
    events = []
    for r in held:
        a, b = max(r.blocked_from, start), min(r.blocked_until, stop)
        if a < b:
            events += [(a, _load(r, resource)), (b, -_load(r, resource))]
    events.sort(key=lambda e: (e[0], e[1]))  # at one instant, ends before starts
    current = peak = 0
    for _moment, delta in events:
        current += delta
        peak = max(peak, current)
    return peak


def seats_left(
    resource: Resource, begin: dt.datetime, end: dt.datetime, *, now: dt.datetime, exclude_resident=None
) -> int | None:
    """Seats or items free for the whole of [begin, end), buffers counted; None when the
    time is taken outright (anything holds an exclusive resource, or a block holds it)."""
    start, stop = buffered_span(resource, begin, end)
    held = holds(resource, start, stop, now=now, exclude_resident=exclude_resident)
    if resource.exclusive or any(r.kind == Kind.BLOCK for r in held):
        return None if held else resource.capacity
    return max(resource.capacity - peak_load(resource, held, start, stop), 0)


# --- a day's slots ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    begin: dt.datetime
    end: dt.datetime
    state: str  # free | taken | closed (booking window shut) | not_open (window not open yet) | past
    remaining: int  # seats or items left (exclusive resources: 1 or 0)

    @property
    def free(self) -> bool:
        return self.state == "free"


@dataclass(frozen=True)
class DayAvailability:
    resource: Resource
    day: dt.date
    slots: list[Slot] = field(default_factory=list)
    closed: str = ""  # why the resource is shut that day, "" when open
    opens_at: dt.datetime | None = None  # when booking for this day opens

    @property
    def free(self) -> list[Slot]:
        return [slot for slot in self.slots if slot.free]


def availability(resource: Resource, day, *, now: dt.datetime | None = None) -> DayAvailability:
    """The day's slots of ``resource`` (``slot_minutes`` long from each opening; a stay has
    one: a single night or day from that day) with their state: free, taken (by a
    reservation, block, offer or lottery, buffers included), closed (booking closes
    ``closes_hours_before`` the start), not_open (the window opens ``opens_days_ahead``
    days before) or past. Shared resources report the seats left."""
    day = parse_day(day)
    now = now or timezone.now()
    reason = closed_reason(resource, day)
    opens_at = booking_opens_at(resource, day)
    if reason:
        return DayAvailability(resource, day, [], reason, opens_at)
    if is_stay(resource):
        starts = [stay_bounds(resource, day, 1)]
    else:
        step = dt.timedelta(minutes=resource.slot_minutes)
        starts = []
        for opens, closes in opening_spans(resource, day):
            begin = opens
            while begin + step <= closes:
                starts.append((begin, begin + step))
                begin += step
    if not starts:
        return DayAvailability(resource, day, [], "", opens_at)
    first, last = buffered_span(resource, starts[0][0], starts[-1][1])
    held = holds(resource, first, last, now=now)
    slots = []
    for begin, end in starts:
        start, stop = buffered_span(resource, begin, end)
        used = peak_load(resource, held, start, stop)
        remaining = (0 if used else 1) if resource.exclusive else max(0, resource.capacity - used)
        slots.append(Slot(begin, end, _state(resource, begin, remaining, now, opens_at), remaining))
    return DayAvailability(resource, day, slots, "", opens_at)


def _state(resource: Resource, begin: dt.datetime, remaining: int, now: dt.datetime, opens_at: dt.datetime) -> str:
    if begin < now:
        return "past"
    if now >= booking_closes_at(resource, begin):
        return "closed"
    if now < opens_at:
        return "not_open"
    return "free" if remaining > 0 else "taken"


def week(resource: Resource, start, *, days: int = 7, now: dt.datetime | None = None) -> list[DayAvailability]:
    """``availability`` for ``days`` days from ``start`` (the week grid)."""
    start = parse_day(start)
    return [availability(resource, start + dt.timedelta(days=i), now=now) for i in range(days)]
