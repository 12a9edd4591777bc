"""Reads of 번호표: offices, tickets, the line and the expected wait — nothing here changes a row.

``services.py`` keeps the state changes (taking a number, calling, finishing); pages, the
API and other apps (``certificates`` finds the office a document is collected at) read here.

The expected wait is the median time a ticket of the same service took at a counter of the
office recently (the last :data:`HISTORY_TICKETS` served tickets of :data:`HISTORY_DAYS`
days; at least three, else the service type's configured minutes), times the people ahead,
divided by the open counters serving it, rounded up. Priority tickets (assistance, document
pickups) go before the others, each group in the order it was issued.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.core import calendar
from dasan.core.errors import NotFound
from dasan.core.timefmt import local, local_date

from .errors import Code
from .models import PICKUP, Counter, Office, ServiceType, Ticket, TicketStatus

HISTORY_DAYS = 14  # service times from this many past days feed the wait estimate
HISTORY_TICKETS = 50

# --- offices and service types ------------------------------------------------------------------------


def offices() -> QuerySet[Office]:
    """The offices in service, by name."""
    return Office.objects.filter(is_active=True).order_by("name")


def get_office(value) -> Office:
    """An office by code or id (in service or not: a closed one says why); ``unknown_office`` (404)."""
    if isinstance(value, Office):
        return value
    office = Office.objects.filter(
        Q(code=str(value)) | Q(pk=int(value)) if str(value).isdigit() else Q(code=str(value))
    ).first()
    if office is None:
        raise NotFound(Code.UNKNOWN_OFFICE, _("찾는 민원실이 없습니다."))
    return office


def find_office(value) -> Office | None:
    """An office in service by its code (or the Office given), else None — for callers that
    answer with their own error."""
    if isinstance(value, Office):
        return value
    return Office.objects.filter(code=str(value or "").strip()[:40], is_active=True).first()


def get_service_type(value) -> ServiceType:
    """A service type by code or id; ``unknown_service`` (404)."""
    if isinstance(value, ServiceType):
        return value
    text = str(value or "").strip()
    found = ServiceType.objects.filter(Q(code=text) | Q(pk=int(text)) if text.isdigit() else Q(code=text)).first()
    if found is None:
        raise NotFound(Code.UNKNOWN_SERVICE, _("업무 종류를 목록에서 골라 주세요."), field="service_type")
    return found


def services_of(office: Office) -> list[ServiceType]:
    """The service types some open counter of the office serves."""
    return list(
        ServiceType.objects.filter(counters__office=office, counters__is_open=True)
        .distinct()
        .order_by("position", "name")
    )


def open_counters(office: Office, service: ServiceType) -> int:
    """How many open counters of the office serve ``service``."""
    return Counter.objects.filter(office=office, is_open=True, service_types=service).count()


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


# --- tickets and the wait -------------------------------------------------------------------------------


def ticket_by_token(token) -> Ticket:
    """The ticket whose page token is ``token`` (the token is the capability); ``unknown_ticket`` (404)."""
    ticket = (
        Ticket.objects.select_related("office", "service_type", "counter").filter(token=str(token or "")).first()
        if token
        else None
    )
    if ticket is None:
        raise NotFound(Code.UNKNOWN_TICKET, _("번호표를 찾을 수 없습니다."))
    return ticket


def waiting(office: Office, day: dt.date) -> QuerySet[Ticket]:
    """The office's tickets of ``day`` still waiting to be called."""
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
    return waiting(ticket.office, ticket.issued_on).filter(service_type=ticket.service_type).filter(before).count()


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


def _wait_minutes(per: float, people: int, counters: int) -> int:
    return int(-(-per * people // counters))


def estimate(ticket: Ticket, *, now: dt.datetime | None = None) -> Estimate:
    """People ahead and the expected wait (see the module docstring)."""
    people = ahead(ticket)
    per, history = service_minutes(ticket.office, ticket.service_type, now=now)
    counters = open_counters(ticket.office, ticket.service_type) or 1
    minutes = 0 if ticket.status != TicketStatus.WAITING else _wait_minutes(per, people, counters)
    return Estimate(people, minutes, history, counters)


# --- what pages show ------------------------------------------------------------------------------------


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
    counts = dict(
        waiting(office, today).values_list("service_type").annotate(n=Count("id")).values_list("service_type", "n")
    )
    return {
        "calls": calls,
        "latest": calls[0] if calls and calls[0].status == TicketStatus.CALLED else None,
        "waiting": [(s, counts.get(s.pk, 0)) for s in services_of(office)],
    }


def office_overview(office: Office, now: dt.datetime) -> dict:
    """The office as the take-a-number page, the kiosk and the API show it: each service
    with the people waiting and the expected wait for a new ticket, and why it is closed
    ("" when open)."""
    rows = []
    for service, people in board(office, now=now)["waiting"]:
        per, _history = service_minutes(office, service, now=now)
        counters = open_counters(office, service) or 1
        rows.append({"service": service, "waiting": people, "minutes": _wait_minutes(per, people, counters)})
    return {"office": office, "rows": rows, "closed": open_state(office, now)}


# --- counters -------------------------------------------------------------------------------------------


def get_counter(pk) -> Counter:
    """A counter by id; ``unknown_counter`` (404)."""
    counter = Counter.objects.select_related("office").filter(pk=pk).first() if str(pk).isdigit() else None
    if counter is None:
        raise NotFound(Code.UNKNOWN_COUNTER, _("찾는 창구가 없습니다."))
    return counter


def counters_by_office() -> list[tuple[Office, list[Counter]]]:
    """Every office in service with its counters (and what each serves), for picking one."""
    return [(office, list(office.counters.prefetch_related("service_types"))) for office in offices()]


def other_counters(counter: Counter) -> QuerySet[Counter]:
    """The other counters of the same office (where a ticket can be transferred)."""
    return Counter.objects.filter(office=counter.office).exclude(pk=counter.pk)


def service_types() -> QuerySet[ServiceType]:
    """Every service type (where a ticket can be transferred)."""
    return ServiceType.objects.all()


def current(counter: Counter) -> Ticket | None:
    """The ticket the counter has called and not finished, if any."""
    return Ticket.objects.filter(counter=counter, status=TicketStatus.CALLED).select_related("service_type").first()


def counter_line(counter: Counter, day: dt.date | None = None, *, limit: int = 50) -> list[Ticket]:
    """The waiting tickets this counter may call — those transferred to it, of its service
    types, and document pickups (every counter hands those over) — priority first, then by
    issue time."""
    types = set(counter.service_types.values_list("pk", flat=True))
    rows = (
        waiting(counter.office, day or local_date())
        .select_related("service_type")
        .order_by("-priority", "issued_at", "id")[:limit]
    )
    return [
        t
        for t in rows
        if t.service_type_id in types or t.target_counter_id == counter.pk or t.service_type.code == PICKUP
    ]
