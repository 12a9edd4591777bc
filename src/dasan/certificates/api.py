"""민원서류 API (``/api/v1/documents/``): the catalogue, pickup times, a resident's
requests for documents prepared before a visit (with an ``Idempotency-Key``: a retry
returns the same request), cancelling, the pickup-day priority ticket, and 문서
진위확인 by number (rate-limited like the page)."""

from __future__ import annotations

import json

from django.http import HttpRequest
from ninja import Header, Path, Query, Router, Status

from dasan.accounts.api_auth import session_or_token
from dasan.core import idempotency
from dasan.core.middleware import client_ip
from dasan.core.schemas import ID_MAX, ErrorOut

from . import numbers, selectors, services, verification
from .models import RequestStatus
from .schemas import DocumentTypeOut, PickupDayOut, RequestIn, RequestOut, VerifyOut

router = Router(tags=["documents"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def type_out(doc_type) -> dict:
    return {
        "code": doc_type.code,
        "name": doc_type.name,
        "source": doc_type.source,
        "fee": doc_type.fee,
        "fee_note": doc_type.fee_note,
        "legal_basis": doc_type.legal_basis,
        "required_info": doc_type.required_info,
        "options": [
            {"key": str(o.get("key", "")), "label": str(o.get("label", ""))}
            for o in (doc_type.options or [])
            if isinstance(o, dict)
        ],
        "identity_check": doc_type.identity_check,
        "processing_hours": doc_type.processing_hours,
        "processing_label": selectors.processing_label(doc_type),
        "max_copies": doc_type.max_copies,
    }


def request_out(req) -> dict:
    return {
        "id": req.pk,
        "code": req.code,
        "document_type": req.document_type.code,
        "document_name": req.document_type.name,
        "office": req.office.code,
        "office_name": req.office.name,
        "pickup_at": req.pickup_at,
        "copies": req.copies,
        "options": dict(req.options or {}),
        "purpose": req.purpose,
        "fee_total": req.total_fee,
        "status": req.status,
        "status_label": str(req.get_status_display()),
        "created_at": req.created_at,
        "ready_at": req.ready_at,
        "ticket_number": req.ticket_number,
        "ticket_url": req.ticket_url,
        "cancellable": req.status in (RequestStatus.REQUESTED, RequestStatus.PREPARING),
        "can_take_ticket": selectors.can_take_ticket(req),
    }


@router.get("/types", response=list[DocumentTypeOut], summary="The catalogue of documents")
def list_types(request: HttpRequest):
    return [type_out(t) for t in selectors.document_types()]


@router.get(
    "/types/{code}/pickup-times", response={200: list[PickupDayOut], **ERRORS}, summary="Pickup times to choose from"
)
def pickup_times(request: HttpRequest, code: str = Path(..., max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")):
    """Every 30 minutes of working time on the next business days, none before the
    document can be ready."""
    doc_type = selectors.get_type(code)
    return [{"day": day, "times": times} for day, times in selectors.pickup_slots(doc_type)]


@router.get("/requests", response={200: list[RequestOut], **ERRORS}, auth=session_or_token, summary="My requests")
def my_requests(request: HttpRequest):
    return [request_out(r) for r in selectors.requests_for(request.auth)[:100]]


@router.post(
    "/requests",
    response={201: RequestOut, 200: RequestOut, **ERRORS},
    auth=session_or_token,
    summary="Ask for a document to be prepared for pickup",
)
def create_request(
    request: HttpRequest,
    data: RequestIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200),
):
    def produce():
        req = services.request_document(
            data.document_type,
            actor=request.auth,
            office=data.office,
            pickup_at=data.pickup_at,
            copies=data.copies,
            options=data.options,
            purpose=data.purpose,
        )
        return 201, json.loads(RequestOut(**request_out(req)).model_dump_json())

    key = (idempotency_key or "").strip()
    if not key:
        status, body = produce()
        return Status(status, body)
    replay = idempotency.run(
        key,
        scope="certificates.request",
        owner=str(request.auth.pk),
        payload=json.loads(data.model_dump_json()),
        produce=produce,
    )
    body = json.loads(replay.body) if isinstance(replay.body, (str, bytes)) else replay.body
    return Status(200 if replay.replayed else replay.status, body)


@router.get(
    "/requests/{request_id}", response={200: RequestOut, **ERRORS}, auth=session_or_token, summary="One of my requests"
)
def get_request(request: HttpRequest, request_id: int = Path(..., ge=1, le=ID_MAX)):
    return request_out(selectors.get_request(request.auth, request_id))


@router.post(
    "/requests/{request_id}/cancel",
    response={200: RequestOut, **ERRORS},
    auth=session_or_token,
    summary="Cancel a request before it is ready",
)
def cancel_request(request: HttpRequest, request_id: int = Path(..., ge=1, le=ID_MAX)):
    req = selectors.get_request(request.auth, request_id)
    return request_out(services.cancel_request(req, actor=request.auth))


@router.post(
    "/requests/{request_id}/ticket",
    response={200: RequestOut, **ERRORS},
    auth=session_or_token,
    summary="Take the priority pickup ticket (on the pickup day)",
)
def take_ticket(request: HttpRequest, request_id: int = Path(..., ge=1, le=ID_MAX)):
    req = selectors.get_request(request.auth, request_id)
    return request_out(services.take_pickup_ticket(req, actor=request.auth))


@router.get("/verify", response={200: VerifyOut, 429: ErrorOut, **ERRORS}, summary="문서 진위확인 by number")
def verify(request: HttpRequest, number: str = Query(..., min_length=1, max_length=40)):
    """Anyone. What may be shown publicly only: title, date, department, the masked holder.
    To check a file too, use the page (``/documents/verify/``)."""
    verification.check_rate(client_ip(request) or "")
    result = verification.verify(number)
    doc = result.document
    return {
        "state": result.state,
        "genuine": result.genuine,
        "number": numbers.display(doc.number) if doc else "",
        "title": doc.title if doc else "",
        "issued_at": doc.issued_at if doc else None,
        "department": doc.department if doc else "",
        "holder": doc.holder_masked if doc else "",
        "reasons": [str(r) for r in result.reasons],
    }
