"""Reads of the reservation desk: the catalogue, a resident's bookings, the staff queue and
calendar, the payments order of a booking, penalties, and how a booking's time is written.

Nothing here changes a reservation. A lookup that finds nothing the user may see raises
``NotFound`` (a 404 page, or the API's 404 envelope); a staff read of a resident's booking
is recorded as a ``personal_record.read`` audit event. Other apps read through here
(certificates: :func:`used_bookings`, :func:`find_reservation`).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dasan.accounts.permissions import require_staff
from dasan.core import audit, timefmt
from dasan.core.errors import NotFound
from dasan.payments import selectors as payments

from .errors import Code
from .models import Kind, Penalty, Reservation, Resource, ResourceType, Status, Unit

#: The payments purpose of a booking's order; its reference is the reservation's pk.
PURPOSE = "reservations.booking"

#: What staff-only reservation functions say to anyone else (code ``staff_only``).
STAFF_ONLY = gettext_lazy("담당 공무원만 할 수 있습니다.")


# --- the catalogue ------------------------------------------------------------------------------


def units() -> list[Unit]:
    return list(Unit.objects.filter(active=True))


def resources(*, type: str = "", unit=None, query: str = ""):
    """Active resources of active units, filtered by type (``ResourceType``), unit and a
    word in the resource's or unit's name."""
    qs = Resource.objects.filter(active=True, unit__active=True).select_related("unit")
    if type in ResourceType.values:
        qs = qs.filter(type=type)
    if unit not in (None, ""):
        qs = qs.filter(unit_id=unit.pk if isinstance(unit, Unit) else (int(unit) if str(unit).isdigit() else 0))
    query = " ".join(str(query or "").split())[:50]
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(unit__name__icontains=query) | Q(description__icontains=query))
    return qs


def get_resource(value) -> Resource:
    """An active resource by pk (or the resource itself); ``unknown_resource`` (404) otherwise."""
    if isinstance(value, Resource):
        return value
    resource = None
    if str(value).strip().isdigit():
        resource = Resource.objects.select_related("unit").filter(pk=int(value), active=True, unit__active=True).first()
    if resource is None:
        raise NotFound(Code.UNKNOWN_RESOURCE, _("예약할 수 있는 시설을 찾을 수 없습니다."))
    return resource


# --- a resident's bookings ----------------------------------------------------------------------


def get_reservation(user, pk) -> Reservation:
    """The resident's own reservation; others' are ``reservation_not_found`` (404)."""
    pk = getattr(pk, "pk", pk)
    reservation = None
    if getattr(user, "is_authenticated", False) and str(pk).isdigit():
        reservation = (
            Reservation.objects.select_related("resource", "resource__unit")
            .filter(pk=int(pk), resident=user, kind=Kind.BOOKING)
            .first()
        )
    if reservation is None:
        raise NotFound(Code.RESERVATION_NOT_FOUND, _("예약을 찾을 수 없습니다."))
    return reservation


def reservations_for(user):
    return (
        Reservation.objects.filter(resident=user, kind=Kind.BOOKING)
        .select_related("resource", "resource__unit")
        .order_by("-begin", "-id")
    )


def booking_by_key(resident, key: str) -> Reservation | None:
    """The reservation the resident already made with idempotency key ``key`` ("" has none)."""
    if not key or not getattr(resident, "pk", None):
        return None
    return Reservation.objects.filter(resident=resident, idempotency_key=key).first()


def used_bookings(resident) -> QuerySet[Reservation]:
    """The resident's bookings that were used: checked in, or confirmed and over (what a
    시설 사용 확인서 can be issued for), newest first."""
    return (
        Reservation.objects.filter(resident=resident, kind=Kind.BOOKING)
        .filter(Q(status=Status.CHECKED_IN) | Q(status=Status.CONFIRMED, end__lte=timezone.now()))
        .select_related("resource", "resource__unit")
        .order_by("-begin")
    )


def find_reservation(pk) -> Reservation | None:
    """The reservation ``pk`` (a number or a Reservation) with its resource, unit and resident,
    or None. No permission check: the caller decides who may see it."""
    pk = getattr(pk, "pk", pk)
    if not str(pk).isdigit():
        return None
    return Reservation.objects.select_related("resource", "resource__unit", "resident").filter(pk=int(pk)).first()


def order_for(reservation: Reservation):
    """The payments order of a booking (None when it is free)."""
    return payments.orders_for(PURPOSE, str(reservation.pk)).first()


def penalty_for(resident, now: dt.datetime | None = None) -> Penalty | None:
    """The no-show penalty in force for ``resident`` (the one ending last), if any."""
    if not getattr(resident, "pk", None):
        return None
    return Penalty.objects.filter(resident=resident, until__gt=now or timezone.now()).order_by("-until").first()


# --- staff --------------------------------------------------------------------------------------


def staff_reservation(staff, pk, *, reason: str = "") -> Reservation:
    """Any reservation or block, for staff (``staff_only`` to anyone else); the read of a
    resident's booking is audited. ``reservation_not_found`` (404) when there is none."""
    require_staff(staff, STAFF_ONLY)
    reservation = find_reservation(pk)
    if reservation is None:
        raise NotFound(Code.RESERVATION_NOT_FOUND, _("예약을 찾을 수 없습니다."))
    if reservation.resident_id:
        audit.record_read(staff, reservation, reason=reason or "reservations.reservation")
    return reservation


def day_reservations(resource: Resource, start: dt.date, days: int = 1):
    """Bookings and blocks of ``resource`` starting on ``start`` .. ``start + days``
    (all statuses, for the staff calendar)."""
    first = dt.datetime.combine(start, dt.time(0, 0), tzinfo=timefmt.zone())
    return (
        Reservation.objects.filter(resource=resource, begin__gte=first, begin__lt=first + dt.timedelta(days=days))
        .select_related("resident")
        .order_by("begin", "id")
    )


def pending_requests():
    """Requests awaiting a decision, soonest first (the staff queue)."""
    return (
        Reservation.objects.filter(status=Status.REQUESTED, kind=Kind.BOOKING)
        .select_related("resource", "resource__unit", "resident")
        .order_by("begin", "id")
    )


# --- how a booking's time is written ------------------------------------------------------------


def span_label(begin: dt.datetime, end: dt.datetime) -> str:
    """ "2026-03-14 10:00–12:00", or "2026-03-14 14:00–03-15 11:00" across days."""
    b, e = timefmt.local(begin), timefmt.local(end)
    if b.date() == e.date() or (e.time() == dt.time(0, 0) and e.date() == b.date() + dt.timedelta(days=1)):
        return f"{b:%Y-%m-%d %H:%M}–{e:%H:%M}"
    return f"{b:%Y-%m-%d %H:%M}–{e:%m-%d %H:%M}"


def when_label(reservation: Reservation) -> str:
    """ "2026-03-14 (토) 10:00–12:00" in the active language; a stay over several days
    shows both days: "2026-03-14 (토) 14:00 – 2026-03-16 (월) 11:00"."""
    begin, end = timefmt.local(reservation.begin), timefmt.local(reservation.end)
    if begin.date() == end.date():
        return f"{date_format(begin.date(), 'Y-m-d (D)')} {begin:%H:%M}–{end:%H:%M}"
    return (
        f"{date_format(begin.date(), 'Y-m-d (D)')} {begin:%H:%M} – {date_format(end.date(), 'Y-m-d (D)')} {end:%H:%M}"
    )
