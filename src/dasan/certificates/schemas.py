from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class OptionOut(Schema):
    key: str
    label: str


class DocumentTypeOut(Schema):
    code: str
    name: str
    source: str = Field(description="national: prepared for pickup at an office; city: issued online by the city")
    fee: int = Field(description="won per copy, paid at the counter")
    fee_note: str
    legal_basis: str
    required_info: str
    options: list[OptionOut]
    identity_check: bool = Field(description="an ID card is checked at pickup")
    processing_hours: int = Field(description="working hours from request to the earliest pickup")
    processing_label: str
    max_copies: int


class PickupDayOut(Schema):
    day: dt.date
    times: list[dt.datetime]


class RequestIn(Schema):
    document_type: str = Field(max_length=40)
    office: str = Field(max_length=40)
    pickup_at: dt.datetime = Field(description="one of the pickup times offered (every 30 minutes of working time)")
    copies: int = Field(1, ge=1, le=50)
    options: dict[str, bool] = Field(default_factory=dict)
    purpose: str = Field("", max_length=100)


class RequestOut(Schema):
    id: int
    code: str
    document_type: str
    document_name: str
    office: str
    office_name: str
    pickup_at: dt.datetime
    copies: int
    options: dict[str, bool]
    purpose: str
    fee_total: int
    status: str
    status_label: str
    created_at: dt.datetime
    ready_at: dt.datetime | None
    ticket_number: str
    ticket_url: str
    cancellable: bool
    can_take_ticket: bool


class VerifyOut(Schema):
    state: str = Field(description="genuine, revoked, not_genuine or not_found")
    genuine: bool
    number: str
    title: str
    issued_at: dt.datetime | None
    department: str
    holder: str = Field(description="masked (김*수)")
    reasons: list[str]
