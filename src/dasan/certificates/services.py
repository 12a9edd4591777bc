"""사전발급: documents of the national systems (등·초본, 가족관계증명서 …) prepared before the
visit. The only place where a request changes; reads are in ``selectors.py``, city-issued
documents in ``issuing.py``, 문서 진위확인 in ``verification.py``.

1. The resident :func:`request_document` — type, options, copies, office and a pickup time
   (one of ``selectors.pickup_slots``). The fee is fixed from the catalogue now and paid at
   the counter; at most :data:`MAX_OPEN_REQUESTS` open requests per resident.
2. Staff :func:`start_preparing` (접수), :func:`attach_file` (the national system's PDF, kept
   only until pickup) and :func:`mark_ready` (the resident is told).
3. On the pickup day the resident gets a priority ticket at the office's 서류 수령 service
   (:func:`take_pickup_ticket`; at once when it was ready that day).
4. :func:`record_collection` at the counter: who checked the resident's identity and with
   which kind of ID — never the ID's number — and whether the fee was paid; the file is
   deleted. Residents :func:`cancel_request` before it is ready, staff any open one with a
   reason; :func:`expire_uncollected` (hourly job) closes what nobody collected.

Every function takes the request first and who acts as ``actor=``; staff steps refuse
anyone else who is not staff (``staff_only``, 403) and staff who do not handle requests
(``selectors.handles_requests``: the same 404 as for no request). Every change is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dasan.accounts.permissions import require_staff
from dasan.certificates.errors import Code
from dasan.core import audit
from dasan.core.errors import Conflict, DasanError, NotFound, PermissionDenied
from dasan.core.links import public_url
from dasan.core.timefmt import fmt, fmt_date, local_date
from dasan.queueing import services as queueing

from .models import DocumentRequest, DocumentType, IdKind, RequestStatus, Source
from .selectors import (
    OPEN,
    city_name,
    earliest_pickup,
    expired_requests,
    get_office,
    get_type,
    handles_requests,
    open_requests,
    parse_pickup,
    pickup_slots,
    processing_label,
    request_not_found,
)
from .uploads import read_pdf_upload

logger = logging.getLogger("dasan.certificates")

MAX_OPEN_REQUESTS = 10


def _require_staff(user) -> None:
    """Staff who handle requests (``selectors.handles_requests``): anyone else who is not
    staff gets ``staff_only`` (403), other staff the same 404 as for no request."""
    require_staff(user, _("담당 공무원만 할 수 있습니다."))
    if not handles_requests(user):
        raise request_not_found()


# --- asking -------------------------------------------------------------------------------------


def _clean_options(doc_type: DocumentType, options) -> dict:
    allowed = {str(o.get("key")): str(o.get("label", "")) for o in (doc_type.options or []) if isinstance(o, dict)}
    chosen = {}
    for key, value in dict(options or {}).items():
        if key not in allowed:
            raise DasanError(
                Code.UNKNOWN_OPTION,
                _("이 서류에 없는 선택 항목입니다: %(key)s") % {"key": str(key)[:40]},
                field="options",
            )
        chosen[key] = bool(value) and str(value).lower() not in ("0", "false", "off", "no")
    return {key: chosen.get(key, False) for key in allowed}


def _clean_copies(doc_type: DocumentType, copies) -> int:
    try:
        copies = int(copies)
    except (TypeError, ValueError):
        copies = 0
    if not 1 <= copies <= doc_type.max_copies:
        raise DasanError(
            Code.INVALID_COPIES,
            _("부수는 1에서 %(max)d 사이로 정해 주세요.") % {"max": doc_type.max_copies},
            field="copies",
        )
    return copies


def _clean_pickup(doc_type: DocumentType, pickup_at, now: dt.datetime) -> dt.datetime:
    moment = parse_pickup(pickup_at)
    earliest = earliest_pickup(doc_type, now)
    if moment < earliest:
        raise DasanError(
            Code.PICKUP_TOO_EARLY,
            _("이 서류는 준비에 %(time)s이 걸립니다. %(when)s 이후로 골라 주세요.")
            % {"time": processing_label(doc_type), "when": fmt(earliest)},
            field="pickup_at",
        )
    allowed = {m for _day, times in pickup_slots(doc_type, now) for m in times}
    if moment not in allowed:
        raise DasanError(
            Code.INVALID_PICKUP_TIME, _("민원실 운영 시간 안의 수령 시간을 골라 주세요."), field="pickup_at"
        )
    return moment


def request_document(
    doc_type,
    *,
    actor,
    office,
    pickup_at,
    copies=1,
    options=None,
    purpose: str = "",
    now: dt.datetime | None = None,
) -> DocumentRequest:
    """``actor`` (a signed-in resident) asks for ``doc_type`` to be prepared for pickup at
    ``office`` at ``pickup_at``."""
    now = now or timezone.now()
    if not (getattr(actor, "is_authenticated", False) and actor.is_active):
        raise PermissionDenied(Code.LOGIN_REQUIRED, _("로그인한 주민만 신청할 수 있습니다."))
    doc_type = get_type(doc_type)
    if doc_type.source != Source.NATIONAL:
        raise DasanError(
            Code.ISSUED_ONLINE,
            _("이 서류는 방문하지 않고 온라인으로 바로 발급받을 수 있습니다."),
            field="document_type",
        )
    office = get_office(office)
    copies = _clean_copies(doc_type, copies)
    chosen = _clean_options(doc_type, options)
    purpose = " ".join(str(purpose or "").split())[:100]
    moment = _clean_pickup(doc_type, pickup_at, now)
    with transaction.atomic():
        # One resident's requests are counted under a lock on their row: two tabs cannot
        # both slip past the limit.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).exists()
        if open_requests(actor) >= MAX_OPEN_REQUESTS:
            raise Conflict(
                Code.TOO_MANY_REQUESTS,
                _("진행 중인 신청이 너무 많습니다. 받은 서류를 찾아가거나 취소한 뒤 신청해 주세요."),
            )
        req = DocumentRequest.objects.create(
            resident=actor,
            document_type=doc_type,
            office=office,
            pickup_at=moment,
            copies=copies,
            options=chosen,
            purpose=purpose,
            fee=doc_type.fee,
            created_at=now,
        )
        audit.record(
            "certificates.request",
            actor=actor,
            target=req,
            data={"type": doc_type.code, "office": office.code, "copies": copies},
        )
        _notify(req, "certificates.requested")
    return req


# --- preparing ----------------------------------------------------------------------------------


def _lock(req) -> DocumentRequest:
    pk = req.pk if isinstance(req, DocumentRequest) else req
    return (
        DocumentRequest.objects.select_for_update(of=("self",))
        .select_related("document_type", "office", "resident")
        .get(pk=pk)
    )


def _want(req: DocumentRequest, *statuses) -> None:
    if req.status not in statuses:
        raise Conflict(
            Code.WRONG_STATUS, _("지금 상태(%(status)s)에서는 할 수 없습니다.") % {"status": req.get_status_display()}
        )


def start_preparing(req, *, actor) -> DocumentRequest:
    """접수: a clerk takes the request and starts preparing it."""
    _require_staff(actor)
    with transaction.atomic():
        req = _lock(req)
        _want(req, RequestStatus.REQUESTED)
        req.status = RequestStatus.PREPARING
        req.prepared_by = actor
        req.save(update_fields=["status", "prepared_by"])
        audit.record("certificates.preparing", actor=actor, target=req)
    return req


def attach_file(req, upload, *, actor) -> DocumentRequest:
    """Attach the PDF the national system produced (kept until pickup, then deleted)."""
    _require_staff(actor)
    data = read_pdf_upload(upload)
    with transaction.atomic():
        req = _lock(req)
        _want(req, RequestStatus.REQUESTED, RequestStatus.PREPARING, RequestStatus.READY)
        req.file = data
        req.file_sha256 = hashlib.sha256(data).hexdigest()
        if req.status == RequestStatus.REQUESTED:
            req.status = RequestStatus.PREPARING
        req.prepared_by = actor
        req.save(update_fields=["file", "file_sha256", "status", "prepared_by"])
        audit.record(
            "certificates.attach", actor=actor, target=req, data={"sha256": req.file_sha256, "bytes": len(data)}
        )
    return req


def mark_ready(req, *, actor, now: dt.datetime | None = None) -> DocumentRequest:
    """준비 완료: the resident is told; on the pickup day a priority ticket is issued at once."""
    _require_staff(actor)
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(req)
        _want(req, RequestStatus.REQUESTED, RequestStatus.PREPARING)
        req.status = RequestStatus.READY
        req.ready_at = now
        req.prepared_by = req.prepared_by or actor
        req.save(update_fields=["status", "ready_at", "prepared_by"])
        audit.record("certificates.ready", actor=actor, target=req)
    if local_date(req.pickup_at) <= local_date(now):
        try:
            req = take_pickup_ticket(req, actor=req.resident, now=now)
        except DasanError as error:  # the office is closed now: the resident takes it later
            logger.info("no ticket for %s at ready time: %s", req.code, error.code)
    with transaction.atomic():
        _notify(req, "certificates.ready")
    return req


# --- pickup -------------------------------------------------------------------------------------


def take_pickup_ticket(req, *, actor, now: dt.datetime | None = None) -> DocumentRequest:
    """번호표 받기: on (or after) the pickup day, a priority ticket at the office's
    document-pickup counter for the request's resident (``actor``). A second call returns
    the ticket already taken."""
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(req)
        if req.resident_id != getattr(actor, "pk", None):
            raise NotFound(Code.REQUEST_NOT_FOUND, _("신청을 찾을 수 없습니다."))
        if req.ticket_number:
            return req
        _want(req, RequestStatus.READY)
        if local_date(req.pickup_at) > local_date(now):
            raise DasanError(
                Code.NOT_PICKUP_DAY,
                _("번호표는 수령일(%(day)s)에 받을 수 있습니다.") % {"day": fmt_date(req.pickup_at)},
            )
        ticket = queueing.take_ticket(
            req.office,
            queueing.pickup_service_type(req.office),
            actor=req.resident,
            channel="pickup",
            priority=True,
            reference=req.code,
            now=now,
        )
        req.ticket_number = str(ticket.number)[:20]
        try:
            req.ticket_url = ticket.get_absolute_url()[:200]
        except Exception:  # noqa: BLE001 - a ticket without a page still has its number
            req.ticket_url = ""
        req.save(update_fields=["ticket_number", "ticket_url"])
        audit.record("certificates.ticket", actor=actor, target=req, data={"ticket": req.ticket_number})
    return req


def record_collection(
    req, *, actor, id_kind: str = "", fee_paid: bool = True, now: dt.datetime | None = None
) -> DocumentRequest:
    """수령: identity checked at the counter (who checked, which kind of ID — not its
    number), fee taken, document handed over. The prepared file is deleted."""
    _require_staff(actor)
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(req)
        _want(req, RequestStatus.READY)
        if req.document_type.identity_check and id_kind not in IdKind.values:
            raise DasanError(Code.ID_CHECK_REQUIRED, _("신분증을 확인하고 그 종류를 골라 주세요."), field="id_kind")
        if id_kind and id_kind not in IdKind.values:
            raise DasanError(Code.INVALID_ID_KIND, _("신분증 종류를 다시 골라 주세요."), field="id_kind")
        req.status = RequestStatus.COLLECTED
        req.collected_at = now
        req.closed_at = now
        req.id_kind = id_kind
        req.id_checked_by = actor if id_kind else None
        req.fee_paid = bool(fee_paid) or req.total_fee == 0
        req.file = None
        req.save(update_fields=["status", "collected_at", "closed_at", "id_kind", "id_checked_by", "fee_paid", "file"])
        audit.record(
            "certificates.collected",
            actor=actor,
            target=req,
            data={"id_kind": id_kind, "fee": req.total_fee, "fee_paid": req.fee_paid},
        )
    return req


# --- closing ------------------------------------------------------------------------------------


def cancel_request(req, *, actor, reason: str = "", now: dt.datetime | None = None) -> DocumentRequest:
    """Cancel: the resident before it is ready, staff any open request (with a reason the
    resident is sent)."""
    now = now or timezone.now()
    staff = handles_requests(actor)
    with transaction.atomic():
        req = _lock(req)
        if not staff and req.resident_id != getattr(actor, "pk", None):
            raise NotFound(Code.REQUEST_NOT_FOUND, _("신청을 찾을 수 없습니다."))
        if staff:
            _want(req, *OPEN)
            if not reason.strip():
                raise DasanError(Code.REASON_REQUIRED, _("취소 사유를 적어 주세요."), field="reason")
        elif req.status not in (RequestStatus.REQUESTED, RequestStatus.PREPARING):
            raise Conflict(Code.TOO_LATE_TO_CANCEL, _("이미 준비된 서류는 취소할 수 없습니다. 민원실에 문의해 주세요."))
        req.status = RequestStatus.CANCELLED
        req.closed_at = now
        req.reason = " ".join(reason.split())[:200]
        req.file = None
        req.save(update_fields=["status", "closed_at", "reason", "file"])
        audit.record("certificates.cancel", actor=actor, target=req, reason=req.reason)
        if staff:
            _notify(req, "certificates.cancelled")
    return req


def expire_uncollected(now: dt.datetime | None = None) -> int:
    """Close ready requests nobody collected within ``ready_keep_days`` of the pickup
    day (the prepared file is deleted); the resident is told. Periodic job."""
    now = now or timezone.now()
    count = 0
    for pk in expired_requests(now):
        with transaction.atomic():
            req = _lock(pk)
            if req.status != RequestStatus.READY:
                continue
            req.status = RequestStatus.EXPIRED
            req.closed_at = now
            req.file = None
            req.save(update_fields=["status", "closed_at", "file"])
            audit.record("certificates.expired", target=req)
            _notify(req, "certificates.expired")
            count += 1
    return count


# --- texts --------------------------------------------------------------------------------------


def _notify(req: DocumentRequest, template: str) -> None:
    from dasan.notify.services import enqueue

    resident = req.resident
    with translation.override(getattr(resident, "language", None) or "ko"):
        context = {
            "city": city_name(),
            "code": req.code,
            "document": req.document_type.name,
            "office": req.office.name,
            "when": fmt(req.pickup_at),
            "fee": f"{req.total_fee:,}",
            "reason": req.reason,
            "url": public_url(reverse("certificates:request", args=[req.pk])),
            "ticket": req.ticket_number,
        }
    try:
        enqueue(template, recipient=resident, context=context)
    except DasanError as error:  # no address to send to: the request stands
        logger.warning("notification %s for %s not sent: %s", template, req.code, error.code)
