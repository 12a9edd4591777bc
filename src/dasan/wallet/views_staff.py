"""Staff pages of 이음 지갑 (mounted at /staff/wallet/): programmes and their budget burn-down,
events with QR check-in, partner tokens and CSV uploads, claims to review, the accounting
(회계) export and the reconciliation report. Every page is for staff of the programme's
department (city-wide staff see all)."""

from __future__ import annotations

import csv
import datetime as dt

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dasan.accounts.decorators import staff_required
from dasan.core import audit, charts
from dasan.core.http import user_errors
from dasan.core.pii import mask_name

from . import partners, selectors, services
from .models import Event, PartnerToken, Programme
from .views import amount_from, event_link, qr_svg


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "code", "name", "description", "unit", "reward", "daily_cap", "monthly_cap", "yearly_cap",
            "residents_only", "min_age", "max_age", "starts_on", "ends_on", "points_valid_days", "is_active",
        ]  # fmt: skip
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ["title", "date", "starts_at", "ends_at", "place"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "starts_at": forms.TimeInput(attrs={"type": "time"}),
            "ends_at": forms.TimeInput(attrs={"type": "time"}),
        }


class PeriodForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("시작일"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("종료일"), widget=forms.DateInput(attrs={"type": "date"}))


@staff_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    programmes = selectors.staff_programmes(request.user).order_by("-ends_on", "name")
    context = {"programmes": programmes, "to_review": selectors.claims_to_review(request.user).count()}
    return render(request, "wallet/staff/index.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def programme_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = selectors.staff_programme(request.user, pk) if pk else Programme(department=request.user.department)
    form = ProgrammeForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with user_errors(request) as outcome:
            saved = services.save_programme(form.save(commit=False), actor=request.user)
            return redirect("wallet_staff:programme", pk=saved.pk)
        if outcome.error and outcome.error.details.get("field") in form.fields:
            form.add_error(outcome.error.details["field"], str(outcome.error.message))
    return render(request, "wallet/staff/programme_form.html", {"form": form, "programme": instance if pk else None})


def _burn_chart(programme: Programme) -> tuple[dict, object]:
    burn = selectors.burn_down(programme)
    rows = [(f"{day:%m-%d}", total) for day, total in burn["days"]]
    return burn, charts.columns("burn", _("일별 지급액"), rows, unit=_("원"))


@staff_required
@require_GET
def programme(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.staff_programme(request.user, pk)
    burn, chart = _burn_chart(item)
    context = {
        "programme": item,
        "burn": burn,
        "chart": chart,
        "events": item.events.order_by("-date")[:20],
        "tokens": selectors.tokens_of(item),
        "event_form": EventForm(),
        "new_token": request.session.pop("wallet_new_token", None),
        "csv_results": request.session.pop("wallet_csv_results", None),
    }
    return render(request, "wallet/staff/programme.html", context)


@staff_required
@require_POST
def fund(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.staff_programme(request.user, pk)
    with user_errors(request):
        services.fund(
            item, amount_from(request.POST.get("amount", "")), key=request.POST.get("key", ""), actor=request.user
        )
        messages.success(request, _("예산을 배정했습니다."))
    return redirect("wallet_staff:programme", pk=pk)


@staff_required
@require_POST
def add_event(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.staff_programme(request.user, pk)
    form = EventForm(request.POST)
    if form.is_valid():
        event_obj = form.save(commit=False)
        event_obj.programme = item
        event_obj.save()
        audit.record("wallet.event.create", actor=request.user, target=event_obj)
        return redirect("wallet_staff:event", pk=event_obj.pk)
    messages.error(request, _("행사 정보를 확인해 주세요."))
    return redirect("wallet_staff:programme", pk=pk)


@staff_required
@require_http_methods(["GET", "POST"])
def event(request: HttpRequest, pk: int) -> HttpResponse:
    """Check residents in: scan or type the code on their phone; or show this event's code."""
    item = selectors.staff_event(request.user, pk)
    context = {"event": item, "claim": None}
    if request.method == "POST":
        with user_errors(request) as outcome:
            context["claim"] = services.check_in(item, request.POST.get("code", ""), actor=request.user)
        context["error"] = outcome.error
    code = services.event_code(item)
    context["event_qr"] = qr_svg(event_link(code), _("행사 참여 확인 QR 코드"))
    return render(request, "wallet/staff/event.html", context, status=400 if context.get("error") else 200)


@staff_required
@require_POST
def issue_token(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.staff_programme(request.user, pk)
    name = request.POST.get("name", "").strip() or _("협력기관")
    _token, plain = services.issue_token(item, name, actor=request.user)
    request.session["wallet_new_token"] = plain  # shown once, on the next page
    return redirect("wallet_staff:programme", pk=pk)


@staff_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = PartnerToken.objects.filter(pk=pk, programme__in=selectors.staff_programmes(request.user)).first()
    if token is None:
        from django.http import Http404

        raise Http404
    services.revoke_token(token, actor=request.user)
    return redirect("wallet_staff:programme", pk=token.programme_id)


@staff_required
@require_POST
def upload_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """A partner's file handed to staff: the same rows as the partner API (source: CSV)."""
    item = selectors.staff_programme(request.user, pk)
    token = selectors.tokens_of(item).filter(pk=request.POST.get("token") or 0, revoked_at__isnull=True).first()
    upload = request.FILES.get("file")
    with user_errors(request):
        if token is None or upload is None:
            messages.error(request, _("협력기관과 파일을 선택해 주세요."))
        else:
            request.session["wallet_csv_results"] = partners.report_csv(token, upload.read())
    return redirect("wallet_staff:programme", pk=pk)


@staff_required
@require_GET
def claims(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.claims_to_review(request.user), 30).get_page(request.GET.get("page"))
    rows = [(c, mask_name(c.resident.name)) for c in page]
    return render(request, "wallet/staff/claims.html", {"page": page, "rows": rows})


@staff_required
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.staff_claim(request.user, pk)
    if request.method == "POST":
        decision, note = request.POST.get("decision"), request.POST.get("note", "")
        with user_errors(request):
            if decision == "reverse":
                services.reverse(item, actor=request.user, reason=note)
            else:
                services.review(item, approve=decision == "approve", actor=request.user, note=note)
            return redirect("wallet_staff:claims")
    audit.record_read(request.user, item, reason="wallet claim review")
    return render(request, "wallet/staff/claim.html", {"claim": item, "name": mask_name(item.resident.name)})


@staff_required
@require_GET
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.staff_claim(request.user, pk)
    if not item.evidence:
        from django.http import Http404

        raise Http404
    audit.record_read(request.user, item, reason="wallet evidence photo")
    with item.evidence.open("rb") as photo:
        response = HttpResponse(photo.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The ledger lines of my programmes in a period, for the city's accounting (회계) system."""
    form = PeriodForm(request.GET or None)
    if not form.is_valid():
        today = timezone.localdate()
        form = PeriodForm(initial={"since": today.replace(day=1), "until": today})
        return render(request, "wallet/staff/export.html", {"form": form})
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wallet-{since:%Y%m%d}-{until:%Y%m%d}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["entry_id", "date", "programme", "kind", "debit", "credit", "amount", "key"])
    for e in selectors.accounting_rows(request.user, since, until):
        budget = e.debit.programme or e.credit.programme
        writer.writerow(
            [e.pk, timezone.localtime(e.created_at).date(), budget.code if budget else "", e.kind, e.debit.kind,
             e.credit.kind, e.amount, e.key]
        )  # fmt: skip
    audit.record("wallet.export", actor=request.user, data={"since": since, "until": until})
    return response


@staff_required
@require_GET
def reconciliation(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.reconciliations(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "wallet/staff/reconciliation.html", {"page": page, "today": dt.date.today()})
