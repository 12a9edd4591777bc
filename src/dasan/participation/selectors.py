"""Reads of 주민참여예산: what pages, the API and other apps may ask without changing anything.

**Eligibility** (who may vote): a signed-in resident whose residency the city verified
(``accounts.selectors.verified_residency``), aged at least ``PARTICIPATION_MIN_AGE`` (14 by
default, or the process's own ``min_age``) in 만 나이 on the day voting closes, and, for a 동
heading, living in that 동. Offline voters are checked by the staff who see their ID card.

**Pseudonyms.** ``voter_key`` is HMAC-SHA256(SECRET_KEY, process id and phone number): the
same person gets the same key online and offline in one process (so the database refuses a
second ballot), different keys in different processes, and nobody without the key can turn
it back into a phone number. The published ``.pb`` file carries a second HMAC of that key,
cut short (``pseudonym``), so the open data cannot be matched to the database either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from itertools import groupby
from operator import itemgetter

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.accounts import permissions
from dasan.accounts import selectors as accounts
from dasan.core.conf import setting
from dasan.core.errors import DasanError, NotFound, PermissionDenied

from .errors import Code
from .models import (
    Ballot,
    BallotChoice,
    BallotKind,
    Comment,
    Heading,
    OfflineEntry,
    Phase,
    Process,
    ProcessPhase,
    Proposal,
    Report,
    Result,
    ResultLine,
    State,
)

#: States of a proposal that stand on the ballot (and in a recomputed tally).
ON_BALLOT = (State.FEASIBLE, State.SELECTED, State.NOT_SELECTED)
#: States residents see in lists.
PUBLIC = (State.PUBLISHED, State.FEASIBLE, State.INFEASIBLE, State.SELECTED, State.NOT_SELECTED, State.MERGED)
AGE_BANDS = ((14, "14-19"), (20, "20대"), (30, "30대"), (40, "40대"), (50, "50대"), (60, "60대"), (70, "70+"))


def summary(user) -> dict:
    """What the app's pages show on their first screen for ``user``."""
    return {"ready": True}


# --- processes and phases -----------------------------------------------------------------------


def processes():
    return Process.objects.prefetch_related("phases", "headings").order_by("-created_at")


def process(slug: str) -> Process:
    found = processes().filter(slug=slug).first()
    if found is None:
        raise NotFound()
    return found


def phase_window(process: Process, phase: str) -> ProcessPhase | None:
    return next((p for p in process.phases.all() if p.phase == phase), None)


def current_phase(process: Process, now: dt.datetime | None = None) -> str | None:
    now = now or timezone.now()
    for window in process.phases.all():
        if window.starts <= now < window.ends:
            return window.phase
    return None


def in_phase(process: Process, phase: str, now: dt.datetime | None = None) -> bool:
    window = phase_window(process, phase)
    now = now or timezone.now()
    return window is not None and window.starts <= now < window.ends


def min_age(process: Process) -> int:
    return int(process.min_age if process.min_age is not None else setting("PARTICIPATION_MIN_AGE"))


def voting_day(process: Process) -> dt.date:
    """The day age is counted on: the last day of voting (or today without a voting phase)."""
    window = phase_window(process, Phase.VOTING)
    end = (window.ends - dt.timedelta(microseconds=1)) if window else timezone.now()
    return timezone.localtime(end).date()


def upcoming_votes(dong_name: str = "", now: dt.datetime | None = None) -> list[dict]:
    """Voting phases that are open or still to come for residents of ``dong_name``: for the
    assistant's "우리 동 주민참여예산 언제 투표해요?". Each: process, title, starts, ends,
    headings (citywide ones and the 동's own)."""
    now = now or timezone.now()
    windows = ProcessPhase.objects.filter(phase=Phase.VOTING, ends__gt=now).select_related("process")
    answer = []
    for window in windows.order_by("starts"):
        headings = [
            h.name
            for h in window.process.headings.all()
            if not h.dong_name or not dong_name or h.dong_name == dong_name
        ]
        if headings:
            answer.append(
                {
                    "process": window.process.slug,
                    "title": window.process.title,
                    "starts": window.starts,
                    "ends": window.ends,
                    "open": window.starts <= now,
                    "headings": headings,
                }
            )
    return answer


# --- eligibility and pseudonyms -------------------------------------------------------------------


def voter_key(process: Process, phone: str) -> str:
    message = f"participation:{process.pk}:{accounts.normalize_phone(phone)}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def pseudonym(key: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"pb:{key}".encode(), hashlib.sha256).hexdigest()[:16]


def age_band(age: int) -> str:
    band = AGE_BANDS[0][1]
    for lower, name in AGE_BANDS:
        if age >= lower:
            band = name
    return band


def eligible_residency(user, heading: Heading):
    """The voter's verified residency, or a DasanError saying why they may not vote here."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied(Code.SIGN_IN_REQUIRED, _("투표하려면 로그인해 주세요."))
    residency = accounts.verified_residency(user)
    if residency is None:
        raise PermissionDenied(
            Code.NOT_RESIDENT, _("관내 거주가 확인된 주민만 투표할 수 있습니다. 거주 확인을 먼저 받아 주세요.")
        )
    check_age(heading.process, residency.birth_date)
    check_dong(heading, residency.dong_name)
    return residency


def check_age(process: Process, birth_date: dt.date) -> int:
    age = accounts.age_on(birth_date, voting_day(process))
    if age < min_age(process):
        raise PermissionDenied(
            Code.UNDER_AGE, _("만 %(age)d세 이상 주민만 투표할 수 있습니다.") % {"age": min_age(process)}
        )
    return age


def check_dong(heading: Heading, dong_name: str) -> None:
    if heading.dong_name and heading.dong_name != dong_name:
        raise PermissionDenied(
            Code.WRONG_DONG, _("%(dong)s 주민만 이 사업 묶음에 투표할 수 있습니다.") % {"dong": heading.dong_name}
        )


def can_vote(user, heading: Heading) -> DasanError | None:
    try:
        eligible_residency(user, heading)
    except DasanError as error:
        return error
    return None


# --- proposals ------------------------------------------------------------------------------------


def proposals(process: Process, *, heading: Heading | None = None, state: str = "", query: str = ""):
    """Public proposals of a process (hidden ones stay listed with their reason), newest first."""
    qs = Proposal.objects.filter(process=process, state__in=PUBLIC).select_related("heading")
    if heading is not None:
        qs = qs.filter(heading=heading)
    if state:
        qs = qs.filter(state=state)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(body__icontains=query))
    return qs


def page_of(qs, number, per_page: int = 20):
    return Paginator(qs, per_page).get_page(number)


def proposal(pk: int, user=None) -> Proposal:
    """A proposal anyone may see; drafts only to their author and staff."""
    found = (
        Proposal.objects.select_related("heading", "process", "merged_into", "department")
        .prefetch_related(
            Prefetch("comments", queryset=Comment.objects.select_related("author")), "milestones", "updates"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    if found.state in (State.DRAFT, State.WITHDRAWN) and not (
        permissions.is_staff(user) or (found.author_id and getattr(user, "pk", None) == found.author_id)
    ):
        raise NotFound()
    return found


def mine(user):
    return Proposal.objects.filter(author=user).select_related("process", "heading").order_by("-created_at")


def endorsed(user, proposal: Proposal) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and proposal.endorsements.filter(resident=user).exists()


def photo(pk: int):
    from .models import ProposalPhoto

    return ProposalPhoto.objects.select_related("proposal").filter(pk=pk).first()


# --- ballots --------------------------------------------------------------------------------------


def on_ballot(heading: Heading):
    return Proposal.objects.filter(heading=heading, state__in=ON_BALLOT, hidden=False).order_by("pk")


def ballot_of(user, heading: Heading) -> Ballot | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "phone", ""):
        return None
    key = voter_key(heading.process, user.phone)
    return Ballot.objects.filter(heading=heading, voter_key=key).prefetch_related("choices").first()


def choices_of(ballot: Ballot | None) -> dict[int, int]:
    return {c.proposal_id: c.points for c in ballot.choices.all()} if ballot else {}


def election_for(heading: Heading):
    """The heading as a ``tally.Election``: its budget, the process's ballot kind and rule, the
    proposals on the ballot, and every ballot with its voter as a pseudonym."""
    from . import tally

    process = heading.process
    projects = list(on_ballot(heading))
    ids = {p.pk for p in projects}
    # One streamed query of (voter, project, points) rows, grouped here: building a model
    # object per ballot and per choice took 35 s for 100,000 ballots (bench/participation).
    rows = (
        BallotChoice.objects.filter(ballot__heading=heading, proposal_id__in=ids)
        .order_by("ballot__voter_key", "proposal_id")
        .values_list("ballot__voter_key", "proposal_id", "points")
        .iterator(chunk_size=20_000)
    )
    ballots = [
        tally.Ballot(voter=pseudonym(key), choices={str(proposal): int(points) for _key, proposal, points in group})
        for key, group in groupby(rows, key=itemgetter(0))
    ]
    window = phase_window(process, Phase.VOTING)
    meta = {
        "description": f"{process.title} · {heading.name}",
        "country": "South Korea",
        "unit": accounts.city_name(),
        "subunit": heading.dong_name or heading.name,
        "instance": process.slug,
        "currency": "KRW",
        "language": "ko",
    }
    if window:
        meta["date_begin"] = timezone.localtime(window.starts).date().isoformat()
        meta["date_end"] = timezone.localtime(window.ends).date().isoformat()
    return tally.Election(
        name=f"{process.slug}/{heading.pk}",
        budget=int(heading.budget),
        kind=process.ballot_kind,
        rule=process.rule,
        projects=tuple(tally.Project(id=str(p.pk), name=p.title, cost=p.voting_cost) for p in projects),
        ballots=tuple(ballots),
        max_choices=process.max_choices if process.ballot_kind == BallotKind.APPROVAL_K else None,
        max_points=process.max_points if process.ballot_kind == BallotKind.CUMULATIVE else None,
        meta=meta,
    )


# --- results --------------------------------------------------------------------------------------


def results(process: Process, user=None) -> list[Result]:
    """Stored results per heading; before publication only staff see them."""
    if process.results_published_at is None and not permissions.is_staff(user):
        return []
    lines = Prefetch("lines", queryset=ResultLine.objects.select_related("proposal"))
    return list(Result.objects.filter(heading__process=process).select_related("heading").prefetch_related(lines))


def result_file(process: Process, heading_pk: int) -> Result:
    found = Result.objects.filter(heading__process=process, heading_id=heading_pk).first()
    if found is None or process.results_published_at is None:
        raise NotFound()
    return found


def funded(process: Process):
    return Proposal.objects.filter(process=process, state=State.SELECTED).select_related("heading")


# --- statistics -----------------------------------------------------------------------------------


def suppressed(count: int) -> str:
    """A count as published: small counts hidden (k-anonymity), so nobody is singled out."""
    k = int(setting("PARTICIPATION_SUPPRESS_BELOW"))
    return f"<{k}" if 0 < count < k else f"{count:,}"


def statistics(process: Process) -> dict:
    """Ballots by 동 and by age band, small counts suppressed; totals by source."""
    base = Ballot.objects.filter(process=process)
    by_dong = base.values("dong_name").annotate(n=Count("pk")).order_by("dong_name")
    by_age = base.values("age_band").annotate(n=Count("pk")).order_by("age_band")
    k = int(setting("PARTICIPATION_SUPPRESS_BELOW"))
    return {
        "total": base.count(),
        "k": k,
        "by_dong": [(row["dong_name"] or "-", row["n"], suppressed(row["n"])) for row in by_dong],
        "by_age": [(row["age_band"] or "-", row["n"], suppressed(row["n"])) for row in by_age],
        "online": base.filter(source="online").count(),
        "offline": base.filter(source="offline").count(),
    }


# --- staff ----------------------------------------------------------------------------------------


def moderation_queue(user):
    permissions.require_staff(user)
    return Report.objects.filter(resolved_at__isnull=True).select_related("proposal", "comment", "reporter")


def review_queue(user):
    """Published proposals waiting for their department's review (city-wide staff see all)."""
    permissions.require_staff(user)
    qs = Proposal.objects.filter(state=State.PUBLISHED).select_related("process", "heading", "department")
    if not permissions.is_city_wide(user):
        qs = qs.filter(Q(department=user.department_id) | Q(department__isnull=True))
    return qs.order_by("process", "pk")


def offline_pending(user):
    permissions.require_staff(user)
    return OfflineEntry.objects.filter(ballot__isnull=True).select_related("heading", "entered_by")


def spending(process: Process) -> dict:
    rows = funded(process).aggregate(budget=Sum("cost"), spent=Sum("spent"))
    return {"budget": int(rows["budget"] or 0), "spent": int(rows["spent"] or 0)}
