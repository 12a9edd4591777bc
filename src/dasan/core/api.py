"""Public, read-only city API: profile, departments, business calendar.

Mounted by ``dasan/api.py`` at ``/api/v1/city/``. No sign-in needed: all of it
is what the city publishes on its website anyway.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from dasan.core import calendar
from dasan.core.errors import CoreCode, DasanError, NotFound
from dasan.core.models import Department, Municipality
from dasan.core.schemas import CalendarDayOut, DepartmentOut, ErrorOut, ProfileOut, WorkingHoursOut

router = Router(tags=["city"])

MAX_CALENDAR_DAYS = 366


def _hhmm(value) -> str | None:
    return value.strftime("%H:%M") if value else None


@router.get("/profile", response={200: ProfileOut, 404: ErrorOut}, summary="City profile")
def profile(request):
    """Name, region code, contact details and working hours of the city."""
    city = Municipality.current()
    if city is None:
        raise NotFound(CoreCode.CITY_NOT_CONFIGURED, _("지자체 정보가 아직 등록되지 않았습니다."))
    hours = calendar.working_hours()
    return ProfileOut(
        name=city.name,
        name_en=city.name_en,
        region_code=city.region_code,
        phone=city.phone,
        email=city.email,
        address=city.address,
        website=city.website,
        time_zone=city.time_zone,
        working_hours=WorkingHoursOut(
            start=_hhmm(hours.start),
            end=_hhmm(hours.end),
            lunch_start=_hhmm(hours.lunch_start),
            lunch_end=_hhmm(hours.lunch_end),
            hours_per_day=hours.hours_per_day,
        ),
    )


@router.get("/departments", response=list[DepartmentOut], summary="Departments")
def departments(request):
    """Active departments with their phone numbers, ordered by code."""
    rows = Department.objects.filter(is_active=True).select_related("parent").order_by("code")
    return [
        DepartmentOut(code=d.code, name=d.name, phone=d.phone, parent_code=d.parent.code if d.parent_id else None)
        for d in rows
    ]


def _parse_date(value: str | None, default: dt.date) -> dt.date:
    if value in (None, ""):
        return default
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise DasanError(
            CoreCode.INVALID_DATE_RANGE, _("날짜는 YYYY-MM-DD 형식이어야 합니다: %(value)s") % {"value": value[:20]}
        ) from None


@router.get("/calendar", response={200: list[CalendarDayOut], 400: ErrorOut}, summary="Business calendar")
def calendar_days(request, start: str | None = None, end: str | None = None):
    """Each day from ``start`` to ``end`` inclusive (YYYY-MM-DD; default: today
    and the 30 days after): whether it is a business day, and the holiday's
    name if any. At most 366 days."""
    today = timezone.localdate()
    first = _parse_date(start, today)
    last = _parse_date(end, first + dt.timedelta(days=30))
    if last < first:
        raise DasanError(CoreCode.INVALID_DATE_RANGE, _("끝 날짜가 시작 날짜보다 앞설 수 없습니다."))
    if (last - first).days + 1 > MAX_CALENDAR_DAYS:
        raise DasanError(
            CoreCode.INVALID_DATE_RANGE,
            _("한 번에 최대 %(days)d일까지 조회할 수 있습니다.") % {"days": MAX_CALENDAR_DAYS},
        )
    names = dict(calendar.holidays_between(first, last))
    days = []
    day = first
    while day <= last:
        name = names.get(day)
        days.append(CalendarDayOut(date=day, business_day=day.weekday() < 5 and name is None, holiday=name))
        day += dt.timedelta(days=1)
    return days
