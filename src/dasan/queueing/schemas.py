from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ServiceOut(Schema):
    code: str
    name: str
    waiting: int
    estimated_minutes: int = Field(description="median recent service time × people waiting ÷ open counters")


class OfficeOut(Schema):
    code: str
    name: str
    address: str
    open: bool
    closed_reason: str
    services: list[ServiceOut]


class TicketIn(Schema):
    office: str
    service_type: str
    needs_assistance: bool = False


class TicketOut(Schema):
    number: str
    office: str
    service_type: str
    status: str
    status_label: str
    ahead: int
    estimated_minutes: int
    counter: int | None
    issued_at: dt.datetime
    url: str
