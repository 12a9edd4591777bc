"""Wrong staff passwords lock out the address that sent them, not the account's owner
(issue 15, finding 9): per username + address, a slower throttle per username across all
addresses that still lets the owner in from where they signed in before, and one e-mail to
the owner per window however many failures.

Windows are moved on by setting the rate limiter's clock, as tests/core/test_ratelimit.py
does; nothing here sleeps or measures time."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dasan.accounts import services
from dasan.core import ratelimit
from dasan.core.errors import DasanError
from dasan.core.models import AuditEvent
from dasan.notify.models import Message

PASSWORD = "correct-horse-battery-9"
WRONG = "wrong-password-1"
A, B = "203.0.113.5", "198.51.100.7"
ALERT = "accounts.staff_login_failures"


@pytest.fixture
def frozen(monkeypatch):
    now = {"t": 1_800_000_000.0}  # a multiple of 900 and 3600: every window starts here
    monkeypatch.setattr(ratelimit, "_now", lambda: now["t"])
    return now


@pytest.fixture
def officer(enrolled_staff):
    staff = enrolled_staff()
    staff.email = "officer1@city.example"
    staff.save(update_fields=["email"])
    return staff


def _password(client, address, password=PASSWORD, username="officer1", **extra):
    return client.post(
        reverse("accounts:staff_login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def _sign_in(client, staff, address):
    """The whole staff sign-in from ``address``; True when it signs ``staff`` in."""
    if _password(client, address).status_code != 302:
        return False
    client.post(reverse("accounts:staff_otp"), {"otp": staff.totp.now()}, REMOTE_ADDR=address)
    signed_in = client.session.get("_auth_user_id") == str(staff.pk)
    client.post(reverse("accounts:logout"), REMOTE_ADDR=address)
    staff.__class__.objects.filter(pk=staff.pk).update(totp_last_step=None)  # the next sign-in reuses the code
    return signed_in


def _fail(address, times, username="officer1"):
    """``times`` wrong passwords for ``username`` from ``address``; how many were refused as wrong
    (the others were refused by a limit)."""
    wrong = 0
    for _ in range(times):
        with pytest.raises(DasanError) as info:
            services.staff_login_password(username, WRONG, ip=address)
        wrong += info.value.code == "login_invalid"
    return wrong


def _alerts(staff):
    return Message.objects.filter(template_key=ALERT, recipient=staff)


def test_five_wrong_passwords_lock_that_address_only(client, officer, frozen):
    for _ in range(5):
        assert _password(client, A, WRONG).status_code == 400
    refused = _password(client, A)  # even the right password, from the guessing address
    assert refused.status_code == 429 and "Retry-After" in refused
    assert AuditEvent.objects.filter(action="accounts.login_locked", data__username="officer1").exists()
    # The owner, at their own desk, signs in with the password and the authenticator.
    assert _sign_in(Client(), officer, B)


def test_the_owner_signs_in_again_after_the_window(client, officer, frozen):
    for _ in range(6):
        _password(client, A, WRONG)
    assert _password(client, A).status_code == 429
    frozen["t"] += services.STAFF_PASSWORD_LIMIT_PAIR[1]
    assert _sign_in(client, officer, A)


def test_a_guess_spread_over_many_addresses_is_throttled(officer, frozen):
    limit, window = services.STAFF_PASSWORD_LIMIT_USER
    per_address = services.STAFF_PASSWORD_LIMIT_PAIR[0]
    assert _sign_in(Client(), officer, B)  # the owner's usual address, before the attack
    addresses = [f"192.0.2.{n}" for n in range(1, limit // per_address + 1)]
    assert sum(_fail(address, per_address) for address in addresses) == limit
    # Every further try from a new address waits, whatever the password ...
    assert _password(Client(), "192.0.2.200").status_code == 429
    assert _fail("192.0.2.201", 1) == 0
    assert AuditEvent.objects.filter(action="accounts.login_locked", data__reason="username_throttled").exists()
    # ... but the owner still signs in from where they signed in before,
    assert _sign_in(Client(), officer, B)
    # and from anywhere once the hour is over.
    frozen["t"] += window
    assert _sign_in(Client(), officer, "192.0.2.200")


def test_a_failed_password_step_does_not_make_an_address_known(officer, frozen):
    """Knowing the password is not enough to pass the throttle: only a sign-in completed
    with the authenticator marks the address as the owner's."""
    limit = services.STAFF_PASSWORD_LIMIT_USER[0]
    per_address = services.STAFF_PASSWORD_LIMIT_PAIR[0]
    client = Client()
    assert _password(client, B).status_code == 302  # password right, authenticator never given
    for n in range(1, limit // per_address + 1):
        _fail(f"192.0.2.{n}", per_address)
    assert _password(Client(), B).status_code == 429


def test_the_owner_is_emailed_once_per_window(officer, frozen):
    after = services.STAFF_PASSWORD_ALERT_AFTER
    _fail(A, after - 1)
    assert not _alerts(officer).exists()  # a mistyped password or two tells nobody
    for address in (A, B, "192.0.2.1", "192.0.2.2", "192.0.2.3"):
        _fail(address, 5)
    (message,) = _alerts(officer)
    assert message.channel == "email" and message.to == "officer1@city.example"
    assert "officer1" in message.body and f"{after}" in message.body
    assert message.language == "ko" and "로그인 실패" in message.subject
    assert AuditEvent.objects.filter(action="accounts.login_alert_sent", target_id=str(officer.pk)).count() == 1
    # A new window, new failures: one more e-mail.
    frozen["t"] += services.STAFF_PASSWORD_LIMIT_USER[1]
    _fail(A, after + 3)
    assert _alerts(officer).count() == 2


def test_the_alert_is_in_the_owners_language(officer, frozen):
    officer.language = "vi"
    officer.save(update_fields=["language"])
    _fail(A, services.STAFF_PASSWORD_ALERT_AFTER)
    (message,) = _alerts(officer)
    assert message.language == "vi" and "officer1" in message.body and "mật khẩu" in message.body


def test_no_email_address_or_no_email_channel_changes_nothing(client, officer, frozen, settings):
    settings.DASAN = {**settings.DASAN, "NOTIFY_CHANNELS": ["console"]}
    for _ in range(services.STAFF_PASSWORD_ALERT_AFTER):
        assert _password(client, A, WRONG).status_code == 400
    assert not _alerts(officer).exists()
    assert AuditEvent.objects.filter(action="accounts.login_alert_failed").exists()
    officer.email = ""
    officer.save(update_fields=["email"])
    frozen["t"] += services.STAFF_PASSWORD_LIMIT_USER[1]
    assert _fail(B, services.STAFF_PASSWORD_ALERT_AFTER) == services.STAFF_PASSWORD_ALERT_AFTER
    assert not _alerts(officer).exists()


def test_unknown_usernames_alert_nobody(officer, frozen):
    _fail(A, 5, username="nobody")
    assert not Message.objects.filter(template_key=ALERT).exists()


def test_addresses_behind_a_trusted_proxy_are_told_apart(officer, frozen, settings):
    settings.DASAN = {**settings.DASAN, "TRUSTED_PROXIES": ["10.0.0.0/8"]}
    proxy = Client()
    for _ in range(5):
        _password(proxy, "10.0.0.2", WRONG, HTTP_X_FORWARDED_FOR=A)
    assert _password(proxy, "10.0.0.2", HTTP_X_FORWARDED_FOR=A).status_code == 429
    assert _password(Client(), "10.0.0.2", HTTP_X_FORWARDED_FOR=B).status_code == 302
