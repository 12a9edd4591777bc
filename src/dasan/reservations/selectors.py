"""Reads of reservations: what other modules and apps may ask without changing anything.

``services.py`` keeps the state changes; pages, the API and other apps read through here.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Kind, Reservation, Status


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
