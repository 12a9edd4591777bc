"""Resident, public and staff pages of 민원서류. Thin: every change is a call into
:mod:`dasan.certificates.services`; a :class:`~dasan.core.errors.DasanError` is shown
on the page with its message, never as a 500."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dasan.accounts.decorators import staff_required
from dasan.certificates.errors import Code
from dasan.core.errors import DasanError, NotFound, RateLimited
from dasan.core.middleware import client_ip

from . import numbers, services
from .models import DocumentStatus, IdKind, RequestStatus, Source


def _or_404(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except NotFound as error:
        raise Http404(str(error.message)) from None


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- resident pages -----------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The catalogue; signed in, also the resident's requests and issued documents."""
    user = request.user
    mine = services.requests_for(user)[:20] if user.is_authenticated else []
    docs = services.documents_for(user)[:20] if user.is_authenticated else []
    return render(
        request,
        "certificates/index.html",
        {
            "national": [(t, services.processing_label(t)) for t in services.document_types(source=Source.NATIONAL)],
            "city": list(services.document_types(source=Source.CITY)),
            "mine": mine,
            "docs": docs,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest, code: str) -> HttpResponse:
    """The request form of one document: options, copies, office and pickup time."""
    doc_type = _or_404(services.get_type, code)
    if doc_type.source != Source.NATIONAL:
        return redirect("certificates:issue")
    error = None
    values = {"copies": "1", "office": "", "pickup_at": "", "purpose": "", "options": set()}
    if request.method == "POST":
        values = {
            "copies": request.POST.get("copies", "1"),
            "office": request.POST.get("office", ""),
            "pickup_at": request.POST.get("pickup_at", ""),
            "purpose": request.POST.get("purpose", ""),
            "options": set(request.POST.getlist("options")),
        }
        try:
            req = services.request_document(
                request.user,
                doc_type,
                office=values["office"],
                pickup_at=values["pickup_at"],
                copies=values["copies"],
                purpose=values["purpose"],
                options={key: True for key in values["options"]},
            )
        except DasanError as exc:
            error = exc
        else:
            messages.success(request, str(services.requested_message(req)))
            return redirect("certificates:request", pk=req.pk)
    return render(
        request,
        "certificates/new.html",
        {
            "type": doc_type,
            "processing": services.processing_label(doc_type),
            "earliest": services.earliest_pickup(doc_type),
            "slots": services.pickup_slots(doc_type),
            "offices": list(services.offices()),
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
    req = _or_404(services.get_request, request.user, pk)
    return render(
        request,
        "certificates/request.html",
        {
            "req": req,
            "options": services.option_labels(req),
            "cancellable": req.status in (RequestStatus.REQUESTED, RequestStatus.PREPARING),
            "can_ticket": services.can_take_ticket(req),
        },
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    req = _or_404(services.get_request, request.user, pk)
    try:
        services.cancel_request(request.user, req)
    except DasanError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, str(services.cancelled_message()))
    return redirect("certificates:request", pk=req.pk)


@login_required
@require_POST
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """번호표 받기 on the pickup day."""
    req = _or_404(services.get_request, request.user, pk)
    try:
        req = services.take_pickup_ticket(request.user, req)
    except DasanError as error:
        messages.error(request, str(error.message))
        return redirect("certificates:request", pk=req.pk)
    if req.ticket_url:
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
            "uses": list(services.facility_uses(request.user)[:30]),
            "complaints": list(services.complaint_results(request.user)[:30]),
            "docs": list(services.documents_for(request.user)[:30]),
            "available": services.signing.configured(),
        },
    )


@login_required
@require_POST
def issue_facility(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        doc = services.issue_facility_use(request.user, pk)
    except NotFound as error:
        raise Http404(str(error.message)) from None
    except DasanError as error:
        messages.error(request, str(error.message))
        return redirect("certificates:issue")
    return redirect("certificates:document", pk=doc.pk)


@login_required
@require_POST
def issue_complaint(request: HttpRequest, number: str) -> HttpResponse:
    try:
        doc = services.issue_complaint_result(request.user, number)
    except NotFound as error:
        raise Http404(str(error.message)) from None
    except DasanError as error:
        messages.error(request, str(error.message))
        return redirect("certificates:issue")
    return redirect("certificates:document", pk=doc.pk)


@never_cache
@login_required
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _or_404(services.get_document, request.user, pk)
    return render(request, "certificates/document.html", {"doc": doc, "verify_url": services.verify_url(doc.number)})


@login_required
@require_GET
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _or_404(services.get_document, request.user, pk)
    return _pdf_response(doc.pdf, f"document-{doc.number}.pdf")


# --- public verification (문서 진위확인) ---------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone: a number (from the QR code or typed) and optionally the PDF file."""
    source = request.POST if request.method == "POST" else request.GET
    number = source.get("number", "").strip()[:40]
    upload = request.FILES.get("file") if request.method == "POST" else None
    result = error = None
    status = 200
    if number or upload:
        try:
            services.check_rate(client_ip(request) or "")
            pdf = services.read_pdf_upload(upload) if upload is not None else None
            result = services.verify(number, pdf)
        except RateLimited as exc:
            error, status = exc, 429
        except DasanError as exc:
            error, status = exc, exc.status
    response = render(
        request,
        "certificates/verify.html",
        {
            "number": number,
            "result": result,
            "error": error,
            "display_number": numbers.display(result.document.number) if result and result.document else "",
        },
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(error.retry_after)
    return response


# --- staff pages --------------------------------------------------------------------------------


def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


@staff_required
@require_GET
def staff_index(request: HttpRequest) -> HttpResponse:
    """The queue by office and pickup day (default: today at every office, still open)."""
    office_code = request.GET.get("office", "").strip()
    office = next((o for o in services.offices() if o.code == office_code), None)
    raw_day = request.GET.get("day", "")
    day = _day(raw_day) if raw_day else (None if request.GET.get("all") else timezone.localdate())
    status = request.GET.get("status", "")
    rows = list(services.queue(office=office, day=day, status=status)[:200])
    return render(
        request,
        "certificates/staff/index.html",
        {
            "rows": rows,
            "offices": list(services.offices()),
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
    req = _or_404(services.staff_request, request.user, pk)
    return render(
        request,
        "certificates/staff/request.html",
        {
            "req": req,
            "options": services.option_labels(req),
            "id_kinds": IdKind.choices,
            "max_mb": services.pdf_max_bytes() // (1024 * 1024),
        },
    )


@staff_required
@require_POST
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    req = _or_404(services.staff_request, request.user, pk, reason=f"certificates.{action}")
    staff = request.user
    try:
        if action == "preparing":
            services.start_preparing(staff, req)
        elif action == "attach":
            services.attach_file(staff, req, request.FILES.get("file"))
        elif action == "ready":
            services.mark_ready(staff, req)
        elif action == "collect":
            services.record_collection(
                staff, req, id_kind=request.POST.get("id_kind", ""), fee_paid=bool(request.POST.get("fee_paid"))
            )
        elif action == "cancel":
            services.cancel_request(staff, req, reason=request.POST.get("reason", ""))
        else:
            raise Http404()
    except DasanError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, str(services.done_message()))
    return redirect("certificates_staff:request", pk=req.pk)


@staff_required
@require_GET
def staff_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The attached national-system PDF, to print at the counter."""
    req = _or_404(services.staff_request, request.user, pk, reason="certificates.file")
    if not req.file:
        raise Http404()
    return _pdf_response(req.file, f"request-{req.code}.pdf")


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def staff_issued(request: HttpRequest) -> HttpResponse:
    """Issue a city document for a reservation or complaint; the recent ones, to revoke."""
    error = None
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        reference = request.POST.get("reference", "").strip()[:40]
        try:
            if kind == "facility_use":
                digits = reference.upper().removeprefix("R").lstrip("0") or "0"
                doc = services.issue_facility_use(request.user, digits)
            elif kind == "complaint_result":
                doc = services.issue_complaint_result(request.user, reference)
            else:
                raise DasanError(Code.UNKNOWN_KIND, services.unknown_kind_message(), field="kind")
        except DasanError as exc:
            error = exc
        else:
            messages.success(request, str(services.issued_message(doc)))
            return redirect("certificates_staff:issued")
    docs = services.recent_documents()[:50]
    return render(
        request, "certificates/staff/issued.html", {"docs": docs, "error": error}, status=error.status if error else 200
    )


@staff_required
@require_POST
def staff_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _or_404(services.get_document, request.user, pk)
    try:
        services.revoke(request.user, doc, request.POST.get("reason", ""))
    except DasanError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, str(services.done_message()))
    return redirect("certificates_staff:issued")


@staff_required
@require_GET
def staff_document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _or_404(services.get_document, request.user, pk)
    return _pdf_response(doc.pdf, f"document-{doc.number}.pdf")


__all__ = ["DocumentStatus"]
