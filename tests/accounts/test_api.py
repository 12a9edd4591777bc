"""Accounts API: SMS sign-in, profile, sign-out, bearer tokens and error envelopes."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from dasan.accounts import services
from dasan.accounts.models import APIToken, OneTimeCode, User

BASE = "/api/v1/accounts"


def _post(client, path, data, **extra):
    return client.post(BASE + path, json.dumps(data), content_type="application/json", **extra)


def _patch(client, path, data, **extra):
    return client.patch(BASE + path, json.dumps(data), content_type="application/json", **extra)


def test_sign_in_by_api_starts_a_session(client, sent_code):
    response = _post(client, "/otp/request", {"phone": "+82 10-1234-5678"})
    assert response.status_code == 202, response.content
    assert response.json()["phone"] == "010-****-5678"
    response = _post(client, "/otp/verify", {"phone": "01012345678", "code": sent_code()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind"] == "resident" and body["phone"] == "010-****-5678"
    me = client.get(BASE + "/me")
    assert me.status_code == 200 and me.json()["id"] == body["id"]


def test_invalid_phone_is_an_enveloped_400(client):
    response = _post(client, "/otp/request", {"phone": "12345"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_phone"
    assert "휴대전화" in response.json()["error"]["message"]


def test_error_message_follows_accept_language(client):
    response = _post(client, "/otp/request", {"phone": "12345"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"].startswith("Please check the mobile number")


def test_wrong_and_expired_codes(client, sent_code):
    _post(client, "/otp/request", {"phone": "01012345678"})
    good = sent_code()
    wrong = "000000" if good != "000000" else "111111"
    response = _post(client, "/otp/verify", {"phone": "01012345678", "code": wrong})
    assert response.status_code == 400 and response.json()["error"]["code"] == "otp_invalid"
    from datetime import timedelta

    from django.utils import timezone

    OneTimeCode.objects.update(
        created_at=timezone.now() - timedelta(minutes=5), expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = _post(client, "/otp/verify", {"phone": "01012345678", "code": good})
    assert response.status_code == 400 and response.json()["error"]["code"] == "otp_expired"


def test_rate_limit_is_an_enveloped_429(client):
    _post(client, "/otp/request", {"phone": "01012345678"})
    response = _post(client, "/otp/request", {"phone": "01012345678"})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0


def test_missing_field_is_a_4xx_envelope(client):
    response = _post(client, "/otp/verify", {"phone": "01012345678"})
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_me_needs_authentication(client):
    response = client.get(BASE + "/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_patch_me_changes_language_and_consent(client, resident):
    client.force_login(resident)
    response = _patch(client, "/me", {"language": "zh-hans", "promo_opt_in": True})
    assert response.status_code == 200
    assert response.json()["language"] == "zh-hans" and response.json()["promo_opt_in"] is True
    resident.refresh_from_db()
    assert resident.language == "zh-hans" and resident.promo_opt_in_at is not None
    response = _patch(client, "/me", {"language": "xx"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_language"


def test_session_writes_need_csrf(resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    assert client.get(BASE + "/me").status_code == 200
    response = _patch(client, "/me", {"language": "en"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    # With the token from the cookie it goes through.
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    assert _patch(client, "/me", {"language": "en"}, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_logout_ends_the_session(client, resident):
    client.force_login(resident)
    assert _post(client, "/logout", {}).status_code == 204
    assert client.get(BASE + "/me").status_code == 401


@pytest.fixture
def staff_token(make_staff, departments):
    staff = make_staff("integration", department=departments["waste"])
    return staff, services.issue_api_token(staff, "민원 연계")


def test_bearer_token_authenticates_and_is_noted(client, staff_token):
    staff, plain = staff_token
    assert plain.startswith("dsn_")
    row = APIToken.objects.get(owner=staff)
    assert plain not in (row.token_hash, row.prefix) and row.last_used_at is None
    response = client.get(BASE + "/me", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 200 and response.json()["id"] == staff.pk
    row.refresh_from_db()
    assert row.last_used_at is not None
    # Tokens need no CSRF: integrations are not browsers.
    csrf_client = Client(enforce_csrf_checks=True)
    assert _patch(csrf_client, "/me", {"language": "en"}, HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 200


def test_wrong_or_revoked_tokens_are_refused(client, staff_token):
    staff, plain = staff_token
    assert client.get(BASE + "/me", HTTP_AUTHORIZATION="Bearer dsn_nope").status_code == 401
    services.revoke_api_token(APIToken.objects.get(owner=staff))
    response = client.get(BASE + "/me", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


def test_tokens_of_inactive_staff_are_refused(client, staff_token):
    staff, plain = staff_token
    User.objects.filter(pk=staff.pk).update(is_active=False)
    assert client.get(BASE + "/me", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401


def test_residents_cannot_hold_tokens(resident):
    with pytest.raises(services.DasanError):
        services.issue_api_token(resident, "x")


def test_openapi_lists_the_accounts_endpoints_and_bearer_auth(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("/otp/request", "/otp/verify", "/me", "/logout"):
        assert f"/api/v1/accounts{path}" in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
