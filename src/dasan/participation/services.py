"""State changes of 주민참여예산: the only place its rows change.

Each function takes the object first and ``*, actor=``, and goes lock → authorise → check →
save → event → audit.

**Proposals** are written by residents during the proposals phase and edited by their author
until the department reviews them; text is passed through ``core.pii.mask`` so a phone number
or a resident registration number typed into a proposal is never shown. Staff hide a proposal
or comment with a reason that stays visible, and merge duplicates (the merged one links to the
one it joined, and its supporters are carried over).

**Ballots.** One per person and heading (``unique (heading, voter_key)``), changed in place
until voting closes (``version`` counts the changes). The first insert of two racing
submissions wins; the loser re-reads the row under a lock and updates it, so a double click
never makes two ballots. Pages and the API wrap ``vote`` in ``core.idempotency.run`` with a
one-time key, so a retry after a lost answer (or a restarted server) is answered from the
stored result instead of being counted again.

**Offline ballots** (행정복지센터): staff A types the paper ballot, staff B (a different
person: a service check and a database constraint) types it again; only identical choices make
a Ballot. The person is identified by their phone number's keyed hash, so the same person
cannot vote online as well, nor twice offline.

**Results.** ``close_voting`` tallies every heading (``tally.tally`` on
``selectors.election_for``) and stores the outcome with the Pabulib file; ``publish_results``
makes them public and marks proposals selected or not.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.accounts import permissions
from dasan.accounts import selectors as accounts
from dasan.core import audit, images, pii
from dasan.core.conf import setting
from dasan.core.errors import Conflict, DasanError, NotFound, PermissionDenied

from . import notifications, selectors
from .errors import Code
from .models import (
    Ballot,
    BallotChoice,
    BallotKind,
    Comment,
    Endorsement,
    Execution,
    Feasibility,
    Heading,
    Milestone,
    OfflineEntry,
    Phase,
    Process,
    ProjectUpdate,
    Proposal,
    ProposalPhoto,
    Report,
    Result,
    ResultLine,
    Source,
    State,
)

EDITABLE = (State.DRAFT, State.PUBLISHED)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _require_phase(process: Process, phase: str, now: dt.datetime, message) -> None:
    if not selectors.in_phase(process, phase, now):
        raise DasanError(Code.OUTSIDE_PHASE, message, status=409)


def _require_resident(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(Code.SIGN_IN_REQUIRED, _("로그인해 주세요."))
    if not getattr(actor, "is_resident", False):
        raise PermissionDenied(Code.NOT_RESIDENT, _("주민만 할 수 있습니다."))


def _photo(upload) -> bytes | None:
    if upload is None:
        return None
    max_bytes = int(setting("PARTICIPATION_PHOTO_MAX_BYTES"))
    side = int(setting("PARTICIPATION_PHOTO_MAX_SIDE"))
    data = images.read_upload(upload, max_bytes, field="photo")
    return images.sanitise(data, max_bytes=max_bytes, max_side=side, field="photo").content if data else None


# --- proposals ------------------------------------------------------------------------------------


def _clean_proposal(heading: Heading, title: str, body: str, estimated_cost) -> tuple[str, str, int]:
    title, body = pii.mask((title or "").strip()), pii.mask((body or "").strip())
    if not 2 <= len(title) <= 120:
        raise DasanError(Code.INVALID_PROPOSAL, _("제목을 2자 이상 120자 이하로 써 주세요."), field="title")
    if len(body) < 10:
        raise DasanError(Code.INVALID_PROPOSAL, _("내용을 10자 이상 써 주세요."), field="body")
    try:
        cost = int(str(estimated_cost).replace(",", "").strip())
    except (TypeError, ValueError):
        cost = 0
    if cost <= 0:
        raise DasanError(Code.INVALID_PROPOSAL, _("추정 비용을 원 단위 숫자로 적어 주세요."), field="estimated_cost")
    if cost > heading.budget:
        raise DasanError(
            Code.INVALID_PROPOSAL,
            _("추정 비용이 이 묶음의 예산(%(budget)s원)보다 큽니다.") % {"budget": f"{heading.budget:,}"},
            field="estimated_cost",
        )
    return title, body, cost


def submit_proposal(
    process: Process,
    *,
    actor,
    heading: Heading,
    title: str,
    body: str,
    estimated_cost,
    place: str = "",
    lat=None,
    lon=None,
    photos=(),
    now=None,
) -> Proposal:
    """A resident's new proposal, published at once (the check-your-answers page came first)."""
    now = _now(now)
    _require_resident(actor)
    _require_phase(process, Phase.PROPOSALS, now, _("지금은 제안을 받는 기간이 아닙니다."))
    if heading.process_id != process.pk:
        raise DasanError(Code.INVALID_PROPOSAL, _("이 과정의 사업 묶음을 골라 주세요."), field="heading")
    title, body, cost = _clean_proposal(heading, title, body, estimated_cost)
    clean = [c for c in (_photo(p) for p in list(photos)[: int(setting("PARTICIPATION_PHOTOS_MAX"))]) if c]
    with transaction.atomic():
        proposal = Proposal.objects.create(
            process=process,
            heading=heading,
            author=actor,
            title=title,
            body=body,
            estimated_cost=cost,
            place=pii.mask(place.strip())[:200],
            lat=lat,
            lon=lon,
            state=State.PUBLISHED,
            published_at=now,
            department=process.department,
        )
        ProposalPhoto.objects.bulk_create([ProposalPhoto(proposal=proposal, image=c) for c in clean])
        audit.record("participation.proposal.submit", actor=actor, target=proposal)
    return proposal


def edit_proposal(
    proposal: Proposal, *, actor, title: str, body: str, estimated_cost, place: str = "", now=None
) -> Proposal:
    """The author changes their proposal until the department reviews it."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().select_related("heading").get(pk=proposal.pk)
        if proposal.author_id != getattr(actor, "pk", None):
            raise PermissionDenied(Code.NOT_AUTHOR, _("제안한 분만 고칠 수 있습니다."))
        if proposal.state not in EDITABLE or Feasibility.objects.filter(proposal=proposal).exists():
            raise Conflict(Code.NOT_EDITABLE, _("검토가 시작된 제안은 고칠 수 없습니다. 답변으로 의견을 남겨 주세요."))
        proposal.title, proposal.body, proposal.estimated_cost = _clean_proposal(
            proposal.heading, title, body, estimated_cost
        )
        proposal.place = pii.mask(place.strip())[:200]
        proposal.save(update_fields=["title", "body", "estimated_cost", "place"])
        audit.record("participation.proposal.edit", actor=actor, target=proposal)
    return proposal


def withdraw(proposal: Proposal, *, actor) -> Proposal:
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.author_id != getattr(actor, "pk", None):
            raise PermissionDenied(Code.NOT_AUTHOR, _("제안한 분만 철회할 수 있습니다."))
        if proposal.state in (State.SELECTED, State.NOT_SELECTED, State.MERGED, State.WITHDRAWN):
            raise Conflict(Code.INVALID_STATE, _("이 제안은 더 이상 철회할 수 없습니다."))
        proposal.state = State.WITHDRAWN
        proposal.save(update_fields=["state"])
        audit.record("participation.proposal.withdraw", actor=actor, target=proposal)
    return proposal


def endorse(proposal: Proposal, *, actor, now=None) -> Endorsement:
    """A resident supports a proposal, once, while proposals are taken or reviewed."""
    now = _now(now)
    _require_resident(actor)
    process = proposal.process
    if not (selectors.in_phase(process, Phase.PROPOSALS, now) or selectors.in_phase(process, Phase.REVIEW, now)):
        raise DasanError(Code.OUTSIDE_PHASE, _("지금은 공감을 받는 기간이 아닙니다."), status=409)
    if proposal.state not in (State.PUBLISHED, State.FEASIBLE) or proposal.hidden:
        raise Conflict(Code.INVALID_STATE, _("이 제안에는 공감할 수 없습니다."))
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(proposal=proposal, resident=actor)
            Proposal.objects.filter(pk=proposal.pk).update(endorsements_count=F("endorsements_count") + 1)
    except IntegrityError:
        raise Conflict(Code.ALREADY_ENDORSED, _("이미 공감한 제안입니다.")) from None
    return endorsement


def comment(proposal: Proposal, *, actor, body: str) -> Comment:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(Code.SIGN_IN_REQUIRED, _("로그인해 주세요."))
    body = pii.mask((body or "").strip())
    if not body:
        raise DasanError(Code.INVALID_PROPOSAL, _("댓글 내용을 써 주세요."), field="body")
    if proposal.state in (State.DRAFT, State.WITHDRAWN) or proposal.hidden:
        raise Conflict(Code.INVALID_STATE, _("이 제안에는 댓글을 달 수 없습니다."))
    made = Comment.objects.create(
        proposal=proposal, author=actor, body=body[:2000], official=permissions.is_staff(actor)
    )
    audit.record("participation.comment", actor=actor, target=made)
    return made


# --- moderation -----------------------------------------------------------------------------------


def report(proposal: Proposal, *, actor, reason: str, comment: Comment | None = None) -> Report:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(Code.SIGN_IN_REQUIRED, _("로그인해 주세요."))
    reason = pii.mask((reason or "").strip())[:300]
    if not reason:
        raise DasanError(Code.REASON_REQUIRED, _("신고 이유를 적어 주세요."), field="reason")
    try:
        with transaction.atomic():
            return Report.objects.create(proposal=proposal, comment=comment, reporter=actor, reason=reason)
    except IntegrityError:
        raise Conflict(Code.INVALID_STATE, _("이미 신고했습니다. 담당자가 살펴보고 있습니다.")) from None


def hide(target: Proposal | Comment, *, actor, reason: str):
    """Staff hide a proposal or comment; the reason stays visible in its place."""
    permissions.require_staff(actor)
    reason = (reason or "").strip()[:300]
    if not reason:
        raise DasanError(
            Code.REASON_REQUIRED, _("숨기는 이유를 적어 주세요. 이유는 모두에게 보입니다."), field="reason"
        )
    with transaction.atomic():
        target = type(target).objects.select_for_update().get(pk=target.pk)
        target.hidden, target.hidden_reason = True, reason
        target.save(update_fields=["hidden", "hidden_reason"])
        reports = Report.objects.filter(resolved_at__isnull=True)
        if isinstance(target, Comment):
            reports.filter(comment=target).update(resolved_at=timezone.now(), resolved_by=actor)
        else:
            reports.filter(proposal=target, comment__isnull=True).update(resolved_at=timezone.now(), resolved_by=actor)
            notifications.send("participation.hidden", target.author, {"title": target.title, "reason": reason})
        audit.record("participation.hide", actor=actor, target=target, reason=reason)
    return target


def dismiss_report(report: Report, *, actor) -> Report:
    permissions.require_staff(actor)
    Report.objects.filter(pk=report.pk, resolved_at__isnull=True).update(resolved_at=timezone.now(), resolved_by=actor)
    audit.record("participation.report.dismiss", actor=actor, target=report)
    return report


def merge(proposal: Proposal, *, into: Proposal, actor) -> Proposal:
    """Staff merge a duplicate into another proposal of the same heading; its supporters
    move along and the merged proposal links to the one it joined."""
    permissions.require_staff(actor)
    if (
        into.pk == proposal.pk
        or into.heading_id != proposal.heading_id
        or into.state not in EDITABLE + (State.FEASIBLE,)
    ):
        raise Conflict(Code.INVALID_STATE, _("같은 사업 묶음의 공개된 다른 제안에만 합칠 수 있습니다."))
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.state not in EDITABLE:
            raise Conflict(Code.INVALID_STATE, _("이 제안은 합칠 수 없습니다."))
        proposal.state, proposal.merged_into = State.MERGED, into
        proposal.save(update_fields=["state", "merged_into"])
        known = set(Endorsement.objects.filter(proposal=into).values_list("resident_id", flat=True))
        moved = [
            Endorsement(proposal=into, resident_id=r)
            for r in Endorsement.objects.filter(proposal=proposal).values_list("resident_id", flat=True)
            if r not in known
        ]
        Endorsement.objects.bulk_create(moved)
        Proposal.objects.filter(pk=into.pk).update(endorsements_count=F("endorsements_count") + len(moved))
        notifications.send("participation.merged", proposal.author, {"title": proposal.title, "into": into.title})
        audit.record("participation.proposal.merge", actor=actor, target=proposal, data={"into": into.pk})
    return proposal


# --- review ---------------------------------------------------------------------------------------


def record_feasibility(
    proposal: Proposal, *, actor, legal: bool, technical: bool, cost, reason: str = "", now=None
) -> Feasibility:
    """The department's review: feasible only when legal and technical; the reviewed cost is
    the one the ballot uses. An infeasible verdict needs its reason (shown to everyone)."""
    permissions.require_staff(actor)
    now = _now(now)
    try:
        cost = int(str(cost).replace(",", ""))
    except (TypeError, ValueError):
        cost = -1
    if cost < 0:
        raise DasanError(Code.INVALID_PROPOSAL, _("비용 추정을 원 단위 숫자로 적어 주세요."), field="cost")
    feasible = bool(legal and technical and cost <= proposal.heading.budget)
    reason = (reason or "").strip()
    if not feasible and not reason:
        raise DasanError(
            Code.REASON_REQUIRED,
            _("실행할 수 없는 이유를 적어 주세요. 제안자와 주민 모두에게 보입니다."),
            field="reason",
        )
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().select_related("process").get(pk=proposal.pk)
        if not permissions.is_city_wide(actor) and proposal.department_id not in (None, actor.department_id):
            raise NotFound()
        if proposal.state not in (State.PUBLISHED, State.FEASIBLE, State.INFEASIBLE):
            raise Conflict(Code.INVALID_STATE, _("이 제안은 지금 검토할 수 없습니다."))
        if selectors.in_phase(proposal.process, Phase.VOTING, now) or proposal.process.voting_closed_at:
            raise Conflict(Code.OUTSIDE_PHASE, _("투표가 시작된 뒤에는 검토 결과를 바꿀 수 없습니다."))
        values = dict(
            department=actor.department,
            legal=bool(legal),
            technical=bool(technical),
            cost=cost,
            feasible=feasible,
            reason=reason,
            reviewed_by=actor,
            reviewed_at=now,
        )
        review, _created = Feasibility.objects.update_or_create(proposal=proposal, defaults=values)
        proposal.state, proposal.cost = (State.FEASIBLE if feasible else State.INFEASIBLE), cost
        proposal.save(update_fields=["state", "cost"])
        notifications.send(
            "participation.reviewed", proposal.author, {"title": proposal.title, "feasible": feasible, "reason": reason}
        )
        audit.record("participation.feasibility", actor=actor, target=proposal, data={"feasible": feasible})
    return review


def answer_review(proposal: Proposal, *, actor, body: str, now=None) -> Feasibility:
    """The author answers the department's review (shown under it)."""
    body = pii.mask((body or "").strip())[:2000]
    if not body:
        raise DasanError(Code.INVALID_PROPOSAL, _("답변 내용을 써 주세요."), field="body")
    with transaction.atomic():
        review = Feasibility.objects.select_for_update().select_related("proposal").filter(proposal=proposal).first()
        if review is None:
            raise Conflict(Code.INVALID_STATE, _("아직 검토 결과가 없습니다."))
        if review.proposal.author_id != getattr(actor, "pk", None):
            raise PermissionDenied(Code.NOT_AUTHOR, _("제안한 분만 답변할 수 있습니다."))
        review.author_answer, review.answered_at = body, _now(now)
        review.save(update_fields=["author_answer", "answered_at"])
    return review


# --- voting ---------------------------------------------------------------------------------------


def _won(n: int) -> str:
    return f"{n:,}"


def clean_choices(heading: Heading, choices) -> dict[Proposal, int]:
    """``{proposal id: points}`` checked against the heading's ballot and the process's kind."""
    wanted = {}
    for key, points in dict(choices or {}).items():
        try:
            wanted[int(key)] = int(points)
        except (TypeError, ValueError):
            raise DasanError(Code.INVALID_POINTS, _("점수는 1 이상의 정수로 적어 주세요.")) from None
    wanted = {k: v for k, v in wanted.items() if v != 0}
    if not wanted:
        raise DasanError(Code.EMPTY_BALLOT, _("사업을 하나 이상 골라 주세요."))
    available = {p.pk: p for p in selectors.on_ballot(heading).filter(pk__in=list(wanted))}
    missing = [pk for pk in wanted if pk not in available]
    if missing:
        raise DasanError(
            Code.NOT_ON_BALLOT,
            _("철회되었거나 이 투표에 없는 사업이 있습니다. 목록을 새로 불러 다시 골라 주세요."),
            proposals=missing,
        )
    picked = {available[pk]: points for pk, points in wanted.items()}
    _check_kind(heading, picked)
    return picked


def _check_kind(heading: Heading, picked: dict[Proposal, int]) -> None:
    process = heading.process
    if any(points < 1 for points in picked.values()):
        raise DasanError(Code.INVALID_POINTS, _("점수는 1 이상의 정수로 적어 주세요."))
    if process.ballot_kind != BallotKind.CUMULATIVE and any(points != 1 for points in picked.values()):
        raise DasanError(Code.INVALID_POINTS, _("이 투표에서는 사업마다 한 표씩만 줄 수 있습니다."))
    if process.ballot_kind == BallotKind.APPROVAL:
        total = sum(p.voting_cost for p in picked)
        if total > heading.budget:
            raise DasanError(
                Code.OVER_BUDGET,
                _("고른 사업의 비용 합계(%(total)s원)가 예산(%(budget)s원)을 넘습니다. %(over)s원만큼 빼 주세요.")
                % {"total": _won(total), "budget": _won(heading.budget), "over": _won(total - heading.budget)},
            )
    if process.ballot_kind == BallotKind.APPROVAL_K and len(picked) > (process.max_choices or 0):
        raise DasanError(Code.TOO_MANY_CHOICES, _("최대 %(k)d개까지 고를 수 있습니다.") % {"k": process.max_choices})
    if process.ballot_kind == BallotKind.CUMULATIVE and sum(picked.values()) > (process.max_points or 0):
        raise DasanError(
            Code.TOO_MANY_POINTS, _("점수는 모두 합해 %(n)d점까지 줄 수 있습니다.") % {"n": process.max_points}
        )


def _require_voting(process: Process, now: dt.datetime) -> None:
    if process.voting_closed_at is not None:
        raise DasanError(Code.VOTING_CLOSED, _("투표가 마감되었습니다."), status=409)
    _require_phase(process, Phase.VOTING, now, _("지금은 투표 기간이 아닙니다."))


def _hold_open(process_id: int) -> None:
    """Inside a ballot's transaction: still open? On PostgreSQL the process row is read FOR
    SHARE, which votes take side by side but ``close_voting`` (FOR UPDATE) waits on, so the
    close reads the ballots only after every vote in flight has committed, and a vote after
    the close sees ``voting_closed_at``. SQLite runs one writing transaction at a time
    (IMMEDIATE), which gives the same order."""
    table = Process._meta.db_table
    with connection.cursor() as cursor:
        lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
        cursor.execute(f"SELECT voting_closed_at FROM {table} WHERE id = %s{lock}", [process_id])  # noqa: S608
        row = cursor.fetchone()
    if row is None or row[0] is not None:
        raise DasanError(Code.VOTING_CLOSED, _("투표가 마감되었습니다."), status=409)


def _ballot_row(heading: Heading, key: str, defaults: dict) -> tuple[Ballot, bool]:
    """The person's ballot row, locked; created if missing (a racing insert loses to the
    unique key and then waits for the winner's row). Refused once voting has closed."""
    _hold_open(heading.process_id)
    ballot = Ballot.objects.select_for_update().filter(heading=heading, voter_key=key).first()
    if ballot is not None:
        return ballot, False
    try:
        with transaction.atomic():
            return Ballot.objects.create(heading=heading, process=heading.process, voter_key=key, **defaults), True
    except IntegrityError:
        return Ballot.objects.select_for_update().get(heading=heading, voter_key=key), False


def _write_choices(ballot: Ballot, picked: dict[Proposal, int]) -> None:
    ballot.choices.all().delete()
    BallotChoice.objects.bulk_create([BallotChoice(ballot=ballot, proposal=p, points=n) for p, n in picked.items()])


def vote(heading: Heading, choices, *, actor, now=None) -> Ballot:
    """Cast or change the resident's ballot in ``heading`` (see the module docstring)."""
    now = _now(now)
    process = heading.process
    _require_voting(process, now)
    residency = selectors.eligible_residency(actor, heading)
    picked = clean_choices(heading, choices)
    key = selectors.voter_key(process, actor.phone)
    band = selectors.age_band(accounts.age_on(residency.birth_date, selectors.voting_day(process)))
    with transaction.atomic():
        ballot, created = _ballot_row(
            heading, key, {"resident": actor, "dong_name": residency.dong_name, "age_band": band}
        )
        if ballot.source == Source.OFFLINE:
            raise Conflict(Code.VOTED_OFFLINE, _("행정복지센터에서 이미 투표하셨습니다. 현장 투표는 바꿀 수 없습니다."))
        if not created:
            ballot.version = F("version") + 1
            ballot.save(update_fields=["version", "updated_at"])
            ballot.refresh_from_db()
        _write_choices(ballot, picked)
        audit.record("participation.vote", actor=actor, target=ballot, data={"version": ballot.version})
    return ballot


def enter_offline(
    heading: Heading, *, actor, phone: str, birth_date: dt.date, dong_name: str, choices, now=None
) -> OfflineEntry:
    """Staff A types a paper ballot; it counts only once staff B confirms it."""
    permissions.require_staff(actor)
    now = _now(now)
    process = heading.process
    _require_voting(process, now)
    age = selectors.check_age(process, birth_date)
    selectors.check_dong(heading, dong_name)
    picked = clean_choices(heading, choices)
    key = selectors.voter_key(process, phone)
    if Ballot.objects.filter(heading=heading, voter_key=key).exists():
        raise Conflict(Code.ALREADY_VOTED, _("이미 이 사업 묶음에 투표한 분입니다 (온라인 또는 현장)."))
    try:
        with transaction.atomic():
            entry = OfflineEntry.objects.create(
                heading=heading,
                voter_key=key,
                dong_name=dong_name,
                age_band=selectors.age_band(age),
                choices={str(p.pk): n for p, n in picked.items()},
                entered_by=actor,
                entered_at=now,
            )
            audit.record("participation.offline.enter", actor=actor, target=entry)
    except IntegrityError:
        raise Conflict(Code.ALREADY_VOTED, _("이 분의 현장 투표가 이미 입력되어 확인을 기다립니다.")) from None
    return entry


def confirm_offline(entry: OfflineEntry, *, actor, choices, now=None) -> Ballot:
    """Staff B types the same ballot again; identical choices make it a Ballot."""
    permissions.require_staff(actor)
    now = _now(now)
    with transaction.atomic():
        entry = OfflineEntry.objects.select_for_update().select_related("heading__process").get(pk=entry.pk)
        if entry.ballot_id is not None:
            raise Conflict(Code.ENTRY_DONE, _("이미 확인된 현장 투표입니다."))
        if entry.entered_by_id == actor.pk:
            raise PermissionDenied(Code.SAME_STAFF, _("입력한 직원이 아닌 다른 직원이 확인해야 합니다."))
        _require_voting(entry.heading.process, now)
        picked = clean_choices(entry.heading, choices)
        if {str(p.pk): n for p, n in picked.items()} != entry.choices:
            raise Conflict(Code.ENTRY_MISMATCH, _("처음 입력과 다릅니다. 투표용지를 다시 확인해 주세요."))
        defaults = {"source": Source.OFFLINE, "dong_name": entry.dong_name, "age_band": entry.age_band}
        ballot, created = _ballot_row(entry.heading, entry.voter_key, defaults)
        if not created:
            raise Conflict(Code.ALREADY_VOTED, _("이미 이 사업 묶음에 투표한 분입니다 (온라인 또는 현장)."))
        _write_choices(ballot, picked)
        entry.confirmed_by, entry.confirmed_at, entry.ballot = actor, now, ballot
        entry.save(update_fields=["confirmed_by", "confirmed_at", "ballot"])
        audit.record("participation.offline.confirm", actor=actor, target=entry)
    return ballot


def discard_offline(entry: OfflineEntry, *, actor, reason: str) -> None:
    """A pending entry typed wrong is discarded (with the reason in the audit log)."""
    permissions.require_staff(actor)
    if not (reason or "").strip():
        raise DasanError(Code.REASON_REQUIRED, _("지우는 이유를 적어 주세요."), field="reason")
    with transaction.atomic():
        audit.record("participation.offline.discard", actor=actor, target=entry, reason=reason)
        OfflineEntry.objects.filter(pk=entry.pk, ballot__isnull=True).delete()


# --- results --------------------------------------------------------------------------------------


def close_voting(process: Process, *, actor, now=None) -> list[Result]:
    """After the voting phase: tally every heading and store the results (not yet public)."""
    permissions.require_staff(actor)
    now = _now(now)
    window = selectors.phase_window(process, Phase.VOTING)
    if window is None or now < window.ends:
        raise Conflict(Code.OUTSIDE_PHASE, _("투표 기간이 끝난 뒤에 마감할 수 있습니다."))
    with transaction.atomic():
        process = Process.objects.select_for_update().get(pk=process.pk)
        if process.results_published_at is not None:
            raise Conflict(Code.INVALID_STATE, _("결과가 이미 공개되었습니다."))
        stored = tally_and_store(process, now=now)
        audit.record("participation.close_voting", actor=actor, target=process)
    return stored


def tally_and_store(process: Process, *, now: dt.datetime) -> list[Result]:
    """Tally every heading of a locked process and store the results (what ``close_voting``
    does after its checks; the demo loader calls it directly)."""
    from . import pabulib, tally

    stored = []
    for heading in process.headings.all():
        election = selectors.election_for(heading)
        outcome = tally.tally(election)
        stored.append(_store(heading, election, outcome, pabulib.dump_pb(election, outcome), now))
    process.voting_closed_at = now
    process.save(update_fields=["voting_closed_at"])
    return stored


def _store(heading: Heading, election, outcome, pb: str, now) -> Result:
    Result.objects.filter(heading=heading).delete()
    result = Result.objects.create(
        heading=heading,
        budget=election.budget,
        spent=outcome.spent,
        kind=election.kind,
        rule=election.rule,
        ballots=len(election.ballots),
        pb=pb,
        computed_at=now,
    )
    ResultLine.objects.bulk_create(
        [
            ResultLine(
                result=result,
                proposal_id=int(line.id),
                position=i,
                votes=line.votes,
                score=line.score,
                cost=line.cost,
                funded=line.funded,
                reason=line.reason,
                round=line.round,
                remaining_before=line.remaining_before,
                params=_jsonable(line.detail),
            )
            for i, line in enumerate(outcome.projects)
        ]
    )
    return result


def _jsonable(detail) -> dict:
    """The tally's explanation numbers as JSON (exact fractions kept as text, e.g. "3/7")."""
    return {
        str(k): v if isinstance(v, (int, str, bool)) or v is None else str(v) for k, v in dict(detail or {}).items()
    }


def publish_results(process: Process, *, actor, now=None) -> Process:
    """Make the stored results public; proposals become selected or not; authors are told."""
    permissions.require_staff(actor)
    with transaction.atomic():
        process = Process.objects.select_for_update().get(pk=process.pk)
        if process.voting_closed_at is None:
            raise Conflict(Code.RESULTS_NOT_READY, _("투표를 먼저 마감해 주세요."))
        if process.results_published_at is not None:
            return process
        mark_results(process, now=_now(now))
        audit.record("participation.publish_results", actor=actor, target=process)
    return process


def mark_results(process: Process, *, now: dt.datetime) -> None:
    """Proposals become selected or not as the stored results say; authors are told."""
    lines = ResultLine.objects.filter(result__heading__process=process).select_related("proposal__author")
    for line in lines:
        state = State.SELECTED if line.funded else State.NOT_SELECTED
        Proposal.objects.filter(pk=line.proposal_id).update(
            state=state, execution=Execution.PLANNED if line.funded else ""
        )
        notifications.send(
            "participation.result", line.proposal.author, {"title": line.proposal.title, "funded": line.funded}
        )
    process.results_published_at = now
    process.save(update_fields=["results_published_at"])


# --- tracking -------------------------------------------------------------------------------------


def add_milestone(proposal: Proposal, *, actor, title: str, due: dt.date | None = None) -> Milestone:
    permissions.require_staff(actor)
    if proposal.state != State.SELECTED:
        raise Conflict(Code.INVALID_STATE, _("선정된 사업에만 일정을 둘 수 있습니다."))
    if not (title or "").strip():
        raise DasanError(Code.INVALID_PROPOSAL, _("단계 이름을 적어 주세요."), field="title")
    return Milestone.objects.create(proposal=proposal, title=title.strip()[:200], due=due)


def complete_milestone(milestone: Milestone, *, actor, on: dt.date) -> Milestone:
    permissions.require_staff(actor)
    milestone.done_on = on
    milestone.save(update_fields=["done_on"])
    return milestone


def post_update(proposal: Proposal, *, actor, body: str, execution: str, spent, photo=None, now=None) -> ProjectUpdate:
    """The department's news on a funded project; its supporters (author and endorsers) are told."""
    permissions.require_staff(actor)
    if execution not in Execution.values:
        raise DasanError(Code.INVALID_STATE, _("진행 상태를 골라 주세요."), field="execution")
    try:
        spent = int(str(spent).replace(",", ""))
    except (TypeError, ValueError):
        spent = -1
    if spent < 0:
        raise DasanError(Code.INVALID_PROPOSAL, _("집행액을 원 단위 숫자로 적어 주세요."), field="spent")
    clean = _photo(photo)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.state != State.SELECTED:
            raise Conflict(Code.INVALID_STATE, _("선정된 사업에만 진행 소식을 올릴 수 있습니다."))
        update = ProjectUpdate.objects.create(
            proposal=proposal,
            author=actor,
            body=pii.mask(body.strip()),
            execution=execution,
            spent=spent,
            photo=clean,
            created_at=_now(now),
        )
        proposal.execution, proposal.spent = execution, spent
        proposal.save(update_fields=["execution", "spent"])
        _tell_supporters(proposal, update)
        audit.record("participation.update", actor=actor, target=proposal, data={"spent": spent})
    return update


def _tell_supporters(proposal: Proposal, update: ProjectUpdate) -> None:
    from django.contrib.auth import get_user_model

    ids = set(Endorsement.objects.filter(proposal=proposal).values_list("resident_id", flat=True))
    if proposal.author_id:
        ids.add(proposal.author_id)
    context = {
        "title": proposal.title,
        "status": str(Execution(update.execution).label),
        "spent": _won(update.spent),
        "budget": _won(proposal.voting_cost),
    }
    for person in get_user_model().objects.filter(pk__in=ids):
        notifications.send("participation.update", person, context)
