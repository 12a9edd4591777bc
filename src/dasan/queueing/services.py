"""번호표 services: the only place where tickets change.

* ``take_ticket`` locks the office's sequence row for the day and service type, so two
  residents pressing the button at the same instant get consecutive numbers; the unique
  constraints (office, day, number) and (office, type, day, sequence) make a duplicate
  impossible even if the lock were bypassed. Numbers start again each day because the day
  is part of the key.
* ``call_next`` locks the counter row (one call at a time per counter) and takes the first
  waiting ticket it may serve with ``SELECT … FOR UPDATE SKIP LOCKED``, so two counters
  calling at once never get the same ticket; the partial unique constraint keeps one
  called ticket per counter.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dasan.core import audit, calendar
from dasan.core.errors import Conflict, CoreCode, DasanError, NotFound, PermissionDenied
from dasan.queueing.errors import Code

from .models import LIVE, PICKUP, Channel, Counter, Office, ServiceType, Ticket, TicketSequence, TicketStatus

HISTORY_DAYS = 14  # service times from this many past days feed the wait estimate
HISTORY_TICKETS = 50


def _zone():
    return timezone.get_default_timezone()


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, _zone())


def get_office(value) -> Office:
    if isinstance(value, Office):
        return value
    office = Office.objects.filter(
        Q(code=str(value)) | Q(pk=int(value)) if str(value).isdigit() else Q(code=str(value))
    ).first()
    if office is None:
        raise NotFound(Code.UNKNOWN_OFFICE, _("찾는 민원실이 없습니다."))
    return office


def get_service_type(value) -> ServiceType:
    if isinstance(value, ServiceType):
        return value
    text = str(value or "").strip()
    found = ServiceType.objects.filter(Q(code=text) | Q(pk=int(text)) if text.isdigit() else Q(code=text)).first()
    if found is None:
        raise NotFound(Code.UNKNOWN_SERVICE, _("업무 종류를 목록에서 골라 주세요."), field="service_type")
    return found


def offices():
    return Office.objects.filter(is_active=True).order_by("name")


def services_of(office: Office) -> list[ServiceType]:
    """The service types some open counter of the office serves."""
    return list(
        ServiceType.objects.filter(counters__office=office, counters__is_open=True)
        .distinct()
        .order_by("position", "name")
    )


def pickup_service_type(office: Office) -> ServiceType:
    """서류 수령 (documents prepared in advance), served at every office."""
    found, _created = ServiceType.objects.get_or_create(
        code=PICKUP, defaults={"name": "서류 수령", "prefix": "P", "default_minutes": 3, "position": 90}
    )
    return found


def open_state(office: Office, now: dt.datetime) -> str:
    """ "" when tickets can be taken now, else why not (in the active language)."""
    if not office.is_active:
        return _("지금은 운영하지 않는 민원실입니다.")
    today = local(now).date()
    if not office.open_every_day and not calendar.is_business_day(today):
        return _("오늘은 업무를 하지 않는 날입니다. 평일 %(opens)s–%(cutoff)s에 번호표를 받을 수 있습니다.") % {
            "opens": f"{office.opens:%H:%M}",
            "cutoff": f"{office.cutoff:%H:%M}",
        }
    moment = local(now).time()
    if moment < office.opens:
        return _("번호표는 %(opens)s부터 받을 수 있습니다.") % {"opens": f"{office.opens:%H:%M}"}
    if moment >= office.cutoff:
        return _("오늘 번호표 발급은 %(cutoff)s에 마감했습니다.") % {"cutoff": f"{office.cutoff:%H:%M}"}
    return ""


def _phone(value) -> str:
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    if not digits:
        return ""
    if not (digits.startswith("01") and len(digits) in (10, 11)):
        raise DasanError(Code.INVALID_PHONE, _("휴대전화 번호를 010-1234-5678처럼 적어 주세요."), field="phone")
    return digits


def take_ticket(
    *,
    office,
    service_type,
    resident=None,
    phone="",
    channel=Channel.WEB,
    priority=False,
    reference="",
    needs_assistance=False,
    now: dt.datetime | None = None,
) -> Ticket:
    """번호표 발급. Refused: ``unknown_office`` / ``unknown_service`` (404), ``office_closed``
    (409: not a business day, before opening, after the cut-off, inactive),
    ``service_not_offered``, ``invalid_phone``, ``already_waiting`` (409 with the live
    ticket's ``number``: one live ticket per resident and office). A resident who needs
    assistance, or a prepared-document pickup, is called first (``priority``)."""
    now = now or timezone.now()
    office, service = get_office(office), get_service_type(service_type)
    if channel not in Channel.values:
        channel = Channel.WEB
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
    phone = _phone(phone)
    if not phone and resident is not None and getattr(resident, "phone", ""):
        phone = resident.phone
    today = local(now).date()
    with transaction.atomic():
        if resident is not None and getattr(resident, "pk", None):
            live = Ticket.objects.filter(office=office, issued_on=today, resident=resident, status__in=LIVE).first()
            if live is not None:
                raise Conflict(
                    Code.ALREADY_WAITING,
                    _("이미 받은 번호표(%(number)s)가 있습니다.") % {"number": live.number},
                    number=live.number,
                    url=live.get_absolute_url(),
                )
        TicketSequence.objects.get_or_create(office=office, service_type=service, day=today)
        sequence = TicketSequence.objects.select_for_update().get(office=office, service_type=service, day=today)
        sequence.last += 1
        sequence.save(update_fields=["last"])
        ticket = Ticket.objects.create(
            office=office,
            service_type=service,
            issued_on=today,
            sequence=sequence.last,
            number=f"{service.prefix}{sequence.last:03d}",
            priority=bool(priority) or bool(needs_assistance),
            needs_assistance=bool(needs_assistance),
            channel=channel,
            resident=resident if getattr(resident, "pk", None) else None,
            phone=phone,
            reference=str(reference or "")[:60],
            issued_at=now,
        )
        audit.record(
            "queueing.take",
            actor=resident if getattr(resident, "pk", None) else None,
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


def ticket_by_token(token) -> Ticket:
    ticket = (
        Ticket.objects.select_related("office", "service_type", "counter").filter(token=str(token or "")).first()
        if token
        else None
    )
    if ticket is None:
        raise NotFound(Code.UNKNOWN_TICKET, _("번호표를 찾을 수 없습니다."))
    return ticket


def _waiting(office: Office, day: dt.date):
    return Ticket.objects.filter(office=office, issued_on=day, status=TicketStatus.WAITING)


def ahead(ticket: Ticket) -> int:
    """How many waiting tickets of the same service would be called before this one."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    before = Q(priority=True, issued_at__lt=ticket.issued_at) | Q(
        priority=True, issued_at=ticket.issued_at, pk__lt=ticket.pk
    )
    if not ticket.priority:
        before |= Q(priority=True) | Q(issued_at__lt=ticket.issued_at) | Q(issued_at=ticket.issued_at, pk__lt=ticket.pk)
    return _waiting(ticket.office, ticket.issued_on).filter(service_type=ticket.service_type).filter(before).count()


def service_minutes(office: Office, service: ServiceType, *, now: dt.datetime | None = None) -> tuple[float, bool]:
    """Median minutes a ticket of ``service`` took at a counter of ``office`` recently,
    and whether that comes from history (False: the type's configured default)."""
    now = now or timezone.now()
    since = local(now).date() - dt.timedelta(days=HISTORY_DAYS)
    rows = (
        Ticket.objects.filter(
            office=office,
            service_type=service,
            status=TicketStatus.SERVED,
            issued_on__gte=since,
            called_at__isnull=False,
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("called_at", "finished_at")[:HISTORY_TICKETS]
    )
    minutes = [(b - a).total_seconds() / 60 for a, b in rows if b > a]
    if len(minutes) >= 3:
        return statistics.median(minutes), True
    return float(service.default_minutes), False


@dataclass(frozen=True)
class Estimate:
    ahead: int
    minutes: int  # rounded up; 0 when it is the ticket's turn
    from_history: bool
    counters: int


def estimate(ticket: Ticket, *, now: dt.datetime | None = None) -> Estimate:
    """People ahead and the expected wait: median service time × (people ahead) ÷ open
    counters serving the type."""
    people = ahead(ticket)
    per, history = service_minutes(ticket.office, ticket.service_type, now=now)
    counters = (
        Counter.objects.filter(office=ticket.office, is_open=True, service_types=ticket.service_type).count() or 1
    )
    minutes = 0 if ticket.status != TicketStatus.WAITING else int(-(-per * people // counters))
    return Estimate(people, minutes, history, counters)


# --- counters -------------------------------------------------------------------------------------


def _staff(user) -> None:
    if not (getattr(user, "is_city_staff", False) and user.is_active):
        raise PermissionDenied(CoreCode.FORBIDDEN, _("담당 공무원만 할 수 있습니다."))


def get_counter(pk) -> Counter:
    counter = Counter.objects.select_related("office").filter(pk=pk).first() if str(pk).isdigit() else None
    if counter is None:
        raise NotFound(Code.UNKNOWN_COUNTER, _("찾는 창구가 없습니다."))
    return counter


def current(counter: Counter) -> Ticket | None:
    return Ticket.objects.filter(counter=counter, status=TicketStatus.CALLED).select_related("service_type").first()


def call_next(staff, counter, *, now: dt.datetime | None = None) -> Ticket | None:
    """호출: the next ticket this counter may serve — a ticket transferred to this counter
    first, then priority ones, then in the order they were issued — among the service
    types the counter serves. ``counter_busy`` (409) while it still has a called ticket;
    None when nobody waits."""
    _staff(staff)
    now = now or timezone.now()
    with transaction.atomic():
        counter = (
            Counter.objects.select_for_update()
            .select_related("office")
            .get(pk=get_counter(counter.pk if isinstance(counter, Counter) else counter).pk)
        )
        busy = current(counter)
        if busy is not None:
            raise Conflict(
                Code.COUNTER_BUSY,
                _("%(number)s번 처리를 먼저 끝내 주세요 (완료·부재·이관).") % {"number": busy.number},
                number=busy.number,
            )
        # Every counter can hand over documents prepared in advance (서류 수령).
        types = list(counter.service_types.values_list("pk", flat=True))
        types += list(ServiceType.objects.filter(code=PICKUP).values_list("pk", flat=True))
        waiting = _waiting(counter.office, local(now).date())
        ticket = None
        for candidates in (
            waiting.filter(target_counter=counter),  # sent here by another counter: first
            waiting.filter(target_counter__isnull=True, service_type__in=types),
        ):
            ticket = (
                candidates.select_for_update(skip_locked=True, of=("self",))
                .order_by("-priority", "issued_at", "id")
                .first()
            )
            if ticket is not None:
                break
        if ticket is None:
            return None
        ticket.status, ticket.counter, ticket.called_at, ticket.served_by = TicketStatus.CALLED, counter, now, staff
        ticket.target_counter = None
        try:
            with transaction.atomic():
                ticket.save(update_fields=["status", "counter", "called_at", "served_by", "target_counter"])
        except IntegrityError:
            raise Conflict(Code.COUNTER_BUSY, _("이 창구는 이미 다른 번호를 호출했습니다.")) from None
        audit.record(
            "queueing.call", actor=staff, target=ticket, data={"counter": counter.number, "number": ticket.number}
        )
        _notify(ticket, "queueing.called")
        _notify_near(counter.office, ticket.service_type, local(now).date())
    return ticket


def _live_at(staff, counter) -> Ticket:
    ticket = current(counter)
    if ticket is None:
        raise Conflict(Code.NOTHING_CALLED, _("호출한 번호가 없습니다."))
    return ticket


def recall(staff, counter, *, now: dt.datetime | None = None) -> Ticket:
    """재호출: show and announce the called number again."""
    _staff(staff)
    now = now or timezone.now()
    with transaction.atomic():
        counter = Counter.objects.select_for_update().get(
            pk=get_counter(counter.pk if isinstance(counter, Counter) else counter).pk
        )
        ticket = _live_at(staff, counter)
        ticket.recalled_at = now
        ticket.save(update_fields=["recalled_at"])
        audit.record("queueing.recall", actor=staff, target=ticket)
    return ticket


def finish(staff, counter, outcome: str, *, now: dt.datetime | None = None) -> Ticket:
    """처리 완료 (``served``) or 부재 (``no_show``) of the counter's called ticket."""
    _staff(staff)
    if outcome not in (TicketStatus.SERVED, TicketStatus.NO_SHOW):
        raise DasanError(Code.INVALID_OUTCOME, _("처리 결과를 골라 주세요."))
    now = now or timezone.now()
    with transaction.atomic():
        counter = Counter.objects.select_for_update().get(
            pk=get_counter(counter.pk if isinstance(counter, Counter) else counter).pk
        )
        ticket = _live_at(staff, counter)
        ticket.status, ticket.finished_at = outcome, now
        ticket.save(update_fields=["status", "finished_at"])
        audit.record(f"queueing.{outcome}", actor=staff, target=ticket)
    return ticket


def transfer(staff, counter, *, to_counter=None, to_service=None, now: dt.datetime | None = None) -> Ticket:
    """이관: the called ticket goes back to waiting for another counter (called there first)
    or another service type, keeping its place in line."""
    _staff(staff)
    if not to_counter and not to_service:
        raise DasanError(Code.TRANSFER_TARGET, _("보낼 창구나 업무를 골라 주세요."), field="to_counter")
    with transaction.atomic():
        counter = Counter.objects.select_for_update().get(
            pk=get_counter(counter.pk if isinstance(counter, Counter) else counter).pk
        )
        ticket = _live_at(staff, counter)
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
            actor=staff,
            target=ticket,
            data={"from": counter.number, "to": target.number if target else None, "service": ticket.service_type.code},
        )
    return ticket


def cancel(ticket: Ticket, *, actor=None) -> Ticket:
    """The resident gives up their ticket (from its page)."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status != TicketStatus.WAITING:
            raise Conflict(Code.NOT_WAITING, _("기다리는 중인 번호표만 취소할 수 있습니다."))
        ticket.status, ticket.finished_at = TicketStatus.CANCELLED, timezone.now()
        ticket.save(update_fields=["status", "finished_at"])
        audit.record("queueing.cancel", actor=actor if getattr(actor, "pk", None) else None, target=ticket)
        _notify_near(ticket.office, ticket.service_type, ticket.issued_on)
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


# --- the hall display and statistics ----------------------------------------------------------------


def board(office: Office, *, now: dt.datetime | None = None, limit: int = 8) -> dict:
    """What the hall display shows: the latest calls (number → counter), waiting counts
    per service type. Numbers only, never names."""
    now = now or timezone.now()
    today = local(now).date()
    calls = list(
        Ticket.objects.filter(
            office=office,
            issued_on=today,
            called_at__isnull=False,
            status__in=(TicketStatus.CALLED, TicketStatus.SERVED, TicketStatus.NO_SHOW),
        )
        .select_related("counter", "service_type")
        .order_by("-called_at")[:limit]
    )
    calls.sort(key=lambda t: max(t.called_at, t.recalled_at or t.called_at), reverse=True)
    waiting = dict(
        _waiting(office, today).values_list("service_type").annotate(n=Count("id")).values_list("service_type", "n")
    )
    return {
        "calls": calls,
        "latest": calls[0] if calls and calls[0].status == TicketStatus.CALLED else None,
        "waiting": [(s, waiting.get(s.pk, 0)) for s in services_of(office)],
    }


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
        _waiting(office, day)
        .filter(service_type=service, near_notified=False)
        .exclude(phone="", resident__isnull=True)
        .select_related("office", "service_type", "resident")
        .order_by("-priority", "issued_at")[: office.notify_ahead + 5]
    ):
        people = ahead(ticket)
        if people <= office.notify_ahead:
            Ticket.objects.filter(pk=ticket.pk).update(near_notified=True)
            _notify(ticket, "queueing.near", ahead=people)
