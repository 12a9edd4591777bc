"""Certificates services: the only place where requests and issued documents change.

* Catalogue: :func:`document_types`, :func:`get_type`.
* 사전발급 (prepared before the visit): :func:`request_document` → staff
  :func:`start_preparing` / :func:`attach_file` / :func:`mark_ready` → the resident's
  :func:`take_pickup_ticket` on the day → :func:`record_collection` at the counter
  (identity checked: who checked and which kind of ID, never its number). Residents
  :func:`cancel_request` before it is ready; :func:`expire_uncollected` (a periodic
  job) closes what nobody collected.
* City-issued documents: :func:`issue_facility_use` (from a reservation the resident
  used), :func:`issue_complaint_result` (from an answered or closed complaint) build,
  seal and sign a PDF with a 문서확인번호; :func:`verify` answers the public
  verification page; :func:`revoke` withdraws one.

See docs/dev/certificates.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dasan.certificates.errors import Code
from dasan.core import audit, calendar, ratelimit
from dasan.core.errors import Conflict, CoreCode, DasanError, NotFound, PermissionDenied, RateLimited

from . import numbers, pdfs, signing
from .models import (
    CertificateSettings,
    DocumentRequest,
    DocumentStatus,
    DocumentType,
    Generator,
    IdKind,
    IssuedDocument,
    RequestStatus,
    Source,
)

logger = logging.getLogger("dasan.certificates")

SLOT_MINUTES = 30
MAX_OPEN_REQUESTS = 10
PDF_MAX_BYTES_DEFAULT = 10 * 1024 * 1024
VERIFY_LIMIT = (30, 600)  # 30 checks per 10 minutes per client


def setting(name: str, default):
    return (getattr(settings, "DASAN", {}) or {}).get(name, default)


def pdf_max_bytes() -> int:
    return int(setting("CERTIFICATES_PDF_MAX_BYTES", PDF_MAX_BYTES_DEFAULT))


def _zone():
    return timezone.get_default_timezone()


def local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, _zone())


def _city_name() -> str:
    from dasan.core.models import Municipality

    city = Municipality.current()
    return city.name if city else "다산시"


def _public(path: str) -> str:
    base = str(setting("PUBLIC_URL", "") or "").rstrip("/")
    return base + path


def _staff(user) -> None:
    if not (getattr(user, "is_city_staff", False) and user.is_active):
        raise PermissionDenied(CoreCode.FORBIDDEN, _("담당 공무원만 할 수 있습니다."))


def mask_name(name: str) -> str:
    """김민수 → 김*수, 이진 → 이*, 남궁민수 → 남**수; empty → "-"."""
    name = " ".join(str(name or "").split())
    if not name:
        return "-"
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# --- catalogue ----------------------------------------------------------------------------------


def document_types(*, source: str = ""):
    """Active catalogue entries in the city's order."""
    qs = DocumentType.objects.filter(active=True)
    if source in Source.values:
        qs = qs.filter(source=source)
    return qs


def get_type(value) -> DocumentType:
    """An active document type by code (or the type itself); ``unknown_document_type`` (404)."""
    if isinstance(value, DocumentType):
        return value
    doc_type = DocumentType.objects.filter(code=str(value or "").strip()[:40], active=True).first()
    if doc_type is None:
        raise NotFound(Code.UNKNOWN_DOCUMENT_TYPE, _("신청할 수 있는 서류를 찾을 수 없습니다."))
    return doc_type


def processing_label(doc_type: DocumentType) -> str:
    hours = doc_type.processing_hours
    per_day = calendar.working_hours().hours_per_day or 8
    if hours and hours % per_day == 0:
        return _("%(days)d근무일") % {"days": int(hours // per_day)}
    return _("%(hours)d근무시간") % {"hours": hours}


# --- pickup times ------------------------------------------------------------------------------


def offices():
    from dasan.queueing.models import Office

    return Office.objects.filter(is_active=True).order_by("name")


def get_office(value):
    from dasan.queueing.models import Office

    if isinstance(value, Office):
        return value
    office = Office.objects.filter(code=str(value or "").strip()[:40], is_active=True).first()
    if office is None:
        raise NotFound(Code.UNKNOWN_OFFICE, _("수령할 수 있는 민원실을 찾을 수 없습니다."))
    return office


def earliest_pickup(doc_type: DocumentType, now: dt.datetime | None = None) -> dt.datetime:
    """The first moment the document can be ready: the processing time in working hours
    (business days only, 09–18 without lunch by default) after ``now``."""
    now = now or timezone.now()
    return calendar.add_working_hours(now, doc_type.processing_hours)


def pickup_slots(doc_type: DocumentType, now: dt.datetime | None = None) -> list[tuple[dt.date, list[dt.datetime]]]:
    """Pickup times to choose from, by day: every 30 minutes of working time on the
    next business days (``pickup_days_ahead``), none before :func:`earliest_pickup`."""
    now = now or timezone.now()
    first = earliest_pickup(doc_type, now)
    hours = calendar.working_hours()
    zone = hours.zone
    day = local(first).date()
    days = []
    horizon = max(1, CertificateSettings.current().pickup_days_ahead)
    guard = 0
    while len(days) < horizon and guard < 60:
        guard += 1
        if calendar.is_business_day(day):
            times = []
            for start, end in hours.segments():
                moment = dt.datetime.combine(day, start, tzinfo=zone)
                stop = dt.datetime.combine(day, end, tzinfo=zone)
                # Nothing to collect in the last half hour before closing.
                while moment + dt.timedelta(minutes=SLOT_MINUTES) <= stop:
                    if moment >= first:
                        times.append(moment)
                    moment += dt.timedelta(minutes=SLOT_MINUTES)
            if times:
                days.append((day, times))
        day += dt.timedelta(days=1)
    return days


def parse_pickup(value) -> dt.datetime:
    """A pickup time from a form or the API (``2026-12-04T10:30``, with or without offset)."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value or "").strip())
        except ValueError:
            raise DasanError(Code.INVALID_PICKUP_TIME, _("수령 일시를 선택해 주세요."), field="pickup_at") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, _zone())
    return moment


# --- requests -----------------------------------------------------------------------------------


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


def option_labels(req: DocumentRequest) -> list[tuple[str, bool]]:
    """(label, chosen) of every option of the request's type, for pages and the queue."""
    labels = []
    for option in req.document_type.options or []:
        if isinstance(option, dict):
            labels.append((str(option.get("label", option.get("key", ""))), bool(req.options.get(option.get("key")))))
    return labels


def request_document(
    resident, doc_type, *, office, pickup_at, copies=1, options=None, purpose: str = "", now: dt.datetime | None = None
) -> DocumentRequest:
    """Ask for a national-system document to be prepared for pickup at ``office`` at
    ``pickup_at`` (one of :func:`pickup_slots`). The fee is taken from the catalogue now
    and paid at the counter."""
    now = now or timezone.now()
    if not (getattr(resident, "is_authenticated", False) and resident.is_active):
        raise PermissionDenied(Code.LOGIN_REQUIRED, _("로그인한 주민만 신청할 수 있습니다."))
    doc_type = get_type(doc_type)
    if doc_type.source != Source.NATIONAL:
        raise DasanError(
            Code.ISSUED_ONLINE,
            _("이 서류는 방문하지 않고 온라인으로 바로 발급받을 수 있습니다."),
            field="document_type",
        )
    office = get_office(office)
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
    chosen = _clean_options(doc_type, options)
    purpose = " ".join(str(purpose or "").split())[:100]
    moment = parse_pickup(pickup_at)
    if moment < earliest_pickup(doc_type, now):
        raise DasanError(
            Code.PICKUP_TOO_EARLY,
            _("이 서류는 준비에 %(time)s이 걸립니다. %(when)s 이후로 골라 주세요.")
            % {"time": processing_label(doc_type), "when": _fmt(earliest_pickup(doc_type, now))},
            field="pickup_at",
        )
    allowed = {m for _day, times in pickup_slots(doc_type, now) for m in times}
    if moment not in allowed:
        raise DasanError(
            Code.INVALID_PICKUP_TIME, _("민원실 운영 시간 안의 수령 시간을 골라 주세요."), field="pickup_at"
        )
    with transaction.atomic():
        # One resident's requests are counted under a lock on their row: two tabs cannot
        # both slip past the limit.
        get_user_model().objects.select_for_update().filter(pk=resident.pk).exists()
        open_count = DocumentRequest.objects.filter(
            resident=resident, status__in=(RequestStatus.REQUESTED, RequestStatus.PREPARING, RequestStatus.READY)
        ).count()
        if open_count >= MAX_OPEN_REQUESTS:
            raise Conflict(
                Code.TOO_MANY_REQUESTS,
                _("진행 중인 신청이 너무 많습니다. 받은 서류를 찾아가거나 취소한 뒤 신청해 주세요."),
            )
        req = DocumentRequest.objects.create(
            resident=resident,
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
            actor=resident,
            target=req,
            data={"type": doc_type.code, "office": office.code, "copies": copies},
        )
        _notify(req, "certificates.requested")
    return req


def requests_for(user):
    return (
        DocumentRequest.objects.filter(resident=user)
        .select_related("document_type", "office")
        .order_by("-created_at", "-id")
    )


def get_request(user, pk) -> DocumentRequest:
    """The resident's own request; anyone else's is ``request_not_found`` (404)."""
    req = None
    if getattr(user, "is_authenticated", False) and str(pk).isdigit():
        req = requests_for(user).filter(pk=int(pk)).first()
    if req is None:
        raise NotFound(Code.REQUEST_NOT_FOUND, _("신청을 찾을 수 없습니다."))
    return req


def staff_request(staff, pk, *, reason: str = "") -> DocumentRequest:
    """Any request, for staff; the read of a resident's request is audited."""
    _staff(staff)
    req = None
    if str(pk).isdigit():
        req = (
            DocumentRequest.objects.select_related("document_type", "office", "resident", "id_checked_by")
            .filter(pk=int(pk))
            .first()
        )
    if req is None:
        raise NotFound(Code.REQUEST_NOT_FOUND, _("신청을 찾을 수 없습니다."))
    audit.record_read(staff, req, reason=reason or "certificates.request")
    return req


def queue(*, office=None, day: dt.date | None = None, status: str = ""):
    """The staff queue: requests by pickup time, for one office and day if given;
    by default everything still open."""
    qs = DocumentRequest.objects.select_related("document_type", "office", "resident")
    if office is not None:
        qs = qs.filter(office=office)
    if day is not None:
        start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=_zone())
        qs = qs.filter(pickup_at__gte=start, pickup_at__lt=start + dt.timedelta(days=1))
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    elif day is None:
        qs = qs.filter(status__in=(RequestStatus.REQUESTED, RequestStatus.PREPARING, RequestStatus.READY))
    return qs.order_by("pickup_at", "id")


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


def start_preparing(staff, req) -> DocumentRequest:
    """접수: a clerk takes the request and starts preparing it."""
    _staff(staff)
    with transaction.atomic():
        req = _lock(req)
        _want(req, RequestStatus.REQUESTED)
        req.status = RequestStatus.PREPARING
        req.prepared_by = staff
        req.save(update_fields=["status", "prepared_by"])
        audit.record("certificates.preparing", actor=staff, target=req)
    return req


def read_pdf_upload(upload, *, max_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded PDF after checking it is one (header and a parse) and
    not larger than ``CERTIFICATES_PDF_MAX_BYTES`` (10 MB)."""
    max_bytes = max_bytes or pdf_max_bytes()
    if upload is None:
        raise DasanError(Code.FILE_REQUIRED, _("PDF 파일을 골라 주세요."), field="file")
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise DasanError(
            Code.FILE_TOO_LARGE,
            _("파일이 너무 큽니다 (최대 %(mb)d MB).") % {"mb": max_bytes // (1024 * 1024)},
            field="file",
        )
    if isinstance(upload, (bytes, bytearray)):
        data = bytes(upload)
    else:
        chunks, total = [], 0
        for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
            total += len(chunk)
            if total > max_bytes:
                raise DasanError(
                    Code.FILE_TOO_LARGE,
                    _("파일이 너무 큽니다 (최대 %(mb)d MB).") % {"mb": max_bytes // (1024 * 1024)},
                    field="file",
                )
            chunks.append(chunk)
        data = b"".join(chunks)
    if len(data) > max_bytes:
        raise DasanError(
            Code.FILE_TOO_LARGE,
            _("파일이 너무 큽니다 (최대 %(mb)d MB).") % {"mb": max_bytes // (1024 * 1024)},
            field="file",
        )
    if not data.lstrip()[:5] == b"%PDF-":
        raise DasanError(Code.NOT_PDF, _("PDF 파일만 올릴 수 있습니다."), field="file")
    try:
        import io

        from pyhanko.pdf_utils.reader import PdfFileReader

        PdfFileReader(io.BytesIO(data), strict=False).root  # noqa: B018 - parses the trailer and catalogue
    except Exception:  # noqa: BLE001 - whatever is wrong with it, it is not a usable PDF
        raise DasanError(Code.NOT_PDF, _("PDF 파일로 읽을 수 없습니다."), field="file") from None
    return data


def attach_file(staff, req, upload) -> DocumentRequest:
    """Attach the PDF the national system produced (kept until pickup, then deleted)."""
    _staff(staff)
    data = read_pdf_upload(upload)
    with transaction.atomic():
        req = _lock(req)
        _want(req, RequestStatus.REQUESTED, RequestStatus.PREPARING, RequestStatus.READY)
        req.file = data
        req.file_sha256 = hashlib.sha256(data).hexdigest()
        if req.status == RequestStatus.REQUESTED:
            req.status = RequestStatus.PREPARING
        req.prepared_by = staff
        req.save(update_fields=["file", "file_sha256", "status", "prepared_by"])
        audit.record(
            "certificates.attach", actor=staff, target=req, data={"sha256": req.file_sha256, "bytes": len(data)}
        )
    return req


def mark_ready(staff, req, *, now: dt.datetime | None = None) -> DocumentRequest:
    """준비 완료: the resident is told; on the pickup day a priority ticket is issued at once."""
    _staff(staff)
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(req)
        _want(req, RequestStatus.REQUESTED, RequestStatus.PREPARING)
        req.status = RequestStatus.READY
        req.ready_at = now
        req.prepared_by = req.prepared_by or staff
        req.save(update_fields=["status", "ready_at", "prepared_by"])
        audit.record("certificates.ready", actor=staff, target=req)
    if local(req.pickup_at).date() <= local(now).date():
        try:
            req = take_pickup_ticket(req.resident, req, now=now)
        except DasanError as error:  # the office is closed now: the resident takes it later
            logger.info("no ticket for %s at ready time: %s", req.code, error.code)
    with transaction.atomic():
        _notify(req, "certificates.ready")
    return req


def can_take_ticket(req: DocumentRequest, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        req.status == RequestStatus.READY and not req.ticket_number and local(req.pickup_at).date() <= local(now).date()
    )


def take_pickup_ticket(user, req, *, now: dt.datetime | None = None) -> DocumentRequest:
    """번호표 받기: on (or after) the pickup day, a priority ticket at the office's
    document-pickup counter. A second call returns the ticket already taken."""
    from dasan.queueing import services as queueing

    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(req)
        if req.resident_id != getattr(user, "pk", None):
            raise NotFound(Code.REQUEST_NOT_FOUND, _("신청을 찾을 수 없습니다."))
        if req.ticket_number:
            return req
        _want(req, RequestStatus.READY)
        if local(req.pickup_at).date() > local(now).date():
            raise DasanError(
                Code.NOT_PICKUP_DAY,
                _("번호표는 수령일(%(day)s)에 받을 수 있습니다.") % {"day": local(req.pickup_at).strftime("%Y-%m-%d")},
            )
        ticket = queueing.take_ticket(
            office=req.office,
            service_type=queueing.pickup_service_type(req.office),
            resident=req.resident,
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
        audit.record("certificates.ticket", actor=user, target=req, data={"ticket": req.ticket_number})
    return req


def record_collection(
    staff, req, *, id_kind: str = "", fee_paid: bool = True, now: dt.datetime | None = None
) -> DocumentRequest:
    """수령: identity checked at the counter (who checked, which kind of ID — not its
    number), fee taken, document handed over. The prepared file is deleted."""
    _staff(staff)
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
        req.id_checked_by = staff if id_kind else None
        req.fee_paid = bool(fee_paid) or req.total_fee == 0
        req.file = None
        req.save(update_fields=["status", "collected_at", "closed_at", "id_kind", "id_checked_by", "fee_paid", "file"])
        audit.record(
            "certificates.collected",
            actor=staff,
            target=req,
            data={"id_kind": id_kind, "fee": req.total_fee, "fee_paid": req.fee_paid},
        )
    return req


def cancel_request(user, req, *, reason: str = "", now: dt.datetime | None = None) -> DocumentRequest:
    """Cancel: the resident before it is ready, staff any open request (with a reason)."""
    now = now or timezone.now()
    is_staff = getattr(user, "is_city_staff", False)
    with transaction.atomic():
        req = _lock(req)
        if not is_staff and req.resident_id != getattr(user, "pk", None):
            raise NotFound(Code.REQUEST_NOT_FOUND, _("신청을 찾을 수 없습니다."))
        if is_staff:
            _want(req, RequestStatus.REQUESTED, RequestStatus.PREPARING, RequestStatus.READY)
            if not reason.strip():
                raise DasanError(Code.REASON_REQUIRED, _("취소 사유를 적어 주세요."), field="reason")
        elif req.status not in (RequestStatus.REQUESTED, RequestStatus.PREPARING):
            raise Conflict(Code.TOO_LATE_TO_CANCEL, _("이미 준비된 서류는 취소할 수 없습니다. 민원실에 문의해 주세요."))
        req.status = RequestStatus.CANCELLED
        req.closed_at = now
        req.reason = " ".join(reason.split())[:200]
        req.file = None
        req.save(update_fields=["status", "closed_at", "reason", "file"])
        audit.record("certificates.cancel", actor=user, target=req, reason=req.reason)
        if is_staff:
            _notify(req, "certificates.cancelled")
    return req


def expire_uncollected(now: dt.datetime | None = None) -> int:
    """Close ready requests nobody collected within ``ready_keep_days`` of the pickup
    day (the prepared file is deleted); the resident is told. Periodic job."""
    now = now or timezone.now()
    keep = CertificateSettings.current().ready_keep_days
    cutoff = dt.datetime.combine(local(now).date() - dt.timedelta(days=keep), dt.time(0, 0), tzinfo=_zone())
    count = 0
    for pk in list(
        DocumentRequest.objects.filter(status=RequestStatus.READY, pickup_at__lt=cutoff).values_list("pk", flat=True)[
            :500
        ]
    ):
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


# --- notifications ------------------------------------------------------------------------------


def _fmt(moment: dt.datetime) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M")


def _notify(req: DocumentRequest, template: str) -> None:
    from dasan.notify.services import enqueue

    resident = req.resident
    with translation.override(getattr(resident, "language", None) or "ko"):
        context = {
            "city": _city_name(),
            "code": req.code,
            "document": req.document_type.name,
            "office": req.office.name,
            "when": _fmt(req.pickup_at),
            "fee": f"{req.total_fee:,}",
            "reason": req.reason,
            "url": _public(reverse("certificates:request", args=[req.pk])),
            "ticket": req.ticket_number,
        }
    try:
        enqueue(template, recipient=resident, context=context)
    except DasanError as error:  # no address to send to: the request stands
        logger.warning("notification %s for %s not sent: %s", template, req.code, error.code)


# --- city-issued documents ---------------------------------------------------------------------


def verify_url(number: str) -> str:
    return _public(reverse("certificates:verify")) + f"?number={numbers.display(number)}"


def _issuer() -> tuple[str, str]:
    conf = CertificateSettings.current()
    city = _city_name()
    return (conf.issuer_title or f"{city}장"), conf.issuer_department


def _document_type_for(generator: str) -> DocumentType | None:
    return DocumentType.objects.filter(generator=generator, source=Source.CITY, active=True).first()


def _issue(
    *,
    generator: str,
    holder,
    source_reference: str,
    body_for,
    department: str,
    issued_by=None,
    now: dt.datetime | None = None,
) -> IssuedDocument:
    """Build, seal, sign and store one document; asking again for the same source
    returns the document already issued (while it is valid)."""
    from . import seal

    existing = IssuedDocument.objects.filter(
        generator=generator, source_reference=source_reference, status=DocumentStatus.VALID
    ).first()
    if existing is not None:
        return existing
    if not signing.configured():
        raise signing.SigningUnavailable()
    now = now or timezone.now()
    city = _city_name()
    issuer, configured_department = _issuer()
    department = configured_department or department
    language = getattr(holder, "language", None) or "ko"
    for _attempt in range(5):
        number = numbers.new_number()
        if IssuedDocument.objects.filter(number=number).exists():
            continue
        with translation.override(language):
            body = body_for()
            unsigned = pdfs.render(
                body,
                number=number,
                city=city,
                issuer=issuer,
                department=department,
                verify_url=verify_url(number),
                seal=seal.seal_png(city),
                issued_at=now,
                language=language,
            )
            signed = signing.sign_pdf(unsigned, reason=str(body.title), location=city)
        try:
            with transaction.atomic():
                document = IssuedDocument.objects.create(
                    number=number,
                    generator=generator,
                    title=body.title,
                    holder=holder,
                    holder_masked=mask_name(getattr(holder, "name", "")),
                    source_reference=source_reference,
                    department=department,
                    issued_at=now,
                    issued_by=issued_by,
                    pdf=signed,
                    sha256=hashlib.sha256(signed).hexdigest(),
                    signer=signing.signer_name()[:200],
                )
                audit.record(
                    "certificates.issue",
                    actor=issued_by or holder,
                    target=document,
                    data={"generator": generator, "source": source_reference, "sha256": document.sha256},
                )
            return document
        except IntegrityError:
            existing = IssuedDocument.objects.filter(
                generator=generator, source_reference=source_reference, status=DocumentStatus.VALID
            ).first()
            if existing is not None:  # a concurrent request issued it first
                return existing
    raise DasanError(Code.ISSUE_FAILED, _("문서를 발급하지 못했습니다. 잠시 후 다시 시도해 주세요."), status=503)


def _acting(user, owner_pk) -> tuple[bool, object]:
    """(is staff, the staff user or None); a resident may only act for themselves."""
    if getattr(user, "is_city_staff", False) and user.is_active:
        return True, user
    if not getattr(user, "is_authenticated", False) or user.pk != owner_pk:
        raise NotFound(Code.SOURCE_NOT_FOUND, _("발급할 근거를 찾을 수 없습니다."))
    return False, None


def facility_uses(user):
    """The resident's reservations a 시설 사용 확인서 can be issued for: used (checked in)
    or confirmed and over."""
    from django.db.models import Q

    from dasan.reservations.models import Kind, Reservation, Status

    return (
        Reservation.objects.filter(resident=user, kind=Kind.BOOKING)
        .filter(Q(status=Status.CHECKED_IN) | Q(status=Status.CONFIRMED, end__lte=timezone.now()))
        .select_related("resource", "resource__unit")
        .order_by("-begin")
    )


def issue_facility_use(user, reservation, *, now: dt.datetime | None = None) -> IssuedDocument:
    """시설 사용 확인서 for a reservation that was used (see :func:`facility_uses`)."""
    from dasan.reservations.models import Reservation

    pk = reservation.pk if isinstance(reservation, Reservation) else reservation
    reservation = None
    if str(pk).isdigit():
        reservation = (
            Reservation.objects.select_related("resource", "resource__unit", "resident").filter(pk=int(pk)).first()
        )
    if reservation is None or reservation.resident_id is None:
        raise NotFound(Code.SOURCE_NOT_FOUND, _("발급할 근거를 찾을 수 없습니다."))
    staff, issued_by = _acting(user, reservation.resident_id)
    if not facility_uses(reservation.resident).filter(pk=reservation.pk).exists():
        raise DasanError(Code.NOT_USED, _("이용을 마친 예약만 사용 확인서를 발급할 수 있습니다."))
    resource = reservation.resource
    when = f"{_fmt(reservation.begin)} – {local(reservation.end):%H:%M}"

    def body():
        return pdfs.Body(
            title=_("시설 사용 확인서"),
            rows=[
                (_("사용자"), reservation.resident.name or "-"),
                (_("시설"), f"{resource.unit.name} {resource.name}"),
                (_("주소"), resource.unit.address),
                (_("사용 일시"), when),
                (_("인원·수량"), str(reservation.party_size)),
                (_("사용 목적"), reservation.purpose or "-"),
                (_("예약번호"), reservation.code),
                (_("사용료"), _("%(amount)s원") % {"amount": f"{reservation.price:,}"}),
            ],
            statement=_("위 사람이 위 시설을 위와 같이 사용하였음을 확인합니다."),
        )

    return _issue(
        generator=Generator.FACILITY_USE,
        holder=reservation.resident,
        source_reference=reservation.code,
        body_for=body,
        department=resource.unit.name,
        issued_by=issued_by,
        now=now,
    )


def complaint_results(user):
    """The resident's complaints with a result to notify: answered or closed."""
    from dasan.complaints.models import Complaint, Status

    return (
        Complaint.objects.filter(resident=user, status__in=(Status.ANSWERED, Status.CLOSED))
        .exclude(answer="")
        .select_related("department")
        .order_by("-received_at")
    )


def issue_complaint_result(user, complaint, *, now: dt.datetime | None = None) -> IssuedDocument:
    """민원 처리 결과 통지서 for an answered or closed complaint."""
    from dasan.complaints.models import Complaint

    value = complaint.number if isinstance(complaint, Complaint) else str(complaint or "").strip()
    complaint = (
        Complaint.objects.select_related("department", "resident").filter(number=value[:20]).first() if value else None
    )
    if complaint is None or complaint.resident_id is None:
        raise NotFound(Code.SOURCE_NOT_FOUND, _("발급할 근거를 찾을 수 없습니다."))
    _staff_flag, issued_by = _acting(user, complaint.resident_id)
    if not complaint_results(complaint.resident).filter(pk=complaint.pk).exists():
        raise DasanError(Code.NOT_ANSWERED, _("답변을 마친 민원만 처리 결과 통지서를 발급할 수 있습니다."))
    department = complaint.department.name if complaint.department_id else ""

    def body():
        return pdfs.Body(
            title=_("민원 처리 결과 통지서"),
            rows=[
                (_("접수번호"), complaint.number),
                (_("신청인"), complaint.resident.name or "-"),
                (_("접수 일시"), _fmt(complaint.received_at)),
                (_("제목"), complaint.title),
                (_("처리 부서"), department or "-"),
                (_("처리 결과"), complaint.answer),
                (_("답변 일시"), _fmt(complaint.answered_at) if complaint.answered_at else "-"),
            ],
            statement=_("귀하께서 신청하신 민원의 처리 결과를 위와 같이 알려 드립니다."),
            note=_("「민원 처리에 관한 법률」 제27조에 따른 처리 결과의 통지입니다."),
        )

    return _issue(
        generator=Generator.COMPLAINT_RESULT,
        holder=complaint.resident,
        source_reference=complaint.number,
        body_for=body,
        department=department,
        issued_by=issued_by,
        now=now,
    )


def documents_for(user):
    return IssuedDocument.objects.filter(holder=user).order_by("-issued_at", "-id")


def get_document(user, pk) -> IssuedDocument:
    """The holder's own document (staff: any, audited)."""
    doc = None
    if str(pk).isdigit():
        doc = IssuedDocument.objects.select_related("holder").filter(pk=int(pk)).first()
    if doc is not None and getattr(user, "is_city_staff", False) and user.is_active:
        audit.record_read(user, doc, reason="certificates.document")
        return doc
    if doc is None or not getattr(user, "is_authenticated", False) or doc.holder_id != user.pk:
        raise NotFound(Code.DOCUMENT_NOT_FOUND, _("문서를 찾을 수 없습니다."))
    return doc


def revoke(staff, doc, reason: str, *, now: dt.datetime | None = None) -> IssuedDocument:
    """효력 상실: the verification page answers "revoked" from now on."""
    _staff(staff)
    reason = " ".join(str(reason or "").split())[:200]
    if not reason:
        raise DasanError(Code.REASON_REQUIRED, _("사유를 적어 주세요."), field="reason")
    with transaction.atomic():
        doc = IssuedDocument.objects.select_for_update().get(pk=doc.pk if isinstance(doc, IssuedDocument) else doc)
        if doc.status == DocumentStatus.REVOKED:
            raise Conflict(Code.ALREADY_REVOKED, _("이미 효력을 잃은 문서입니다."))
        doc.status = DocumentStatus.REVOKED
        doc.revoked_at = now or timezone.now()
        doc.revoked_reason = reason
        doc.save(update_fields=["status", "revoked_at", "revoked_reason"])
        audit.record("certificates.revoke", actor=staff, target=doc, reason=reason)
    return doc


# --- verification (문서 진위확인) ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Verification:
    """``state``: ``genuine``, ``revoked``, ``not_found`` or ``not_genuine`` (a file was
    given and it is not the issued one); ``reasons`` say why in words."""

    state: str
    document: IssuedDocument | None
    reasons: list[str]
    file_checked: bool = False

    @property
    def genuine(self) -> bool:
        return self.state == "genuine"


def check_rate(client: str) -> None:
    """Rate limit of the verification page and API, per client address."""
    limit, window = int(setting("CERTIFICATES_VERIFY_LIMIT", VERIFY_LIMIT[0])), VERIFY_LIMIT[1]
    result = ratelimit.hit(f"certificates.verify:{client or 'unknown'}", limit=limit, window=window)
    if not result.allowed:
        raise RateLimited(result.retry_after)


def verify(number: str = "", pdf: bytes | None = None) -> Verification:
    """Is ``number`` (and, if given, the file ``pdf``) a document this city issued?

    With a file, its signature must be the city's and cover the whole file, and its
    SHA-256 must be the one stored at issue; with a file and no number, the file
    itself is looked up by its hash."""
    digits = numbers.normalise(number)
    document = None
    if digits:
        if not numbers.is_well_formed(digits):
            return Verification(
                "not_found", None, [_("문서확인번호가 맞지 않습니다. 16자리 숫자를 다시 확인해 주세요.")]
            )
        document = IssuedDocument.objects.filter(number=digits).first()
        if document is None:
            return Verification("not_found", None, [_("이 번호로 발급한 문서가 없습니다.")])
    if pdf is None:
        if document is None:
            raise DasanError(
                Code.NUMBER_REQUIRED, _("문서확인번호를 입력하거나 PDF 파일을 올려 주세요."), field="number"
            )
        if document.status == DocumentStatus.REVOKED:
            return Verification("revoked", document, [_("발급한 문서이지만 효력을 잃었습니다.")])
        return Verification("genuine", document, [_("이 시에서 발급한 문서입니다.")])

    reasons = []
    check = signing.verify_signature(pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    if document is None:
        document = IssuedDocument.objects.filter(sha256=digest).first()
    ok = check.ok
    reasons.append(check.reason)
    if document is None:
        reasons.append(_("이 파일과 같은 문서를 발급한 기록이 없습니다."))
        return Verification("not_found" if not check.ok else "not_genuine", None, reasons, file_checked=True)
    if digest != document.sha256:
        ok = False
        reasons.append(_("파일이 발급한 문서와 다릅니다 (SHA-256 불일치)."))
    if not ok:
        return Verification("not_genuine", document, reasons, file_checked=True)
    if document.status == DocumentStatus.REVOKED:
        return Verification(
            "revoked", document, reasons + [_("발급한 문서이지만 효력을 잃었습니다.")], file_checked=True
        )
    reasons.append(_("발급한 문서와 파일이 같습니다."))
    return Verification("genuine", document, reasons, file_checked=True)


# --- words for pages ------------------------------------------------------------------------------


def requested_message(req: DocumentRequest) -> str:
    return _("신청했습니다. 신청번호 %(code)s, 수령 %(when)s. 준비되면 알려 드립니다.") % {
        "code": req.code,
        "when": _fmt(req.pickup_at),
    }


def cancelled_message() -> str:
    return _("신청을 취소했습니다.")


def done_message() -> str:
    return _("처리했습니다.")


def unknown_kind_message() -> str:
    return _("발급할 문서 종류를 골라 주세요.")


def issued_message(doc: IssuedDocument) -> str:
    return _("%(title)s을 발급했습니다. 문서확인번호 %(number)s") % {"title": doc.title, "number": doc.display_number}


def recent_documents():
    return IssuedDocument.objects.select_related("issued_by").order_by("-issued_at", "-id")
