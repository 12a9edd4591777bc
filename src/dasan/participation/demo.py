"""Demo content of 주민참여예산 for `dasan demo` (safe to run again: fill only what is missing).

Two processes: this year's, in its voting phase, with a citywide heading and one 동's, eight
proposals on the ballot and some ballots; and last year's, finished, with stored results (Method
of Equal Shares), a funded project's milestones and an update. Demo ballots carry made-up voter
keys (no person behind them)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

from . import services
from .models import (
    Ballot,
    BallotChoice,
    Heading,
    Milestone,
    Phase,
    Process,
    ProcessPhase,
    ProjectUpdate,
    Proposal,
    State,
)

ORDER = [Phase.INFORMATION, Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING, Phase.RESULTS, Phase.TRACKING]

CURRENT = [
    ("시 전체", "어린이 물놀이터 그늘막 설치", 40_000_000),
    ("시 전체", "공원 산책로 야간 조명", 55_000_000),
    ("시 전체", "버스정류장 온열의자", 25_000_000),
    ("시 전체", "하천변 자전거 쉼터", 30_000_000),
    ("시 전체", "공공도서관 주말 어린이 프로그램", 15_000_000),
    ("역삼1동", "골목길 안전 반사경", 8_000_000),
    ("역삼1동", "경로당 운동기구 교체", 12_000_000),
    ("역삼1동", "마을 텃밭 빗물 저금통", 6_000_000),
]
LAST_YEAR = [
    ("시 전체", "횡단보도 그늘막", 30_000_000),
    ("시 전체", "공원 음수대 교체", 20_000_000),
    ("시 전체", "체육공원 배드민턴장 조명", 45_000_000),
    ("시 전체", "마을버스 정류장 안내판", 25_000_000),
]


def _process(slug: str, title: str, current: str, rule: str) -> tuple[Process, bool]:
    process, created = Process.objects.get_or_create(
        slug=slug,
        defaults={
            "title": title,
            "rule": rule,
            "description": "우리 동네에 필요한 사업을 주민이 제안하고 투표로 정합니다.",
            "rules": "관내 거주 만 14세 이상 주민, 사업 묶음마다 한 번 투표(마감 전까지 변경 가능).",
        },
    )
    if created:
        start = timezone.now() - dt.timedelta(days=3 + 14 * ORDER.index(current))
        for i, phase in enumerate(ORDER):
            begins = start + dt.timedelta(days=14 * i)
            ProcessPhase.objects.create(
                process=process, phase=phase, starts=begins, ends=begins + dt.timedelta(days=14)
            )
        Heading.objects.create(process=process, name="시 전체", budget=100_000_000, position=0)
        Heading.objects.create(
            process=process, name="역삼1동", budget=20_000_000, dong_name="역삼1동", dong_code="1168064000", position=1
        )
    return process, created


def _proposals(process: Process, rows) -> list[Proposal]:
    made = []
    for heading_name, title, cost in rows:
        heading = process.headings.get(name=heading_name)
        made.append(
            Proposal.objects.create(
                process=process,
                heading=heading,
                title=title,
                body=f"우리 동네에 꼭 필요한 사업입니다: {title}. 주민 모두가 이용할 수 있습니다.",
                estimated_cost=cost,
                cost=cost,
                state=State.FEASIBLE,
                published_at=timezone.now(),
            )
        )
    return made


def _ballots(process: Process, proposals: list[Proposal], patterns) -> None:
    for n, picks in enumerate(patterns):
        chosen = [proposals[i] for i in picks]
        heading = chosen[0].heading
        key = hashlib.sha256(f"demo:{process.slug}:{n}".encode()).hexdigest()
        band = ("20대", "30대", "40대", "50대", "60대")[n % 5]
        ballot = Ballot.objects.create(
            process=process, heading=heading, voter_key=key, dong_name="역삼1동", age_band=band
        )
        BallotChoice.objects.bulk_create([BallotChoice(ballot=ballot, proposal=p) for p in chosen])


def load_demo() -> dict:
    made = {}
    with transaction.atomic():
        now, created = _process("2027", "2027년 주민참여예산", Phase.VOTING, "greedy")
        if created:
            proposals = _proposals(now, CURRENT)
            _ballots(now, proposals, [(0, 2), (1, 4), (0, 3, 4), (1,), (0, 2, 4), (5, 6), (6, 7), (5,)] * 3)
        made["voting"] = now.slug
        last, created = _process("2026", "2026년 주민참여예산", Phase.TRACKING, "equal_shares")
        if created:
            proposals = _proposals(last, LAST_YEAR)
            _ballots(last, proposals, [(0, 1), (0, 2), (2, 3), (0,), (1, 3), (2,)] * 4)
            when = timezone.now() - dt.timedelta(days=20)
            services.tally_and_store(last, now=when)
            services.mark_results(last, now=when)
            _track(last)
        made["finished"] = last.slug
    return made


def _track(process: Process) -> None:
    project = Proposal.objects.filter(process=process, state=State.SELECTED).order_by("pk").first()
    if project is None:
        return
    today = timezone.localdate()
    Milestone.objects.create(proposal=project, title="설계", due=today - dt.timedelta(days=10), done_on=today)
    Milestone.objects.create(proposal=project, title="공사", due=today + dt.timedelta(days=30))
    ProjectUpdate.objects.create(
        proposal=project,
        body="설계를 마치고 공사 업체를 정했습니다.",
        execution="in_progress",
        spent=project.voting_cost // 3,
        created_at=timezone.now(),
    )
    Proposal.objects.filter(pk=project.pk).update(execution="in_progress", spent=project.voting_cost // 3)
