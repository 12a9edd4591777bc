"""Business calendar (업무일 달력) of the city.

A business day is a weekday that is neither

* a statutory holiday (관공서의 공휴일에 관한 규정) nor a substitute holiday
  (대체공휴일), both from the ``holidays`` package, which also carries the
  temporary public holidays (임시공휴일) the government declared before that
  package version was released; nor
* a :class:`~dasan.core.models.TemporaryHoliday` the city declared in the admin
  (a 임시공휴일 newer than the installed ``holidays`` package, or a city's own
  closure such as 시민의 날).

Working hours come from the :class:`~dasan.core.models.Municipality` profile
(default 09:00–18:00 with lunch 12:00–13:00, i.e. 8 hours a day — the unit in
which 민원 처리기간 of up to 5 days is counted).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import threading
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from django.conf import settings
from django.db import connection

from . import timefmt

__all__ = [
    "is_holiday",
    "is_business_day",
    "add_business_days",
    "next_business_day",
    "holidays_between",
    "holiday_name",
    "working_hours",
    "add_working_hours",
    "WorkingHours",
    "invalidate_cache",
]


# Cached statutory holidays per year: the ``holidays`` package computes lunar
# dates on every instantiation, which is slow enough to matter in loops.
@functools.lru_cache(maxsize=64)
def _statutory(year: int) -> dict[dt.date, str]:
    calendar = holidays_lib.country_holidays("KR", years=year, language="ko")
    return dict(calendar.items())


# --- City-declared temporary holidays ------------------------------------------
# The table is tiny (a few rows a year), so the whole of it is memoised per
# process for a short time. Saving or deleting a row clears this process's copy
# at once (signals in apps.py); other processes (web workers, the task worker)
# see the change within _TEMPORARY_TTL seconds.
_TEMPORARY_TTL = 60.0
_temporary_lock = threading.Lock()
_temporary_cache: tuple[float, dict[dt.date, str]] | None = None


def invalidate_cache(*args, **kwargs) -> None:
    """Forget the memoised TemporaryHoliday rows (connected to save/delete signals)."""
    global _temporary_cache
    with _temporary_lock:
        _temporary_cache = None


def _load_temporary() -> dict[dt.date, str]:
    from dasan.core.models import TemporaryHoliday

    return dict(TemporaryHoliday.objects.values_list("date", "name"))


def _temporary() -> dict[dt.date, str]:
    global _temporary_cache
    if connection.in_atomic_block:
        # Inside a transaction the rows may be uncommitted or later rolled back
        # (tests run in one); memoising them would leak them past the rollback.
        return _load_temporary()
    now = time.monotonic()
    cached = _temporary_cache
    if cached is not None and now - cached[0] < _TEMPORARY_TTL:
        return cached[1]
    rows = _load_temporary()
    with _temporary_lock:
        _temporary_cache = (now, rows)
    return rows


class _Calendar:
    """One snapshot of the holidays, so that a loop over many days reads the
    TemporaryHoliday table once rather than once per day."""

    def __init__(self) -> None:
        self.temporary = _temporary()

    def name(self, d: dt.date) -> str | None:
        statutory = _statutory(d.year).get(d)
        temporary = self.temporary.get(d)
        if statutory and temporary and temporary not in statutory:
            return f"{statutory}; {temporary}"
        return statutory or temporary

    def is_holiday(self, d: dt.date) -> bool:
        return d in self.temporary or d in _statutory(d.year)

    def is_business_day(self, d: dt.date) -> bool:
        return d.weekday() < 5 and not self.is_holiday(d)

    def next_business_day(self, d: dt.date, *, include_today: bool) -> dt.date:
        if not include_today:
            d += dt.timedelta(days=1)
        # Korea's longest run of non-business days is about ten days (e.g. the
        # 2025 Chuseok week); the bound only guards against a runaway loop from
        # a city that declared a whole year closed by mistake.
        for _ in range(3660):
            if self.is_business_day(d):
                return d
            d += dt.timedelta(days=1)
        raise ValueError("no business day within ten years")


def _as_date(d) -> dt.date:
    if isinstance(d, dt.datetime):
        if d.tzinfo is not None:
            return timefmt.local(d).date()
        return d.date()
    return d


def holiday_name(d) -> str | None:
    """The holiday's Korean name on ``d`` (statutory or city-declared), or None."""
    return _Calendar().name(_as_date(d))


def is_holiday(d) -> bool:
    """True if ``d`` is a statutory, substitute or temporary holiday.

    Weekends are not holidays in this sense; use :func:`is_business_day`.
    An aware datetime is read in the city's time zone.
    """
    return _Calendar().is_holiday(_as_date(d))


def is_business_day(d) -> bool:
    """True if ``d`` is a weekday (Mon–Fri) and not a holiday."""
    return _Calendar().is_business_day(_as_date(d))


def next_business_day(d) -> dt.date:
    """The first business day strictly after ``d``."""
    return _Calendar().next_business_day(_as_date(d), include_today=False)


def add_business_days(d, n: int) -> dt.date:
    """``d`` moved by ``n`` business days.

    ``n > 0`` counts forward from the day after ``d``; ``n < 0`` backward from
    the day before. ``n == 0`` returns ``d`` itself when it is a business day,
    otherwise the next business day (a deadline never falls on a holiday).
    """
    d = _as_date(d)
    cal = _Calendar()
    if n == 0:
        return cal.next_business_day(d, include_today=True)
    step = dt.timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        d += step
        if cal.is_business_day(d):
            remaining -= 1
    return d


def holidays_between(a, b) -> list[tuple[dt.date, str]]:
    """Holidays from ``a`` to ``b`` inclusive, as ``(date, Korean name)`` sorted by date.

    Includes statutory, substitute and city-declared holidays (on a day that is
    both, the names are joined with "; "); plain weekends are not listed.
    """
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return []
    cal = _Calendar()
    days: set[dt.date] = {d for d in cal.temporary if a <= d <= b}
    for year in range(a.year, b.year + 1):
        days.update(d for d in _statutory(year) if a <= d <= b)
    return [(d, cal.name(d)) for d in sorted(days)]


# --- Working hours ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class WorkingHours:
    """A business day's working time: start–end with an optional lunch break."""

    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(18, 0)
    lunch_start: dt.time | None = dt.time(12, 0)
    lunch_end: dt.time | None = dt.time(13, 0)
    time_zone: str = "Asia/Seoul"

    def segments(self) -> list[tuple[dt.time, dt.time]]:
        """The stretches of working time in one day, in order."""
        if self.lunch_start and self.lunch_end and self.start < self.lunch_start < self.lunch_end < self.end:
            return [(self.start, self.lunch_start), (self.lunch_end, self.end)]
        return [(self.start, self.end)]

    @property
    def hours_per_day(self) -> float:
        """Working hours in a day (8.0 with the defaults)."""
        seconds = sum(_seconds(b) - _seconds(a) for a, b in self.segments())
        return seconds / 3600

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _as_time(value, default: dt.time | None) -> dt.time | None:
    if value is None:
        return None
    if isinstance(value, str):  # an unsaved instance still holds the string default
        return dt.time.fromisoformat(value)
    return value if isinstance(value, dt.time) else default


def working_hours() -> WorkingHours:
    """The city's working hours from its Municipality profile, or the defaults
    (09:00–18:00, lunch 12:00–13:00, Asia/Seoul) before the profile exists."""
    from dasan.core.models import Municipality

    city = Municipality.current()
    if city is None:
        return WorkingHours(time_zone=settings.TIME_ZONE)
    return WorkingHours(
        start=_as_time(city.work_start, dt.time(9, 0)),
        end=_as_time(city.work_end, dt.time(18, 0)),
        lunch_start=_as_time(city.lunch_start, None),
        lunch_end=_as_time(city.lunch_end, None),
        time_zone=city.time_zone or settings.TIME_ZONE,
    )


def add_working_hours(when: dt.datetime, hours, *, hours_config: WorkingHours | None = None) -> dt.datetime:
    """The moment ``hours`` of working time after ``when``.

    Only working time on business days counts: time before opening, during
    lunch, after closing, on weekends and holidays is skipped. A result that
    lands exactly on the end of a working stretch is returned as that end
    (8 hours from Monday 09:00 is Monday 18:00, not Tuesday 09:00).

    ``when`` must be timezone-aware; the result is aware, in the city's zone.
    ``hours`` may be an int, float, Decimal or a ``timedelta``; it must not be
    negative.
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("add_working_hours needs an aware datetime")
    if isinstance(hours, dt.timedelta):
        remaining = hours.total_seconds()
    else:
        remaining = float(Decimal(str(hours)) * 3600)
    if remaining < 0:
        raise ValueError("hours must not be negative")
    config = hours_config or working_hours()
    zone = config.zone
    local = when.astimezone(zone)
    if remaining == 0:
        return local
    remaining_td = dt.timedelta(seconds=remaining)
    cal = _Calendar()
    day = local.date()
    cursor = local
    segments = config.segments()
    for _ in range(3660):
        if cal.is_business_day(day):
            for seg_start, seg_end in segments:
                start = dt.datetime.combine(day, seg_start, tzinfo=zone)
                end = dt.datetime.combine(day, seg_end, tzinfo=zone)
                begin = max(start, cursor)
                if begin >= end:
                    continue
                available = end - begin
                if remaining_td <= available:
                    return begin + remaining_td
                remaining_td -= available
                cursor = end
        day += dt.timedelta(days=1)
        cursor = dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone)
    raise ValueError("hours too large")
