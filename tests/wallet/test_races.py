"""Races on PostgreSQL: many conversions from one balance and many claims against one budget
never overdraw, and the books still sum to zero."""

from __future__ import annotations

import datetime as dt

import pytest

from dasan.wallet import conversions, ledger, services
from dasan.wallet.models import Conversion, Source
from tests.concurrency import need_postgres, race

from .conftest import DAY, at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_conversions_from_one_balance_never_overdraw(is_postgres, operator, saver, balance_of):
    need_postgres(is_postgres)
    works = [lambda: conversions.convert(saver, 5_000, actor=saver, now=at(DAY)) for _ in range(20)]
    results, errors = race(works)
    assert len(results) == 6 and set(errors) == {"wallet_insufficient_balance"}  # 30,000 / 5,000
    assert balance_of(saver) == 0 and operator.balance("9410123456780042") == 30_000
    assert Conversion.objects.filter(status="done").count() == 6
    assert ledger.accounts_sum() == 0 and ledger.recompute() == []


def test_claims_racing_for_the_last_budget_never_overspend(is_postgres, hourly, make_verified_resident, other_staff):
    need_postgres(is_postgres)
    people = [make_verified_resident(phone=f"0107777{n:04d}", birth_date=dt.date(1960, 1, 1)) for n in range(12)]

    def claim(person):
        activity = services.Activity(activity_date=DAY, activity_ref="care", minutes=60)
        return lambda: services.submit(hourly, person, activity, source=Source.PARTNER_API, now=at(DAY))

    results, errors = race([claim(p) for p in people])
    assert errors == []
    credited = [c for c in results if c.status == "credited"]
    assert len(credited) == 8 and ledger.budget_account(hourly).balance == 4_000  # 100,000 // 12,000
    assert {c.review_reason for c in results if c.status == "review"} == {"budget"}
    assert ledger.accounts_sum() == 0
