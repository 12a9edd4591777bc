"""Residents sign in (and sign up) with their phone and an SMS code, through the real pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dasan.accounts.models import Kind, OneTimeCode, User
from dasan.core.models import AuditEvent


def test_new_resident_signs_up_by_verifying_their_phone(client, sent_code):
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="phone"' in html and 'for="id_phone"' in html
    assert reverse("accounts:staff_login") in html

    response = client.post(reverse("accounts:login"), {"phone": "010-1234-5678"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:verify")

    verify = client.get(reverse("accounts:verify"))
    html = verify.content.decode()
    assert "010-****-5678" in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert "2분" in html or "3분" in html  # remaining time

    response = client.post(reverse("accounts:verify"), {"code": sent_code()})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:me")
    user = User.objects.get(phone="01012345678")
    assert user.kind == Kind.RESIDENT and user.username.startswith("r-")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert AuditEvent.objects.filter(action="accounts.login", actor=user).exists()


def test_existing_resident_signs_in_and_goes_home(client, resident, resident_login):
    response = resident_login()
    assert response.status_code == 302
    assert response["Location"] != reverse("accounts:me")
    assert int(client.session["_auth_user_id"]) == resident.pk
    assert User.objects.filter(phone="01012345678").count() == 1


def test_the_sms_uses_the_registered_template_and_channel(client, settings):
    from dasan.notify.models import Message

    client.post(reverse("accounts:login"), {"phone": "01012345678"})
    message = Message.objects.get(to="01012345678")
    assert message.template_key == "accounts.otp_code"
    assert message.channel == settings.DASAN["OTP_CHANNEL"]
    assert "인증번호" in message.body and "3분" in message.body


def test_an_english_speaking_resident_gets_the_sms_in_english(client, make_resident):
    from dasan.notify.models import Message

    make_resident(phone="01099998888", language="en")
    client.post(reverse("accounts:login"), {"phone": "01099998888"})
    message = Message.objects.get(to="01099998888")
    assert message.language == "en"
    assert "code" in message.body.lower()


def test_the_code_is_stored_only_as_a_hash(client, sent_code):
    client.post(reverse("accounts:login"), {"phone": "01012345678"})
    code = sent_code()
    row = OneTimeCode.objects.get(phone="01012345678")
    values = " ".join(str(v) for v in OneTimeCode.objects.values_list().get())
    assert code not in values
    assert len(row.code_hash) == 64
    assert row.expires_at - row.created_at == timedelta(minutes=3)


def test_audit_never_holds_the_code_or_the_full_phone(client, sent_code, resident_login):
    resident_login()
    code = sent_code()
    for event in AuditEvent.objects.all():
        text = f"{event.data} {event.reason} {event.target_label} {event.actor_label}"
        assert code not in text
        assert "01012345678" not in text
    assert AuditEvent.objects.filter(action="accounts.otp_requested").exists()


def test_invalid_phone_gives_the_form_back_with_a_linked_message(client):
    response = client.post(reverse("accounts:login"), {"phone": "02-123-4567"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_phone-error"' in html
    assert 'aria-describedby="id_phone-hint id_phone-error"' in html
    assert "휴대전화 번호를 확인해 주세요" in html


def test_empty_phone_is_a_400(client):
    assert client.post(reverse("accounts:login"), {"phone": ""}).status_code == 400


def test_wrong_code_says_so_and_counts_down(client, sent_code):
    client.post(reverse("accounts:login"), {"phone": "01012345678"})
    good = sent_code()
    wrong = "000000" if good != "000000" else "111111"
    response = client.post(reverse("accounts:verify"), {"code": wrong})
    assert response.status_code == 400
    assert "인증번호가 올바르지 않습니다" in response.content.decode()
    assert OneTimeCode.objects.get().attempts == 1
    assert AuditEvent.objects.filter(action="accounts.login_failed").exists()


def test_non_numeric_code_is_a_form_error(client):
    client.post(reverse("accounts:login"), {"phone": "01012345678"})
    response = client.post(reverse("accounts:verify"), {"code": "abc"})
    assert response.status_code == 400
    assert "숫자 6자리" in response.content.decode()


def test_five_wrong_codes_void_the_code(client, sent_code):
    client.post(reverse("accounts:login"), {"phone": "01012345678"})
    good = sent_code()
    wrong = "000000" if good != "000000" else "111111"
    for _ in range(5):
        response = client.post(reverse("accounts:verify"), {"code": wrong})
    assert "다시 요청" in response.content.decode()
    assert OneTimeCode.objects.get().voided_at is not None
    # Even the right code no longer works.
    response = client.post(reverse("accounts:verify"), {"code": good})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_expired_code_is_refused(client, sent_code):
    client.post(reverse("accounts:login"), {"phone": "01012345678"})
    code = sent_code()
    OneTimeCode.objects.update(
        created_at=timezone.now() - timedelta(minutes=4), expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.post(reverse("accounts:verify"), {"code": code})
    assert response.status_code == 400
    assert "시간이 지났습니다" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_new_code_invalidates_the_earlier_one(client, sent_code):
    client.post(reverse("accounts:login"), {"phone": "01012345678"})
    first = sent_code()
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    from django.core.cache import cache

    cache.clear()  # step past the 30-second resend limit
    response = client.post(reverse("accounts:resend"))
    assert response.status_code == 302
    second = sent_code()
    assert OneTimeCode.objects.filter(voided_at__isnull=True).count() == 1
    if first != second:
        assert client.post(reverse("accounts:verify"), {"code": first}).status_code == 400
    assert client.post(reverse("accounts:verify"), {"code": second}).status_code == 302


def test_codes_are_rate_limited_per_phone(client):
    assert client.post(reverse("accounts:login"), {"phone": "01012345678"}).status_code == 302
    response = client.post(reverse("accounts:login"), {"phone": "010-1234-5678"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "요청이 너무 많습니다" in response.content.decode()
    assert AuditEvent.objects.filter(action="accounts.otp_rate_limited").exists()


def test_codes_are_rate_limited_per_hour(client, monkeypatch):
    from dasan.accounts import services

    monkeypatch.setattr(services, "OTP_SEND_LIMITS_PHONE", [("1h", 5, 3600)])
    for _ in range(5):
        assert client.post(reverse("accounts:login"), {"phone": "01012345678"}).status_code == 302
    assert client.post(reverse("accounts:login"), {"phone": "01012345678"}).status_code == 429


def test_codes_are_rate_limited_per_ip(client):
    for n in range(20):
        assert client.post(reverse("accounts:login"), {"phone": f"0105555{n:04d}"}).status_code == 302
    assert client.post(reverse("accounts:login"), {"phone": "01066667777"}).status_code == 429


def test_guessing_across_codes_is_rate_limited(client, sent_code, monkeypatch):
    from dasan.accounts import services

    monkeypatch.setattr(services, "OTP_SEND_LIMITS_PHONE", [])
    statuses = []
    for _ in range(3):
        client.post(reverse("accounts:login"), {"phone": "01012345678"})
        good = sent_code()
        wrong = "000000" if good != "000000" else "111111"
        for _ in range(4):
            statuses.append(client.post(reverse("accounts:verify"), {"code": wrong}).status_code)
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]
    assert AuditEvent.objects.filter(action="accounts.login_locked").exists()


def test_verify_without_a_pending_phone_goes_back_to_the_form(client):
    response = client.get(reverse("accounts:verify"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")


def test_safe_next_is_followed(client, resident, sent_code):
    client.post(reverse("accounts:login") + "?next=/accounts/me/%3Ftab%3D1", {"phone": "01012345678"})
    response = client.post(reverse("accounts:verify"), {"code": sent_code()})
    assert response["Location"] == "/accounts/me/?tab=1"


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/x", "https:/\\evil.example", "javascript:alert(1)"]
)
def test_open_redirects_are_refused(client, resident, sent_code, evil):
    client.post(reverse("accounts:login"), {"phone": "01012345678", "next": evil})
    response = client.post(reverse("accounts:verify"), {"code": sent_code()})
    assert response.status_code == 302
    assert "evil" not in response["Location"] and "javascript" not in response["Location"]


def test_demo_mode_shows_the_code_on_the_page(client, sent_code, settings):
    settings.DEBUG = True
    settings.DASAN = {**settings.DASAN, "DEMO_SHOW_OTP": True}
    client.post(reverse("accounts:login"), {"phone": "01012345678"})
    html = client.get(reverse("accounts:verify")).content.decode()
    assert sent_code() in html and "데모" in html


def test_the_code_is_not_shown_outside_demo_mode(client, sent_code, settings):
    settings.DEBUG = False
    settings.DASAN = {**settings.DASAN, "DEMO_SHOW_OTP": True}
    client.post(reverse("accounts:login"), {"phone": "01012345678"})
    html = client.get(reverse("accounts:verify")).content.decode()
    assert sent_code() not in html


def test_inactive_resident_cannot_sign_in(client, make_resident, sent_code):
    make_resident(phone="01012345678", is_active=False)
    client.post(reverse("accounts:login"), {"phone": "01012345678"})
    response = client.post(reverse("accounts:verify"), {"code": sent_code()})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_resending_too_soon_is_a_429_on_the_verify_page(client):
    client.post(reverse("accounts:login"), {"phone": "01012345678"})
    response = client.post(reverse("accounts:resend"))
    assert response.status_code == 429
    assert 'id="id_code-error"' in response.content.decode()
    assert OneTimeCode.objects.count() == 1


def test_a_staff_phone_cannot_sign_in_by_sms(client, make_staff):
    make_staff("officer9", phone="01012345678")
    response = client.post(reverse("accounts:login"), {"phone": "01012345678"})
    assert response.status_code == 403
    assert "공무원 로그인" in response.content.decode()
    assert OneTimeCode.objects.count() == 0
