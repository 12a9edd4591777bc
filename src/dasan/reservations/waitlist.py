"""대기 신청 (waitlist): residents queue for a taken time; when it frees up (a reservation
cancelled, denied, released unpaid or expired) the oldest waiting entry whose time is now
free is offered it for ``RESERVATIONS_WAITLIST_OFFER_MINUTES`` minutes. While offered,
the time is held for that resident (others see it taken and ``book`` answers
``slot_taken``); accepting goes through :func:`services.book`, so every rule applies. An
offer not accepted in time expires (periodic job ``reservations.waitlist_expire``) and
the next entry is offered."""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dasan.core import audit
from dasan.core.errors import Conflict, DasanError, NotFound
from dasan.reservations.errors import Code

from . import services
from .models import Kind, Resource, WaitlistEntry, WaitlistStatus

logger = logging.getLogger("dasan.reservations")


def offer_minutes() -> int:
    return max(5, int(services.setting("RESERVATIONS_WAITLIST_OFFER_MINUTES", 120)))


def offer_holds(
    resource: Resource, start: dt.datetime, stop: dt.datetime, *, now: dt.datetime, exclude_resident=None
) -> list:
    """Live offers on ``resource`` overlapping [start, stop), shaped like reservations
    for :func:`services.peak_load` (their buffered span, kind booking, party size)."""
    qs = WaitlistEntry.objects.filter(resource=resource, status=WaitlistStatus.OFFERED, offer_expires_at__gt=now)
    if exclude_resident is not None:
        qs = qs.exclude(resident=exclude_resident)
    holds = []
    for entry in qs:
        a, b = services._span(resource, entry.begin, entry.end)
        if a < stop and b > start:
            holds.append(
                SimpleNamespace(blocked_from=a, blocked_until=b, kind=Kind.BOOKING, party_size=entry.party_size)
            )
    return holds


def _fits(resource: Resource, begin, end, party: int, *, now, exclude_resident=None) -> bool:
    start, stop = services._span(resource, begin, end)
    held = list(services._holding(resource, start, stop))
    held += services._offer_holds(resource, start, stop, now=now, exclude_resident=exclude_resident)
    if resource.exclusive or any(r.kind == Kind.BLOCK for r in held):
        return not held
    return resource.capacity - services.peak_load(resource, held, start, stop) >= party


def _own(resident, pk) -> WaitlistEntry:
    pk = pk.pk if isinstance(pk, WaitlistEntry) else pk
    entry = None
    if getattr(resident, "pk", None) and str(pk).isdigit():
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("resource", "resource__unit")
            .filter(pk=int(pk), resident=resident)
            .first()
        )
    if entry is None:
        raise NotFound(Code.UNKNOWN_WAITLIST_ENTRY, _("대기 신청을 찾을 수 없습니다."))
    return entry


def entries_for(resident):
    """내 대기: the resident's entries, live ones first, then the latest."""
    return (
        WaitlistEntry.objects.filter(resident=resident)
        .select_related("resource", "resource__unit", "reservation")
        .order_by("begin", "id")
    )


def join(resident, resource, begin, end, *, party_size=1, now: dt.datetime | None = None) -> WaitlistEntry:
    """Queue for a taken time. Refused: ``login_required``, the booking rules of the time
    (``check_request``), ``invalid_party_size``, ``over_capacity``, ``slot_free`` (409:
    book it instead), ``already_waiting`` (409)."""
    if resident is None or not getattr(resident, "is_authenticated", False):
        raise DasanError(Code.LOGIN_REQUIRED, _("로그인이 필요합니다."), status=401)
    now = now or timezone.now()
    resource = services.get_resource(resource)
    begin, end = services.parse_time(begin, "begin"), services.parse_time(end, "end")
    party = services._party(party_size)
    services.check_request(resource, begin, end, now=now)
    if party > resource.capacity:
        raise DasanError(
            Code.OVER_CAPACITY,
            _("이 시설은 %(capacity)d명(개)까지 이용할 수 있습니다.") % {"capacity": resource.capacity},
            field="party_size",
            capacity=resource.capacity,
        )
    try:
        with transaction.atomic():
            locked = Resource.objects.select_for_update(of=("self",)).get(pk=resource.pk)
            if _fits(locked, begin, end, party, now=now):
                raise Conflict(Code.SLOT_FREE, _("지금 예약할 수 있는 시간입니다. 대기 신청 대신 바로 예약해 주세요."))
            if WaitlistEntry.objects.filter(
                resident=resident,
                resource=locked,
                begin=begin,
                status__in=(WaitlistStatus.WAITING, WaitlistStatus.OFFERED),
            ).exists():
                raise Conflict(Code.ALREADY_WAITING, _("이미 이 시간에 대기 신청을 했습니다."))
            with transaction.atomic():
                entry = WaitlistEntry.objects.create(
                    resource=locked, resident=resident, begin=begin, end=end, party_size=party, created_at=now
                )
            audit.record(
                "reservations.waitlist_join",
                actor=resident,
                target=entry,
                data={"resource": locked.pk, "begin": begin.isoformat(), "end": end.isoformat(), "party": party},
            )
    except IntegrityError:
        raise Conflict(Code.ALREADY_WAITING, _("이미 이 시간에 대기 신청을 했습니다.")) from None
    return entry


def cancel(resident, entry, *, now: dt.datetime | None = None) -> WaitlistEntry:
    """The resident leaves the queue (``not_waiting`` 409 once it is over); a declined
    offer goes to the next in line."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = _own(resident, entry)
        if entry.status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
            raise Conflict(Code.NOT_WAITING, _("이미 끝난 대기 신청입니다."))
        was_offered = entry.status == WaitlistStatus.OFFERED
        entry.status = WaitlistStatus.CANCELLED
        entry.save(update_fields=["status"])
        audit.record("reservations.waitlist_cancel", actor=resident, target=entry)
        if was_offered:
            offer_next(entry.resource, now=now)
    return entry


def accept(
    resident,
    entry,
    *,
    declared_resident: bool = False,
    discount: str = "",
    purpose: str = "",
    group=None,
    now: dt.datetime | None = None,
):
    """Book the offered time through :func:`services.book` (all its refusals surface);
    ``not_offered`` (409) when there is no live offer, ``offer_expired`` (409) after the
    deadline. Returns the reservation."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = _own(resident, entry)
        if entry.status == WaitlistStatus.ACCEPTED and entry.reservation_id:
            return entry.reservation
        if entry.status != WaitlistStatus.OFFERED:
            raise Conflict(Code.NOT_OFFERED, _("예약 제안을 받은 대기 신청이 아닙니다."))
        if now >= entry.offer_expires_at:
            raise Conflict(Code.OFFER_EXPIRED, _("예약 제안 기한이 지났습니다."))
        reservation = services.book(
            resident,
            entry.resource,
            entry.begin,
            entry.end,
            party_size=entry.party_size,
            declared_resident=declared_resident,
            discount=discount,
            purpose=purpose,
            group=group,
            idempotency_key=f"waitlist-{entry.pk}",
            now=now,
        )
        entry.status, entry.reservation = WaitlistStatus.ACCEPTED, reservation
        entry.save(update_fields=["status", "reservation"])
        audit.record("reservations.waitlist_accept", actor=resident, target=entry, data={"reservation": reservation.pk})
    return reservation


def offer_next(resource, *, now: dt.datetime | None = None) -> list[WaitlistEntry]:
    """Offer freed time: each waiting entry of ``resource`` (oldest first) whose time is
    free now — counting reservations and live offers — is offered it. Called by the
    services that free a slot and by the periodic job."""
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
            if not _fits(locked, entry.begin, entry.end, entry.party_size, now=now):
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


def expire_offers(now: dt.datetime | None = None) -> int:
    """Periodic job: offers past their deadline expire and the time goes to the next in
    line; entries whose time has passed expire. Returns how many offers expired."""
    now = now or timezone.now()
    count = 0
    resources = set()
    with transaction.atomic():
        for entry in WaitlistEntry.objects.select_for_update().filter(
            status=WaitlistStatus.OFFERED, offer_expires_at__lte=now
        )[:500]:
            entry.status = WaitlistStatus.EXPIRED
            entry.save(update_fields=["status"])
            audit.record("reservations.waitlist_expired", target=entry)
            resources.add(entry.resource_id)
            count += 1
        WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING, begin__lte=now).update(
            status=WaitlistStatus.EXPIRED
        )
    for pk in sorted(resources):
        offer_next(pk, now=now)
    return count


def freed(resource, now: dt.datetime | None = None) -> None:
    """Hook for the services: a reservation of ``resource`` stopped holding its time."""
    if WaitlistEntry.objects.filter(resource=resource, status=WaitlistStatus.WAITING).exists():
        offer_next(resource, now=now)


def _notify(entry: WaitlistEntry, resource: Resource) -> None:
    from dasan.core.models import Municipality
    from dasan.notify.services import enqueue

    municipality = Municipality.current()
    base = str(services.setting("PUBLIC_URL", "") or "").rstrip("/")
    with translation.override(getattr(entry.resident, "language", None) or "ko"):
        context = {
            "city": municipality.name if municipality else "",
            "resource": f"{resource.unit.name} {resource.name}",
            "when": services.span_label(entry.begin, entry.end),
            "deadline": services._fmt(entry.offer_expires_at),
            "url": base + reverse("reservations:mine") if base else "",
        }
    try:
        enqueue("reservations.waitlist_offer", recipient=entry.resident, context=context)
    except DasanError as error:
        logger.warning("waitlist offer notification for %s not sent: %s", entry.pk, error.code)
