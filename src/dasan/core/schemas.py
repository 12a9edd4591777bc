"""Schemas of the public city API (``/api/v1/city/``)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


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
