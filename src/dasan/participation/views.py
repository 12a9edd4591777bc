"""Resident pages of 주민참여예산: thin — gather what a template shows, call services for changes.
A service's DasanError that a view does not catch becomes the right page (dasan.core.http).

The proposal form is a wizard, one thing per page (heading → idea → cost → place → check your
answers), its answers kept in the session until the resident confirms. The ballot is a form
with a live remaining-budget counter (``static/participation/ballot.js``), then a check-your-
answers page whose confirm button carries a one-time token: the vote runs inside
``core.idempotency.run`` under that token, so a resubmission after a lost answer or a server
restart is answered with the stored result and counted once.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dasan.core import charts, idempotency
from dasan.core.http import user_errors

from . import selectors, services
from .models import BallotKind, Comment, Heading, Phase

WIZARD = ("heading", "idea", "cost", "place", "check")


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "participation/index.html", {"processes": selectors.processes()})


@require_GET
def process(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.process(slug)
    headings = list(found.headings.all())
    context = {
        "process": found,
        "phase": selectors.current_phase(found),
        "phases": list(found.phases.all()),
        "headings": headings,
        "total": sum(h.budget for h in headings),
        "min_age": selectors.min_age(found),
    }
    return render(request, "participation/process.html", context)


@require_GET
def proposals(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.process(slug)
    heading = found.headings.filter(pk=request.GET.get("heading") or 0).first()
    qs = selectors.proposals(found, heading=heading, state=request.GET.get("state", ""), query=request.GET.get("q", ""))
    page = selectors.page_of(qs, request.GET.get("page"))
    context = {"process": found, "page": page, "heading": heading, "q": request.GET.get("q", "")}
    return render(request, "participation/proposals.html", context)


@require_GET
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.proposal(pk, request.user)
    context = {
        "proposal": found,
        "process": found.process,
        "feasibility": getattr(found, "feasibility", None),
        "endorsed": selectors.endorsed(request.user, found),
        "is_author": request.user.is_authenticated and found.author_id == request.user.pk,
        "photos": list(found.photos.values_list("pk", flat=True)),
        "phase": selectors.current_phase(found.process),
    }
    return render(request, "participation/proposal.html", context)


@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.photo(pk)
    if found is None or found.proposal.hidden or found.proposal.state not in selectors.PUBLIC:
        raise Http404
    response = HttpResponse(bytes(found.image), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _act(request: HttpRequest, pk: int, work, done: str) -> HttpResponse:
    found = selectors.proposal(pk, request.user)
    with user_errors(request) as outcome:
        work(found)
    if outcome.ok:
        messages.success(request, done)
    return redirect("participation:proposal", pk=found.pk)


@login_required
@require_POST
def endorse(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda p: services.endorse(p, actor=request.user), _("공감했습니다."))


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    work = lambda p: services.comment(p, actor=request.user, body=request.POST.get("body", ""))  # noqa: E731
    return _act(request, pk, work, _("댓글을 남겼습니다."))


@login_required
@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    target = Comment.objects.filter(pk=request.POST.get("comment") or 0, proposal_id=pk).first()
    work = lambda p: services.report(p, actor=request.user, reason=request.POST.get("reason", ""), comment=target)  # noqa: E731
    return _act(request, pk, work, _("신고했습니다. 담당자가 살펴봅니다."))


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda p: services.withdraw(p, actor=request.user), _("제안을 철회했습니다."))


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    work = lambda p: services.answer_review(p, actor=request.user, body=request.POST.get("body", ""))  # noqa: E731
    return _act(request, pk, work, _("답변을 남겼습니다."))


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.proposal(pk, request.user)
    error = None
    if request.method == "POST":
        with user_errors(request, flash=False) as outcome:
            services.edit_proposal(
                found,
                actor=request.user,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                estimated_cost=request.POST.get("estimated_cost", ""),
                place=request.POST.get("place", ""),
            )
        if outcome.ok:
            messages.success(request, _("제안을 고쳤습니다."))
            return redirect("participation:proposal", pk=found.pk)
        error = outcome.error
    data = (
        request.POST
        if request.method == "POST"
        else {
            "title": found.title,
            "body": found.body,
            "estimated_cost": found.estimated_cost,
            "place": found.place,
        }
    )
    return render(
        request,
        "participation/edit.html",
        {"proposal": found, "data": data, "error": error},
        status=error.status if error else 200,
    )


# --- the proposal wizard ----------------------------------------------------------------------------


def _draft(request: HttpRequest, slug: str) -> dict:
    return request.session.setdefault(f"participation:draft:{slug}", {})


def _step_error(step: str, data: dict, headings) -> str:
    if step == "heading" and not headings.filter(pk=data.get("heading") or 0).exists():
        return _("사업 묶음을 골라 주세요.")
    if step == "idea" and (len(data.get("title", "").strip()) < 2 or len(data.get("body", "").strip()) < 10):
        return _("제목(2자 이상)과 내용(10자 이상)을 써 주세요.")
    if step == "cost" and not data.get("estimated_cost", "").replace(",", "").strip().isdigit():
        return _("추정 비용을 원 단위 숫자로 적어 주세요.")
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, slug: str, step: str = "heading") -> HttpResponse:
    found = selectors.process(slug)
    if step not in WIZARD:
        raise Http404
    draft, error = _draft(request, slug), ""
    headings = found.headings.all()
    if request.method == "POST" and step != "check":
        fields = {"heading": ["heading"], "idea": ["title", "body"], "cost": ["estimated_cost"], "place": ["place"]}
        values = {name: request.POST.get(name, "").strip() for name in fields[step]}
        error = _step_error(step, values, headings)
        if not error:
            draft.update(values)
            request.session.modified = True
            return redirect("participation:new_step", slug=slug, step=WIZARD[WIZARD.index(step) + 1])
    elif request.method == "POST":
        return _submit_draft(request, found, draft)
    context = {
        "process": found,
        "step": step,
        "draft": draft,
        "error": error,
        "headings": headings,
        "heading": headings.filter(pk=draft.get("heading") or 0).first(),
        "number": WIZARD.index(step) + 1,
        "open": selectors.in_phase(found, Phase.PROPOSALS),
    }
    return render(request, "participation/new.html", context, status=400 if error else 200)


def _submit_draft(request: HttpRequest, found, draft: dict) -> HttpResponse:
    heading = found.headings.filter(pk=draft.get("heading") or 0).first()
    if heading is None:
        return redirect("participation:new_step", slug=found.slug, step="heading")
    with user_errors(request) as outcome:
        made = services.submit_proposal(
            found,
            actor=request.user,
            heading=heading,
            title=draft.get("title", ""),
            body=draft.get("body", ""),
            estimated_cost=draft.get("estimated_cost", ""),
            place=draft.get("place", ""),
            photos=request.FILES.getlist("photos"),
        )
    if not outcome.ok:
        return redirect("participation:new_step", slug=found.slug, step="check")
    request.session.pop(f"participation:draft:{found.slug}", None)
    messages.success(request, _("제안을 올렸습니다. 검토 결과를 알려 드립니다."))
    return redirect("participation:proposal", pk=made.pk)


# --- the ballot ---------------------------------------------------------------------------------------


def _heading(slug: str, pk: int) -> Heading:
    found = Heading.objects.select_related("process").filter(process__slug=slug, pk=pk).first()
    if found is None:
        raise Http404
    return found


def _wanted(request: HttpRequest, heading: Heading) -> dict[str, int]:
    if heading.process.ballot_kind == BallotKind.CUMULATIVE:
        return {
            key[2:]: request.POST.get(key) for key in request.POST if key.startswith("p-") and request.POST.get(key)
        }
    return {pk: 1 for pk in request.POST.getlist("choice")}


@login_required
@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, slug: str, heading: int) -> HttpResponse:
    """The ballot (GET), then check your answers (POST), then confirm (POST with token)."""
    found = _heading(slug, heading)
    problem = selectors.can_vote(request.user, found)
    current = selectors.choices_of(selectors.ballot_of(request.user, found))
    context = {
        "process": found.process,
        "heading": found,
        "problem": problem,
        "open": selectors.in_phase(found.process, Phase.VOTING),
        "projects": list(selectors.on_ballot(found)),
        "current": current,
        "error": None,
    }
    if request.method == "POST" and request.POST.get("confirm"):
        return _confirm(request, found, context)
    if request.method == "POST":
        wanted = _wanted(request, found)
        with user_errors(request, flash=False) as outcome:
            picked = services.clean_choices(found, wanted)
        if outcome.ok:
            context.update(
                picked=picked,
                total=sum(p.voting_cost for p in picked),
                token=uuid.uuid4().hex,
                points=sum(picked.values()),
            )
            return render(request, "participation/ballot_check.html", context)
        context.update(error=outcome.error, current={int(k): int(v) for k, v in wanted.items() if str(v).isdigit()})
    return render(
        request, "participation/ballot.html", context, status=context["error"].status if context["error"] else 200
    )


def _confirm(request: HttpRequest, heading: Heading, context: dict) -> HttpResponse:
    wanted = {key[2:]: int(v) for key, v in request.POST.items() if key.startswith("p-") and v.isdigit()}

    def produce():
        made = services.vote(heading, wanted, actor=request.user)
        return 200, {"ballot": made.pk, "version": made.version}

    with user_errors(request, flash=False) as outcome:
        replay = idempotency.run(
            request.POST.get("token", ""),
            scope="participation.vote",
            owner=request.user,
            payload={"heading": heading.pk, "choices": wanted},
            produce=produce,
        )
    if not outcome.ok:
        context.update(error=outcome.error, current={int(k): v for k, v in wanted.items()})
        return render(request, "participation/ballot.html", context, status=outcome.status)
    messages.success(request, _("투표했습니다. 마감 전까지 언제든 바꿀 수 있습니다."))
    return redirect(
        reverse("participation:voted", args=[heading.process.slug, heading.pk]) + f"?v={replay.body['version']}"
    )


@login_required
@require_GET
def voted(request: HttpRequest, slug: str, heading: int) -> HttpResponse:
    found = _heading(slug, heading)
    mine = selectors.ballot_of(request.user, found)
    if mine is None:
        return redirect("participation:ballot", slug=slug, heading=heading)
    chosen = selectors.choices_of(mine)
    projects = [p for p in selectors.on_ballot(found) if p.pk in chosen]
    return render(
        request,
        "participation/voted.html",
        {"process": found.process, "heading": found, "ballot": mine, "projects": projects, "chosen": chosen},
    )


# --- results, tracking, statistics --------------------------------------------------------------------


@require_GET
def results(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.process(slug)
    return render(
        request, "participation/results.html", {"process": found, "results": selectors.results(found, request.user)}
    )


@require_GET
def open_data(request: HttpRequest, slug: str, heading: int) -> HttpResponse:
    found = selectors.result_file(selectors.process(slug), heading)
    response = HttpResponse(found.pb, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{heading}.pb"'
    return response


@require_GET
def tracking(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.process(slug)
    projects = selectors.funded(found).prefetch_related("milestones")
    return render(
        request,
        "participation/tracking.html",
        {"process": found, "projects": projects, "totals": selectors.spending(found)},
    )


@require_GET
def statistics(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.process(slug)
    stats = selectors.statistics(found)
    k = stats["k"]
    visible = lambda rows: [(label, n) for label, n, _shown in rows if n >= k]  # noqa: E731
    context = {
        "process": found,
        "stats": stats,
        "dong_chart": charts.columns("p-dong", _("동별 투표 수"), visible(stats["by_dong"])),
        "age_chart": charts.columns("p-age", _("연령대별 투표 수"), visible(stats["by_age"])),
    }
    return render(request, "participation/statistics.html", context)
