"""주민참여예산 API (``/api/v1/participation/``): processes, proposals, ballots, results and
the open data files.

``POST /processes/{slug}/headings/{id}/ballot`` takes an ``Idempotency-Key`` header: a retry
with the same key and body (a dropped answer, a restarted server) gets the first answer back
and is counted once; a changed ballot needs a new key. Results appear once staff publish them;
``/results/{heading}.pb`` is the Pabulib file that ``dasan participation tally`` reproduces.
"""

from __future__ import annotations

import datetime as dt
import json

from django.http import HttpRequest, HttpResponse
from ninja import Header, Path, Query, Router, Schema, Status

from dasan.accounts.api_auth import session_or_token
from dasan.core import idempotency
from dasan.core.errors import NotFound
from dasan.core.schemas import ID_MAX, ErrorOut

from . import selectors, services
from .models import Heading

router = Router(tags=["participation"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ParticipationSummaryOut(Schema):
    ready: bool


class PhaseOut(Schema):
    phase: str
    starts: dt.datetime
    ends: dt.datetime


class HeadingOut(Schema):
    id: int
    name: str
    budget: int
    dong_name: str = ""
    dong_code: str = ""


class ProcessOut(Schema):
    slug: str
    title: str
    description: str = ""
    ballot_kind: str
    rule: str
    max_choices: int | None = None
    max_points: int | None = None
    min_age: int
    current_phase: str | None = None
    phases: list[PhaseOut]
    headings: list[HeadingOut]
    results_published: bool


class ProposalOut(Schema):
    id: int
    heading: int
    title: str
    body: str
    state: str
    hidden: bool
    hidden_reason: str = ""
    estimated_cost: int
    cost: int
    endorsements: int
    merged_into: int | None = None
    execution: str = ""
    spent: int = 0


class ProposalPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ProposalOut]


class BallotIn(Schema):
    choices: dict[str, int]


class BallotOut(Schema):
    ballot: int
    version: int


class ResultLineOut(Schema):
    proposal: int
    title: str
    votes: int
    score: int
    cost: int
    funded: bool
    reason: str
    round: int | None = None
    remaining_before: int | None = None


class ResultOut(Schema):
    heading: int
    name: str
    budget: int
    spent: int
    ballots: int
    rule: str
    kind: str
    open_data: str
    lines: list[ResultLineOut]


class UpcomingOut(Schema):
    process: str
    title: str
    starts: dt.datetime
    ends: dt.datetime
    open: bool
    headings: list[str]


def process_out(process) -> dict:
    return {
        "slug": process.slug,
        "title": process.title,
        "description": process.description,
        "ballot_kind": process.ballot_kind,
        "rule": process.rule,
        "max_choices": process.max_choices,
        "max_points": process.max_points,
        "min_age": selectors.min_age(process),
        "current_phase": selectors.current_phase(process),
        "phases": [{"phase": p.phase, "starts": p.starts, "ends": p.ends} for p in process.phases.all()],
        "headings": [
            {"id": h.pk, "name": h.name, "budget": h.budget, "dong_name": h.dong_name, "dong_code": h.dong_code}
            for h in process.headings.all()
        ],
        "results_published": process.results_published_at is not None,
    }


def proposal_out(p) -> dict:
    hidden = p.hidden
    return {
        "id": p.pk,
        "heading": p.heading_id,
        "title": "" if hidden else p.title,
        "body": "" if hidden else p.body,
        "state": p.state,
        "hidden": hidden,
        "hidden_reason": p.hidden_reason,
        "estimated_cost": p.estimated_cost,
        "cost": p.voting_cost,
        "endorsements": p.endorsements_count,
        "merged_into": p.merged_into_id,
        "execution": p.execution,
        "spent": p.spent,
    }


@router.get("/", response=ParticipationSummaryOut, summary="What the app offers now", auth=None)
def summary(request):
    return selectors.summary(request.user)


@router.get("/processes", response=list[ProcessOut], summary="Processes", auth=None)
def processes(request: HttpRequest):
    return [process_out(p) for p in selectors.processes()[:100]]


@router.get("/upcoming-votes", response=list[UpcomingOut], summary="Votes open or to come for a 동", auth=None)
def upcoming(request: HttpRequest, dong: str = Query("", max_length=50)):
    return selectors.upcoming_votes(dong)


@router.get("/processes/{slug}", response={200: ProcessOut, **ERRORS}, summary="One process", auth=None)
def one_process(request: HttpRequest, slug: str = Path(..., max_length=80)):
    return process_out(selectors.process(slug))


@router.get("/processes/{slug}/proposals", response={200: ProposalPage, **ERRORS}, summary="Proposals", auth=None)
def proposals(
    request: HttpRequest,
    slug: str = Path(..., max_length=80),
    heading: int | None = Query(None, ge=1, le=ID_MAX),
    page: int = Query(1, ge=1, le=100000),
):
    process = selectors.process(slug)
    chosen = process.headings.filter(pk=heading).first() if heading else None
    found = selectors.page_of(selectors.proposals(process, heading=chosen), page, per_page=50)
    return {
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "items": [proposal_out(p) for p in found],
    }


@router.get("/proposals/{proposal_id}", response={200: ProposalOut, **ERRORS}, summary="One proposal", auth=None)
def one_proposal(request: HttpRequest, proposal_id: int = Path(..., ge=1, le=ID_MAX)):
    return proposal_out(selectors.proposal(proposal_id, request.user))


@router.post(
    "/processes/{slug}/headings/{heading_id}/ballot",
    response={200: BallotOut, **ERRORS},
    auth=session_or_token,
    summary="Cast or change my ballot in a heading",
)
def cast(
    request: HttpRequest,
    response: HttpResponse,
    data: BallotIn,
    slug: str = Path(..., max_length=80),
    heading_id: int = Path(..., ge=1, le=ID_MAX),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200),
):
    heading = Heading.objects.select_related("process").filter(process__slug=slug, pk=heading_id).first()
    if heading is None:
        raise NotFound()

    def produce():
        made = services.vote(heading, data.choices, actor=request.auth)
        return 200, {"ballot": made.pk, "version": made.version}

    key = (idempotency_key or "").strip()
    if not key:
        return Status(*produce())
    replay = idempotency.run(
        key,
        scope="participation.vote",
        owner=request.auth,
        payload={"heading": heading.pk, "choices": data.choices},
        produce=produce,
    )
    body = json.loads(replay.body) if isinstance(replay.body, (str, bytes)) else replay.body
    if replay.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(200, body)


def result_out(result, slug: str) -> dict:
    return {
        "heading": result.heading_id,
        "name": result.heading.name,
        "budget": result.budget,
        "spent": result.spent,
        "ballots": result.ballots,
        "rule": result.rule,
        "kind": result.kind,
        "open_data": f"/api/v1/participation/processes/{slug}/results/{result.heading_id}.pb",
        "lines": [
            {
                "proposal": line.proposal_id,
                "title": line.proposal.title,
                "votes": line.votes,
                "score": line.score,
                "cost": line.cost,
                "funded": line.funded,
                "reason": line.reason,
                "round": line.round,
                "remaining_before": line.remaining_before,
            }
            for line in result.lines.all()
        ],
    }


@router.get("/processes/{slug}/results", response={200: list[ResultOut], **ERRORS}, summary="Results", auth=None)
def results(request: HttpRequest, slug: str = Path(..., max_length=80)):
    process = selectors.process(slug)
    return [result_out(r, slug) for r in selectors.results(process, request.user)]


@router.get(
    "/processes/{slug}/results/{heading_id}.pb",
    response={200: str, **ERRORS},
    summary="Open data: the heading's Pabulib file",
    auth=None,
)
def open_data(request: HttpRequest, slug: str = Path(..., max_length=80), heading_id: int = Path(..., ge=1, le=ID_MAX)):
    found = selectors.result_file(selectors.process(slug), heading_id)
    response = HttpResponse(found.pb, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{heading_id}.pb"'
    return response
