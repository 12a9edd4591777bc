"""Resident complaint pages ("내 민원", the forms) and the public statistics.

Thin: reads go through :mod:`.selectors`, filings through :mod:`.intake` and
:mod:`.parking`, every later change through :mod:`.services`; a
:class:`~dasan.core.errors.DasanError` from a form's service is shown next to the field
it is about (``core.http.user_errors``), any other becomes its page (404, or a message
after a post) through ``core.http.DasanErrorMiddleware``.

Filing needs a signed-in resident, so that they can follow the complaint, rate the
answer and withdraw it; where a category allows it, an anonymous filing hides their
identity from staff but stays theirs to follow.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dasan.accounts import permissions
from dasan.core.conf import setting
from dasan.core.errors import DasanError
from dasan.core.http import user_errors

from . import intake, parking, receipts, selectors, services, stats
from .forms import (
    SOURCE_RE,
    ComplaintForm,
    ParkingReportForm,
    RatingForm,
    attach_service_error,
    max_photos,
)
from .models import Channel, Complaint, ContactPreference, FormKind, Status

PAGE_SIZE = 20
#: Session key: assistant conversations whose draft this session was shown.
SOURCE_SESSION = "complaints_sources"
SOURCE_SESSION_KEEP = 20

logger = logging.getLogger(__name__)


def resident_required(view):
    """Signed in, or off to the resident sign-in page and back here afterwards."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _own_complaint(request: HttpRequest, number: str) -> Complaint:
    """The signed-in person's own complaint, or 404 (someone else's looks the same as none)."""
    complaint = selectors.find_own(request.user, number)
    if complaint is None:
        raise selectors.complaint_not_found()
    return complaint


# --- 내 민원 ---------------------------------------------------------------------------


@require_GET
@resident_required
def mine(request: HttpRequest) -> HttpResponse:
    """내 민원: the signed-in person's complaints, newest first, with status and due date."""
    complaints = (
        selectors.own_complaints(request.user).select_related("category", "department").order_by("-received_at", "-id")
    )
    page = Paginator(complaints, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "complaints/mine.html", {"page": page})


@require_GET
@resident_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    """One complaint: what was filed, where it is now (timeline), the answer, rating, withdraw."""
    complaint = selectors.find_own(request.user, number)
    if complaint is None:
        # Staff open others' complaints on their workbench, which checks their scope and audits the read.
        if permissions.is_staff(request.user):
            return redirect("complaints_staff:detail", number=number)
        raise selectors.complaint_not_found()
    return _render_detail(request, complaint)


def _render_detail(
    request: HttpRequest, complaint: Complaint, *, rating_form: RatingForm | None = None, status: int = 200
):
    can_rate = (
        complaint.status in (Status.ANSWERED, Status.CLOSED)
        and bool(complaint.answered_at)
        and complaint.satisfaction is None
    )
    if rating_form is None and can_rate:
        rating_form = RatingForm()
    if rating_form is not None:
        rating_form.prepare_for_render()
    duplicate_of = complaint.duplicate_of
    context = {
        "complaint": complaint,
        "events": selectors.timeline(complaint, for_staff=False),
        "photos": list(complaint.photos.all()),
        "parking": getattr(complaint, "parking", None) if _has_parking(complaint) else None,
        "can_rate": can_rate,
        "rating_form": rating_form,
        "can_withdraw": complaint.is_open,
        "linked_open": bool(duplicate_of and duplicate_of.is_open),
        "linked": duplicate_of is not None,
        "just_filed": request.GET.get("filed") == "1",
    }
    return render(request, "complaints/detail.html", context, status=status)


def _has_parking(complaint: Complaint) -> bool:
    try:
        complaint.parking  # noqa: B018 - reverse one-to-one: raises when there is none
    except Complaint.parking.RelatedObjectDoesNotExist:
        return False
    return True


@require_GET
@resident_required
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    """접수증 as PDF (for a parking report, with the signed statement)."""
    complaint = _own_complaint(request, number)
    response = HttpResponse(receipts.render(complaint), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{complaint.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@resident_required
def rate(request: HttpRequest, number: str) -> HttpResponse:
    """만족도 평가: 1-5 and a comment, once the answer has come."""
    complaint = _own_complaint(request, number)
    form = RatingForm(request.POST)
    if form.is_valid():
        with user_errors(flash=False) as outcome:
            services.rate(
                complaint, actor=request.user, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
            )
        if outcome.error:
            attach_service_error(form, outcome.error)
        else:
            messages.success(request, _("만족도를 남겨 주셔서 고맙습니다."))
            return redirect("complaints:detail", number=complaint.number)
    complaint.refresh_from_db()
    # The form stays on the page even when the complaint cannot be rated, so that its error shows.
    return _render_detail(request, complaint, rating_form=form, status=400)


@require_POST
@resident_required
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    """취하: the resident takes back a complaint that is still open."""
    complaint = _own_complaint(request, number)
    with user_errors(request) as outcome:
        services.withdraw(complaint, actor=request.user)
    if outcome.ok:
        messages.success(request, _("민원을 취하했습니다."))
    return redirect("complaints:detail", number=complaint.number)


@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A complaint's photo, only for its owner and staff in scope; never cached by shared caches."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    item = selectors.photo_for(request.user, pk)
    try:
        handle = item.image.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("민원을 찾을 수 없습니다.")) from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="photo-{item.pk}.jpg"'
    return response


# --- 신청 ----------------------------------------------------------------------------


def _categories():
    return list(selectors.public_categories())


def _remember_source(request: HttpRequest, source: str) -> None:
    sources = [s for s in request.session.get(SOURCE_SESSION, []) if s != source]
    request.session[SOURCE_SESSION] = (sources + [source])[-SOURCE_SESSION_KEEP:]


def _assistant_draft(request: HttpRequest, conversation_id: str) -> dict | None:
    """The assistant's draft of this conversation for this person, or None."""
    try:
        from dasan.assistant import services as assistant_services
    except ImportError:  # pragma: no cover - the assistant is part of every installation
        return None
    complaint_draft = getattr(assistant_services, "complaint_draft", None)
    if complaint_draft is None:
        return None
    # A visitor who chatted before signing in holds the conversation through the session.
    session_ids = getattr(assistant_services, "session_conversation_ids", None)
    extra = {"session_conversation_ids": session_ids(request.session)} if session_ids else {}
    try:
        draft = complaint_draft(conversation_id, request.user, **extra)
    except DasanError:
        return None
    return draft if isinstance(draft, dict) else None


def _hint_code(hint, categories: dict) -> str:
    """The category the assistant's hint names (by code or by name), else ""."""
    code = getattr(hint, "code", hint)
    if not isinstance(code, str) or not code:
        return ""
    if code in categories:
        return code
    by_name = {c.name: c.code for c in categories.values()}
    return by_name.get(code, "")


def _suggested_code(text: str, categories: dict) -> str:
    """The router's category for the conversation's text, when it is confident; the
    resident still sees and can change it."""
    from . import routing

    try:
        suggestion = routing.suggest(text)
    except Exception:  # noqa: BLE001 - a preselection must never break the form
        logger.exception("routing.suggest failed while prefilling a complaint")
        return ""
    threshold = setting("COMPLAINT_AUTO_ASSIGN")
    category = suggestion.category
    if category is None or suggestion.confidence < threshold or category.code not in categories:
        return ""
    return category.code


def _new_initial(request: HttpRequest, categories: list) -> tuple[dict, bool]:
    """Initial values from ``?category=`` and the assistant hand-off ``?from=``."""
    by_code = {c.code: c for c in categories}
    initial: dict = {"contact_preference": ContactPreference.SMS}
    code = request.GET.get("category", "")
    if code in by_code:
        initial["category"] = code
    prefilled = False
    source = request.GET.get("from", "")
    if source and SOURCE_RE.match(source):
        draft = _assistant_draft(request, source)
        if draft:
            initial["title"] = (draft.get("title") or "")[:200]
            initial["description"] = draft.get("description") or ""
            initial["source"] = source
            if "category" not in initial:
                hinted = _hint_code(draft.get("category_hint"), by_code) or _suggested_code(
                    f"{initial['title']}\n{initial['description']}", by_code
                )
                if hinted:
                    initial["category"] = hinted
            _remember_source(request, source)
            prefilled = True
    return initial, prefilled


def _form_context(form, categories, **extra) -> dict:
    form.prepare_for_render()
    selected = form["category"].value() if form.is_bound else form.initial.get("category")
    selected_category = next((c for c in categories if c.code == selected), None)
    groups: dict[str, list] = {}
    for category in categories:
        groups.setdefault(category.group, []).append(category)
    return {
        "form": form,
        "category_groups": list(groups.items()),
        "selected_category": selected_category,
        "any_anonymous": any(c.allows_anonymous for c in categories),
        "max_photos": max_photos(),
        **extra,
    }


@never_cache
@require_http_methods(["GET", "POST"])
@resident_required
def new(request: HttpRequest) -> HttpResponse:
    """민원 신청: the general form (the parking category has its own page)."""
    everything = _categories()
    categories = [c for c in everything if c.form != FormKind.ILLEGAL_PARKING]
    parking_codes = {c.code for c in everything if c.form == FormKind.ILLEGAL_PARKING}
    if request.method == "GET":
        if request.GET.get("category") in parking_codes:
            return redirect("complaints:new_parking")
        initial, prefilled = _new_initial(request, categories)
        initial.setdefault("contact_email", getattr(request.user, "email", "") or "")
        form = ComplaintForm(initial=initial, categories=categories)
        return render(request, "complaints/new.html", _form_context(form, categories, prefilled=prefilled))

    form = ComplaintForm(request.POST, request.FILES, categories=categories)
    if form.is_valid():
        data = form.cleaned_data
        source = data["source"] if data["source"] in request.session.get(SOURCE_SESSION, []) else ""
        with user_errors(flash=False) as outcome:
            complaint = intake.file_complaint(
                title=data["title"],
                description=data["description"],
                channel=Channel.ASSISTANT if source else Channel.WEB,
                category=data["category"],
                resident=request.user,
                anonymous=data["anonymous"],
                contact_preference=data["contact_preference"],
                contact_email=data["contact_email"] if data["contact_preference"] == ContactPreference.EMAIL else "",
                latitude=data["latitude"],
                longitude=data["longitude"],
                address=data["address"],
                is_public=data["is_public"],
                photos=data["photos"],
                language=translation.get_language(),
                source_reference=source,
            )
        if outcome.ok:
            return _filed(request, complaint)
        attach_service_error(form, outcome.error)
    photos_lost = bool(request.FILES.getlist("photos"))
    return render(request, "complaints/new.html", _form_context(form, categories, photos_lost=photos_lost), status=400)


def _filed(request: HttpRequest, complaint: Complaint) -> HttpResponse:
    messages.success(request, _("민원이 접수되었습니다. 접수번호는 %(number)s입니다.") % {"number": complaint.number})
    return redirect(reverse("complaints:detail", args=[complaint.number]) + "?filed=1")


@never_cache
@require_http_methods(["GET", "POST"])
@resident_required
def new_parking(request: HttpRequest) -> HttpResponse:
    """불법주정차 신고: plate, place and time, two photos a minute apart, the signed statement."""
    consent_text = parking.consent_text(translation.get_language())
    if request.method == "GET":
        form = ParkingReportForm(initial={"signer_name": getattr(request.user, "name", "")})
        form.prepare_for_render()
        return render(request, "complaints/new_parking.html", {"form": form, "consent_text": consent_text})

    form = ParkingReportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        with user_errors(flash=False) as outcome:
            complaint = parking.file_parking_report(
                resident=request.user,
                plate=data["plate"],
                place=data["place"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                photos=[data["photo_first"], data["photo_second"]],
                signer_name=data["signer_name"],
                consent=data["consent"],
                observed_at=data["observed_at"],
                description=data["description"],
                channel=Channel.WEB,
                language=translation.get_language(),
            )
        if outcome.ok:
            return _filed(request, complaint)
        attach_service_error(form, outcome.error)
    form.prepare_for_render()
    photos_lost = bool(request.FILES)
    return render(
        request,
        "complaints/new_parking.html",
        {"form": form, "consent_text": consent_text, "photos_lost": photos_lost},
        status=400,
    )


# --- 통계 -----------------------------------------------------------------------------


@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    """민원 처리 현황: public, no sign-in."""
    days = stats.period(request.GET.get("days"))
    figures = stats.cached(days)
    return render(request, "complaints/stats.html", {"stats": figures, "periods": stats.PERIODS, "days": days})
