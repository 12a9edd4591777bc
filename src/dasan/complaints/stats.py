"""Public complaint statistics (민원 처리 현황): volume, speed and punctuality.

Figures over the complaints *received* in the last 30, 90 or 365 days:

- volume by category and by department (uncategorised and not-yet-routed ones
  are counted under their own labels, so the parts add up to the total);
- the median time from receipt to answer, over those answered so far;
- the share answered on time: of the complaints whose outcome is known — answered,
  or past their due date without an answer — those answered by their due date.
  Withdrawn and transferred complaints are left out of it (the city gave no answer
  to time). Counting the overdue open ones keeps the figure honest: a backlog of
  late complaints does not vanish from it while it waits.

Read-only and aggregate: no personal data leaves this module. The result is cached
for a few minutes because the page is public.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.core.cache import cache
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from .models import Complaint, Status

PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 30
CACHE_SECONDS = 300
_NOT_TIMED = (Status.WITHDRAWN, Status.TRANSFERRED)


@dataclasses.dataclass(frozen=True)
class Row:
    """One bar: ``label`` is None for "no category" / "not routed yet" (the page names it)."""

    label: str | None
    count: int
    percent: float  # of the largest row, for the bar's length (0-100)
    share: float  # of the total (0-100)


@dataclasses.dataclass(frozen=True)
class Stats:
    days: int
    since: dt.datetime
    until: dt.datetime
    total: int
    by_category: list[Row]
    by_department: list[Row]
    answered: int
    median_answer: dt.timedelta | None
    timed: int  # complaints whose punctuality is known
    on_time: int

    @property
    def late(self) -> int:
        return self.timed - self.on_time

    @property
    def on_time_share(self) -> float | None:
        """Percent answered on time (0-100), or None when nothing is known yet."""
        return round(100 * self.on_time / self.timed, 1) if self.timed else None

    @property
    def median_days(self) -> int:
        return self.median_answer.days if self.median_answer else 0

    @property
    def median_hours(self) -> int:
        return self.median_answer.seconds // 3600 if self.median_answer else 0

    @property
    def median_minutes(self) -> int:
        return (self.median_answer.seconds % 3600) // 60 if self.median_answer else 0


def period(value) -> int:
    """The period asked for (``?days=``), or the default when it is not one we offer."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def _rows(pairs: list[tuple[str | None, int]], total: int) -> list[Row]:
    largest = max((count for _, count in pairs), default=0)
    return [
        Row(
            label=label,
            count=count,
            percent=round(100 * count / largest, 1) if largest else 0.0,
            share=round(100 * count / total, 1) if total else 0.0,
        )
        for label, count in pairs
    ]


def _grouped(queryset, field: str) -> list[tuple[str | None, int]]:
    rows = queryset.values(field).annotate(n=Count("id")).order_by("-n", field)
    return [(row[field], row["n"]) for row in rows]


def _median(durations_queryset, count: int) -> dt.timedelta | None:
    """The median duration, found in the database: order, then read the middle one or two."""
    if not count:
        return None
    low, high = (count - 1) // 2, count // 2
    middle = list(durations_queryset[low : high + 1])
    if not middle:
        return None
    total = sum(middle, dt.timedelta())
    return total / len(middle)


def compute(days: int = DEFAULT_PERIOD, *, now: dt.datetime | None = None) -> Stats:
    """The figures for the last ``days`` days (see the module docstring)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    received = Complaint.objects.filter(received_at__gte=since, received_at__lte=now)

    total = received.count()
    by_category = _rows(_grouped(received, "category__name"), total)
    by_department = _rows(_grouped(received, "department__name"), total)

    answered_qs = received.filter(answered_at__isnull=False)
    answered = answered_qs.count()
    durations = (
        answered_qs.annotate(took=ExpressionWrapper(F("answered_at") - F("received_at"), output_field=DurationField()))
        .order_by("took")
        .values_list("took", flat=True)
    )
    median_answer = _median(durations, answered)

    timed_qs = received.exclude(status__in=_NOT_TIMED).filter(Q(answered_at__isnull=False) | Q(due_at__lt=now))
    timed = timed_qs.count()
    on_time = timed_qs.filter(answered_at__isnull=False, answered_at__lte=F("due_at")).count()

    return Stats(
        days=days,
        since=since,
        until=now,
        total=total,
        by_category=by_category,
        by_department=by_department,
        answered=answered,
        median_answer=median_answer,
        timed=timed,
        on_time=on_time,
    )


def cached(days: int = DEFAULT_PERIOD) -> Stats:
    """:func:`compute`, kept for ``CACHE_SECONDS`` per period: the page is public."""
    days = period(days)
    key = f"complaints:stats:v1:{days}"
    stats = cache.get(key)
    if stats is None:
        stats = compute(days)
        cache.set(key, stats, CACHE_SECONDS)
    return stats
