"""번호표 API (``/api/v1/queue/``): offices with waiting counts, taking a ticket (with an
``Idempotency-Key``: a retry returns the same ticket) and a ticket's live status."""

from __future__ import annotations

import json

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Path, Router, Status

from dasan.accounts.api_auth import session_or_token
from dasan.core import idempotency
from dasan.core.schemas import ErrorOut

from . import selectors, services
from .schemas import OfficeOut, TicketIn, TicketOut

router = Router(tags=["queue"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def ticket_out(ticket) -> dict:
    estimate = selectors.estimate(ticket)
    return {
        "number": ticket.number,
        "office": ticket.office.code,
        "service_type": ticket.service_type.code,
        "status": ticket.status,
        "status_label": str(ticket.get_status_display()),
        "ahead": estimate.ahead,
        "estimated_minutes": estimate.minutes,
        "counter": ticket.counter.number if ticket.counter else None,
        "issued_at": ticket.issued_at,
        "url": ticket.get_absolute_url(),
    }


@router.get("/offices", response=list[OfficeOut], summary="Offices and waiting now")
def list_offices(request: HttpRequest):
    now = timezone.now()
    out = []
    for office in selectors.offices():
        context = selectors.office_overview(office, now)
        out.append(
            {
                "code": office.code,
                "name": office.name,
                "address": office.address,
                "open": not context["closed"],
                "closed_reason": context["closed"],
                "services": [
                    {
                        "code": r["service"].code,
                        "name": r["service"].name,
                        "waiting": r["waiting"],
                        "estimated_minutes": r["minutes"],
                    }
                    for r in context["rows"]
                ],
            }
        )
    return out


@router.post(
    "/tickets", response={201: TicketOut, 200: TicketOut, **ERRORS}, auth=session_or_token, summary="Take a ticket"
)
def take(
    request: HttpRequest,
    data: TicketIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200),
):
    """One live ticket per resident and office (``already_waiting`` 409 otherwise)."""

    def produce():
        ticket = services.take_ticket(
            data.office, data.service_type, actor=request.auth, needs_assistance=data.needs_assistance
        )
        body = ticket_out(ticket)
        body["issued_at"] = body["issued_at"].isoformat()
        return 201, body

    key = (idempotency_key or "").strip()
    if not key:
        status, body = produce()
        return Status(status, body)
    replay = idempotency.run(
        key, scope="queueing.take", owner=str(request.auth.pk), payload=data.dict(), produce=produce
    )
    body = json.loads(replay.body) if isinstance(replay.body, (str, bytes)) else replay.body
    return Status(200 if replay.replayed else replay.status, body)


@router.get("/tickets/{token}", response={200: TicketOut, **ERRORS}, summary="A ticket's status")
def status(request: HttpRequest, token: str = Path(..., min_length=16, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")):
    """The ticket's token is its capability (as on the ticket page): no sign-in needed."""
    return ticket_out(selectors.ticket_by_token(token))
