"""Demo content of 이음 지갑 for `dasan demo`: the two programmes of the brief (생태참여수당 of
청소행정과, 돌봄참여소득 of 복지정책과) with budgets, an event, a partner, and the demo
residents' history (activities credited in the last weeks, one self-report waiting for
review, a registered card). Safe to run again: nothing is made when the programmes exist.
Figures are illustrative, not any city's ordinance."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from dasan.accounts.selectors import dongs, residency_of, verified_residency
from dasan.core.errors import DasanError
from dasan.core.models import Department

from . import services
from .models import Event, Programme, RewardUnit, Source

logger = logging.getLogger("dasan.wallet")

PROGRAMMES = [
    dict(code="eco", name="생태참여수당", dept="1200", unit=RewardUnit.ACTIVITY, reward=10_000, daily_cap=20_000,
         monthly_cap=100_000, description="하천 정화, 플로깅, 분리배출 안내 같은 환경 활동 1회당 적립", budget=30_000_000),
    dict(code="care", name="돌봄참여소득", dept="1400", unit=RewardUnit.HOUR, reward=12_000, monthly_cap=300_000,
         description="이웃 어르신 안부 확인, 아이 돌봄 나눔 같은 돌봄 활동 1시간당 적립", budget=50_000_000),
]  # fmt: skip


def _ensure_residency(person, clerk) -> None:
    """A demo resident who has declared nothing gets a confirmed residency in the first 동
    the city lists; one the accounts demo left waiting for a clerk stays waiting (and earns
    nothing here, as the rules say)."""
    from dasan.accounts import residency

    if residency_of(person) is not None:
        return
    listed = dongs()
    dong_name, dong_code = (listed[0].name, listed[0].code) if listed else ("갈마1동", "3017063000")
    try:
        declared = residency.declare(person, birth_date=dt.date(1968, 4, 1), dong_name=dong_name, dong_code=dong_code)
        residency.verify(declared, actor=clerk, notify=False)
    except DasanError as error:
        logger.info("demo residency for user %s not verified: %s", person.pk, error.code)


def _programmes(clerk, today: dt.date) -> dict[str, Programme]:
    made = {}
    for spec in PROGRAMMES:
        spec = dict(spec)
        budget, dept = spec.pop("budget"), spec.pop("dept")
        programme = Programme(
            department=Department.objects.get(code=dept), starts_on=today.replace(month=1, day=1),
            ends_on=today.replace(month=12, day=31), points_valid_days=365, residents_only=True, **spec,
        )  # fmt: skip
        services.save_programme(programme, actor=clerk)
        services.fund(programme, budget, key="demo-initial", actor=clerk)
        made[programme.code] = programme
    return made


def _history(programmes: dict[str, Programme], people, clerk, today: dt.date) -> None:
    for n, person in enumerate(people):
        for days_ago in (25, 18, 11, 4)[: 4 - n]:
            day = today - dt.timedelta(days=days_ago)
            activity = services.Activity(activity_date=day, activity_ref=f"demo-{days_ago}", minutes=120)
            reported = timezone.make_aware(dt.datetime.combine(day, dt.time(18)))
            for programme in programmes.values():
                try:
                    services.submit(programme, person, activity, source=Source.PARTNER_API, now=reported)
                except DasanError as error:
                    logger.info("demo claim not made: %s", error.code)
    if people:
        report = services.Activity(activity_date=today - dt.timedelta(days=1), activity_ref="demo-self",
                                   description="동네 공원 쓰레기 줍기")  # fmt: skip
        try:
            services.submit(programmes["eco"], people[0], report, source=Source.SELF_REPORT, actor=people[0])
            services.register_card("9410000000000001", actor=people[0])
        except DasanError as error:
            logger.info("demo self-report not made: %s", error.code)


def load_demo() -> dict:
    if Programme.objects.filter(code__in=[p["code"] for p in PROGRAMMES]).exists():
        return {"programmes": 0}
    User = get_user_model()
    clerk = User.objects.filter(username="admin", kind="staff").first()
    if clerk is None or not Department.objects.filter(code__in=["1200", "1400"]).count() == 2:
        return {"programmes": 0}
    today = timezone.localdate()
    with transaction.atomic():
        programmes = _programmes(clerk, today)
        Event.objects.create(programme=programmes["eco"], title="갑천 정화 활동", date=today,
                             starts_at=dt.time(10), ends_at=dt.time(12), place="갑천 둔치")  # fmt: skip
        services.issue_token(programmes["eco"], "대전환경운동 협력단체", actor=clerk)
        people = list(User.objects.filter(kind="resident", phone__in=["01000000001", "01000000002", "01000000003"]))
        for person in people:
            _ensure_residency(person, clerk)
        _history(programmes, [p for p in people if verified_residency(p) is not None], clerk, today)
    return {"programmes": len(programmes), "residents": len(people)}
