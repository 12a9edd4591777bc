"""Staff pages of 주민참여예산: the moderation queue, feasibility review, offline ballot entry
and confirmation (two different staff), closing the vote and publishing results, and the
tracking of funded projects. Processes, phases and headings are set up in the admin."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dasan.accounts.decorators import staff_required
from dasan.core import pii
from dasan.core.errors import CoreCode, DasanError
from dasan.core.http import user_errors

from . import selectors, services
from .models import BallotKind, Comment, Execution, Heading, Milestone, OfflineEntry, Proposal, Report


def _proposal(pk: int) -> Proposal:
    found = Proposal.objects.select_related("process", "heading").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@staff_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    reports = [
        (r, pii.mask_name(getattr(r.reporter, "name", ""))) for r in selectors.moderation_queue(request.user)[:50]
    ]
    context = {
        "processes": selectors.processes(),
        "reports": reports,
        "reviews": selectors.review_queue(request.user)[:50],
        "pending": selectors.offline_pending(request.user)[:50],
    }
    return render(request, "participation/staff/index.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    found, error = _proposal(pk), None
    if request.method == "POST":
        with user_errors(request, flash=False) as outcome:
            services.record_feasibility(
                found,
                actor=request.user,
                legal=request.POST.get("legal") == "yes",
                technical=request.POST.get("technical") == "yes",
                cost=request.POST.get("cost", ""),
                reason=request.POST.get("reason", ""),
            )
        if outcome.ok:
            messages.success(request, _("검토 결과를 기록했습니다."))
            return redirect("participation_staff:index")
        error = outcome.error
    return render(
        request,
        "participation/staff/review.html",
        {"proposal": found, "error": error, "data": request.POST},
        status=error.status if error else 200,
    )


@staff_required
@require_POST
def hide(request: HttpRequest, pk: int) -> HttpResponse:
    found = _proposal(pk)
    target = Comment.objects.filter(pk=request.POST.get("comment") or 0, proposal=found).first() or found
    with user_errors(request) as outcome:
        services.hide(target, actor=request.user, reason=request.POST.get("reason", ""))
    if outcome.ok:
        messages.success(request, _("숨겼습니다."))
    return redirect("participation_staff:index")


@staff_required
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    found = Report.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    services.dismiss_report(found, actor=request.user)
    return redirect("participation_staff:index")


@staff_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    found = _proposal(pk)
    into = Proposal.objects.filter(pk=request.POST.get("into") or 0).first()
    with user_errors(request) as outcome:
        if into is None:
            raise DasanError(CoreCode.INVALID_INPUT, _("합칠 제안 번호를 적어 주세요."))
        services.merge(found, into=into, actor=request.user)
    if outcome.ok:
        messages.success(request, _("제안을 합쳤습니다."))
    return redirect("participation_staff:index")


def _choices(request: HttpRequest, heading: Heading) -> dict[str, int]:
    if heading.process.ballot_kind == BallotKind.CUMULATIVE:
        return {k[2:]: v for k, v in request.POST.items() if k.startswith("p-") and v.strip()}
    return {pk: 1 for pk in request.POST.getlist("choice")}


@staff_required
@require_http_methods(["GET", "POST"])
def offline(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff A types a paper ballot (the voter's phone, birth date and 동 from their ID)."""
    process = selectors.process(slug)
    heading = process.headings.filter(pk=request.POST.get("heading") or request.GET.get("heading") or 0).first()
    error = None
    if request.method == "POST" and heading is not None:
        with user_errors(request, flash=False) as outcome:
            born = _date(request.POST.get("birth_date", ""))
            services.enter_offline(
                heading,
                actor=request.user,
                phone=request.POST.get("phone", ""),
                birth_date=born,
                dong_name=request.POST.get("dong_name", "").strip(),
                choices=_choices(request, heading),
            )
        if outcome.ok:
            messages.success(request, _("입력했습니다. 다른 직원이 확인하면 투표로 셉니다."))
            return redirect(f"{request.path}?heading={heading.pk}")
        error = outcome.error
    context = {
        "process": process,
        "heading": heading,
        "error": error,
        "projects": list(selectors.on_ballot(heading)) if heading else [],
    }
    return render(request, "participation/staff/offline.html", context, status=error.status if error else 200)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise DasanError(
            CoreCode.INVALID_INPUT, _("생년월일을 YYYY-MM-DD로 적어 주세요."), field="birth_date"
        ) from None


@staff_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff B types the same paper ballot again, without seeing the first entry."""
    entry = OfflineEntry.objects.select_related("heading__process").filter(pk=pk).first()
    if entry is None:
        raise Http404
    error = None
    if request.method == "POST":
        with user_errors(request, flash=False) as outcome:
            services.confirm_offline(entry, actor=request.user, choices=_choices(request, entry.heading))
        if outcome.ok:
            messages.success(request, _("확인했습니다. 투표로 셉니다."))
            return redirect("participation_staff:index")
        error = outcome.error
    context = {
        "entry": entry,
        "heading": entry.heading,
        "error": error,
        "projects": list(selectors.on_ballot(entry.heading)),
    }
    return render(request, "participation/staff/confirm.html", context, status=error.status if error else 200)


@staff_required
@require_POST
def close(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process(slug)
    with user_errors(request) as outcome:
        services.close_voting(process, actor=request.user)
    if outcome.ok:
        messages.success(request, _("투표를 마감하고 결과를 계산했습니다. 확인한 뒤 공개해 주세요."))
    return redirect("participation:results", slug=slug)


@staff_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process(slug)
    with user_errors(request) as outcome:
        services.publish_results(process, actor=request.user)
    if outcome.ok:
        messages.success(request, _("결과를 공개했습니다."))
    return redirect("participation:results", slug=slug)


@staff_required
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, pk: int) -> HttpResponse:
    found, error = _proposal(pk), None
    if request.method == "POST":
        with user_errors(request, flash=False) as outcome:
            if request.POST.get("milestone"):
                due = request.POST.get("due", "").strip()
                services.add_milestone(
                    found, actor=request.user, title=request.POST.get("milestone", ""), due=_date(due) if due else None
                )
            elif request.POST.get("done"):
                milestone = Milestone.objects.get(pk=request.POST["done"], proposal=found)
                services.complete_milestone(milestone, actor=request.user, on=dt.date.today())
            else:
                services.post_update(
                    found,
                    actor=request.user,
                    body=request.POST.get("body", ""),
                    execution=request.POST.get("execution", ""),
                    spent=request.POST.get("spent", ""),
                    photo=request.FILES.get("photo"),
                )
        if outcome.ok:
            messages.success(request, _("기록했습니다."))
            return redirect("participation_staff:track", pk=found.pk)
        error = outcome.error
    context = {"proposal": found, "error": error, "executions": Execution.choices}
    return render(request, "participation/staff/track.html", context, status=error.status if error else 200)
