"""Converting points to local currency against the fake operator: done once, refused with
the points returned, unknown then resolved by the worker, never charged twice; and the
daily reconciliation that settles what matches and reports what does not."""

from __future__ import annotations

import datetime as dt

import pytest

from dasan.wallet import conversions, ledger, reconcile, selectors
from dasan.wallet.currency.base import Charge
from dasan.wallet.currency.fake import Fault
from dasan.wallet.models import Conversion, CurrencyCard

from .conftest import CHARGED, DAY, at, refused

pytestmark = pytest.mark.django_db
CARD = "9410123456780042"
LATER = at(DAY + dt.timedelta(days=9), "12:00")


def test_a_conversion_charges_the_card_once(operator, saver, balance_of):
    conversion = conversions.convert(saver, 20_000, actor=saver, request_key="r1", now=at(DAY))
    assert conversion.status == "done" and conversion.provider_ref.startswith("FAKE-")
    assert balance_of(saver) == 10_000 and operator.balance(CARD) == 20_000
    again = conversions.convert(saver, 20_000, actor=saver, request_key="r1", now=at(DAY))
    assert again.pk == conversion.pk and operator.balance(CARD) == 20_000 and balance_of(saver) == 10_000
    refused("wallet_key_reused", conversions.convert, saver, 5_000, actor=saver, request_key="r1")
    assert ledger.accounts_sum() == 0 and ledger.system_account("clearing").balance == 20_000


def test_limits_card_and_balance_are_checked_first(operator, saver, member, make_verified_resident):
    refused("wallet_below_minimum", conversions.convert, saver, 999, actor=saver)
    refused("wallet_above_maximum", conversions.convert, saver, 500_001, actor=saver)
    refused("wallet_insufficient_balance", conversions.convert, saver, 40_000, actor=saver)
    newcomer = make_verified_resident(name="신규", phone="01055550009")
    refused("wallet_no_card", conversions.convert, newcomer, 1_000, actor=newcomer)
    refused("not_found", conversions.convert, saver, 1_000, actor=newcomer)
    assert operator.requests == 0 and Conversion.objects.count() == 0


def test_no_operator_configured_is_said_plainly(settings, saver):
    settings.DASAN = {**settings.DASAN, "WALLET_CURRENCY_ENGINE": ""}
    refused("wallet_currency_not_configured", conversions.convert, saver, 1_000, actor=saver)


def test_a_refusal_returns_the_points(operator, saver, balance_of):
    operator.reject(CARD, "account_closed")
    conversion = conversions.convert(saver, 20_000, actor=saver, now=at(DAY))
    assert conversion.status == "failed" and conversion.failure_code == "account_closed"
    assert balance_of(saver) == 30_000 and operator.balance(CARD) == 0
    assert ledger.system_account("clearing").balance == 0 and ledger.accounts_sum() == 0


def test_an_answer_lost_after_the_charge_is_resolved_without_a_second_charge(operator, saver, balance_of):
    operator.inject(Fault.DROP)
    conversion = conversions.convert(saver, 20_000, actor=saver, now=at(DAY))
    assert conversion.status == "pending" and balance_of(saver) == 10_000  # held, not lost
    assert selectors.balance(saver)["converting"] == 20_000
    assert conversions.resolve_pending(LATER) == 1
    conversion.refresh_from_db()
    assert conversion.status == "done" and operator.balance(CARD) == 20_000
    assert conversions.resolve_pending(LATER) == 0 and operator.balance(CARD) == 20_000


def test_an_operator_that_was_down_is_tried_again_with_the_same_key(operator, saver, balance_of, settings):
    operator.inject(Fault.UNAVAILABLE, times=2)
    conversion = conversions.convert(saver, 20_000, actor=saver, now=at(DAY))
    assert conversion.status == "pending" and operator.balance(CARD) == 0
    conversions.resolve_pending(LATER)  # status: never applied → charge again → 503 again
    conversion.refresh_from_db()
    assert (conversion.status, conversion.attempts) == ("pending", 2)
    conversions.resolve_pending(LATER + dt.timedelta(minutes=5))
    conversion.refresh_from_db()
    assert conversion.status == "done" and operator.balance(CARD) == 20_000
    # One that the operator never applies is given up after WALLET_MAX_ATTEMPTS; points back.
    settings.DASAN = {**settings.DASAN, "WALLET_MAX_ATTEMPTS": 1}
    operator.inject(Fault.UNAVAILABLE)
    stuck = conversions.convert(saver, 5_000, actor=saver, now=at(DAY))
    conversions.resolve_pending(LATER + dt.timedelta(minutes=10))
    stuck.refresh_from_db()
    assert stuck.status == "failed" and balance_of(saver) == 10_000 and ledger.accounts_sum() == 0


def test_after_a_timeout_not_found_earns_another_try_never_a_refund(operator, saver, balance_of, settings):
    # A charge whose answer timed out may still be applied by the operator later: even past
    # WALLET_MAX_ATTEMPTS, "never applied" then means "charge again with the same key".
    settings.DASAN = {**settings.DASAN, "WALLET_MAX_ATTEMPTS": 1}
    operator.inject(Fault.UNAVAILABLE)
    conversion = conversions.convert(saver, 5_000, actor=saver, now=at(DAY))
    Conversion.objects.filter(pk=conversion.pk).update(outcome_unknown=True)  # as after a timeout
    conversions.resolve_pending(LATER)
    conversion.refresh_from_db()
    assert conversion.status == "done" and operator.balance(CARD) == 5_000
    assert balance_of(saver) == 25_000 and ledger.accounts_sum() == 0


def test_reconciliation_settles_what_matches_and_reports_what_does_not(operator, saver, eco_staff):
    from dasan.notify.models import Message

    day = CHARGED.date()
    conversion = conversions.convert(saver, 20_000, actor=saver, now=at(DAY))
    provider = conversions.provider()
    good = reconcile.run_day(day, operator=provider, now=LATER)
    assert good.ok and good.matched == 1 and good.findings == []
    assert ledger.system_account("settled").balance == 20_000 and ledger.system_account("clearing").balance == 0
    conversion.refresh_from_db()
    assert conversion.settled_on == day
    # The operator reports a charge our books never made: the day is not OK, the owner is told.
    provider.charge(Charge(key="dw-unknown", account_ref=CARD, amount=7_000))
    bad = reconcile.run_day(day, operator=provider, now=LATER)
    assert not bad.ok and bad.findings == [{"kind": "extra", "key": "dw-unknown", "amount": 7_000, "status": ""}]
    assert ledger.system_account("settled").balance == 20_000  # settled once
    alerts = Message.objects.filter(template_key="wallet.reconciliation_difference")
    assert alerts.count() == 1 and alerts.get().department == eco_staff.department
    reconcile.run_day(day, operator=provider, now=LATER)  # same findings: no second alert
    assert alerts.count() == 1


def test_the_card_number_is_kept_only_as_the_operator_needs_it(saver):
    card = CurrencyCard.objects.get(resident=saver)
    assert card.last4 == "0042" and str(card) == "****0042" and card.ref_hash != card.ref
