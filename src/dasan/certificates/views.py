"""Resident, public and staff pages of 민원서류. Thin: reads come from
:mod:`~dasan.certificates.selectors`, every change is a call into ``services`` (requests),
``issuing`` (city documents) or ``verification``; a service's error is shown on the page
with its message (``core.http``), never as a 500."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dasan.accounts.decorators import staff_required
from dasan.certificates.errors import Code
from dasan.core.errors import DasanError, NotFound, RateLimited
from dasan.core.http import user_errors
from dasan.core.middleware import client_ip
from dasan.core.timefmt import fmt, parse_date

from . import issuing, numbers, selectors, services, signing, verification
from .models import IdKind, RequestStatus, Source
from .uploads import read_pdf_upload


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _done(request: HttpRequest) -> None:
    messages.success(request, _("처리했습니다."))


# --- resident pages -----------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The catalogue; signed in, also the resident's requests and issued documents."""
    user = request.user
    mine = selectors.requests_for(user)[:20] if user.is_authenticated else []
    docs = selectors.documents_for(user)[:20] if user.is_authenticated else []
    return render(
        request,
        "certificates/index.html",
        {
            "national": [(t, selectors.processing_label(t)) for t in selectors.document_types(source=Source.NATIONAL)],
            "city": list(selectors.document_types(source=Source.CITY)),
            "mine": mine,
            "docs": docs,
        },
    )


def _request_values(post) -> dict:
    return {
        "copies": post.get("copies", "1"),
        "office": post.get("office", ""),
        "pickup_at": post.get("pickup_at", ""),
        "purpose": post.get("purpose", ""),
        "options": set(post.getlist("options")),
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest, code: str) -> HttpResponse:
    """The request form of one document: options, copies, office and pickup time."""
    doc_type = selectors.get_type(code)
    if doc_type.source != Source.NATIONAL:
        return redirect("certificates:issue")
    error = None
    values = {"copies": "1", "office": "", "pickup_at": "", "purpose": "", "options": set()}
    if request.method == "POST":
        values = _request_values(request.POST)
        with user_errors(flash=False) as outcome:
            req = services.request_document(
                doc_type,
                actor=request.user,
                office=values["office"],
                pickup_at=values["pickup_at"],
                copies=values["copies"],
                purpose=values["purpose"],
                options={key: True for key in values["options"]},
            )
        if outcome.ok:
            messages.success(
                request,
                _("신청했습니다. 신청번호 %(code)s, 수령 %(when)s. 준비되면 알려 드립니다.")
                % {"code": req.code, "when": fmt(req.pickup_at)},
            )
            return redirect("certificates:request", pk=req.pk)
        error = outcome.error
    return render(
        request,
        "certificates/new.html",
        {
            "type": doc_type,
            "processing": selectors.processing_label(doc_type),
            "earliest": selectors.earliest_pickup(doc_type),
            "slots": selectors.pickup_slots(doc_type),
            "offices": list(selectors.offices()),
            "values": values,
            "error": error,
            "copies_range": range(1, doc_type.max_copies + 1),
        },
        status=400 if error else 200,
    )


@never_cache
@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.get_request(request.user, pk)
    return render(
        request,
        "certificates/request.html",
        {
            "req": req,
            "options": selectors.option_labels(req),
            "cancellable": req.status in (RequestStatus.REQUESTED, RequestStatus.PREPARING),
            "can_ticket": selectors.can_take_ticket(req),
        },
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.get_request(request.user, pk)
    with user_errors(request) as outcome:
        services.cancel_request(req, actor=request.user)
    if outcome.ok:
        messages.success(request, _("신청을 취소했습니다."))
    return redirect("certificates:request", pk=req.pk)


@login_required
@require_POST
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """번호표 받기 on the pickup day."""
    req = selectors.get_request(request.user, pk)
    with user_errors(request) as outcome:
        req = services.take_pickup_ticket(req, actor=request.user)
    if outcome.ok and req.ticket_url:
        return redirect(req.ticket_url)
    return redirect("certificates:request", pk=req.pk)


@never_cache
@login_required
@require_GET
def issue(request: HttpRequest) -> HttpResponse:
    """시 발급 문서: what the resident can have issued right now."""
    return render(
        request,
        "certificates/issue.html",
        {
            "uses": list(selectors.facility_uses(request.user)[:30]),
            "complaints": list(selectors.complaint_results(request.user)[:30]),
            "docs": list(selectors.documents_for(request.user)[:30]),
            "available": signing.configured(),
        },
    )


@login_required
@require_POST
def issue_facility(request: HttpRequest, pk: int) -> HttpResponse:
    with user_errors(request) as outcome:
        doc = issuing.issue_facility_use(pk, actor=request.user)
    if not outcome.ok:
        return redirect("certificates:issue")
    return redirect("certificates:document", pk=doc.pk)


@login_required
@require_POST
def issue_complaint(request: HttpRequest, number: str) -> HttpResponse:
    with user_errors(request) as outcome:
        doc = issuing.issue_complaint_result(number, actor=request.user)
    if not outcome.ok:
        return redirect("certificates:issue")
    return redirect("certificates:document", pk=doc.pk)


@never_cache
@login_required
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.get_document(request.user, pk)
    return render(request, "certificates/document.html", {"doc": doc, "verify_url": selectors.verify_url(doc.number)})


@login_required
@require_GET
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.get_document(request.user, pk)
    return _pdf_response(doc.pdf, f"document-{doc.number}.pdf")


# --- public verification (문서 진위확인) ---------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone: a number (from the QR code or typed) and optionally the PDF file."""
    source = request.POST if request.method == "POST" else request.GET
    number = source.get("number", "").strip()[:40]
    upload = request.FILES.get("file") if request.method == "POST" else None
    result = None
    with user_errors(flash=False) as outcome:
        if number or upload:
            verification.check_rate(client_ip(request) or "")
            pdf = read_pdf_upload(upload) if upload is not None else None
            result = verification.verify(number, pdf)
    response = render(
        request,
        "certificates/verify.html",
        {
            "number": number,
            "result": result,
            "error": outcome.error,
            "display_number": numbers.display(result.document.number) if result and result.document else "",
        },
        status=outcome.status,
    )
    if isinstance(outcome.error, RateLimited):
        response["Retry-After"] = str(outcome.error.retry_after)
    return response


# --- staff pages --------------------------------------------------------------------------------


def _day(value) -> dt.date | None:
    return parse_date(value)


@staff_required
@require_GET
def staff_index(request: HttpRequest) -> HttpResponse:
    """The queue by office and pickup day (default: today at every office, still open)."""
    offices = list(selectors.offices())
    office_code = request.GET.get("office", "").strip()
    office = next((o for o in offices if o.code == office_code), None)
    raw_day = request.GET.get("day", "")
    day = _day(raw_day) if raw_day else (None if request.GET.get("all") else timezone.localdate())
    status = request.GET.get("status", "")
    rows = list(selectors.queue(request.user, office=office, day=day, status=status)[:200])
    return render(
        request,
        "certificates/staff/index.html",
        {
            "rows": rows,
            "offices": offices,
            "office": office,
            "day": day,
            "status": status,
            "statuses": RequestStatus.choices,
        },
    )


@never_cache
@staff_required
@require_GET
def staff_request(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.staff_request(request.user, pk)
    return render(
        request,
        "certificates/staff/request.html",
        {
            "req": req,
            "options": selectors.option_labels(req),
            "id_kinds": IdKind.choices,
            "max_mb": selectors.pdf_max_bytes() // (1024 * 1024),
        },
    )


def _request_action(request: HttpRequest, req, action: str) -> None:
    staff = request.user
    if action == "preparing":
        services.start_preparing(req, actor=staff)
    elif action == "attach":
        services.attach_file(req, request.FILES.get("file"), actor=staff)
    elif action == "ready":
        services.mark_ready(req, actor=staff)
    elif action == "collect":
        services.record_collection(
            req, actor=staff, id_kind=request.POST.get("id_kind", ""), fee_paid=bool(request.POST.get("fee_paid"))
        )
    elif action == "cancel":
        services.cancel_request(req, actor=staff, reason=request.POST.get("reason", ""))
    else:
        raise Http404()


@staff_required
@require_POST
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    req = selectors.staff_request(request.user, pk, reason=f"certificates.{action}")
    with user_errors(request) as outcome:
        _request_action(request, req, action)
    if outcome.ok:
        _done(request)
    return redirect("certificates_staff:request", pk=req.pk)


@staff_required
@require_GET
def staff_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The attached national-system PDF, to print at the counter."""
    req = selectors.staff_request(request.user, pk, reason="certificates.file")
    if not req.file:
        raise Http404()
    return _pdf_response(req.file, f"request-{req.code}.pdf")


def _issue_by_reference(staff, kind: str, reference: str):
    """Staff issue by a typed reservation (``R000123`` or ``123``) or complaint number.
    A number that matches nothing is a typing slip shown on the form (404), not a missing page."""
    try:
        if kind == "facility_use":
            return issuing.issue_facility_use(reference.upper().removeprefix("R").lstrip("0") or "0", actor=staff)
        if kind == "complaint_result":
            return issuing.issue_complaint_result(reference, actor=staff)
    except NotFound as error:
        raise DasanError(error.code, error.message, status=error.status) from None
    raise DasanError(Code.UNKNOWN_KIND, _("발급할 문서 종류를 골라 주세요."), field="kind")


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def staff_issued(request: HttpRequest) -> HttpResponse:
    """Issue a city document for a reservation or complaint; the recent ones, to revoke."""
    error = None
    if request.method == "POST":
        reference = request.POST.get("reference", "").strip()[:40]
        with user_errors(flash=False) as outcome:
            doc = _issue_by_reference(request.user, request.POST.get("kind", ""), reference)
        if outcome.ok:
            messages.success(
                request,
                _("%(title)s을 발급했습니다. 문서확인번호 %(number)s")
                % {"title": doc.title, "number": doc.display_number},
            )
            return redirect("certificates_staff:issued")
        error = outcome.error
    docs = selectors.recent_documents(request.user)[:50]
    return render(
        request, "certificates/staff/issued.html", {"docs": docs, "error": error}, status=error.status if error else 200
    )


@staff_required
@require_POST
def staff_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.get_document(request.user, pk)
    with user_errors(request) as outcome:
        issuing.revoke(doc, actor=request.user, reason=request.POST.get("reason", ""))
    if outcome.ok:
        _done(request)
    return redirect("certificates_staff:issued")


@staff_required
@require_GET
def staff_document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.get_document(request.user, pk)
    return _pdf_response(doc.pdf, f"document-{doc.number}.pdf")
