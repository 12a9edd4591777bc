"""Bulky-waste API (``/api/v1/waste/``): fee search, districts and days, bookings.

Booking accepts an ``Idempotency-Key`` header: a retry with the same key returns the
first booking instead of booking (and charging) twice."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Header, Path, Router, Schema, Status

from dasan.accounts.api_auth import session_or_token
from dasan.core.schemas import ID_MAX

from . import selectors, services
from .models import Booking

router = Router(tags=["waste"])


class VariantOut(Schema):
    id: int
    spec: str
    fee: int
    free: bool


class ItemOut(Schema):
    id: int
    name: str
    category: str
    variants: list[VariantOut]


class DistrictOut(Schema):
    id: int
    code: str
    name: str


class DayOut(Schema):
    date: dt.date
    remaining: int
    cutoff: dt.datetime


class LineIn(Schema):
    variant: int
    quantity: int


class BookingIn(Schema):
    district: int
    collection_date: str
    address: str = Field(max_length=200)
    placement: str = Field("", max_length=300)
    items: list[LineIn]
    expected_total: int | None = None


class WasteLineOut(Schema):
    item: str
    spec: str
    unit_fee: int
    quantity: int
    amount: int


class BookingOut(Schema):
    id: int
    number: str | None
    status: str
    district: str
    collection_date: dt.date
    total_fee: int
    refunded_amount: int
    order: str
    payment_url: str
    lines: list[WasteLineOut]


def _item(item) -> dict:
    return {
        "id": item.pk,
        "name": item.name,
        "category": item.category,
        "variants": [{"id": v.pk, "spec": v.spec, "fee": v.fee, "free": v.free} for v in item.variants.all()],
    }


def _booking(booking: Booking) -> dict:
    order = selectors.order_for(booking)
    return {
        "id": booking.pk,
        "number": booking.number,
        "status": booking.status,
        "district": booking.district.name,
        "collection_date": booking.collection_date,
        "total_fee": booking.total_fee,
        "refunded_amount": booking.refunded_amount,
        "order": booking.order_id,
        "payment_url": order.get_absolute_url() if order is not None and order.is_pending else "",
        "lines": [
            {"item": l.item_name, "spec": l.spec, "unit_fee": l.unit_fee, "quantity": l.quantity, "amount": l.amount}
            for l in booking.lines.all()
        ],
    }


@router.get("/items", response=list[ItemOut])
def items(request: HttpRequest, q: str = ""):
    """Items of the fee table in force; ``q`` searches forgivingly (쇼파, 냉장 고, ㅅㅍ)."""
    found = selectors.search_items(q[:50]) if q.strip() else selectors.catalogue()
    return [_item(item) for item in found]


@router.get("/districts", response=list[DistrictOut])
def districts(request: HttpRequest):
    return [{"id": d.pk, "code": d.code, "name": d.name} for d in selectors.districts()]


@router.get("/districts/{district_id}/days", response=list[DayOut])
def days(request: HttpRequest, district_id: int = Path(..., ge=1, le=ID_MAX)):
    """Collection days still open, with the items that can still be booked."""
    district = selectors.get_district(district_id)
    return [{"date": d.date, "remaining": d.remaining, "cutoff": d.cutoff} for d in selectors.available_days(district)]


@router.post("/bookings", response={201: BookingOut}, auth=session_or_token)
def book(request: HttpRequest, data: BookingIn, idempotency_key: str = Header("", alias="Idempotency-Key")):
    """Book a collection as the signed-in resident; pay at ``payment_url``."""
    booking = services.create_booking(
        actor=request.auth,
        district=data.district,
        address=data.address,
        collection_date=data.collection_date,
        items=[(line.variant, line.quantity) for line in data.items],
        placement=data.placement,
        expected_total=data.expected_total,
        idempotency_key=idempotency_key,
    )
    return Status(201, _booking(booking))


@router.get("/bookings", response=list[BookingOut], auth=session_or_token)
def my_bookings(request: HttpRequest):
    return [_booking(b) for b in selectors.bookings_for(request.auth)[:100]]


@router.get("/bookings/{booking_id}", response=BookingOut, auth=session_or_token)
def one(request: HttpRequest, booking_id: int = Path(..., ge=1, le=ID_MAX)):
    return _booking(selectors.get_booking(request.auth, booking_id))


@router.post("/bookings/{booking_id}/cancel", response=BookingOut, auth=session_or_token)
def cancel(request: HttpRequest, booking_id: int = Path(..., ge=1, le=ID_MAX)):
    """Cancel: full refund before the cut-off, afterwards by the city's policy."""
    booking = selectors.get_booking(request.auth, booking_id)
    return _booking(services.cancel_booking(booking, actor=request.auth))
