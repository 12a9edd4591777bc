"""Reservations API (``/api/v1/reservations/``): resources, a day's availability, booking,
the resident's reservations and cancellation.

``POST reservations`` accepts an ``Idempotency-Key`` header: a retry with the same key
answers 200 with the first reservation instead of booking (and charging) twice. Errors
come back in the envelope of ``dasan/api.py``."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Header, Path, Query, Router, Status

from dasan.accounts.api_auth import session_or_token
from dasan.core.schemas import ID_MAX, ErrorOut

from . import availability as slots
from . import pricing, selectors, services
from .models import Reservation, Resource
from .models import Status as ReservationStatus
from .schemas import AvailabilityOut, ReservationIn, ReservationOut, ResourceOut

router = Router(tags=["reservations"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def resource_out(resource: Resource) -> dict:
    rule = pricing.price_rule(resource, timezone.localdate())
    price = None
    if rule is not None:
        price = {
            "kind": rule.kind,
            "amount": rule.amount,
            "per_person": rule.per_person,
            "deposit": rule.deposit,
            "effective_from": rule.effective_from,
            "discounts": [
                {"category": c, "label": label, "percent": p}
                for c, label, p in pricing.discounts_offered(resource, timezone.localdate())
            ],
        }
    unit = resource.unit
    return {
        "id": resource.pk,
        "name": resource.name,
        "type": resource.type,
        "type_label": str(resource.get_type_display()),
        "capacity": resource.capacity,
        "exclusive": resource.exclusive,
        "description": resource.description,
        "accessibility": resource.accessibility,
        "unit": {
            "id": unit.pk,
            "name": unit.name,
            "address": unit.address,
            "phone": unit.phone,
            "accessibility": unit.accessibility,
        },
        "rules": {
            name: getattr(resource, name)
            for name in (
                "slot_minutes",
                "min_minutes",
                "max_minutes",
                "buffer_before_minutes",
                "buffer_after_minutes",
                "opens_days_ahead",
                "closes_hours_before",
                "max_active_per_resident",
                "residents_only",
                "needs_approval",
                "open_on_holidays",
                "groups_only",
                "stay_unit",
                "check_in_time",
                "check_out_time",
                "min_stay",
                "max_stay",
            )
        }
        | {"refund_rules": [list(s) for s in pricing.refund_steps(resource)]},
        "price": price,
    }


def reservation_out(reservation: Reservation) -> dict:
    pay = ""
    if reservation.status == ReservationStatus.PENDING_PAYMENT:
        order = selectors.order_for(reservation)
        pay = order.get_absolute_url() if order is not None and order.is_pending else ""
    return {
        "id": reservation.pk,
        "code": reservation.code,
        "status": reservation.status,
        "status_label": str(reservation.get_status_display()),
        "resource": reservation.resource_id,
        "resource_name": reservation.resource.name,
        "unit": reservation.resource.unit.name,
        "begin": reservation.begin,
        "end": reservation.end,
        "party_size": reservation.party_size,
        "discount": reservation.discount,
        "subtotal": reservation.subtotal,
        "price": reservation.price,
        "deposit": reservation.deposit,
        "payable": reservation.payable,
        "deposit_returned": reservation.deposit_returned,
        "deposit_withheld": reservation.deposit_withheld,
        "refunded_amount": reservation.refunded_amount,
        "order": reservation.order_id,
        "payment_url": pay,
        "calendar_url": reverse("reservations:ics", args=[reservation.pk]),
        "reason": reservation.reason,
    }


@router.get("/resources", response=list[ResourceOut], summary="Bookable resources")
def list_resources(request: HttpRequest, type: str = "", unit: int | None = Query(None, ge=1, le=ID_MAX), q: str = ""):
    """Active resources (courts, rooms, campsites, halls, equipment, classes) with their
    unit, rules and the price in force; filter by ``type``, ``unit`` and a word ``q``."""
    return [resource_out(r) for r in selectors.resources(type=type, unit=unit, query=q)[:200]]


@router.get("/resources/{resource_id}", response={200: ResourceOut, **ERRORS}, summary="One resource")
def one_resource(request: HttpRequest, resource_id: int = Path(..., ge=1, le=ID_MAX)):
    return resource_out(selectors.get_resource(resource_id))


@router.get(
    "/resources/{resource_id}/availability", response={200: AvailabilityOut, **ERRORS}, summary="Slots of one day"
)
def availability(
    request: HttpRequest, resource_id: int = Path(..., ge=1, le=ID_MAX), date: str = Query(..., max_length=10)
):
    """The day's slots with their state (``free``, ``taken``, ``closed``: booking has
    closed, ``not_open``: the booking window opens later, ``past``) and, for shared
    resources, the seats or items left."""
    day = slots.availability(selectors.get_resource(resource_id), date)
    return {
        "resource": resource_id,
        "date": day.day,
        "closed": day.closed,
        "booking_opens_at": day.opens_at,
        "slots": [{"begin": s.begin, "end": s.end, "state": s.state, "remaining": s.remaining} for s in day.slots],
    }


@router.post(
    "/bookings", response={201: ReservationOut, 200: ReservationOut, **ERRORS}, auth=session_or_token, summary="Book"
)
def create_reservation(
    request: HttpRequest,
    data: ReservationIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200),
):
    """Book as the signed-in resident. ``status`` is ``confirmed`` (free), ``requested``
    (staff approve first) or ``pending_payment`` (pay at ``payment_url`` before the
    slot is released). With the same ``Idempotency-Key`` a retry answers 200 with the
    first reservation."""
    key = (idempotency_key or "").strip()
    existed = selectors.booking_by_key(request.auth, key) is not None
    reservation = services.book(
        data.resource,
        data.begin,
        data.end,
        actor=request.auth,
        party_size=data.party_size,
        discount=data.discount,
        declared_resident=data.declared_resident,
        purpose=data.purpose,
        group=data.group,
        idempotency_key=key,
        expected_total=data.expected_total,
    )
    return Status(200 if existed else 201, reservation_out(reservation))


@router.get("/bookings", response=list[ReservationOut], auth=session_or_token, summary="My reservations")
def my_reservations(request: HttpRequest):
    return [reservation_out(r) for r in selectors.reservations_for(request.auth)[:100]]


@router.get(
    "/bookings/{reservation_id}",
    response={200: ReservationOut, **ERRORS},
    auth=session_or_token,
    summary="One reservation",
)
def one_reservation(request: HttpRequest, reservation_id: int = Path(..., ge=1, le=ID_MAX)):
    return reservation_out(selectors.get_reservation(request.auth, reservation_id))


@router.post(
    "/bookings/{reservation_id}/cancel",
    response={200: ReservationOut, **ERRORS},
    auth=session_or_token,
    summary="Cancel",
)
def cancel(request: HttpRequest, reservation_id: int = Path(..., ge=1, le=ID_MAX)):
    """Cancel before the start; a paid reservation is refunded by the resource's schedule."""
    reservation = selectors.get_reservation(request.auth, reservation_id)
    return reservation_out(services.cancel(reservation, actor=request.auth))
