"""Fixtures of 주민참여예산: a process whose current phase is chosen by the test, two headings
(citywide and 역삼1동), proposals on the ballot, voters, staff."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dasan.participation.models import Heading, Phase, Process, ProcessPhase, Proposal, State

ORDER = [Phase.INFORMATION, Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING, Phase.RESULTS, Phase.TRACKING]
NOW = dt.datetime(2027, 5, 15, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


@pytest.fixture
def make_process(db, city):
    """``make_process(current="voting", now=...)``: ten-day phases in order, ``current`` holding
    ``now`` (a fixed day by default; pages, which ask the clock, pass ``now=timezone.now()``)."""
    counter = {"n": 0}

    def make(current=Phase.VOTING, *, now=NOW, kind="approval", rule="greedy", **fields):
        counter["n"] += 1
        process = Process.objects.create(
            slug=f"pb-{counter['n']}",
            title=f"{2026 + counter['n']}년 주민참여예산",
            ballot_kind=kind,
            rule=rule,
            **fields,
        )
        start = now - dt.timedelta(days=5) - dt.timedelta(days=10) * ORDER.index(current)
        for i, phase in enumerate(ORDER):
            begins = start + dt.timedelta(days=10 * i)
            ProcessPhase.objects.create(
                process=process, phase=phase, starts=begins, ends=begins + dt.timedelta(days=10)
            )
        Heading.objects.create(process=process, name="시 전체", budget=100_000_000, position=0)
        Heading.objects.create(
            process=process, name="역삼1동", budget=30_000_000, dong_name="역삼1동", dong_code="1168064000", position=1
        )
        return process

    return make


@pytest.fixture
def process(make_process):
    return make_process()


@pytest.fixture
def citywide(process):
    return process.headings.get(dong_name="")


@pytest.fixture
def local(process):
    return process.headings.get(dong_name="역삼1동")


@pytest.fixture
def make_proposal(db):
    def make(heading, cost=10_000_000, *, title=None, state=State.FEASIBLE, author=None, **fields):
        return Proposal.objects.create(
            process=heading.process,
            heading=heading,
            author=author,
            title=title or f"사업 {cost // 1_000_000}백만",
            body="주민에게 필요한 사업입니다.",
            estimated_cost=cost,
            cost=cost if state != State.PUBLISHED else None,
            state=state,
            published_at=timezone.now(),
            **fields,
        )

    return make


@pytest.fixture
def projects(citywide, make_proposal):
    """Four projects on the citywide ballot: 60, 30, 20 and 10 million won."""
    return [
        make_proposal(citywide, cost, title=f"사업{i}")
        for i, cost in enumerate([60, 30, 20, 10], 1)
        for cost in [cost * 1_000_000]
    ]


@pytest.fixture
def voter(make_verified_resident):
    return make_verified_resident(name="투표자")


@pytest.fixture
def clerk_a(make_staff, departments):
    return make_staff("clerk-a", department=departments["root"])


@pytest.fixture
def clerk_b(make_staff, departments):
    return make_staff("clerk-b", department=departments["root"])


@pytest.fixture
def admin(make_staff, departments):
    from dasan.accounts.models import Role

    return make_staff("pb-admin", department=departments["root"], role=Role.ADMIN)
