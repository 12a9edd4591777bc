"""The city's local time, and how Dasan writes it.

Times are stored aware, in UTC; residents and staff read them in the city's zone
(``settings.TIME_ZONE``, Asia/Seoul by default). Messages, receipts and pages write
them the same way everywhere: ``2026-12-07 14:30`` (minutes; seconds never matter to
a resident) and ``2026-12-07`` for a day, the forms Korean public notices use.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

DATE = "%Y-%m-%d"
DATETIME = "%Y-%m-%d %H:%M"


def zone() -> ZoneInfo:
    """The city's time zone."""
    return ZoneInfo(settings.TIME_ZONE)


def local(value: dt.datetime) -> dt.datetime:
    """``value`` (aware) in the city's zone."""
    return timezone.localtime(value, zone())


def local_date(value: dt.datetime | None = None) -> dt.date:
    """The city's calendar day of ``value`` (default: now)."""
    return local(value or timezone.now()).date()


def fmt(value: dt.datetime | None, pattern: str = DATETIME) -> str:
    """``value`` written in the city's zone (``""`` for None)."""
    return local(value).strftime(pattern) if value else ""


def fmt_date(value: dt.date | dt.datetime | None) -> str:
    """A day written as ``2026-12-07`` (a datetime is taken in the city's zone)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value).date()
    return value.strftime(DATE)


def parse_month(value: str | None) -> tuple[int, int]:
    """(year, month) from ``YYYY-MM`` (a report's ``?month=``); anything else is this month
    in the city, so a mistyped address shows a report rather than an error."""
    try:
        year, month = (int(part) for part in str(value or "").strip().split("-", 1))
        if not 2000 <= year <= 2100:
            raise ValueError
        dt.date(year, month, 1)
    except ValueError:
        today = local_date()
        return today.year, today.month
    return year, month


#: Years a resident or staff member can mean; keeps date arithmetic far from its limits and
#: refuses typing slips such as 20266-01-01.
YEARS = range(2000, 2101)


def parse_date(value) -> dt.date | None:
    """A day from a date, a datetime (its day in the city) or ``YYYY-MM-DD``; None for anything
    else. Callers turn None into their own error or default."""
    if isinstance(value, dt.datetime):
        return local(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            return None
    return day if day.year in YEARS else None


def parse_datetime(value) -> dt.datetime | None:
    """An aware moment from a datetime or ISO 8601 text (``2026-12-04T10:30``, with or without
    an offset; without one it is the city's time); None for anything else."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value or "").strip())
        except ValueError:
            return None
    if moment.year not in YEARS:
        return None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=zone())
