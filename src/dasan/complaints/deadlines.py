"""민원 처리기간 (legal processing periods) and when a complaint falls due.

The rules, and where they come from
===================================

「민원 처리에 관한 법률」(법) and its enforcement decree (시행령), as in force from
2026-01-02 (대통령령 제35948호):

* **Default periods by kind** (법 제18조 delegates them to the decree):

  =====================  =================  ==========================================
  kind                   period             source
  =====================  =================  ==========================================
  질의민원(법령)          14일               시행령 제14조제1호
  질의민원(제도·절차)     7일                시행령 제14조제2호
  건의민원                14일               시행령 제15조
  기타민원                즉시               시행령 제16조제1항 (③: an agency may set
                                             its own period → a category override)
  고충민원                7일                시행령 제17조제1항
  법정민원                per 민원처리기준표  법 제17조제1항, 제36조 — set it on the
                                             category; until then 7일 is used
  =====================  =================  ==========================================

  A city overrides any of them per category (``Category.period_value`` /
  ``period_unit``), see :func:`period_for`.

* **Counting** (법 제19조):

  - ① a period of **5 days or less** is counted in *hours* from the moment of
    receipt, leaving out Saturdays and public holidays; one day is **8 working
    hours**. (The 8 comes from the law, not from the city's day: a city open
    09–18 without a lunch break still counts 3 days as 24 working hours.)
  - ② a period of **6 days or more** is counted in *days*; the first day
    counts, Saturdays and public holidays do not.
  - ③ a period in **weeks, months or years** counts the first day and follows
    「민법」 제159조–제161조: by the calendar (제160조①); when it does not start
    at the beginning of a week/month/year it ends on the day before the
    corresponding day of the last one (제160조②), or on the last day of the
    month when that month has no corresponding day (제160조③); an end on a
    Saturday or public holiday moves to the next day (제161조) — and on to the
    next business day, since that next day may be a holiday too.
  - **즉시** means within **3 working hours** unless there is a justified reason
    (시행령 제19조).

* **Public holidays** are those of 「관공서의 공휴일에 관한 규정」 제2조 —
  Sundays included — with substitute and temporary holidays, plus the city's
  own closures; all of it comes from :mod:`dasan.core.calendar`.

Choices this module makes (where the law leaves room)
=====================================================

* **When counting starts.** A complaint received outside working hours (in the
  evening, at lunch, on a weekend or holiday — e.g. through the web) is deemed
  received at the next working moment: 민원실 are open 09:00–18:00 (시행령
  제8조의3제1항) and an on-line filing must be taken in within 8 working hours
  of its arrival (시행령 제6조제7항), so the office cannot start before it
  opens. A filing at 20:00 on Tuesday therefore counts from Wednesday 09:00, and
  for day-counted periods Wednesday is its first day. A filing during working
  time counts its own day as the first day, however late in the day it came.
* **When a period ends.** "기간말일의 종료" is read as the **end of working
  hours** on the last day (the city's ``work_end``, 18:00 by default), not
  midnight: the answer is the office's act and is due while it is open. This
  also makes the two counting rules meet: 5 days from Monday 09:00 end on
  Friday at 18:00 (40 working hours), and 6 days from Monday end on the next
  Monday at 18:00. It is never later than the law's own reading, so residents
  lose nothing by it.
* **Extensions** (처리기간의 연장, 시행령 제21조): counted from the day after
  the current due date under the same rules, as if received at the start of
  that day. The decree allows one extension within the length of the original
  period, and one more with the resident's consent; the services layer
  enforces those limits and records the reason; this module only does the
  arithmetic.
* Periods the decree leaves out of the count (현장조사 for 고충민원,
  시행령 제17조④⑤; 보완 periods, 시행령 제20조) are handled by the services
  layer as extensions; they are not modelled here.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dasan.complaints.errors import Code
from dasan.core import calendar as business_calendar
from dasan.core.errors import DasanError

from .models import OPEN_STATUSES, Kind, PeriodUnit

__all__ = [
    "DEFAULT_PERIODS",
    "HOURS_PER_DAY",
    "IMMEDIATE_HOURS",
    "HOURLY_MAX_DAYS",
    "default_period",
    "period_for",
    "counting_starts_at",
    "due_at",
    "extend_due",
    "sla_state",
    "describe_period",
]

#: 법 제19조① 후단: "1일은 8시간의 근무시간을 기준으로 한다".
HOURS_PER_DAY = 8
#: 시행령 제19조: "즉시" = 3근무시간 이내.
IMMEDIATE_HOURS = 3
#: 법 제19조①: periods of this many days or fewer are counted in working hours.
HOURLY_MAX_DAYS = 5

#: Default period of each kind of 민원 (see the module docstring for the articles).
DEFAULT_PERIODS: dict[str, tuple[int, str]] = {
    Kind.INQUIRY_LAW: (14, PeriodUnit.DAYS),  # 시행령 제14조제1호
    Kind.INQUIRY_PROCEDURE: (7, PeriodUnit.DAYS),  # 시행령 제14조제2호
    Kind.SUGGESTION: (14, PeriodUnit.DAYS),  # 시행령 제15조
    Kind.OTHER: (0, PeriodUnit.IMMEDIATE),  # 시행령 제16조①, 제19조
    Kind.GRIEVANCE: (7, PeriodUnit.DAYS),  # 시행령 제17조①
    # 법정민원 periods are set per 민원 in the 민원처리기준표 (법 제17조①, 제36조);
    # a statutory category should carry its own. Until it does, the general
    # 7-day period keeps such a complaint on the staff's radar.
    Kind.STATUTORY: (7, PeriodUnit.DAYS),
}

_UNITS = frozenset(PeriodUnit.values)


def default_period(kind: str) -> tuple[int, str]:
    """The processing period the decree sets for a kind of 민원, as ``(value, unit)``.

    ``unit`` is a :class:`~dasan.complaints.models.PeriodUnit` value. For 즉시
    the value is 0 (the unit says it all). Raises ``ValueError`` for a kind that
    is not a :class:`~dasan.complaints.models.Kind`.
    """
    try:
        value, unit = DEFAULT_PERIODS[kind]
    except KeyError:
        raise ValueError(f"unknown complaint kind: {kind!r}") from None
    return value, str(unit)


def period_for(category, kind: str) -> tuple[int, str]:
    """The period that applies to a complaint of ``kind`` filed under ``category``.

    A category's own period (``period_value`` and ``period_unit``, set by the
    city in the admin — e.g. a 법정민원 from the 민원처리기준표) wins; otherwise
    the default of the kind. ``category`` may be None (a complaint waiting for
    triage); an empty ``kind`` falls back to the category's kind.
    """
    if category is not None:
        if category.period_value is not None and category.period_unit:
            return int(category.period_value), str(category.period_unit)
        kind = kind or category.kind
    return default_period(kind)


def _invalid_period() -> DasanError:
    return DasanError(Code.INVALID_PERIOD, _("처리기간이 올바르지 않습니다."))


def _check(value: int, unit: str) -> None:
    if unit not in _UNITS:
        raise _invalid_period()
    if unit != PeriodUnit.IMMEDIATE and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise _invalid_period()


def _aware(when: dt.datetime, name: str) -> None:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _next_working_moment(when: dt.datetime, hours: business_calendar.WorkingHours) -> dt.datetime:
    """``when`` itself if it falls in working time, else the start of the next working stretch."""
    zone = hours.zone
    local = when.astimezone(zone)
    day = local.date()
    if business_calendar.is_business_day(day):
        for start, end in hours.segments():
            if local < dt.datetime.combine(day, end, tzinfo=zone):
                return max(local, dt.datetime.combine(day, start, tzinfo=zone))
    day = business_calendar.next_business_day(day)
    return dt.datetime.combine(day, hours.segments()[0][0], tzinfo=zone)


def counting_starts_at(received_at: dt.datetime) -> dt.datetime:
    """The moment from which a complaint's period runs (the receipt, or the
    next working moment when it came outside working hours), in the city's zone."""
    _aware(received_at, "received_at")
    return _next_working_moment(received_at, business_calendar.working_hours())


def _closing(day: dt.date, hours: business_calendar.WorkingHours) -> dt.datetime:
    # The period ends with the office's working day (see "When a period ends").
    return dt.datetime.combine(day, hours.end, tzinfo=hours.zone)


def _on_or_after_business_day(day: dt.date) -> dt.date:
    return day if business_calendar.is_business_day(day) else business_calendar.next_business_day(day)


def _add_months(first_day: dt.date, months: int) -> dt.date:
    """민법 제160조: the last day of a period of ``months`` whose first day is ``first_day``."""
    index = first_day.month - 1 + months
    year, month = first_day.year + index // 12, index % 12 + 1
    last_of_month = pycalendar.monthrange(year, month)[1]
    if first_day.day > last_of_month:
        # 제160조③: no corresponding day in the last month → its last day.
        return dt.date(year, month, last_of_month)
    # 제160조②: the day before the corresponding day. (Starting on the 1st, this
    # is the previous month's last day, which is also what 제160조① gives.)
    return dt.date(year, month, first_day.day) - dt.timedelta(days=1)


def due_at(received_at: dt.datetime, value: int, unit: str) -> dt.datetime:
    """When a period of ``value`` ``unit`` that starts with ``received_at`` ends (법 제19조).

    * ``immediate``: 3 working hours after receipt (시행령 제19조).
    * ``days`` up to 5: ``value × 8`` working hours after receipt (법 제19조①).
    * ``days`` from 6: the ``value``-th business day, the day of receipt being
      the first, at the end of working hours (법 제19조②).
    * ``weeks``/``months``/``years``: the calendar, first day included, an end
      on a Saturday or holiday moved to the next business day, at the end of
      working hours (법 제19조③, 민법 제159조–제161조).

    ``received_at`` must be aware; the result is aware in the city's time zone
    (Asia/Seoul). Receipt outside working hours counts from the next working
    moment. Raises :class:`~dasan.core.errors.DasanError` ``invalid_period``
    for a value below 1 or an unknown unit.
    """
    _aware(received_at, "received_at")
    _check(value, unit)
    return _due(received_at, value, unit, business_calendar.working_hours())


def _due(received_at: dt.datetime, value: int, unit: str, hours: business_calendar.WorkingHours) -> dt.datetime:
    start = _next_working_moment(received_at, hours)

    if unit == PeriodUnit.IMMEDIATE:
        return business_calendar.add_working_hours(start, IMMEDIATE_HOURS, hours_config=hours)
    if unit == PeriodUnit.DAYS:
        if value <= HOURLY_MAX_DAYS:
            return business_calendar.add_working_hours(start, value * HOURS_PER_DAY, hours_config=hours)
        # ``start`` is on a business day, which is the first day of the count.
        return _closing(business_calendar.add_business_days(start.date(), value - 1), hours)

    first_day = start.date()
    if unit == PeriodUnit.WEEKS:
        last_day = first_day + dt.timedelta(weeks=value) - dt.timedelta(days=1)
    elif unit == PeriodUnit.MONTHS:
        last_day = _add_months(first_day, value)
    else:  # years
        last_day = _add_months(first_day, 12 * value)
    return _closing(_on_or_after_business_day(last_day), hours)


def extend_due(current_due: dt.datetime, value: int, unit: str = "days") -> dt.datetime:
    """The new due moment after extending a period by ``value`` ``unit`` (처리기간의 연장).

    The extension is counted from the day after the current due date, under the
    same rules as :func:`due_at` — as if the complaint were received at the
    start of that day (so the first business day after the due date is the
    extension's first day). 시행령 제21조 limits extensions (one within the
    original period's length, one more with the resident's consent) and asks
    for the reason and new date to be sent to the resident: the services layer
    does that; this function is the arithmetic.
    """
    _aware(current_due, "current_due")
    _check(value, unit)
    hours = business_calendar.working_hours()
    day_after = current_due.astimezone(hours.zone).date() + dt.timedelta(days=1)
    return _due(dt.datetime.combine(day_after, dt.time(0, 0), tzinfo=hours.zone), value, unit, hours)


def sla_state(complaint, now: dt.datetime | None = None) -> str:
    """Where a complaint stands against its deadline, for queues and badges.

    * ``"done"`` — no longer open (answered, closed, transferred, withdrawn);
    * ``"overdue"`` — open and ``now`` is past ``due_at``;
    * ``"due_today"`` — open and due later today (the city's local date);
    * ``"ok"`` — otherwise.

    Exactly at ``due_at`` a complaint is still due today, not overdue.
    """
    if complaint.status not in OPEN_STATUSES:
        return "done"
    due = complaint.due_at
    if due is None:
        return "ok"
    now = now or timezone.now()
    if now > due:
        return "overdue"
    zone = ZoneInfo(settings.TIME_ZONE)
    if now.astimezone(zone).date() == due.astimezone(zone).date():
        return "due_today"
    return "ok"


def describe_period(value: int, unit: str) -> str:
    """A period in words for residents and staff, e.g. "7일", "1개월", "즉시(3근무시간)"."""
    if unit == PeriodUnit.IMMEDIATE:
        return _("즉시(3근무시간)")
    if unit == PeriodUnit.DAYS:
        return ngettext("%(count)d일", "%(count)d일", value) % {"count": value}
    if unit == PeriodUnit.WEEKS:
        return ngettext("%(count)d주", "%(count)d주", value) % {"count": value}
    if unit == PeriodUnit.MONTHS:
        return ngettext("%(count)d개월", "%(count)d개월", value) % {"count": value}
    if unit == PeriodUnit.YEARS:
        return ngettext("%(count)d년", "%(count)d년", value) % {"count": value}
    raise _invalid_period()
