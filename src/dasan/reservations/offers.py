"""The waitlist's offers: who gets a freed time.

When a reservation stops holding its time (cancelled, denied, released unpaid, expired,
fully refunded) the services call :func:`freed`. Each waiting entry of the resource, oldest
first, whose time is now free — reservations, blocks, lotteries *and live offers* counted,
seats on a shared resource — is offered it until ``min(now + RESERVATIONS_WAITLIST_OFFER_MINUTES,
its start)`` and told so; entries whose start has passed expire. While an offer lives the
time is held for that resident (``availability.offer_holds``). What residents do with an
entry (join, accept, decline) is in ``waitlist``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dasan.core import audit, timefmt
from dasan.core.conf import setting
from dasan.core.links import public_url_for

from . import notifications, selectors
from .availability import seats_left
from .models import Resource, WaitlistEntry, WaitlistStatus


def offer_minutes() -> int:
    """How long an offer holds the freed time (at least 5 minutes)."""
    return max(5, int(setting("RESERVATIONS_WAITLIST_OFFER_MINUTES")))


def fits(resource: Resource, begin, end, party: int, *, now, exclude_resident=None) -> bool:
    """Whether ``party`` seats (items) of [begin, end) are free now, offers counted."""
    left = seats_left(resource, begin, end, now=now, exclude_resident=exclude_resident)
    return left is not None and left >= party


def offer_next(resource, *, now: dt.datetime | None = None) -> list[WaitlistEntry]:
    """Offer freed time: each waiting entry of ``resource`` (oldest first) whose time is
    free now is offered it. Called when a slot frees up and by the periodic job."""
    now = now or timezone.now()
    offered = []
    with transaction.atomic():
        locked = (
            Resource.objects.select_for_update(of=("self",))
            .select_related("unit")
            .get(pk=getattr(resource, "pk", resource))
        )
        waiting = list(
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("resident")
            .filter(resource=locked, status=WaitlistStatus.WAITING)
            .order_by("created_at", "id")
        )
        for entry in waiting:
            if entry.begin <= now:
                entry.status = WaitlistStatus.EXPIRED
                entry.save(update_fields=["status"])
                continue
            if not fits(locked, entry.begin, entry.end, entry.party_size, now=now):
                continue
            entry.status, entry.offered_at = WaitlistStatus.OFFERED, now
            entry.offer_expires_at = min(now + dt.timedelta(minutes=offer_minutes()), entry.begin)
            entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
            audit.record(
                "reservations.waitlist_offer", target=entry, data={"expires_at": entry.offer_expires_at.isoformat()}
            )
            _notify(entry, locked)
            offered.append(entry)
    return offered


def freed(resource, now: dt.datetime | None = None) -> None:
    """Hook for the services: a reservation of ``resource`` stopped holding its time."""
    if WaitlistEntry.objects.filter(resource=resource, status=WaitlistStatus.WAITING).exists():
        offer_next(resource, now=now)


def _notify(entry: WaitlistEntry, resource: Resource) -> None:
    notifications.send(
        "reservations.waitlist_offer",
        entry.resident,
        {
            "resource": f"{resource.unit.name} {resource.name}",
            "when": selectors.span_label(entry.begin, entry.end),
            "deadline": timefmt.fmt(entry.offer_expires_at),
            "url": public_url_for("reservations:mine"),
        },
    )
