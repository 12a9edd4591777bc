"""Points expire after their programme's validity period, soonest-expiring first, never
below zero, with a notice 30 days before — once."""

from __future__ import annotations

import datetime as dt

import pytest

from dasan.wallet import conversions, expiry, ledger, selectors
from dasan.wallet.models import ExpiryNotice

from .conftest import DAY, at

pytestmark = pytest.mark.django_db


def test_points_expire_after_their_period_with_a_notice_first(programme, member, earn, balance_of):
    from dasan.notify.models import Message

    earn(programme, member, day=DAY, ref="old")  # valid 180 days: expires 2026-11-08
    earn(programme, member, day=DAY + dt.timedelta(days=40), ref="new")  # expires 2026-12-18
    expires = DAY + dt.timedelta(days=180)
    assert expiry.run(at(expires - dt.timedelta(days=31))) == {"expired": 0, "notices": 0}
    assert expiry.run(at(expires - dt.timedelta(days=20))) == {"expired": 0, "notices": 1}
    assert expiry.run(at(expires - dt.timedelta(days=19))) == {"expired": 0, "notices": 0}  # told once
    assert ExpiryNotice.objects.get().amount == 10_000
    assert Message.objects.filter(recipient=member, template_key="wallet.expiry_notice").count() == 1
    assert expiry.run(at(expires))["expired"] == 10_000
    assert expiry.run(at(expires))["expired"] == 0  # a second worker run posts nothing
    assert balance_of(member) == 10_000 and selectors.balance(member)["expired"] == 10_000
    assert ledger.accounts_sum() == 0


def test_spent_points_are_taken_from_the_soonest_to_expire(operator, saver, balance_of):
    conversions.convert(saver, 15_000, actor=saver, now=at(DAY))  # of 3 x 10,000 earned
    first_expiry = DAY + dt.timedelta(days=180)
    # The first lot is spent, half the second: only 5,000 of it is left to expire next day.
    assert expiry.run(at(first_expiry))["expired"] == 0
    assert expiry.run(at(first_expiry + dt.timedelta(days=1)))["expired"] == 5_000
    assert expiry.run(at(first_expiry + dt.timedelta(days=2)))["expired"] == 10_000
    assert balance_of(saver) == 0 and ledger.accounts_sum() == 0
