"""Reads of 민원서류: the catalogue, pickup times, requests, the staff queue and issued
documents — nothing here changes a row (a staff member's read of a resident's request or
document is written to the audit log, as every such read is).

Pickup times. A national-system document (등·초본, 가족관계증명서 …) is prepared by a clerk in
working time, so it can be ready :func:`earliest_pickup` = now + its processing time in
*working hours* (``core.calendar``: business days only, 09–18 without lunch by default).
A resident chooses a pickup time among :func:`pickup_slots`: every 30 minutes of working
time on the next ``pickup_days_ahead`` business days, none before that moment and none in
the last half hour before the office closes.

Who handles what. Documents belong to no department: staff work on requests only when they
are city-wide or hold Django's ``certificates.view_documentrequest`` (granted to a "민원 서류
담당" group in the admin), and on city-issued documents only with
``certificates.view_issueddocument``. Anyone else sees an empty queue and list, and the same
404 as for an unknown request or document.

What other apps hold (the offices of ``queueing``, used reservations, answered complaints)
is read through their selectors.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.accounts.permissions import holds, require_staff
from dasan.certificates.errors import Code
from dasan.complaints import selectors as complaints
from dasan.core import audit, calendar
from dasan.core.conf import setting
from dasan.core.errors import DasanError, NotFound
from dasan.core.links import public_url
from dasan.core.models import Municipality
from dasan.core.timefmt import local, local_date, parse_datetime, zone
from dasan.queueing import selectors as queueing
from dasan.reservations import selectors as reservations

from . import numbers
from .models import CertificateSettings, DocumentRequest, DocumentType, IssuedDocument, RequestStatus, Source

SLOT_MINUTES = 30
#: 민원 서류 담당: staff holding it see the request queue and prepare, hand over and cancel requests.
REQUESTS_PERMISSION = "certificates.view_documentrequest"
#: Staff holding it see, issue and revoke city-issued documents.
DOCUMENTS_PERMISSION = "certificates.view_issueddocument"
OPEN = (RequestStatus.REQUESTED, RequestStatus.PREPARING, RequestStatus.READY)


def handles_requests(user) -> bool:
    """Staff who work on residents' document requests (``REQUESTS_PERMISSION``)."""
    return holds(user, REQUESTS_PERMISSION)


def handles_documents(user) -> bool:
    """Staff who see, issue and revoke city-issued documents (``DOCUMENTS_PERMISSION``)."""
    return holds(user, DOCUMENTS_PERMISSION)


def request_not_found() -> NotFound:
    return NotFound(Code.REQUEST_NOT_FOUND, _("신청을 찾을 수 없습니다."))


def document_not_found() -> NotFound:
    return NotFound(Code.DOCUMENT_NOT_FOUND, _("문서를 찾을 수 없습니다."))


def city_name() -> str:
    """The city's name as documents and messages write it."""
    city = Municipality.current()
    return city.name if city else "다산시"


def pdf_max_bytes() -> int:
    """The largest PDF staff may attach (``CERTIFICATES_PDF_MAX_BYTES``)."""
    return int(setting("CERTIFICATES_PDF_MAX_BYTES"))


def verify_url(number: str) -> str:
    """The 문서 진위확인 address of document ``number``, printed on it as a QR code."""
    path = reverse("certificates:verify")
    return (public_url(path) or path) + f"?number={numbers.display(number)}"


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
    """How long preparing takes, in working days when whole, else working hours."""
    hours = doc_type.processing_hours
    per_day = calendar.working_hours().hours_per_day or 8
    if hours and hours % per_day == 0:
        return _("%(days)d근무일") % {"days": int(hours // per_day)}
    return _("%(hours)d근무시간") % {"hours": hours}


# --- offices and pickup times ---------------------------------------------------------------------


def offices():
    """The offices documents can be collected at."""
    return queueing.offices()


def get_office(value):
    """An office in service by code (or the office itself); ``unknown_office`` (404)."""
    office = queueing.find_office(value)
    if office is None:
        raise NotFound(Code.UNKNOWN_OFFICE, _("수령할 수 있는 민원실을 찾을 수 없습니다."))
    return office


def earliest_pickup(doc_type: DocumentType, now: dt.datetime | None = None) -> dt.datetime:
    """The first moment the document can be ready (see the module docstring)."""
    now = now or timezone.now()
    return calendar.add_working_hours(now, doc_type.processing_hours)


def _day_slots(day: dt.date, first: dt.datetime, hours) -> list[dt.datetime]:
    times = []
    for start, end in hours.segments():
        moment = dt.datetime.combine(day, start, tzinfo=hours.zone)
        stop = dt.datetime.combine(day, end, tzinfo=hours.zone)
        # Nothing to collect in the last half hour before closing.
        while moment + dt.timedelta(minutes=SLOT_MINUTES) <= stop:
            if moment >= first:
                times.append(moment)
            moment += dt.timedelta(minutes=SLOT_MINUTES)
    return times


def pickup_slots(doc_type: DocumentType, now: dt.datetime | None = None) -> list[tuple[dt.date, list[dt.datetime]]]:
    """Pickup times to choose from, by day (see the module docstring)."""
    now = now or timezone.now()
    first = earliest_pickup(doc_type, now)
    hours = calendar.working_hours()
    day = local(first).date()
    days = []
    horizon = max(1, CertificateSettings.current().pickup_days_ahead)
    guard = 0
    while len(days) < horizon and guard < 60:
        guard += 1
        if calendar.is_business_day(day):
            times = _day_slots(day, first, hours)
            if times:
                days.append((day, times))
        day += dt.timedelta(days=1)
    return days


def parse_pickup(value) -> dt.datetime:
    """A pickup time from a form or the API (``2026-12-04T10:30``, with or without offset)."""
    moment = parse_datetime(value)
    if moment is None:
        raise DasanError(Code.INVALID_PICKUP_TIME, _("수령 일시를 선택해 주세요."), field="pickup_at")
    return moment


# --- requests -----------------------------------------------------------------------------------


def option_labels(req: DocumentRequest) -> list[tuple[str, bool]]:
    """(label, chosen) of every option of the request's type, for pages and the queue."""
    labels = []
    for option in req.document_type.options or []:
        if isinstance(option, dict):
            labels.append((str(option.get("label", option.get("key", ""))), bool(req.options.get(option.get("key")))))
    return labels


def open_requests(resident) -> int:
    """How many of the resident's requests are still open (requested, preparing, ready)."""
    return DocumentRequest.objects.filter(resident=resident, status__in=OPEN).count()


def requests_for(user):
    """The resident's requests, newest first."""
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
        raise request_not_found()
    return req


def staff_request(staff, pk, *, reason: str = "") -> DocumentRequest:
    """Any request, for staff who handle requests (:func:`handles_requests`; other staff get
    ``request_not_found``, 404, non-staff ``staff_only``, 403); the read is audited."""
    require_staff(staff, _("담당 공무원만 할 수 있습니다."))
    req = None
    if str(pk).isdigit() and handles_requests(staff):
        req = (
            DocumentRequest.objects.select_related("document_type", "office", "resident", "id_checked_by")
            .filter(pk=int(pk))
            .first()
        )
    if req is None:
        raise request_not_found()
    audit.record_read(staff, req, reason=reason or "certificates.request")
    return req


def queue(user, *, office=None, day: dt.date | None = None, status: str = ""):
    """The staff queue: requests by pickup time, for one office and day if given;
    by default everything still open. Empty for ``user`` who does not handle requests."""
    qs = DocumentRequest.objects.select_related("document_type", "office", "resident")
    if not handles_requests(user):
        return qs.none()
    if office is not None:
        qs = qs.filter(office=office)
    if day is not None:
        start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone())
        qs = qs.filter(pickup_at__gte=start, pickup_at__lt=start + dt.timedelta(days=1))
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    elif day is None:
        qs = qs.filter(status__in=OPEN)
    return qs.order_by("pickup_at", "id")


def can_take_ticket(req: DocumentRequest, now: dt.datetime | None = None) -> bool:
    """Ready, no ticket yet, and the pickup day has come."""
    return req.status == RequestStatus.READY and not req.ticket_number and local_date(req.pickup_at) <= local_date(now)


def expired_requests(now: dt.datetime | None = None, *, limit: int = 500) -> list[int]:
    """Ids of ready requests nobody collected within ``ready_keep_days`` of the pickup day."""
    keep = CertificateSettings.current().ready_keep_days
    cutoff = dt.datetime.combine(local_date(now) - dt.timedelta(days=keep), dt.time(0, 0), tzinfo=zone())
    rows = DocumentRequest.objects.filter(status=RequestStatus.READY, pickup_at__lt=cutoff)
    return list(rows.values_list("pk", flat=True)[:limit])


# --- city-issued documents -------------------------------------------------------------------------


def facility_uses(user):
    """The resident's reservations a 시설 사용 확인서 can be issued for: used (checked in)
    or confirmed and over."""
    return reservations.used_bookings(user)


def complaint_results(user):
    """The resident's complaints with a result to notify: answered or closed."""
    return complaints.with_results(user)


def documents_for(user):
    """The documents issued to the resident, newest first."""
    return IssuedDocument.objects.filter(holder=user).order_by("-issued_at", "-id")


def get_document(user, pk) -> IssuedDocument:
    """The holder's own document (staff who handle documents: any, the read audited); else
    ``document_not_found`` (404)."""
    doc = None
    if str(pk).isdigit():
        doc = IssuedDocument.objects.select_related("holder").filter(pk=int(pk)).first()
    if doc is not None and handles_documents(user):
        audit.record_read(user, doc, reason="certificates.document")
        return doc
    if doc is None or not getattr(user, "is_authenticated", False) or doc.holder_id != user.pk:
        raise document_not_found()
    return doc


def recent_documents(user):
    """Every issued document, newest first (the staff list); empty for ``user`` who does
    not handle documents."""
    qs = IssuedDocument.objects.select_related("issued_by").order_by("-issued_at", "-id")
    return qs if handles_documents(user) else qs.none()
