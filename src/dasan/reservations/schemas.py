"""Request and response shapes of the reservations API (``/api/v1/reservations/``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import PlainSerializer, WithJsonSchema

# A wall-clock time of the city's day (check-in at 14:00:00), with no offset. OpenAPI's
# ``format: time`` is RFC 3339's full-time, which requires one, so it is declared by pattern.
LocalTime = Annotated[
    dt.time,
    PlainSerializer(lambda value: value.strftime("%H:%M:%S"), return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$", "description": "HH:MM:SS, local"}
    ),
]


class UnitOut(Schema):
    id: int
    name: str
    address: str
    phone: str
    accessibility: str


class DiscountOut(Schema):
    category: str
    label: str
    percent: int


class PriceOut(Schema):
    kind: str
    amount: int
    per_person: bool
    deposit: int = Field(0, description="보증금 (won), paid with the fee and returned after the use")
    effective_from: dt.date
    discounts: list[DiscountOut]


class RulesOut(Schema):
    slot_minutes: int
    min_minutes: int
    max_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    opens_days_ahead: int
    closes_hours_before: int
    max_active_per_resident: int
    residents_only: bool
    needs_approval: bool
    open_on_holidays: bool
    groups_only: bool = False
    refund_rules: list[list[int]] = Field(description="[[hours before the start, percent refunded], ...]")
    stay_unit: str = Field(
        "",
        description='"" (time slots), "night" (check-in on day D, check-out on D+N) or '
        '"day" (a loan from D to D+N-1); stays are booked with begin = check-in '
        "and end = check-out, the slot rules above do not apply",
    )
    check_in_time: LocalTime | None = None
    check_out_time: LocalTime | None = None
    min_stay: int = 1
    max_stay: int = 1


class ResourceOut(Schema):
    id: int
    name: str
    type: str
    type_label: str
    capacity: int
    exclusive: bool
    description: str
    accessibility: str
    unit: UnitOut
    rules: RulesOut
    price: PriceOut | None


class SlotOut(Schema):
    begin: dt.datetime
    end: dt.datetime
    state: str = Field(description="free | taken | closed | not_open | past")
    remaining: int


class AvailabilityOut(Schema):
    resource: int
    date: dt.date
    closed: str = Field(description="why the resource is shut that day; empty when open")
    booking_opens_at: dt.datetime
    slots: list[SlotOut]


class ReservationIn(Schema):
    resource: int
    begin: dt.datetime
    end: dt.datetime
    party_size: int = 1
    discount: str = Field("", description="resident | disabled | veteran | senior | multi_child; verified at check-in")
    declared_resident: bool = False
    purpose: str = Field("", max_length=200)
    group: int | None = Field(
        None, description="an approved 이용 단체 of the resident (required on groups_only resources)"
    )
    expected_total: int | None = Field(
        None,
        description="the total (fee after discount + deposit) the resident saw; a different current total answers 409 price_changed",
    )


class ReservationOut(Schema):
    id: int
    code: str
    status: str
    status_label: str
    resource: int
    resource_name: str
    unit: str
    begin: dt.datetime
    end: dt.datetime
    party_size: int
    discount: str
    subtotal: int
    price: int = Field(description="the fee after the discount (won)")
    deposit: int = Field(description="보증금 charged on top of the fee (won)")
    payable: int = Field(description="price + deposit: what the payment order charges")
    deposit_returned: int
    deposit_withheld: int
    refunded_amount: int
    order: str
    payment_url: str
    calendar_url: str
    reason: str
