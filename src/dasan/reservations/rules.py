"""The rules a request for a resource's time must meet before anything is locked or written:
who asks (signed in, no no-show penalty), when (inside the opening hours of an open day, on
the slot grid, between the shortest and the longest use, inside the booking window; a stay
from check-in to check-out over open days) and how many (up to the capacity).

Booking (``services.book``), the waitlist and the lottery all judge a time here, so a
resident meets the same refusal with the same code whichever way they ask. Whether the time
is still free is judged later, under the resource's row lock (``services``).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from dasan.core import timefmt
from dasan.core.errors import DasanError, PermissionDenied

from . import selectors
from .availability import at, booking_closes_at, booking_opens_at, closed_reason, is_stay, opening_spans, stay_length
from .errors import Code
from .models import Resource


def require_signed_in(user) -> None:
    """``login_required`` (401) for anyone not signed in."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise DasanError(Code.LOGIN_REQUIRED, _("로그인이 필요합니다."), status=401)


def check_penalty(resident, now: dt.datetime) -> None:
    """``no_show_penalty`` (403) while a no-show penalty is in force."""
    penalty = selectors.penalty_for(resident, now)
    if penalty is not None:
        raise PermissionDenied(
            Code.NO_SHOW_PENALTY,
            _("노쇼로 %(until)s까지 예약할 수 없습니다.") % {"until": timefmt.fmt(penalty.until)},
            until=penalty.until.isoformat(),
        )


def check_party_size(resource: Resource, party: int) -> None:
    """``over_capacity`` (400) for more people or items than the resource ever takes."""
    if party > resource.capacity:
        raise DasanError(
            Code.OVER_CAPACITY,
            _("이 시설은 %(capacity)d명(개)까지 이용할 수 있습니다.") % {"capacity": resource.capacity},
            field="party_size",
            capacity=resource.capacity,
        )


def check_request(resource: Resource, begin: dt.datetime, end: dt.datetime, *, now: dt.datetime) -> None:
    """Refuse a time that breaks the resource's rules (before any lock is taken):
    ``invalid_time``, ``past``, ``outside_hours``, ``not_slot_aligned``, ``too_short``,
    ``too_long``, ``window_not_open``, ``window_closed``."""
    if end <= begin:
        raise DasanError(Code.INVALID_TIME, _("끝나는 시각은 시작 시각보다 뒤여야 합니다."), field="end")
    if begin < now:
        raise DasanError(Code.PAST, _("지난 시간은 예약할 수 없습니다."), field="begin")
    if is_stay(resource):
        check_window(resource, _check_stay(resource, begin, end), begin, now)
        return
    day = timefmt.local(begin).date()
    if timefmt.local(end) > at(day + dt.timedelta(days=1), dt.time(0, 0)):
        raise DasanError(Code.OUTSIDE_HOURS, _("하루 안의 운영 시간에서 골라 주세요."), field="end")
    _check_open_day(resource, day)
    span = _check_hours(resource, day, begin, end)
    _check_grid(resource, span[0], begin, end)
    check_window(resource, day, begin, now)


def _check_open_day(resource: Resource, day: dt.date) -> None:
    reason = closed_reason(resource, day)
    if reason:
        raise DasanError(
            Code.OUTSIDE_HOURS,
            _("%(date)s은(는) 예약할 수 없는 날입니다(%(reason)s).") % {"date": day.isoformat(), "reason": reason},
            field="begin",
        )


def _check_hours(resource: Resource, day: dt.date, begin: dt.datetime, end: dt.datetime):
    """The opening span [begin, end) lies in, or ``outside_hours`` naming the day's hours."""
    spans = opening_spans(resource, day)
    span = next(((o, c) for o, c in spans if o <= begin and end <= c), None)
    if span is None:
        hours = ", ".join(f"{timefmt.local(o):%H:%M}–{timefmt.local(c):%H:%M}" for o, c in spans)
        raise DasanError(
            Code.OUTSIDE_HOURS, _("운영 시간(%(hours)s) 안에서 골라 주세요.") % {"hours": hours}, field="begin"
        )
    return span


def _check_grid(resource: Resource, opens: dt.datetime, begin: dt.datetime, end: dt.datetime) -> None:
    """Slot steps from the opening, and a length between the shortest and the longest use."""
    step = resource.slot_minutes * 60
    if (begin - opens).total_seconds() % step or (end - begin).total_seconds() % step:
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


def _check_stay(resource: Resource, begin: dt.datetime, end: dt.datetime) -> dt.date:
    """From check-in to check-out, ``min_stay``..``max_stay`` long, every night (day) open;
    returns the first day."""
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
    first = timefmt.local(begin).date()
    for offset in range(count):
        _check_open_day(resource, first + dt.timedelta(days=offset))
    return first


def check_window(resource: Resource, day: dt.date, begin: dt.datetime, now: dt.datetime) -> None:
    """``window_not_open`` before booking for ``day`` opens, ``window_closed`` after it closed."""
    opens_at = booking_opens_at(resource, day)
    if now < opens_at:
        raise DasanError(
            Code.WINDOW_NOT_OPEN,
            _("%(date)s 예약은 %(opens)s부터 받습니다.") % {"date": day.isoformat(), "opens": timefmt.fmt(opens_at)},
            field="begin",
            opens_at=opens_at.isoformat(),
        )
    if now >= booking_closes_at(resource, begin):
        raise DasanError(
            Code.WINDOW_CLOSED,
            _("이용 시작 %(hours)d시간 전에 예약을 마감했습니다.") % {"hours": resource.closes_hours_before},
            field="begin",
        )
