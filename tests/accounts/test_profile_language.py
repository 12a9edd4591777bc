"""내 정보 page, language middleware and sign-out."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dasan.accounts import services
from dasan.core.errors import DasanError
from dasan.core.models import AuditEvent


def test_me_needs_sign_in(client):
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_me_shows_masked_phone_and_settings(client, resident):
    client.force_login(resident)
    html = client.get(reverse("accounts:me")).content.decode()
    assert "010-****-5678" in html and "01012345678" not in html
    assert "김주민" in html
    assert 'name="language"' in html and 'name="promo_opt_in"' in html
    assert reverse("accounts:logout") in html


def test_switching_to_english_changes_the_pages(client, resident):
    client.force_login(resident)
    response = client.post(reverse("accounts:me"), {"name": "Kim", "language": "en", "promo_opt_in": "on"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.language == "en" and resident.name == "Kim"
    assert resident.promo_opt_in and resident.promo_opt_in_at is not None
    response = client.get(reverse("accounts:me"))
    html = response.content.decode()
    assert '<h1 id="me-heading">My details</h1>' in html
    assert response["Content-Language"] == "en"
    assert AuditEvent.objects.filter(action="accounts.promo_consent", actor=resident).exists()


def test_user_language_beats_the_browser(client, make_resident):
    user = make_resident(phone="01077778888", language="vi")
    client.force_login(user)
    response = client.get(reverse("accounts:me"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "vi"
    assert response.wsgi_request.LANGUAGE_CODE == "vi"


def test_withdrawing_consent_keeps_a_timestamp(client, resident):
    services.set_promo_opt_in(resident, True)
    client.force_login(resident)
    client.post(reverse("accounts:me"), {"name": "김주민", "language": "ko"})
    resident.refresh_from_db()
    assert resident.promo_opt_in is False and resident.promo_opt_in_at is not None
    assert "수신을 거부했습니다" in client.get(reverse("accounts:me")).content.decode()


def test_unknown_language_is_refused(client, resident):
    client.force_login(resident)
    response = client.post(reverse("accounts:me"), {"language": "fr"})
    assert response.status_code == 400
    with pytest.raises(DasanError) as info:
        services.set_language(resident, "fr")
    assert info.value.code == "invalid_language"


def test_me_post_needs_csrf(resident):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    assert client.post(reverse("accounts:me"), {"language": "en"}).status_code == 403


def test_logout_is_post_only(client, resident):
    client.force_login(resident)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="accounts.logout", actor=resident).exists()


def test_logout_refuses_open_redirect(client, resident):
    client.force_login(resident)
    response = client.post(reverse("accounts:logout"), {"next": "https://evil.example/"})
    assert "evil" not in response["Location"]


def test_login_page_in_english_for_an_english_browser(client):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Enter your mobile number and we will text you a 6-digit code" in html
    assert "휴대전화" not in html.split("<main", 1)[1].split("</main>", 1)[0]
