"""Reservation services: the only place where reservations, blocks and penalties change.

Booking checks the request against the resource's rules (opening hours, holidays and
closed dates, slot alignment, durations, booking window, party size, residents-only,
the resident's active bookings and no-show penalty), then locks the resource row
(``select_for_update``) so that bookings of one resource run one after the other,
checks the overlap with active reservations (their spans widened by the buffers)
and inserts. On PostgreSQL an exclusion constraint over the buffered span refuses an
overlapping row even if some code bypassed this module (migration 0002).

Paid bookings go through the payments app (purpose ``reservations.booking``); the
callbacks registered in ``apps.py`` confirm the reservation when paid and release the
slot when the order expires or is cancelled. See docs/dev/reservations.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dasan.core import audit, calendar
from dasan.core.errors import Conflict, CoreCode, DasanError, NotFound, PermissionDenied
from dasan.payments import services as payments
from dasan.payments.policy import RefundSchedule
from dasan.payments.services import Line
from dasan.reservations.errors import Code

from .models import (
    ACTIVE,
    ClosedDate,
    Discount,
    Kind,
    OpeningPeriod,
    Penalty,
    PriceKind,
    PriceRule,
    Reservation,
    Resource,
    ResourceType,
    Status,
    StayUnit,
    Unit,
)

logger = logging.getLogger("dasan.reservations")

PURPOSE = "reservations.booking"
DEFAULT_REFUND_RULES = [[168, 100], [24, 50]]  # 7 days before: all back; 1 day before: half; later: nothing
MAX_PARTY = 10_000


def setting(name: str, default):
    return getattr(settings, "DASAN", {}).get(name, default)


def payment_minutes() -> int:
    """How long an instant booking holds its slot while waiting for payment."""
    return max(5, int(setting("RESERVATIONS_PAYMENT_MINUTES", 60)))


def approved_payment_hours() -> int:
    """How long a resident has to pay after staff approved a request."""
    return max(1, int(setting("RESERVATIONS_APPROVED_PAYMENT_HOURS", 48)))


def no_show_penalty_days() -> int:
    """Days a resident cannot book after a no-show (0 switches the penalty off)."""
    return max(0, int(setting("RESERVATIONS_NO_SHOW_PENALTY_DAYS", 30)))


def _zone():
    return timezone.get_default_timezone()


def local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, _zone())


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=_zone())


# --- catalogue ----------------------------------------------------------------------------------


def units() -> list[Unit]:
    return list(Unit.objects.filter(active=True))


def resources(*, type: str = "", unit=None, query: str = ""):
    """Active resources of active units, filtered by type (``ResourceType``), unit and a
    word in the resource's or unit's name."""
    qs = Resource.objects.filter(active=True, unit__active=True).select_related("unit")
    if type in ResourceType.values:
        qs = qs.filter(type=type)
    if unit not in (None, ""):
        qs = qs.filter(unit_id=unit.pk if isinstance(unit, Unit) else (int(unit) if str(unit).isdigit() else 0))
    query = " ".join(str(query or "").split())[:50]
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(unit__name__icontains=query) | Q(description__icontains=query))
    return qs


def get_resource(value) -> Resource:
    """An active resource by pk (or the resource itself); ``unknown_resource`` (404) otherwise."""
    if isinstance(value, Resource):
        return value
    resource = None
    if str(value).strip().isdigit():
        resource = Resource.objects.select_related("unit").filter(pk=int(value), active=True, unit__active=True).first()
    if resource is None:
        raise NotFound(Code.UNKNOWN_RESOURCE, _("예약할 수 있는 시설을 찾을 수 없습니다."))
    return resource


def price_rule(resource: Resource, day: dt.date) -> PriceRule | None:
    """The price in force for a use on ``day``: the latest rule that has started."""
    return (
        PriceRule.objects.filter(resource=resource, effective_from__lte=day)
        .prefetch_related("discounts")
        .order_by("-effective_from")
        .first()
    )


def refund_steps(resource: Resource) -> list[tuple[int, int]]:
    """[(hours before the start, percent refunded)], longest notice first — the
    resource's own rules, or ``RESERVATIONS_REFUND_RULES``, or 7 days 100 % / 1 day 50 %."""
    for rules in (resource.refund_rules, setting("RESERVATIONS_REFUND_RULES", None), DEFAULT_REFUND_RULES):
        if not rules:
            continue
        try:
            steps = [(int(hours), int(percent)) for hours, percent in rules]
            RefundSchedule([(dt.timedelta(hours=h), p) for h, p in steps])  # validates
        except (TypeError, ValueError):
            logger.warning(
                "refund rules %r of resource %s are not [[hours, percent], ...]; ignored", rules, resource.pk
            )
            continue
        return sorted(steps, reverse=True)
    return []


def refund_schedule(resource: Resource) -> RefundSchedule:
    return RefundSchedule([(dt.timedelta(hours=h), p) for h, p in refund_steps(resource)])


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
        (_at(day, h.opens), _at(day, h.closes))
        for h in sorted(period.hours.all(), key=lambda h: h.opens)
        if h.weekday == day.weekday()
    ]


def booking_opens_at(resource: Resource, day: dt.date) -> dt.datetime:
    """Booking for ``day`` opens at midnight ``opens_days_ahead`` days before it."""
    return _at(day - dt.timedelta(days=resource.opens_days_ahead), dt.time(0, 0))


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
    return _at(day, resource.check_in_time), _at(last, resource.check_out_time)


def stay_length(resource: Resource, begin: dt.datetime, end: dt.datetime) -> int | None:
    """How many nights (days) [begin, end) is, or None when it does not start at check-in
    and end at check-out."""
    b, e = local(begin), local(end)
    if b.time() != resource.check_in_time or e.time() != resource.check_out_time:
        return None
    count = (e.date() - b.date()).days + (0 if resource.stay_unit == StayUnit.NIGHT else 1)
    return count if count >= 1 else None


def stay_lengths(resource: Resource) -> list[int]:
    return list(range(resource.min_stay, resource.max_stay + 1))[:60]


def _check_stay(resource: Resource, begin: dt.datetime, end: dt.datetime) -> dt.date:
    count = stay_length(resource, begin, end)
    if count is None:
        raise DasanError(
            Code.NOT_SLOT_ALIGNED,
            _("입실(대여) %(check_in)s, 퇴실(반납) %(check_out)s에 맞춰 골라 주세요.")
            % {"check_in": f"{resource.check_in_time:%H:%M}", "check_out": f"{resource.check_out_time:%H:%M}"},
            field="begin",
        )
    if count < resource.min_stay:
        raise DasanError(
            Code.TOO_SHORT, _("최소 %(n)d박(일) 이상 예약해 주세요.") % {"n": resource.min_stay}, field="end"
        )
    if count > resource.max_stay:
        raise DasanError(
            Code.TOO_LONG, _("한 번에 %(n)d박(일)까지 예약할 수 있습니다.") % {"n": resource.max_stay}, field="end"
        )
    first = local(begin).date()
    for offset in range(count):
        day = first + dt.timedelta(days=offset)
        reason = closed_reason(resource, day)
        if reason:
            raise DasanError(
                Code.OUTSIDE_HOURS,
                _("%(date)s은(는) 예약할 수 없는 날입니다(%(reason)s).") % {"date": day.isoformat(), "reason": reason},
                field="begin",
            )
    return first


def span_label(begin: dt.datetime, end: dt.datetime) -> str:
    """ "2026-03-14 10:00–12:00", or "2026-03-14 14:00–03-15 11:00" across days."""
    b, e = local(begin), local(end)
    if b.date() == e.date() or (e.time() == dt.time(0, 0) and e.date() == b.date() + dt.timedelta(days=1)):
        return f"{b:%Y-%m-%d %H:%M}–{e:%H:%M}"
    return f"{b:%Y-%m-%d %H:%M}–{e:%m-%d %H:%M}"


# --- availability -------------------------------------------------------------------------------


def _span(resource: Resource, begin: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return (
        begin - dt.timedelta(minutes=resource.buffer_before_minutes),
        end + dt.timedelta(minutes=resource.buffer_after_minutes),
    )


def _holding(resource: Resource, start: dt.datetime, stop: dt.datetime):
    """Active reservations whose buffered span overlaps [start, stop)."""
    return Reservation.objects.filter(
        resource=resource, status__in=ACTIVE, blocked_from__lt=stop, blocked_until__gt=start
    )


def _offer_holds(
    resource: Resource, start: dt.datetime, stop: dt.datetime, *, now: dt.datetime, exclude_resident=None
) -> list:
    """Waitlist offers holding time for their resident (see ``waitlist.py``)."""
    from .lottery import lottery_holds
    from .waitlist import offer_holds

    return offer_holds(resource, start, stop, now=now, exclude_resident=exclude_resident) + lottery_holds(
        resource, start, stop
    )


def _freed(resource, now: dt.datetime | None = None) -> None:
    """A reservation stopped holding its time: offer it to the waitlist."""
    from .waitlist import freed

    freed(resource, now=now)


def _lottery_released(reservation: Reservation, now: dt.datetime | None = None) -> None:
    """A lottery winner's reservation stopped holding its time: the next rank is offered."""
    from .lottery import released

    released(reservation, now=now)


def _load(reservation: Reservation, resource: Resource) -> int:
    return resource.capacity if reservation.kind == Kind.BLOCK else reservation.party_size


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
    for _when, delta in events:
        current += delta
        peak = max(peak, current)
    return peak


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
    """The day's slots of ``resource`` (``slot_minutes`` long from each opening) with
    their state: free, taken (by a reservation or block, buffers included), closed
    (booking closes ``closes_hours_before`` the start), not_open (the window opens
    ``opens_days_ahead`` days before) or past. Shared resources report the seats left."""
    day = parse_day(day)
    now = now or timezone.now()
    reason = closed_reason(resource, day)
    opens_at = booking_opens_at(resource, day)
    if reason:
        return DayAvailability(resource, day, [], reason, opens_at)
    if is_stay(resource):  # one "slot": a single night (or day) checked in that day
        begin, end = stay_bounds(resource, day, 1)
        start, stop = _span(resource, begin, end)
        held = list(_holding(resource, start, stop)) + _offer_holds(resource, start, stop, now=now)
        used = peak_load(resource, held, start, stop)
        remaining = (0 if used else 1) if resource.exclusive else max(0, resource.capacity - used)
        return DayAvailability(
            resource,
            day,
            [Slot(begin, end, _state(resource, begin, remaining, now, opens_at), remaining)],
            "",
            opens_at,
        )
    spans = opening_spans(resource, day)
    step = dt.timedelta(minutes=resource.slot_minutes)
    first, last = _span(resource, spans[0][0], spans[-1][1])
    held = list(_holding(resource, first, last)) + _offer_holds(resource, first, last, now=now)
    slots = []
    for opens, closes in spans:
        begin = opens
        while begin + step <= closes:
            start, stop = _span(resource, begin, begin + step)
            used = peak_load(resource, held, start, stop)
            remaining = (0 if used else 1) if resource.exclusive else max(0, resource.capacity - used)
            slots.append(Slot(begin, begin + step, _state(resource, begin, remaining, now, opens_at), remaining))
            begin += step
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


# --- pricing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    subtotal: int
    discount: str
    percent: int
    total: int
    lines: list[Line]
    deposit: int = 0

    @property
    def discount_amount(self) -> int:
        return self.subtotal - self.total

    @property
    def payable(self) -> int:
        """The fee after discount plus the deposit (보증금): what the order charges."""
        return self.total + self.deposit


def discounts_offered(resource: Resource, day: dt.date) -> list[tuple[str, str, int]]:
    """(category, label, percent) the price rule in force on ``day`` grants."""
    rule = price_rule(resource, day)
    if rule is None or rule.amount == 0:
        return []
    return [(d.category, str(Discount(d.category).label), d.percent) for d in rule.discounts.all()]


def quote(
    resource: Resource, begin: dt.datetime, end: dt.datetime, *, party_size: int = 1, discount: str = ""
) -> Quote:
    """The price of a use: hourly (by the minute, rounded down) or fixed, per person
    or item when the rule says so, less the declared category's percentage, plus the
    rule's deposit (보증금, never discounted). Without a price rule the use is free."""
    rule = price_rule(resource, local(begin).date())
    minutes = int((end - begin).total_seconds() // 60)
    subtotal = 0
    if rule is not None:
        if rule.kind == PriceKind.HOURLY:
            subtotal = rule.amount * minutes // 60
        elif rule.kind == PriceKind.DAILY:  # per night or day; a slot resource counts started days
            units = (stay_length(resource, begin, end) if is_stay(resource) else None) or max(1, -(-minutes // 1440))
            subtotal = rule.amount * units
        else:
            subtotal = rule.amount
        if rule.per_person:
            subtotal *= party_size
    percent = 0
    discount = str(discount or "").strip()
    if discount:
        if discount not in Discount.values:
            raise DasanError(Code.UNKNOWN_DISCOUNT, _("감면 대상을 목록에서 골라 주세요."), field="discount")
        offered = {d.category: d.percent for d in rule.discounts.all()} if rule is not None and subtotal else {}
        if discount not in offered:
            raise DasanError(
                Code.DISCOUNT_NOT_OFFERED,
                _("이 시설은 %(category)s 감면을 하지 않습니다.") % {"category": Discount(discount).label},
                field="discount",
            )
        percent = offered[discount]
    total = subtotal - subtotal * percent // 100
    lines = [Line(f"{resource.unit.name} {resource.name} {span_label(begin, end)}"[:120], subtotal, 1)]
    if percent:
        lines.append(
            Line(
                _("감면 (%(category)s %(percent)d%%)") % {"category": Discount(discount).label, "percent": percent},
                total - subtotal,
                1,
            )
        )
    deposit = rule.deposit if rule is not None else 0
    if deposit:
        lines.append(Line(_("보증금 (이용 뒤 반환)"), deposit, 1))
    return Quote(subtotal, discount, percent, total, lines, deposit)


# --- parsing ------------------------------------------------------------------------------------


def parse_day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return local(value).date()
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise DasanError(Code.INVALID_DATE, _("날짜를 YYYY-MM-DD 형식으로 골라 주세요."), field="date") from None
    if not 2000 <= day.year <= 2100:
        raise DasanError(Code.INVALID_DATE, _("날짜를 YYYY-MM-DD 형식으로 골라 주세요."), field="date")
    return day


def parse_time(value, field: str = "begin") -> dt.datetime:
    """An aware datetime from a datetime or an ISO 8601 text; naive means Asia/Seoul."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value or "").strip())
        except ValueError:
            raise DasanError(Code.INVALID_TIME, _("시각을 올바르게 골라 주세요."), field=field) from None
    if not 2000 <= moment.year <= 2100:  # also keeps date arithmetic far from its limits
        raise DasanError(Code.INVALID_TIME, _("시각을 올바르게 골라 주세요."), field=field)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=_zone())
    return moment


def _party(value) -> int:
    if isinstance(value, bool):
        raise DasanError(Code.INVALID_PARTY_SIZE, _("인원(수량)은 1 이상의 정수로 적어 주세요."), field="party_size")
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise DasanError(
            Code.INVALID_PARTY_SIZE, _("인원(수량)은 1 이상의 정수로 적어 주세요."), field="party_size"
        ) from None
    if not 1 <= number <= MAX_PARTY:
        raise DasanError(Code.INVALID_PARTY_SIZE, _("인원(수량)은 1 이상의 정수로 적어 주세요."), field="party_size")
    return number


# --- penalties ----------------------------------------------------------------------------------


def penalty_for(resident, now: dt.datetime | None = None) -> Penalty | None:
    """The no-show penalty in force for ``resident`` (the one ending last), if any."""
    if not getattr(resident, "pk", None):
        return None
    return Penalty.objects.filter(resident=resident, until__gt=now or timezone.now()).order_by("-until").first()


# --- booking ------------------------------------------------------------------------------------


def _fmt(moment: dt.datetime) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M")


def check_request(resource: Resource, begin: dt.datetime, end: dt.datetime, *, now: dt.datetime) -> None:
    """Refuse a time that breaks the resource's rules (before any lock is taken)."""
    if end <= begin:
        raise DasanError(Code.INVALID_TIME, _("끝나는 시각은 시작 시각보다 뒤여야 합니다."), field="end")
    if begin < now:
        raise DasanError(Code.PAST, _("지난 시간은 예약할 수 없습니다."), field="begin")
    if is_stay(resource):
        _check_window(resource, _check_stay(resource, begin, end), begin, now)
        return
    day = local(begin).date()
    if local(end) > _at(day + dt.timedelta(days=1), dt.time(0, 0)):
        raise DasanError(Code.OUTSIDE_HOURS, _("하루 안의 운영 시간에서 골라 주세요."), field="end")
    reason = closed_reason(resource, day)
    if reason:
        raise DasanError(
            Code.OUTSIDE_HOURS,
            _("%(date)s은(는) 예약할 수 없는 날입니다(%(reason)s).") % {"date": day.isoformat(), "reason": reason},
            field="begin",
        )
    spans = opening_spans(resource, day)
    span = next(((o, c) for o, c in spans if o <= begin and end <= c), None)
    if span is None:
        hours = ", ".join(f"{local(o):%H:%M}–{local(c):%H:%M}" for o, c in spans)
        raise DasanError(
            Code.OUTSIDE_HOURS, _("운영 시간(%(hours)s) 안에서 골라 주세요.") % {"hours": hours}, field="begin"
        )
    step = resource.slot_minutes * 60
    if (begin - span[0]).total_seconds() % step or (end - begin).total_seconds() % step:
        raise DasanError(
            Code.NOT_SLOT_ALIGNED,
            _("%(minutes)d분 단위로 시작하고 끝나는 시간을 골라 주세요.") % {"minutes": resource.slot_minutes},
            field="begin",
        )
    minutes = (end - begin).total_seconds() / 60
    if minutes < resource.min_minutes:
        raise DasanError(
            Code.TOO_SHORT, _("최소 %(minutes)d분 이상 예약해 주세요.") % {"minutes": resource.min_minutes}, field="end"
        )
    if minutes > resource.max_minutes:
        raise DasanError(
            Code.TOO_LONG,
            _("한 번에 %(minutes)d분까지 예약할 수 있습니다.") % {"minutes": resource.max_minutes},
            field="end",
        )
    _check_window(resource, day, begin, now)


def _check_window(resource: Resource, day: dt.date, begin: dt.datetime, now: dt.datetime) -> None:
    opens_at = booking_opens_at(resource, day)
    if now < opens_at:
        raise DasanError(
            Code.WINDOW_NOT_OPEN,
            _("%(date)s 예약은 %(opens)s부터 받습니다.") % {"date": day.isoformat(), "opens": _fmt(opens_at)},
            field="begin",
            opens_at=opens_at.isoformat(),
        )
    if now >= booking_closes_at(resource, begin):
        raise DasanError(
            Code.WINDOW_CLOSED,
            _("이용 시작 %(hours)d시간 전에 예약을 마감했습니다.") % {"hours": resource.closes_hours_before},
            field="begin",
        )


def book(
    resident,
    resource,
    begin,
    end,
    *,
    party_size=1,
    discount: str = "",
    declared_resident: bool = False,
    purpose: str = "",
    group=None,
    idempotency_key: str = "",
    expected_total: int | None = None,
    now: dt.datetime | None = None,
) -> Reservation:
    """Book ``resource`` from ``begin`` to ``end`` for ``resident``.

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
    if resident is None or not getattr(resident, "is_authenticated", False):
        raise DasanError(Code.LOGIN_REQUIRED, _("로그인이 필요합니다."), status=401)
    key = str(idempotency_key or "").strip()[:200]
    if key:
        existing = Reservation.objects.filter(resident=resident, idempotency_key=key).first()
        if existing is not None:
            return existing
    now = now or timezone.now()
    penalty = penalty_for(resident, now)
    if penalty is not None:
        raise PermissionDenied(
            Code.NO_SHOW_PENALTY,
            _("노쇼로 %(until)s까지 예약할 수 없습니다.") % {"until": _fmt(penalty.until)},
            until=penalty.until.isoformat(),
        )
    resource = get_resource(resource)
    begin, end = parse_time(begin, "begin"), parse_time(end, "end")
    party = _party(party_size)
    check_request(resource, begin, end, now=now)
    if party > resource.capacity:
        raise DasanError(
            Code.OVER_CAPACITY,
            _("이 시설은 %(capacity)d명(개)까지 이용할 수 있습니다.") % {"capacity": resource.capacity},
            field="party_size",
            capacity=resource.capacity,
        )
    declared = bool(declared_resident) or discount == Discount.RESIDENT
    if resource.residents_only and not declared:
        raise PermissionDenied(
            Code.RESIDENTS_ONLY,
            _("관내 거주자만 예약할 수 있습니다. 거주 여부는 이용 당일 확인합니다."),
            field="declared_resident",
        )
    from .groups import group_for_booking

    group = group_for_booking(resident, resource, group)
    priced = quote(resource, begin, end, party_size=party, discount=discount)
    if (
        expected_total is not None
        and str(expected_total).strip() != ""
        and str(expected_total).strip() != str(priced.payable)
    ):
        raise Conflict(
            Code.PRICE_CHANGED,
            _("이용료가 바뀌었습니다. 새 금액 %(total)s원을 확인하고 다시 예약해 주세요.")
            % {"total": f"{priced.payable:,}"},
            total=priced.payable,
        )
    start, stop = _span(resource, begin, end)
    if resource.needs_approval:
        status = Status.REQUESTED
    else:
        status = Status.CONFIRMED if priced.payable == 0 else Status.PENDING_PAYMENT
    try:
        with transaction.atomic():
            locked = Resource.objects.select_for_update(of=("self",)).select_related("unit").get(pk=resource.pk)
            if key:  # a racing twin with the same key committed while we waited for the lock
                existing = Reservation.objects.filter(resident=resident, idempotency_key=key).first()
                if existing is not None:
                    return existing
            mine = Reservation.objects.filter(
                resource=locked, resident=resident, kind=Kind.BOOKING, status__in=ACTIVE, end__gt=now
            ).count()
            if mine >= locked.max_active_per_resident:
                raise Conflict(
                    Code.TOO_MANY_BOOKINGS,
                    _("이 시설은 한 사람이 %(n)d건까지 예약할 수 있습니다. 이용하거나 취소한 뒤 다시 예약해 주세요.")
                    % {"n": locked.max_active_per_resident},
                    limit=locked.max_active_per_resident,
                )
            held = list(_holding(locked, start, stop))
            held += _offer_holds(locked, start, stop, now=now, exclude_resident=resident)
            if locked.exclusive or any(r.kind == Kind.BLOCK for r in held):
                if held:
                    raise Conflict(
                        Code.SLOT_TAKEN, _("이미 예약된 시간입니다. 다른 시간을 골라 주세요."), field="begin"
                    )
            else:
                left = locked.capacity - peak_load(locked, held, start, stop)
                if party > left:
                    raise Conflict(
                        Code.OVER_CAPACITY,
                        _("그 시간에는 %(left)d명(개)만 더 예약할 수 있습니다.") % {"left": max(left, 0)},
                        field="party_size",
                        remaining=max(left, 0),
                    )
            with transaction.atomic():  # savepoint: the DB constraints have the last word
                reservation = Reservation.objects.create(
                    resource=locked,
                    resident=resident,
                    status=status,
                    begin=begin,
                    end=end,
                    blocked_from=start,
                    blocked_until=stop,
                    exclusive=locked.exclusive,
                    party_size=party,
                    purpose=" ".join(str(purpose or "").split())[:200],
                    declared_resident=declared,
                    group=group,
                    discount=priced.discount,
                    discount_percent=priced.percent,
                    subtotal=priced.subtotal,
                    price=priced.total,
                    deposit=priced.deposit,
                    idempotency_key=key,
                    created_at=now,
                    confirmed_at=now if status == Status.CONFIRMED else None,
                )
            audit.record(
                "reservations.book",
                actor=resident,
                target=reservation,
                data={
                    "resource": locked.pk,
                    "begin": begin.isoformat(),
                    "end": end.isoformat(),
                    "party": party,
                    "total": priced.total,
                    "deposit": priced.deposit,
                    "status": status,
                    "discount": priced.discount,
                    "group": group.pk if group else None,
                },
            )
            if status == Status.PENDING_PAYMENT:
                _create_order(reservation, priced, min(now + dt.timedelta(minutes=payment_minutes()), begin))
            elif status == Status.CONFIRMED:
                _notify(reservation, "reservations.confirmed")
            else:
                _notify(reservation, "reservations.requested")
    except IntegrityError:
        if key:
            existing = Reservation.objects.filter(resident=resident, idempotency_key=key).first()
            if existing is not None:
                return existing
        raise Conflict(Code.SLOT_TAKEN, _("이미 예약된 시간입니다. 다른 시간을 골라 주세요."), field="begin") from None
    reservation.refresh_from_db()
    return reservation


def _create_order(reservation: Reservation, priced: Quote, expires_at: dt.datetime):
    order = payments.create_order(
        reservation.resident,
        PURPOSE,
        str(reservation.pk),
        priced.lines,
        title=_("공공시설 예약 %(code)s") % {"code": reservation.code},
        expires_at=expires_at,
        return_url=reverse("reservations:detail", args=[reservation.pk]),
    )
    Reservation.objects.filter(pk=reservation.pk).update(order_id=order.public_id)
    reservation.order_id = order.public_id
    return order


def _quote_of(reservation: Reservation) -> Quote:
    """The price the reservation was quoted (kept, never recomputed from today's rules)."""
    lines = [
        Line(
            f"{reservation.resource.unit.name} {reservation.resource.name} "
            f"{span_label(reservation.begin, reservation.end)}"[:120],
            reservation.subtotal,
            1,
        )
    ]
    if reservation.discount_amount:
        lines.append(
            Line(
                _("감면 (%(category)s %(percent)d%%)")
                % {"category": Discount(reservation.discount).label, "percent": reservation.discount_percent},
                -reservation.discount_amount,
                1,
            )
        )
    if reservation.deposit:
        lines.append(Line(_("보증금 (이용 뒤 반환)"), reservation.deposit, 1))
    return Quote(
        reservation.subtotal,
        reservation.discount,
        reservation.discount_percent,
        reservation.price,
        lines,
        reservation.deposit,
    )


# --- reading ------------------------------------------------------------------------------------


def get_reservation(user, pk) -> Reservation:
    """The resident's own reservation; others' are ``reservation_not_found`` (404)."""
    reservation = None
    if getattr(user, "is_authenticated", False) and str(pk).isdigit():
        reservation = (
            Reservation.objects.select_related("resource", "resource__unit")
            .filter(pk=int(pk), resident=user, kind=Kind.BOOKING)
            .first()
        )
    if reservation is None:
        raise NotFound(Code.RESERVATION_NOT_FOUND, _("예약을 찾을 수 없습니다."))
    return reservation


def reservations_for(user):
    return (
        Reservation.objects.filter(resident=user, kind=Kind.BOOKING)
        .select_related("resource", "resource__unit")
        .order_by("-begin", "-id")
    )


def order_for(reservation: Reservation):
    return payments.orders_for(PURPOSE, str(reservation.pk)).first()


def _staff(user) -> None:
    if not (getattr(user, "is_city_staff", False) and user.is_active):
        raise PermissionDenied(CoreCode.FORBIDDEN, _("담당 공무원만 할 수 있습니다."))


def staff_reservation(staff, pk, *, reason: str = "") -> Reservation:
    """Any reservation, for staff (the read of a resident's booking is audited)."""
    _staff(staff)
    reservation = None
    if str(pk).isdigit():
        reservation = (
            Reservation.objects.select_related("resource", "resource__unit", "resident").filter(pk=int(pk)).first()
        )
    if reservation is None:
        raise NotFound(Code.RESERVATION_NOT_FOUND, _("예약을 찾을 수 없습니다."))
    if reservation.resident_id:
        audit.record_read(staff, reservation, reason=reason or "reservations.reservation")
    return reservation


def day_reservations(resource: Resource, start: dt.date, days: int = 1):
    """Bookings and blocks of ``resource`` starting on ``start`` .. ``start + days``
    (all statuses, for the staff calendar)."""
    first = _at(start, dt.time(0, 0))
    return (
        Reservation.objects.filter(resource=resource, begin__gte=first, begin__lt=first + dt.timedelta(days=days))
        .select_related("resident")
        .order_by("begin", "id")
    )


def pending_requests():
    """Requests awaiting a decision, soonest first (the staff queue)."""
    return (
        Reservation.objects.filter(status=Status.REQUESTED, kind=Kind.BOOKING)
        .select_related("resource", "resource__unit", "resident")
        .order_by("begin", "id")
    )


# --- notifications ------------------------------------------------------------------------------


def _notify(reservation: Reservation, template: str, **extra) -> None:
    from dasan.core.models import Municipality
    from dasan.notify.services import enqueue

    resident = reservation.resident
    if resident is None:
        return
    municipality = Municipality.current()
    base = str(setting("PUBLIC_URL", "") or "").rstrip("/")
    with translation.override(getattr(resident, "language", None) or "ko"):
        context = {
            "city": municipality.name if municipality else "",
            "code": reservation.code,
            "resource": f"{reservation.resource.unit.name} {reservation.resource.name}",
            "when": span_label(reservation.begin, reservation.end),
            "price": f"{reservation.payable:,}",
            "discount": str(Discount(reservation.discount).label) if reservation.discount else "",
            "url": base + reverse("reservations:detail", args=[reservation.pk]) if base else "",
            **extra,
        }
    try:
        enqueue(template, recipient=resident, context=context)
    except DasanError as error:  # no address to send to: the reservation stands, staff see the log
        logger.warning("reservation notification %s for %s not sent: %s", template, reservation.pk, error.code)


# --- payment callbacks (registered in apps.py) --------------------------------------------------


def _lock(pk) -> Reservation:
    return (
        Reservation.objects.select_for_update(of=("self",))
        .select_related("resource", "resource__unit", "resident")
        .get(pk=pk)
    )


def reservation_paid(order) -> None:
    """Paid: the reservation is confirmed."""
    reservation = _lock(order.reference)
    if reservation.status != Status.PENDING_PAYMENT:
        return
    reservation.status, reservation.confirmed_at = Status.CONFIRMED, timezone.now()
    reservation.save(update_fields=["status", "confirmed_at"])
    audit.record("reservations.confirmed", target=reservation, data={"order": order.public_id})
    from .lottery import paid

    paid(reservation)
    _notify(reservation, "reservations.confirmed")


def reservation_released(order) -> None:
    """The order expired or was cancelled unpaid: the slot is free again."""
    reservation = _lock(order.reference)
    if reservation.status != Status.PENDING_PAYMENT:
        return
    reservation.status = Status.EXPIRED if order.status == "expired" else Status.CANCELLED
    reservation.cancelled_at = timezone.now()
    reservation.save(update_fields=["status", "cancelled_at"])
    audit.record("reservations.released", target=reservation, data={"order_status": order.status})
    _lottery_released(reservation)
    _freed(reservation.resource)


def reservation_refunded(order, refund) -> None:
    """A refund (ours or staff's on the payments pages): keep the amount; a full refund
    of a confirmed reservation cancels it."""
    reservation = _lock(order.reference)
    reservation.refunded_amount = order.refunded_amount
    fields = ["refunded_amount"]
    if reservation.status == Status.CONFIRMED and order.refunded_amount >= order.paid_amount:
        reservation.status, reservation.cancelled_at = Status.CANCELLED, timezone.now()
        fields += ["status", "cancelled_at"]
        _notify(reservation, "reservations.cancelled", refund=f"{order.refunded_amount:,}", reason="")
    reservation.save(update_fields=fields)
    if "status" in fields:
        _lottery_released(reservation)
        _freed(reservation.resource)


# --- cancellation -------------------------------------------------------------------------------


def refund_due(reservation: Reservation, paid: int, *, now: dt.datetime | None = None) -> int:
    """What a resident's cancellation returns now: the fee by the resource's schedule,
    and the whole deposit (보증금), which is never forfeited by cancelling."""
    deposit = min(reservation.deposit, paid)
    return refund_schedule(reservation.resource).amount_for(paid - deposit, reservation.begin, now) + deposit


def cancel(user, reservation, *, reason: str = "", now: dt.datetime | None = None) -> Reservation:
    """Cancel a reservation (or, for staff, a block).

    A resident cancels their own before it starts: an unpaid order is cancelled, a paid
    one refunded by the schedule (``refund_steps``). Staff may cancel any active one;
    the city then refunds everything. Refused: ``not_cancellable`` (409) when it is
    no longer active or already used, ``too_late`` once it has started (residents)."""
    now = now or timezone.now()
    staff = getattr(user, "is_city_staff", False) and user.is_active
    pk = reservation.pk if isinstance(reservation, Reservation) else reservation
    with transaction.atomic():
        if staff:
            reservation = _lock(staff_reservation(user, pk, reason="reservations.cancel").pk)
        else:
            reservation = _lock(get_reservation(user, pk).pk)
        if reservation.status not in (Status.PENDING_PAYMENT, Status.REQUESTED, Status.CONFIRMED):
            raise Conflict(Code.NOT_CANCELLABLE, _("이미 취소되었거나 이용이 끝난 예약입니다."))
        if not staff and now >= reservation.begin:
            raise DasanError(Code.TOO_LATE, _("이용 시작 뒤에는 취소할 수 없습니다. 시설에 문의해 주세요."))
        reason = " ".join(str(reason or "").split())[:300]
        order = order_for(reservation) if reservation.order_id else None
        reservation.status, reservation.cancelled_at = Status.CANCELLED, now
        reservation.reason = reason or reservation.reason
        if staff:
            reservation.decided_by, reservation.decided_at = user, now
        reservation.save(update_fields=["status", "cancelled_at", "reason", "decided_by", "decided_at"])
        refunded = 0
        if order is not None and order.is_pending:
            payments.cancel_order(order, actor=user, reason=str(_("예약 취소")))
        elif order is not None and order.is_paid:
            refundable = payments.refundable_amount(order)
            due = refundable if staff else min(refund_due(reservation, order.paid_amount, now=now), refundable)
            if due > 0:
                payments.refund(order, due, str(_("예약 취소")), actor=user)
                refunded = due
                if reservation.deposit:
                    reservation.deposit_returned = min(reservation.deposit, due)
                    reservation.deposit_settled_at = now
                    reservation.save(update_fields=["deposit_returned", "deposit_settled_at"])
        audit.record(
            "reservations.cancel",
            actor=user,
            target=reservation,
            reason=reason,
            data={"refund": refunded, "by_staff": bool(staff), "kind": reservation.kind},
        )
        reservation.refresh_from_db()
        if reservation.kind == Kind.BOOKING:
            _notify(reservation, "reservations.cancelled", refund=f"{refunded:,}", reason=reason)
            _lottery_released(reservation, now=now)
        _freed(reservation.resource, now=now)
    return reservation


# --- staff --------------------------------------------------------------------------------------


def _decide(staff, pk, *, want: tuple, code: str, message) -> Reservation:
    _staff(staff)
    reservation = _lock(staff_reservation(staff, pk.pk if isinstance(pk, Reservation) else pk).pk)
    if reservation.status not in want:
        raise Conflict(code, message)
    return reservation


def approve(staff, reservation, *, now: dt.datetime | None = None) -> Reservation:
    """Approve a request: free → confirmed; paid → pending payment with an order the
    resident pays within ``RESERVATIONS_APPROVED_PAYMENT_HOURS`` (never after the start)."""
    now = now or timezone.now()
    with transaction.atomic():
        reservation = _decide(
            staff,
            reservation,
            want=(Status.REQUESTED,),
            code="not_requested",
            message=_("승인을 기다리는 예약이 아닙니다."),
        )
        if now >= reservation.begin:
            raise DasanError(Code.TOO_LATE, _("이용 시간이 지난 신청은 승인할 수 없습니다."))
        reservation.decided_by, reservation.decided_at = staff, now
        deadline = min(now + dt.timedelta(hours=approved_payment_hours()), reservation.begin)
        if reservation.payable > 0:
            reservation.status = Status.PENDING_PAYMENT
            reservation.save(update_fields=["status", "decided_by", "decided_at"])
            _create_order(reservation, _quote_of(reservation), deadline)
        else:
            reservation.status, reservation.confirmed_at = Status.CONFIRMED, now
            reservation.save(update_fields=["status", "decided_by", "decided_at", "confirmed_at"])
        audit.record(
            "reservations.approve",
            actor=staff,
            target=reservation,
            data={"price": reservation.price, "deposit": reservation.deposit},
        )
        _notify(reservation, "reservations.approved", pay=reservation.payable > 0, deadline=_fmt(deadline))
    return reservation


def deny(staff, reservation, reason: str, *, now: dt.datetime | None = None) -> Reservation:
    """Refuse a request with a reason the resident is told; the slot is free again."""
    reason = " ".join(str(reason or "").split())[:300]
    if not reason:
        raise DasanError(Code.REASON_REQUIRED, _("반려 사유를 적어 주세요."), field="reason")
    now = now or timezone.now()
    with transaction.atomic():
        reservation = _decide(
            staff,
            reservation,
            want=(Status.REQUESTED,),
            code="not_requested",
            message=_("승인을 기다리는 예약이 아닙니다."),
        )
        reservation.status, reservation.reason = Status.DENIED, reason
        reservation.decided_by, reservation.decided_at = staff, now
        reservation.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit.record("reservations.deny", actor=staff, target=reservation, reason=reason)
        _notify(reservation, "reservations.denied", reason=reason)
        _freed(reservation.resource, now=now)
    return reservation


def block(staff, resource, begin, end, reason: str, *, now: dt.datetime | None = None) -> Reservation:
    """사용 중지: hold the whole resource from ``begin`` to ``end`` (maintenance, a city
    event). Refused with ``block_conflicts`` (409, the codes in ``details``) while
    active reservations overlap — cancel or move those first."""
    _staff(staff)
    resource = get_resource(resource)
    begin, end = parse_time(begin, "begin"), parse_time(end, "end")
    reason = " ".join(str(reason or "").split())[:300]
    if end <= begin:
        raise DasanError(Code.INVALID_TIME, _("끝나는 시각은 시작 시각보다 뒤여야 합니다."), field="end")
    if not reason:
        raise DasanError(Code.REASON_REQUIRED, _("사용 중지 사유를 적어 주세요."), field="reason")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        held = list(_holding(locked, begin, end))
        if held:
            codes = [r.code for r in held]
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
            decided_by=staff,
            decided_at=now,
            confirmed_at=now,
            created_at=now,
        )
        audit.record(
            "reservations.block",
            actor=staff,
            target=reservation,
            reason=reason,
            data={"resource": locked.pk, "begin": begin.isoformat(), "end": end.isoformat()},
        )
    return reservation


def check_in(staff, reservation, *, now: dt.datetime | None = None) -> Reservation:
    """이용 확인 on the day of use; staff also verify the declared discount and residence here."""
    now = now or timezone.now()
    with transaction.atomic():
        reservation = _decide(
            staff,
            reservation,
            want=(Status.CONFIRMED,),
            code="not_confirmed",
            message=_("확정된 예약만 이용 확인할 수 있습니다."),
        )
        if reservation.kind != Kind.BOOKING:
            raise Conflict(Code.NOT_CONFIRMED, _("확정된 예약만 이용 확인할 수 있습니다."))
        if local(now).date() != local(reservation.begin).date() or now >= reservation.end:
            raise DasanError(Code.NOT_TODAY, _("이용 당일, 끝나기 전에만 이용 확인할 수 있습니다."))
        reservation.status, reservation.checked_in_at = Status.CHECKED_IN, now
        reservation.decided_by, reservation.decided_at = staff, now
        reservation.save(update_fields=["status", "checked_in_at", "decided_by", "decided_at"])
        audit.record(
            "reservations.check_in",
            actor=staff,
            target=reservation,
            data={"discount": reservation.discount, "declared_resident": reservation.declared_resident},
        )
    return reservation


def mark_no_show(staff, reservation, *, now: dt.datetime | None = None) -> Reservation:
    """노쇼: a confirmed reservation nobody came to, once it has started. The resident
    cannot book for ``RESERVATIONS_NO_SHOW_PENALTY_DAYS`` days."""
    now = now or timezone.now()
    with transaction.atomic():
        reservation = _decide(
            staff,
            reservation,
            want=(Status.CONFIRMED,),
            code="not_confirmed",
            message=_("확정된 예약만 노쇼로 처리할 수 있습니다."),
        )
        if reservation.kind != Kind.BOOKING:
            raise Conflict(Code.NOT_CONFIRMED, _("확정된 예약만 노쇼로 처리할 수 있습니다."))
        if now < reservation.begin:
            raise DasanError(Code.TOO_EARLY, _("이용 시작 시각이 지나야 노쇼로 처리할 수 있습니다."))
        reservation.status = Status.NO_SHOW
        reservation.decided_by, reservation.decided_at = staff, now
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
        audit.record("reservations.no_show", actor=staff, target=reservation, data={"penalty_days": days})
    return reservation


def settle_deposit(staff, reservation, *, withheld=0, reason: str = "", now: dt.datetime | None = None) -> Reservation:
    """보증금 정산 after the use: return the deposit, less ``withheld`` won kept for damage
    or loss (a reason is then required and the resident is told it).

    Only for a booking that was used (checked in) or not shown up for, once it has
    started, and only once. Refused: ``no_deposit`` (409), ``deposit_settled`` (409),
    ``not_used`` (409), ``too_early``, ``invalid_amount``, ``reason_required``."""
    now = now or timezone.now()
    try:
        withheld = int(str(withheld if withheld not in (None, "") else 0).replace(",", "").strip())
    except ValueError:
        raise DasanError(Code.INVALID_AMOUNT, _("공제 금액은 숫자(원)로 적어 주세요."), field="withheld") from None
    reason = " ".join(str(reason or "").split())[:300]
    with transaction.atomic():
        reservation = _decide(
            staff,
            reservation,
            want=(Status.CHECKED_IN, Status.NO_SHOW),
            code="not_used",
            message=_("이용 확인 또는 노쇼 처리한 예약만 보증금을 정산할 수 있습니다."),
        )
        if reservation.deposit == 0 or reservation.confirmed_at is None:
            raise Conflict(Code.NO_DEPOSIT, _("이 예약에는 받은 보증금이 없습니다."))
        if reservation.deposit_settled_at is not None:
            raise Conflict(Code.DEPOSIT_SETTLED, _("보증금은 이미 정산했습니다."))
        if now < reservation.begin:
            raise DasanError(Code.TOO_EARLY, _("이용 시작 뒤에 보증금을 정산할 수 있습니다."))
        if withheld < 0 or withheld > reservation.deposit:
            raise DasanError(
                Code.INVALID_AMOUNT,
                _("공제 금액은 0원에서 보증금 %(deposit)s원 사이여야 합니다.")
                % {"deposit": f"{reservation.deposit:,}"},
                field="withheld",
            )
        if withheld and not reason:
            raise DasanError(Code.REASON_REQUIRED, _("보증금을 공제하는 사유를 적어 주세요."), field="reason")
        back = reservation.deposit - withheld
        order = order_for(reservation) if reservation.order_id else None
        if back:
            if order is None or payments.refundable_amount(order) < back:
                raise Conflict(
                    Code.NOT_REFUNDABLE, _("결제 내역에서 보증금을 돌려줄 수 없습니다. 결제 담당자에게 문의해 주세요.")
                )
            payments.refund(order, back, str(_("보증금 반환")), actor=staff)
        reservation.refresh_from_db()
        reservation.deposit_returned, reservation.deposit_withheld = back, withheld
        reservation.deposit_settled_at, reservation.deposit_note = now, reason
        reservation.save(update_fields=["deposit_returned", "deposit_withheld", "deposit_settled_at", "deposit_note"])
        audit.record(
            "reservations.deposit_settled",
            actor=staff,
            target=reservation,
            reason=reason,
            data={"deposit": reservation.deposit, "returned": back, "withheld": withheld},
        )
        _notify(
            reservation, "reservations.deposit_settled", returned=f"{back:,}", withheld=f"{withheld:,}", reason=reason
        )
    return reservation


def expire_requests(now: dt.datetime | None = None) -> int:
    """Requests nobody decided before their start expire (periodic job, every 15 min)."""
    now = now or timezone.now()
    count = 0
    for pk in list(
        Reservation.objects.filter(status=Status.REQUESTED, begin__lte=now).values_list("pk", flat=True)[:500]
    ):
        with transaction.atomic():
            reservation = _lock(pk)
            if reservation.status != Status.REQUESTED:
                continue
            reservation.status, reservation.cancelled_at = Status.EXPIRED, now
            reservation.save(update_fields=["status", "cancelled_at"])
            audit.record("reservations.request_expired", target=reservation)
            _freed(reservation.resource, now=now)
            count += 1
    return count


def when_label(reservation: Reservation) -> str:
    """ "2026-03-14 (토) 10:00–12:00" in the active language; a stay over several days
    shows both days: "2026-03-14 (토) 14:00 – 2026-03-16 (월) 11:00"."""
    begin, end = local(reservation.begin), local(reservation.end)
    if begin.date() == end.date():
        return f"{date_format(begin.date(), 'Y-m-d (D)')} {begin:%H:%M}–{end:%H:%M}"
    return (
        f"{date_format(begin.date(), 'Y-m-d (D)')} {begin:%H:%M} – {date_format(end.date(), 'Y-m-d (D)')} {end:%H:%M}"
    )
