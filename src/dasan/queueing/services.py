"""번호표 services: the only place where tickets change. Reads are in ``selectors.py``.

* :func:`take_ticket` locks the office's sequence row for the day and service type, so two
  residents pressing the button at the same instant get consecutive numbers; the unique
  constraints (office, day, number) and (office, type, day, sequence) make a duplicate
  impossible even if the lock were bypassed. Numbers start again each day because the day
  is part of the key.
* :func:`call_next` locks the counter row (one call at a time per counter) and takes the
  first waiting ticket it may serve with ``SELECT … FOR UPDATE SKIP LOCKED``, so two
  counters calling at once never get the same ticket; the partial unique constraint keeps
  one called ticket per counter.

Every function takes the object it changes first and who acts as ``actor=``; counter work
is for staff only (``staff_only``, 403) and every change is audited.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dasan.accounts.permissions import require_staff
from dasan.core import audit
from dasan.core.errors import Conflict, DasanError
from dasan.core.timefmt import local
from dasan.queueing.errors import Code

from .models import LIVE, PICKUP, Channel, Counter, Office, ServiceType, Ticket, TicketSequence, TicketStatus
from .selectors import ahead, current, get_counter, get_office, get_service_type, open_state, waiting


def _require_staff(user) -> None:
    require_staff(user, _("담당 공무원만 할 수 있습니다."))


def pickup_service_type(office: Office) -> ServiceType:
    """서류 수령 (documents prepared in advance), served at every office (created on first use)."""
    found, _created = ServiceType.objects.get_or_create(
        code=PICKUP, defaults={"name": "서류 수령", "prefix": "P", "default_minutes": 3, "position": 90}
    )
    return found


# --- taking a number --------------------------------------------------------------------------------


def _phone(value) -> str:
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    if not digits:
        return ""
    if not (digits.startswith("01") and len(digits) in (10, 11)):
        raise DasanError(Code.INVALID_PHONE, _("휴대전화 번호를 010-1234-5678처럼 적어 주세요."), field="phone")
    return digits


def _check_offered(office: Office, service: ServiceType, now: dt.datetime) -> None:
    """The office takes numbers now and some open counter serves ``service`` (pickups always)."""
    reason = open_state(office, now)
    if reason:
        raise Conflict(Code.OFFICE_CLOSED, reason)
    if (
        service.code != PICKUP
        and not Counter.objects.filter(office=office, is_open=True, service_types=service).exists()
    ):
        raise DasanError(
            Code.SERVICE_NOT_OFFERED,
            _("%(office)s에서는 %(service)s 업무를 하지 않습니다.") % {"office": office.name, "service": service.name},
            field="service_type",
        )


def _check_not_waiting(office: Office, resident, day: dt.date) -> None:
    """One live ticket per resident and office (``already_waiting`` names it)."""
    live = Ticket.objects.filter(office=office, issued_on=day, resident=resident, status__in=LIVE).first()
    if live is not None:
        raise Conflict(
            Code.ALREADY_WAITING,
            _("이미 받은 번호표(%(number)s)가 있습니다.") % {"number": live.number},
            number=live.number,
            url=live.get_absolute_url(),
        )


def _next_sequence(office: Office, service: ServiceType, day: dt.date) -> int:
    """The next number of the day for ``service`` at ``office``, under a lock on its row."""
    TicketSequence.objects.get_or_create(office=office, service_type=service, day=day)
    sequence = TicketSequence.objects.select_for_update().get(office=office, service_type=service, day=day)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def take_ticket(
    office,
    service_type,
    *,
    actor=None,
    phone="",
    channel=Channel.WEB,
    priority=False,
    reference="",
    needs_assistance=False,
    now: dt.datetime | None = None,
) -> Ticket:
    """번호표 발급 for ``actor`` (the resident who will hold it; None at the kiosk).

    Refused: ``unknown_office`` / ``unknown_service`` (404), ``office_closed`` (409: not a
    business day, before opening, after the cut-off, inactive), ``service_not_offered``,
    ``invalid_phone``, ``already_waiting`` (409 with the live ticket's ``number``: one live
    ticket per resident and office). A resident who needs assistance, or a prepared-document
    pickup, is called first (``priority``)."""
    now = now or timezone.now()
    office, service = get_office(office), get_service_type(service_type)
    resident = actor if getattr(actor, "pk", None) else None
    if channel not in Channel.values:
        channel = Channel.WEB
    _check_offered(office, service, now)
    phone = _phone(phone) or str(getattr(resident, "phone", "") or "")
    today = local(now).date()
    with transaction.atomic():
        if resident is not None:
            _check_not_waiting(office, resident, today)
        sequence = _next_sequence(office, service, today)
        ticket = Ticket.objects.create(
            office=office,
            service_type=service,
            issued_on=today,
            sequence=sequence,
            number=f"{service.prefix}{sequence:03d}",
            priority=bool(priority) or bool(needs_assistance),
            needs_assistance=bool(needs_assistance),
            channel=channel,
            resident=resident,
            phone=phone,
            reference=str(reference or "")[:60],
            issued_at=now,
        )
        audit.record(
            "queueing.take",
            actor=resident,
            target=ticket,
            data={
                "office": office.code,
                "service": service.code,
                "number": ticket.number,
                "channel": channel,
                "priority": ticket.priority,
            },
        )
    return ticket


def cancel(ticket: Ticket, *, actor=None) -> Ticket:
    """The resident gives up their ticket (from its page; the token is the capability)."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status != TicketStatus.WAITING:
            raise Conflict(Code.NOT_WAITING, _("기다리는 중인 번호표만 취소할 수 있습니다."))
        ticket.status, ticket.finished_at = TicketStatus.CANCELLED, timezone.now()
        ticket.save(update_fields=["status", "finished_at"])
        audit.record("queueing.cancel", actor=actor if getattr(actor, "pk", None) else None, target=ticket)
        _notify_near(ticket.office, ticket.service_type, ticket.issued_on)
    return ticket


# --- at the counter ---------------------------------------------------------------------------------


def _lock_counter(counter) -> Counter:
    """The counter, locked with its office: the counters of one office change one at a time,
    so two calls never text the same waiting residents crosswise (a deadlock)."""
    pk = get_counter(counter.pk if isinstance(counter, Counter) else counter).pk
    return Counter.objects.select_for_update().select_related("office").get(pk=pk)


def _next_for(counter: Counter, day: dt.date) -> Ticket | None:
    """The first waiting ticket ``counter`` may serve, locked (others skip it): one sent here
    by another counter first, then its service types and pickups, priority first."""
    types = list(counter.service_types.values_list("pk", flat=True))
    types += list(ServiceType.objects.filter(code=PICKUP).values_list("pk", flat=True))
    line = waiting(counter.office, day)
    for candidates in (
        line.filter(target_counter=counter),
        line.filter(target_counter__isnull=True, service_type__in=types),
    ):
        ticket = (
            candidates.select_for_update(skip_locked=True, of=("self",))
            .order_by("-priority", "issued_at", "id")
            .first()
        )
        if ticket is not None:
            return ticket
    return None


def call_next(counter, *, actor, now: dt.datetime | None = None) -> Ticket | None:
    """호출: the next ticket this counter may serve (see :func:`_next_for`). ``counter_busy``
    (409) while it still has a called ticket; None when nobody waits. The called resident is
    texted, and so is every waiting one who is now near their turn."""
    _require_staff(actor)
    now = now or timezone.now()
    with transaction.atomic():
        counter = _lock_counter(counter)
        busy = current(counter)
        if busy is not None:
            raise Conflict(
                Code.COUNTER_BUSY,
                _("%(number)s번 처리를 먼저 끝내 주세요 (완료·부재·이관).") % {"number": busy.number},
                number=busy.number,
            )
        ticket = _next_for(counter, local(now).date())
        if ticket is None:
            return None
        ticket.status, ticket.counter, ticket.called_at, ticket.served_by = TicketStatus.CALLED, counter, now, actor
        ticket.target_counter = None
        try:
            with transaction.atomic():
                ticket.save(update_fields=["status", "counter", "called_at", "served_by", "target_counter"])
        except IntegrityError:
            raise Conflict(Code.COUNTER_BUSY, _("이 창구는 이미 다른 번호를 호출했습니다.")) from None
        audit.record(
            "queueing.call", actor=actor, target=ticket, data={"counter": counter.number, "number": ticket.number}
        )
        _notify(ticket, "queueing.called")
        _notify_near(counter.office, ticket.service_type, local(now).date())
    return ticket


def _called_at(counter: Counter) -> Ticket:
    ticket = current(counter)
    if ticket is None:
        raise Conflict(Code.NOTHING_CALLED, _("호출한 번호가 없습니다."))
    return ticket


def recall(counter, *, actor, now: dt.datetime | None = None) -> Ticket:
    """재호출: show and announce the called number again."""
    _require_staff(actor)
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _called_at(_lock_counter(counter))
        ticket.recalled_at = now
        ticket.save(update_fields=["recalled_at"])
        audit.record("queueing.recall", actor=actor, target=ticket)
    return ticket


def finish(counter, outcome: str, *, actor, now: dt.datetime | None = None) -> Ticket:
    """처리 완료 (``served``) or 부재 (``no_show``) of the counter's called ticket."""
    _require_staff(actor)
    if outcome not in (TicketStatus.SERVED, TicketStatus.NO_SHOW):
        raise DasanError(Code.INVALID_OUTCOME, _("처리 결과를 골라 주세요."))
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _called_at(_lock_counter(counter))
        ticket.status, ticket.finished_at = outcome, now
        ticket.save(update_fields=["status", "finished_at"])
        audit.record(f"queueing.{outcome}", actor=actor, target=ticket)
    return ticket


def transfer(counter, *, actor, to_counter=None, to_service=None, now: dt.datetime | None = None) -> Ticket:
    """이관: the called ticket goes back to waiting for another counter (called there first)
    or another service type, keeping its place in line."""
    _require_staff(actor)
    if not to_counter and not to_service:
        raise DasanError(Code.TRANSFER_TARGET, _("보낼 창구나 업무를 골라 주세요."), field="to_counter")
    with transaction.atomic():
        counter = _lock_counter(counter)
        ticket = _called_at(counter)
        target = get_counter(to_counter) if to_counter else None
        if target is not None and (target.office_id != counter.office_id or target.pk == counter.pk):
            raise DasanError(Code.TRANSFER_TARGET, _("같은 민원실의 다른 창구를 골라 주세요."), field="to_counter")
        if to_service:
            ticket.service_type = get_service_type(to_service)
        ticket.status, ticket.counter, ticket.called_at, ticket.target_counter = (
            TicketStatus.WAITING,
            None,
            None,
            target,
        )
        ticket.save(update_fields=["status", "counter", "called_at", "target_counter", "service_type"])
        audit.record(
            "queueing.transfer",
            actor=actor,
            target=ticket,
            data={"from": counter.number, "to": target.number if target else None, "service": ticket.service_type.code},
        )
    return ticket


def close_days(now: dt.datetime | None = None) -> int:
    """Periodic job: tickets still live after their office closed (or from earlier days)
    end as ``closed``, so tomorrow starts empty."""
    now = now or timezone.now()
    today, moment = local(now).date(), local(now).time()
    count = 0
    for office in Office.objects.all():
        stale = Ticket.objects.filter(office=office, status__in=LIVE).filter(
            Q(issued_on__lt=today) | Q(issued_on=today) if moment >= office.closes else Q(issued_on__lt=today)
        )
        count += stale.update(status=TicketStatus.CLOSED, finished_at=now)
    return count


# --- texts ------------------------------------------------------------------------------------------


def _notify(ticket: Ticket, template: str, **extra) -> None:
    from dasan.notify.services import enqueue

    if not ticket.phone and ticket.resident is None:
        return
    language = getattr(ticket.resident, "language", None) or "ko"
    with translation.override(language):
        context = {
            "office": ticket.office.name,
            "number": ticket.number,
            "service": ticket.service_type.name,
            "counter": ticket.counter.number if ticket.counter else "",
            **extra,
        }
        enqueue(
            template,
            recipient=ticket.resident,
            to=None if ticket.resident else ticket.phone,
            context=context,
            language=language,
        )


def _notify_near(office: Office, service: ServiceType, day: dt.date) -> None:
    """Tell each waiting resident once when ``office.notify_ahead`` or fewer are ahead."""
    if not office.notify_ahead:
        return
    for ticket in (
        waiting(office, day)
        .filter(service_type=service, near_notified=False)
        .exclude(phone="", resident__isnull=True)
        .select_related("office", "service_type", "resident")
        .order_by("-priority", "issued_at")[: office.notify_ahead + 5]
    ):
        people = ahead(ticket)
        if people <= office.notify_ahead:
            Ticket.objects.filter(pk=ticket.pk).update(near_notified=True)
            _notify(ticket, "queueing.near", ahead=people)
