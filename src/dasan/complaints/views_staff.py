"""Staff workbench for complaints (민원 처리): department queues, the triage queue,
one complaint's page with its actions, bulk reassignment and intake at the counter.

Thin: every change goes through :mod:`dasan.complaints.services`, which checks the
workflow, audits and notifies the resident. These views parse what was posted,
call a service, and show a :class:`~dasan.core.errors.DasanError` as a form error.
What a member of staff may see comes from ``selectors.visible_complaints`` (the
department scoping of ``accounts.permissions``); opening one complaint goes through
``selectors.get_complaint``, which records the read in the audit log. A failed action
shows the page again with the error beside its form and what was typed kept
(``core.http.user_errors``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dasan.accounts import permissions
from dasan.accounts.decorators import staff_required
from dasan.complaints.errors import Code
from dasan.core import audit, pii
from dasan.core.errors import DasanError
from dasan.core.http import safe_next, user_errors
from dasan.core.models import Department

from . import deadlines, intake, selectors, services
from .models import OPEN_STATUSES, Category, Complaint, ContactPreference, Status, TranslationState

PAGE_SIZE = 25
TRIAGE_PAGE_SIZE = 50
#: Session key: numbers whose contact the staff member chose to reveal, shown once.
REVEAL_SESSION = "complaints_staff_reveal"
#: Session key: counter forms already submitted (a double click files once).
COUNTER_SESSION = "complaints_staff_counter"
COUNTER_SESSION_KEEP = 50
#: The reason recorded in the audit log when a complaint's page is opened.
READ_REASON = "민원 처리 화면"

SLA_STATES = ("overdue", "due_today", "ok", "done")
SLA_LABELS = {
    "overdue": gettext_lazy("기한 지남"),
    "due_today": gettext_lazy("오늘 마감"),
    "ok": gettext_lazy("기한 남음"),
    "done": gettext_lazy("처리 끝남"),
}
#: Pseudo-status of the queue's status filter: every status still waiting for the city.
OPEN = "open"
ALL = "all"


# --- queue --------------------------------------------------------------------------------------
class QueueFilter(forms.Form):
    """The queue's filters (GET). An invalid value drops that filter, never the page."""

    q = forms.CharField(label=gettext_lazy("접수번호 또는 제목"), required=False, max_length=100)
    status = forms.ChoiceField(label=gettext_lazy("상태"), required=False)
    category = forms.ModelChoiceField(
        label=gettext_lazy("분류"),
        required=False,
        queryset=Category.objects.none(),
        empty_label=gettext_lazy("모든 분류"),
    )
    sla = forms.ChoiceField(label=gettext_lazy("처리 기한"), required=False)
    department = forms.ModelChoiceField(
        label=gettext_lazy("담당 부서"),
        required=False,
        queryset=Department.objects.none(),
        empty_label=gettext_lazy("모든 부서"),
    )
    mine = forms.BooleanField(label=gettext_lazy("나에게 배정된 민원만"), required=False)
    untranslated = forms.BooleanField(label=gettext_lazy("번역이 필요한 민원만"), required=False)

    def __init__(self, data, *, departments: QuerySet):
        super().__init__(data)
        self.fields["status"].choices = [(OPEN, _("처리할 민원 (접수~연장)")), (ALL, _("모든 상태")), *Status.choices]
        self.fields["category"].queryset = Category.objects.order_by("order", "code")
        self.fields["sla"].choices = [("", _("모든 기한")), *[(key, SLA_LABELS[key]) for key in SLA_STATES]]
        self.fields["department"].queryset = departments

    def value(self, name: str):
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name)


def _sla_q(state: str, now: datetime) -> Q:
    """The rows whose ``deadlines.sla_state`` is ``state``, as a database filter."""
    open_ = Q(status__in=OPEN_STATUSES)
    local = timezone.localtime(now)
    end_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    if state == "done":
        return ~open_
    if state == "overdue":
        return open_ & Q(due_at__lt=now)
    if state == "due_today":
        return open_ & Q(due_at__gte=now, due_at__lt=end_of_day)
    return open_ & Q(due_at__gte=end_of_day)


def _with_sla(item: dict, complaint: Complaint, now: datetime | None = None) -> dict:
    state = deadlines.sla_state(complaint, now)
    item.update(sla=state, sla_label=SLA_LABELS.get(state, state))
    return item


def _filtered(rows: QuerySet, form: QueueFilter, user, now: datetime) -> QuerySet:
    """``rows`` under the queue's filters, all but the status's own."""
    q = (form.value("q") or "").strip()
    if q:
        rows = rows.filter(Q(number__icontains=q) | Q(title__icontains=q))
    if form.value("category"):
        rows = rows.filter(category=form.value("category"))
    if form.value("department"):
        rows = rows.filter(department=form.value("department"))
    if form.value("mine"):
        rows = rows.filter(assignee=user)
    if form.value("untranslated"):
        # Written in another language with no Korean translation yet, or answered in Korean
        # to a resident of another language with no translation of the answer yet.
        rows = rows.filter(Q(translation=TranslationState.NEEDED) | Q(answer_translation=TranslationState.NEEDED))
    sla = form.value("sla")
    if sla in SLA_STATES:
        rows = rows.filter(_sla_q(sla, now))
    return rows


def _queue_context(request: HttpRequest) -> dict:
    user = request.user
    now = timezone.now()
    scope = selectors.visible_complaints(user)
    departments = Department.objects.filter(pk__in=scope.exclude(department=None).values("department_id")).order_by(
        "code"
    )
    params = request.GET.copy()
    params.setdefault("status", OPEN)
    form = QueueFilter(params, departments=departments)

    # Counts per status and per deadline state, under every filter but the status's own.
    counted = rows = _filtered(scope, form, user, now)
    status = form.value("status") or OPEN
    if status == OPEN:
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status != ALL:
        rows = rows.filter(status=status)
    ordering = ("due_at", "id") if status in (OPEN, *OPEN_STATUSES) else ("-received_at", "-id")
    rows = rows.select_related("category", "department", "assignee").order_by(*ordering)

    by_status = dict(counted.values_list("status").annotate(n=Count("id")).values_list("status", "n"))

    def link(**changes) -> str:
        query = {k: v for k, v in params.items() if k != "page"}
        query.update(changes)
        return "?" + urlencode({k: v for k, v in query.items() if v})

    status_counts = [
        {"value": value, "label": label, "count": by_status.get(value, 0), "url": link(status=value)}
        for value, label in Status.choices
    ]
    open_counted = counted.filter(status__in=OPEN_STATUSES)
    sla_counts = open_counted.aggregate(
        overdue=Count("id", filter=_sla_q("overdue", now)),
        due_today=Count("id", filter=_sla_q("due_today", now)),
    )

    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [_with_sla({"complaint": c}, c, now) for c in page.object_list]
    keep = request.GET.copy()
    keep.pop("page", None)
    return {
        "form": form,
        "page": page,
        "items": items,
        "status_counts": status_counts,
        "open_count": sum(by_status.get(s, 0) for s in OPEN_STATUSES),
        "open_url": link(status=OPEN),
        "sla_urls": {"overdue": link(sla="overdue", status=OPEN), "due_today": link(sla="due_today", status=OPEN)},
        "current_status": status,
        "sla_counts": sla_counts,
        "query_without_page": keep.urlencode(),
        "all_departments": Department.objects.filter(is_active=True).order_by("code"),
        **_subnav(user),
    }


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The department queue: filters, deadline state, counts, bulk reassignment."""
    context = _queue_context(request)
    return render(request, "complaints/staff/queue.html", context)


@staff_required
@require_POST
def bulk_reassign(request: HttpRequest) -> HttpResponse:
    """Move the ticked complaints to another department (with a reason)."""
    back = safe_next(request, reverse("complaints_staff:queue"))
    numbers = [n.strip() for n in request.POST.getlist("numbers") if n.strip()]
    reason = request.POST.get("reason", "").strip()
    with user_errors(flash=False) as outcome:
        if not numbers:
            raise DasanError(Code.NOTHING_SELECTED, _("옮길 민원을 하나 이상 고르세요."))
        department = _department(request.POST.get("department"))
        moved = services.bulk_reassign(numbers, department=department, actor=request.user, reason=reason)
    if outcome.error:
        # Show the queue again with the error next to the form and the ticks kept.
        context = _queue_context(_as_get(request, back))
        context.update(
            bulk_error=outcome.message,
            bulk_selected=set(numbers),
            bulk_reason=reason,
            bulk_department=request.POST.get("department", ""),
        )
        return render(request, "complaints/staff/queue.html", context, status=outcome.status)
    messages.success(
        request,
        _("민원 %(count)d건을 %(department)s(으)로 옮겼습니다.") % {"count": moved, "department": department.name},
    )
    left = len(set(numbers)) - moved
    if left > 0:
        messages.warning(
            request,
            _("%(count)d건은 옮기지 않았습니다. 이미 그 부서에 있거나, 처리가 끝났거나, 맡을 수 없는 민원입니다.")
            % {"count": left},
        )
    return HttpResponseRedirect(back)


def _as_get(request: HttpRequest, url: str) -> HttpRequest:
    """The queue of ``url``'s filters, drawn in answer to a POST that failed."""
    from django.http import QueryDict

    query = url.partition("?")[2]
    request.GET = QueryDict(query)
    return request


def _department(value) -> Department:
    try:
        return Department.objects.get(pk=int(value), is_active=True)
    except (TypeError, ValueError, Department.DoesNotExist):
        raise DasanError(Code.DEPARTMENT_REQUIRED, _("옮길 부서를 고르세요.")) from None


def _subnav(user) -> dict:
    routes = permissions.is_manager(user)
    return {"can_route": routes, "triage_count": selectors.triage_rows(user).count() if routes else 0}


# --- triage -------------------------------------------------------------------------------------
@staff_required
@require_GET
def triage(request: HttpRequest) -> HttpResponse:
    """The triage queue: each unrouted complaint with the classifier's suggestion."""
    if not permissions.is_manager(request.user):
        raise DjangoPermissionDenied
    rows = (
        selectors.triage_rows(request.user)
        .select_related("suggested_category__department")
        .order_by("received_at", "id")
    )
    page = Paginator(rows, TRIAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    items = [
        {
            **_with_sla({"complaint": c}, c, now),
            "confidence": None if c.suggestion_confidence is None else round(c.suggestion_confidence * 100),
            "suggested_department": c.suggested_category.department if c.suggested_category else None,
        }
        for c in page.object_list
    ]
    return render(
        request,
        "complaints/staff/triage.html",
        {
            "page": page,
            "items": items,
            **_subnav(request.user),
            "departments": Department.objects.filter(is_active=True).order_by("code"),
        },
    )


# --- one complaint ------------------------------------------------------------------------------
def _photo_url(photo_id: int) -> str:
    return reverse("complaints:photo", args=[photo_id])


def _mask_address(address: str, revealed: bool) -> str:
    return address if revealed or not address else pii.mask(address)


def _contact(complaint: Complaint, *, revealed: bool) -> dict:
    from dasan.accounts.selectors import masked_phone

    if complaint.is_anonymous:
        # An anonymous filing keeps no contact; a linked account must not unmask it.
        return {
            "name": "",
            "phone": "",
            "email": "",
            "address": _mask_address(complaint.address, revealed),
            "revealed": revealed,
            "has_any": bool(complaint.address),
        }
    resident = complaint.resident
    name = complaint.contact_name or (resident.name if resident else "")
    phone = complaint.contact_phone or (resident.phone if resident else "") or ""
    email = complaint.contact_email or (resident.email if resident else "")
    address = complaint.address
    if revealed:
        return {
            "name": name,
            "phone": phone,
            "email": email,
            "address": address,
            "revealed": True,
            "has_any": bool(name or phone or email or address),
        }
    return {
        "name": pii.mask_name(name),
        "phone": masked_phone(phone),
        "email": pii.mask(email) if email else "",
        "address": _mask_address(address, revealed),
        "revealed": False,
        "has_any": bool(name or phone or email or address),
    }


def _detail_context(
    request: HttpRequest,
    complaint: Complaint,
    *,
    revealed: bool = False,
    errors: dict | None = None,
    values: dict | None = None,
) -> dict:
    values = dict(values or {})
    templates = selectors.answer_templates(complaint)
    chosen = None
    if "answer" not in values:
        picked = request.GET.get("template", "")
        chosen = next((t for t in templates if str(t.pk) == picked), None)
        values["answer"] = chosen.body if chosen else ""
    status = complaint.status
    confidence = complaint.suggestion_confidence
    return {
        **_with_sla({"complaint": complaint}, complaint),
        "confidence": None if confidence is None else round(confidence * 100),
        "events": selectors.timeline(complaint, for_staff=True),
        "photos": [{"photo": p, "url": _photo_url(p.pk)} for p in complaint.photos.all()],
        "contact": _contact(complaint, revealed=revealed),
        "language_name": dict(settings.LANGUAGES).get(complaint.language, complaint.language),
        "machine_translation": _translation_enabled(),
        "templates": templates,
        "template_bodies": {str(t.pk): t.body for t in templates},
        "chosen_template": chosen,
        "departments": Department.objects.filter(is_active=True).order_by("code"),
        "assignees": selectors.assignable_staff(complaint.department_id),
        "errors": errors or {},
        "values": values,
        # The forms offered follow the workflow; the services still have the last word.
        "can": {
            step: status in services.TRANSITIONS[step]
            for step in ("assign", "start", "extend", "transfer", "answer", "close")
        },
        **_subnav(request.user),
    }


def _get_visible(user, number: str) -> Complaint:
    """The complaint for an action; 404 when the user's scope does not hold it.

    No audit read here: the page it was posted from recorded the read, and the
    action records itself."""
    complaint = (
        selectors.visible_complaints(user)
        .filter(number=number)
        .select_related("category", "department", "assignee", "resident")
        .first()
    )
    if complaint is None:
        raise selectors.complaint_not_found()
    return complaint


@staff_required
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    """One complaint: what was asked, the resident's contact (masked), history, notes, actions."""
    complaint = selectors.get_complaint(request.user, number, reason=READ_REASON)
    revealed = number in request.session.get(REVEAL_SESSION, [])
    if revealed:
        # Shown once: a reload, a shared screen or the back button shows the mask again.
        request.session[REVEAL_SESSION] = [n for n in request.session[REVEAL_SESSION] if n != number]
    return render(request, "complaints/staff/detail.html", _detail_context(request, complaint, revealed=revealed))


def _posted_int(request: HttpRequest, name: str, error: DasanError) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise error from None


def _do_assign(request: HttpRequest, complaint: Complaint) -> str:
    department = _department(request.POST.get("department"))
    assignee = None
    if request.POST.get("assignee"):
        assignee = (
            selectors.assignable_staff(department)
            .filter(
                pk=_posted_int(request, "assignee", DasanError(Code.ASSIGNEE_INVALID, _("담당자를 다시 고르세요.")))
            )
            .first()
        )
        if assignee is None:
            raise DasanError(Code.ASSIGNEE_INVALID, _("담당자는 배정할 부서의 직원이어야 합니다."))
    services.assign(
        complaint,
        department=department,
        actor=request.user,
        assignee=assignee,
        reason=request.POST.get("reason", "").strip(),
    )
    return _("%(department)s에 배정했습니다.") % {"department": department.name}


def _do_start(request: HttpRequest, complaint: Complaint) -> str:
    services.start(complaint, actor=request.user)
    return _("처리를 시작했습니다.")


def _do_extend(request: HttpRequest, complaint: Complaint) -> str:
    days = _posted_int(request, "days", DasanError(Code.DAYS_INVALID, _("연장할 일수를 숫자로 적어 주세요.")))
    services.extend(complaint, actor=request.user, days=days, reason=request.POST.get("reason", "").strip())
    return _("처리기간을 %(days)d일 연장했습니다.") % {"days": days}


def _do_transfer(request: HttpRequest, complaint: Complaint) -> str:
    agency = request.POST.get("agency", "").strip()
    services.transfer(complaint, actor=request.user, agency=agency, reason=request.POST.get("reason", "").strip())
    return _("%(agency)s(으)로 이송했습니다.") % {"agency": agency}


def _translation_enabled() -> bool:
    from dasan import translation as mt

    return mt.enabled()


def _do_answer(request: HttpRequest, complaint: Complaint) -> str:
    services.answer(
        complaint,
        actor=request.user,
        text=request.POST.get("answer", "").strip(),
        translated=request.POST.get("answer_translated", ""),
    )
    return _("답변을 보냈습니다.")


def _do_translate(request: HttpRequest, complaint: Complaint) -> str:
    services.translate(
        complaint,
        actor=request.user,
        title_ko=request.POST.get("title_ko", ""),
        description_ko=request.POST.get("description_ko", ""),
        answer_translated=request.POST.get("answer_translated"),
    )
    return _("번역을 저장했습니다.")


def _do_close(request: HttpRequest, complaint: Complaint) -> str:
    services.close(complaint, actor=request.user)
    return _("종결했습니다.")


def _do_note(request: HttpRequest, complaint: Complaint) -> str:
    services.add_note(complaint, actor=request.user, text=request.POST.get("note", "").strip())
    return _("내부 메모를 남겼습니다.")


def _do_reveal(request: HttpRequest, complaint: Complaint) -> str:
    reason = request.POST.get("reveal_reason", "").strip()
    if not reason:
        raise DasanError(Code.REASON_REQUIRED, _("연락처를 보는 까닭을 적어 주세요. 열람 기록에 남습니다."))
    audit.record_read(request.user, complaint, reason=f"연락처 열람: {reason}"[:500])
    shown = [n for n in request.session.get(REVEAL_SESSION, []) if n != complaint.number]
    request.session[REVEAL_SESSION] = (shown + [complaint.number])[-20:]
    return _("연락처 열람을 기록했습니다. 이 화면에서 한 번만 보입니다.")


ACTIONS = {
    "assign": _do_assign,
    "start": _do_start,
    "extend": _do_extend,
    "transfer": _do_transfer,
    "answer": _do_answer,
    "translate": _do_translate,
    "close": _do_close,
    "note": _do_note,
    "reveal": _do_reveal,
}
#: Fields a failed form keeps, so that a long answer is never lost to a mistake.
KEPT_FIELDS = (
    "answer",
    "answer_translated",
    "title_ko",
    "description_ko",
    "note",
    "reason",
    "days",
    "agency",
    "department",
    "assignee",
    "reveal_reason",
)


@staff_required
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One workflow step on one complaint (POST), then back to its page (or ``next``)."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    complaint = _get_visible(request.user, number)
    fallback = reverse("complaints_staff:detail", args=[complaint.number])
    with user_errors(flash=False) as outcome:
        done = handler(request, complaint)
    if outcome.error:
        values = {name: request.POST.get(name, "") for name in KEPT_FIELDS if name in request.POST}
        values["action"] = action
        complaint.refresh_from_db()
        context = _detail_context(request, complaint, errors={action: outcome.message}, values=values)
        return render(request, "complaints/staff/detail.html", context, status=outcome.status)
    messages.success(request, done)
    target = safe_next(request, fallback)
    if action == "reveal":
        target = fallback + "#contact"
    return HttpResponseRedirect(target)


# --- intake at the counter ----------------------------------------------------------------------
class CounterForm(forms.Form):
    """방문 접수: what a member of staff types in for a resident at the counter."""

    category = forms.ModelChoiceField(
        label=gettext_lazy("분류"),
        required=False,
        queryset=Category.objects.none(),
        empty_label=gettext_lazy("모름 (자동 분류에 맡김)"),
    )
    title = forms.CharField(label=gettext_lazy("제목"), max_length=200)
    description = forms.CharField(label=gettext_lazy("내용"), widget=forms.Textarea(attrs={"rows": 8}))
    address = forms.CharField(label=gettext_lazy("장소 (주소)"), max_length=200, required=False)
    contact_name = forms.CharField(label=gettext_lazy("신청인 이름"), max_length=60, required=False)
    contact_phone = forms.CharField(
        label=gettext_lazy("휴대전화"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    contact_email = forms.EmailField(
        label=gettext_lazy("이메일"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    contact_preference = forms.ChoiceField(
        label=gettext_lazy("결과 알림"), choices=ContactPreference.choices, initial=ContactPreference.SMS
    )
    language = forms.ChoiceField(label=gettext_lazy("알림 언어"), choices=settings.LANGUAGES, initial="ko")
    is_public = forms.BooleanField(label=gettext_lazy("민원 내용을 공개해도 된다고 동의함"), required=False)
    nonce = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.public_categories()


def _counter_done(request: HttpRequest) -> dict:
    return request.session.get(COUNTER_SESSION, {})


def _complaint_url_for(user, complaint: Complaint) -> str:
    if selectors.visible_complaints(user).filter(pk=complaint.pk).exists():
        return reverse("complaints_staff:detail", args=[complaint.number])
    return reverse("complaints_staff:counter")


def _file_at_counter(request: HttpRequest, form: CounterForm, nonce: str):
    """File the counter form's complaint: a redirect to it, or the error to show on the form."""
    data = form.cleaned_data
    with user_errors(flash=False) as outcome:
        complaint = intake.file_complaint(
            title=data["title"],
            description=data["description"],
            channel="counter",
            category=data["category"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            contact_preference=data["contact_preference"],
            address=data["address"],
            is_public=data["is_public"],
            photos=request.FILES.getlist("photos"),
            language=data["language"],
            filed_by=request.user,
        )
    if outcome.error:
        return outcome
    if nonce:
        done = dict(list(_counter_done(request).items())[-(COUNTER_SESSION_KEEP - 1) :])
        done[nonce] = complaint.number
        request.session[COUNTER_SESSION] = done
    messages.success(
        request,
        _("접수번호 %(number)s(으)로 접수했습니다. 신청인에게 접수번호를 알려 주세요.") % {"number": complaint.number},
    )
    return redirect(_complaint_url_for(request.user, complaint))


@staff_required
@require_http_methods(["GET", "POST"])
def counter(request: HttpRequest) -> HttpResponse:
    """File a complaint for a resident who came in person (channel "counter")."""
    error = ""
    status = 200
    if request.method == "POST":
        form = CounterForm(request.POST, request.FILES)
        nonce = request.POST.get("nonce", "")
        earlier = _counter_done(request).get(nonce) if nonce else None
        # The same form sent twice (a double click, a reload): one complaint.
        complaint = selectors.find_by_number(earlier) if earlier else None
        if complaint is not None:
            messages.info(request, _("이미 접수번호 %(number)s(으)로 접수했습니다.") % {"number": complaint.number})
            return redirect(_complaint_url_for(request.user, complaint))
        if not form.is_valid():
            status = 400
        else:
            result = _file_at_counter(request, form, nonce)
            if isinstance(result, HttpResponse):
                return result
            error, status = result.message, result.status
    else:
        form = CounterForm(initial={"nonce": uuid.uuid4().hex, "contact_preference": ContactPreference.SMS})
    return render(
        request, "complaints/staff/counter.html", {"form": form, "error": error, **_subnav(request.user)}, status=status
    )
