"""Schemas of the public city API (``/api/v1/city/``)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

# The largest id a path or query parameter may carry: what every database we run can
# store in an integer key, so a larger one is a 422, never an overflow in the driver.
ID_MAX = 2**31 - 1


class WorkingHoursOut(Schema):
    start: str
    end: str
    lunch_start: str | None = None
    lunch_end: str | None = None
    hours_per_day: float


class ProfileOut(Schema):
    name: str
    name_en: str = ""
    region_code: str
    phone: str = ""
    email: str = ""
    address: str = ""
    website: str = ""
    time_zone: str
    working_hours: WorkingHoursOut


class DepartmentOut(Schema):
    code: str
    name: str
    phone: str = ""
    parent_code: str | None = None


class CalendarDayOut(Schema):
    date: dt.date
    business_day: bool
    holiday: str | None = None


class ErrorBody(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorBody
