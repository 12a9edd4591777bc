"""월별 이용 현황 (read only): per resource utilisation, bookings, revenue and no-shows of a
month, and revenue per day. Reservations count in the month of their use (``begin``).

* utilisation = booked minutes of ``confirmed`` / ``checked_in`` bookings ÷ open minutes
  of the month (the opening periods, less closed dates and holidays), as a percentage;
* bookings = bookings that still hold or held their time (active ones and no-shows);
* revenue = price of the paid bookings (paid: a price and a ``confirmed_at``) minus
  what was refunded on them; deposits (보증금) are held money, not revenue, so neither
  they nor their return count.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass, field

from dasan.core.timefmt import local

from .availability import at, closed_reason, opening_spans, stay_length
from .models import ACTIVE, Kind, Reservation, Resource, Status

USED = (Status.CONFIRMED, Status.CHECKED_IN)


@dataclass
class ResourceFigures:
    resource: Resource
    open_minutes: int = 0
    booked_minutes: int = 0
    bookings: int = 0
    revenue: int = 0
    no_shows: int = 0

    @property
    def utilisation(self) -> int:
        """Percent of the open time booked (0 when it never opened)."""
        return round(self.booked_minutes * 100 / self.open_minutes) if self.open_minutes else 0

    @property
    def open_hours(self) -> float:
        return round(self.open_minutes / 60, 1)

    @property
    def booked_hours(self) -> float:
        return round(self.booked_minutes / 60, 1)


@dataclass
class MonthReport:
    first: dt.date
    last: dt.date
    resources: list[ResourceFigures] = field(default_factory=list)
    days: list[tuple[dt.date, int]] = field(default_factory=list)  # revenue by day of use

    @property
    def revenue(self) -> int:
        return sum(r.revenue for r in self.resources)

    @property
    def bookings(self) -> int:
        return sum(r.bookings for r in self.resources)

    @property
    def no_shows(self) -> int:
        return sum(r.no_shows for r in self.resources)

    @property
    def utilisation(self) -> int:
        open_ = sum(r.open_minutes for r in self.resources)
        return round(sum(r.booked_minutes for r in self.resources) * 100 / open_) if open_ else 0


def _minutes(a: dt.datetime, b: dt.datetime) -> int:
    return max(0, int((b - a).total_seconds() // 60))


def month_report(year: int, month: int) -> MonthReport:
    first = dt.date(year, month, 1)
    last = dt.date(year, month, pycalendar.monthrange(year, month)[1])
    start, stop = at(first, dt.time(0, 0)), at(last + dt.timedelta(days=1), dt.time(0, 0))
    report = MonthReport(first, last)
    per_day = {first + dt.timedelta(days=i): 0 for i in range((last - first).days + 1)}
    figures = {}
    for resource in Resource.objects.filter(active=True, unit__active=True).select_related("unit"):
        f = ResourceFigures(resource)
        for d in per_day:
            if resource.stay_unit:  # stays count in whole days: a bookable night (or day) is 1,440 minutes
                f.open_minutes += 0 if closed_reason(resource, d) else 1440
            else:
                f.open_minutes += sum(_minutes(a, b) for a, b in opening_spans(resource, d))
        figures[resource.pk] = f
    rows = Reservation.objects.filter(kind=Kind.BOOKING, begin__gte=start, begin__lt=stop).order_by("begin")
    for r in rows:
        f = figures.get(r.resource_id)
        if f is None:  # an inactive resource: not in the report
            continue
        if r.status in USED and f.resource.stay_unit:
            check_in = local(r.begin).date()
            days = stay_length(f.resource, r.begin, r.end) or 1
            f.booked_minutes += 1440 * sum(1 for i in range(days) if check_in + dt.timedelta(days=i) in per_day)
        elif r.status in USED:
            f.booked_minutes += _minutes(max(r.begin, start), min(r.end, stop))
        if r.status in ACTIVE or r.status == Status.NO_SHOW:
            f.bookings += 1
        if r.status == Status.NO_SHOW:
            f.no_shows += 1
        if r.price > 0 and r.confirmed_at is not None:
            # Deposits (보증금) are held, not earned: refunds of them do not reduce revenue.
            fee_refunded = max(r.refunded_amount - r.deposit_returned, 0)
            net = r.price - min(fee_refunded, r.price)
            f.revenue += net
            per_day[local(r.begin).date()] += net
    report.resources = sorted(
        figures.values(), key=lambda f: (f.resource.unit.name, f.resource.position, f.resource.name)
    )
    report.days = sorted(per_day.items())
    return report
