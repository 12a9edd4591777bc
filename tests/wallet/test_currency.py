"""The local-currency (지역화폐) operator adapter against the fake operator, over real HTTPS:
a charge lands once however often it is sent, and every way it can go wrong arrives as
the failure that tells the wallet what it may do (give points back, retry, or ask)."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest

from dasan.wallet.currency import (
    Charge,
    CurrencyNotConfigured,
    DestinationRefused,
    OutcomeUnknown,
    Rejected,
    Unavailable,
    get_provider,
)
from dasan.wallet.currency import fake as fake_module
from dasan.wallet.currency.fake import FakeOperator, Fault
from dasan.wallet.currency.http import HttpProvider

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2026, 12, 7, 10, 15, tzinfo=SEOUL)
CARD = "9410-1234-5678-0042"


@pytest.fixture(scope="module")
def server():
    with FakeOperator(now=lambda: NOW) as operator:
        yield operator


@pytest.fixture
def operator(server):
    server.reset()
    server.now = lambda: NOW
    yield server
    server.release()


@pytest.fixture
def provider(operator):
    return operator.provider(timeout=5)


def configure(settings, **values):
    settings.DASAN = {**settings.DASAN, **{f"WALLET_CURRENCY_{k.upper()}": v for k, v in values.items()}}


# --- charges ------------------------------------------------------------------------------------


def test_a_charge_tops_up_the_account_and_returns_the_operators_receipt(operator, provider):
    receipt = provider.charge(Charge("conv-1", CARD, 10_000))
    assert (receipt.key, receipt.amount, receipt.charged_at) == ("conv-1", 10_000, NOW)
    assert receipt.provider_ref.startswith("FAKE-")
    assert operator.balance(CARD) == 10_000


def test_sending_the_same_charge_again_returns_the_original_receipt_and_charges_once(operator, provider):
    first = provider.charge(Charge("conv-1", CARD, 10_000))
    operator.now = lambda: NOW + dt.timedelta(minutes=5)
    again = provider.charge(Charge("conv-1", CARD, 10_000))
    assert again == first
    assert operator.balance(CARD) == 10_000 and len(operator.charges) == 1


def test_the_same_key_for_a_different_charge_is_rejected_and_charges_nothing(operator, provider):
    provider.charge(Charge("conv-1", CARD, 10_000))
    with pytest.raises(Rejected) as rejected:
        provider.charge(Charge("conv-1", CARD, 20_000))
    assert rejected.value.code == "key_reused"
    assert operator.balance(CARD) == 10_000


def test_a_timeout_after_the_operator_applied_is_outcome_unknown_and_status_finds_the_charge(operator):
    operator.inject(Fault.DELAY)  # applied, then the answer is held past the client's timeout
    hasty = operator.provider(timeout=0.3, connect_timeout=10)
    with pytest.raises(OutcomeUnknown) as unknown:
        hasty.charge(Charge("conv-1", CARD, 10_000))
    assert unknown.value.code == "timeout"
    receipt = hasty.status("conv-1")
    assert receipt is not None and (receipt.key, receipt.amount) == ("conv-1", 10_000)
    # Sending it again (the safe way on) is answered with the same charge, not a second one.
    assert hasty.charge(Charge("conv-1", CARD, 10_000)) == receipt
    assert operator.balance(CARD) == 10_000


@pytest.mark.parametrize("fault", [Fault.DROP, Fault.ERROR_AFTER_APPLY])
def test_a_lost_answer_after_applying_is_outcome_unknown(operator, provider, fault):
    operator.inject(fault)
    with pytest.raises(OutcomeUnknown):
        provider.charge(Charge("conv-1", CARD, 10_000))
    assert provider.status("conv-1").amount == 10_000
    assert operator.balance(CARD) == 10_000


@pytest.mark.parametrize(("fault", "code"), [(Fault.UNAVAILABLE, "busy"), (Fault.THROTTLE, "busy")])
def test_an_operator_that_is_down_or_throttling_is_unavailable_and_charges_nothing(operator, provider, fault, code):
    operator.inject(fault)
    with pytest.raises(Unavailable) as unavailable:
        provider.charge(Charge("conv-1", CARD, 10_000))
    assert unavailable.value.code == code
    assert operator.balance(CARD) == 0 and provider.status("conv-1") is None
    # Later, the same key goes through once.
    assert provider.charge(Charge("conv-1", CARD, 10_000)).amount == 10_000
    assert operator.balance(CARD) == 10_000


def test_an_operator_that_cannot_be_reached_is_unavailable(tmp_path):
    gone = FakeOperator(cert_dir=tmp_path).start()
    provider = gone.provider(timeout=5)
    gone.stop()  # nothing listens on its port any more
    with pytest.raises(Unavailable) as unavailable:
        provider.charge(Charge("conv-1", CARD, 10_000))
    assert unavailable.value.code == "unreachable"
    with pytest.raises(Unavailable):
        provider.status("conv-1")


def test_a_closed_account_is_rejected_with_the_operators_code_and_a_korean_message(operator, provider):
    operator.reject(CARD, "account_closed")
    with pytest.raises(Rejected) as rejected:
        provider.charge(Charge("conv-1", CARD, 10_000))
    assert rejected.value.code == "account_closed"
    assert "해지" in rejected.value.message
    assert operator.balance(CARD) == 0 and provider.status("conv-1") is None


def test_a_charge_over_the_accounts_limit_is_rejected(operator, provider):
    operator.set_limit(CARD, 50_000)
    provider.charge(Charge("conv-1", CARD, 40_000))
    with pytest.raises(Rejected) as rejected:
        provider.charge(Charge("conv-2", CARD, 20_000))
    assert rejected.value.code == "limit_exceeded"
    assert operator.balance(CARD) == 40_000


def test_a_wrong_api_key_is_unavailable_not_a_rejection_of_the_resident(operator):
    wrong = HttpProvider(
        operator.url, "not-the-key", 5, allowed_hosts=["127.0.0.1"], allow_loopback=True, verify=operator.client_context
    )
    with pytest.raises(Unavailable) as unavailable:
        wrong.charge(Charge("conv-1", CARD, 10_000))
    assert unavailable.value.code == "unauthorized"
    assert operator.balance(CARD) == 0


def test_status_of_a_key_never_charged_is_none(provider):
    assert provider.status("conv-never") is None


@pytest.mark.parametrize(
    ("key", "ref", "amount"),
    [
        ("", CARD, 1000),
        ("has space", CARD, 1000),
        ("k" * 65, CARD, 1000),
        ("ok", "", 1000),
        ("ok", CARD, 0),
        ("ok", CARD, 1.5),
        ("ok", CARD, True),
    ],
)
def test_a_malformed_charge_cannot_be_made(key, ref, amount):
    with pytest.raises(ValueError):
        Charge(key, ref, amount)


def test_the_account_reference_is_never_logged_unmasked(operator, provider, caplog):
    caplog.set_level(logging.DEBUG)
    provider.charge(Charge("conv-1", CARD, 10_000))
    operator.reject(CARD, "account_closed")
    with pytest.raises(Rejected) as rejected:
        provider.charge(Charge("conv-2", CARD, 10_000))
    assert "conv-1" in caplog.text and "conv-2" in caplog.text and "0042" in caplog.text
    assert "5678" not in caplog.text
    assert "5678" not in str(rejected.value) and "0042" in rejected.value.detail  # the operator echoed it
    assert "5678" not in repr(Charge("conv-3", CARD, 1000))


# --- settlement ---------------------------------------------------------------------------------


@pytest.mark.parametrize("delivery", ["json", "csv"])
def test_the_settlement_lists_the_days_charges(operator, provider, delivery):
    provider.charge(Charge("conv-1", CARD, 10_000))
    provider.charge(Charge("conv-2", "card-2", 5_000))
    operator.now = lambda: NOW + dt.timedelta(days=1)
    provider.charge(Charge("conv-3", CARD, 7_000))
    operator.settlement_format = delivery
    lines = provider.settlement(dt.date(2026, 12, 7))
    assert sorted((line.key, line.amount, line.charged_at) for line in lines) == [
        ("conv-1", 10_000, NOW),
        ("conv-2", 5_000, NOW),
    ]
    assert provider.settlement(dt.date(2026, 12, 9)) == []


def test_a_settlement_not_closed_yet_is_unavailable(operator, provider):
    operator.settlement_ready = False
    with pytest.raises(Unavailable) as unavailable:
        provider.settlement(dt.date(2026, 12, 7))
    assert unavailable.value.code == "settlement_not_ready"


# --- configuration and the outbound guard -------------------------------------------------------


def test_no_engine_means_not_configured_in_korean(settings):
    configure(settings, engine="")
    with pytest.raises(CurrencyNotConfigured) as missing:
        get_provider()
    assert "지역화폐 연동이 설정되지 않았습니다" in str(missing.value)


@pytest.mark.parametrize(
    ("url", "hosts"),
    [
        ("https://currency.example.com", ["*.operator.kr"]),  # a host not allowed
        ("http://api.operator.kr", ["api.operator.kr"]),  # not https
        ("", ["api.operator.kr"]),
    ],
)
def test_an_unusable_url_is_not_configured(settings, url, hosts):
    configure(settings, engine="http", url=url, api_key="k", allowed_hosts=hosts)
    with pytest.raises(CurrencyNotConfigured):
        get_provider()


def test_a_loopback_operator_is_refused_before_any_request_without_debug(operator, settings):
    settings.DEBUG = False
    configure(
        settings,
        engine="http",
        url=operator.url,
        api_key=operator.api_key,
        allowed_hosts=["127.0.0.1"],
        ca_file=str(operator.cert_path),
    )
    provider = get_provider()
    with pytest.raises(DestinationRefused) as refused:
        provider.charge(Charge("conv-1", CARD, 10_000))
    assert refused.value.detail == "private_address"
    with pytest.raises(Unavailable):
        provider.status("conv-1")
    assert operator.requests == 0 and operator.balance(CARD) == 0
    # With DEBUG (a developer's machine) the same configuration reaches it.
    settings.DEBUG = True
    assert get_provider().charge(Charge("conv-1", CARD, 10_000)).amount == 10_000


def test_a_private_address_is_refused_before_any_request(settings):
    configure(settings, engine="http", url="https://10.20.30.40:8443", api_key="k", allowed_hosts=["10.20.30.40"])
    with pytest.raises(DestinationRefused) as refused:
        get_provider().charge(Charge("conv-1", CARD, 10_000))
    assert refused.value.detail == "private_address"


def test_the_fake_engine_reaches_the_fake_at_its_url(operator, settings):
    configure(settings, engine="fake", url=operator.url, api_key=operator.api_key, ca_file=str(operator.cert_path))
    provider = get_provider()
    assert provider.name == "fake"
    provider.charge(Charge("conv-1", CARD, 10_000))
    assert operator.balance(CARD) == 10_000


def test_the_fake_engine_never_reaches_beyond_this_machine(settings):
    configure(settings, engine="fake", url="https://api.operator.kr", api_key="k")
    with pytest.raises(CurrencyNotConfigured):
        get_provider()


def test_the_fake_engine_without_a_url_starts_one_in_this_process(settings):
    configure(settings, engine="fake", url="")
    provider = get_provider()
    shared = fake_module.shared()
    shared.reset()
    provider.charge(Charge("conv-1", CARD, 3_000))
    provider.charge(Charge("conv-1", CARD, 3_000))
    assert provider.name == "fake" and shared.balance(CARD) == 3_000
