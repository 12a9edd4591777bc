"""대기 신청 (waitlist): residents queue for a taken time; when it frees up (a reservation
cancelled, denied, released unpaid or expired) the oldest waiting entry whose time is now
free is offered it for ``RESERVATIONS_WAITLIST_OFFER_MINUTES`` minutes (``offers``). While
offered, the time is held for that resident (others see it taken and ``book`` answers
``slot_taken``); accepting goes through :func:`services.book`, so every rule applies. An
offer not accepted in time expires (periodic job ``reservations.waitlist_expire``) and
the next entry is offered."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.core import audit
from dasan.core.errors import Conflict, NotFound

from . import selectors, services
from .availability import parse_party, parse_time
from .errors import Code
from .models import Resource, WaitlistEntry, WaitlistStatus
from .offers import fits, offer_next
from .rules import check_party_size, check_request, require_signed_in


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


def join(resource, begin, end, *, actor, party_size=1, now: dt.datetime | None = None) -> WaitlistEntry:
    """``actor`` queues for a taken time. Refused: ``login_required``, the booking rules of
    the time (``rules.check_request``), ``invalid_party_size``, ``over_capacity``,
    ``slot_free`` (409: book it instead), ``already_waiting`` (409)."""
    require_signed_in(actor)
    resident = actor
    now = now or timezone.now()
    resource = selectors.get_resource(resource)
    begin, end = parse_time(begin, "begin"), parse_time(end, "end")
    party = parse_party(party_size)
    check_request(resource, begin, end, now=now)
    check_party_size(resource, party)
    try:
        with transaction.atomic():
            locked = Resource.objects.select_for_update(of=("self",)).get(pk=resource.pk)
            if fits(locked, begin, end, party, now=now):
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


def cancel(entry, *, actor, now: dt.datetime | None = None) -> WaitlistEntry:
    """The resident (``actor``) leaves the queue (``not_waiting`` 409 once it is over); a
    declined offer goes to the next in line."""
    resident = actor
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
    entry,
    *,
    actor,
    declared_resident: bool = False,
    discount: str = "",
    purpose: str = "",
    group=None,
    now: dt.datetime | None = None,
):
    """Book the offered time through :func:`services.book` (all its refusals surface);
    ``not_offered`` (409) when there is no live offer, ``offer_expired`` (409) after the
    deadline. Returns the reservation."""
    resident = actor
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
            entry.resource,
            entry.begin,
            entry.end,
            actor=resident,
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
