"""Staff sign in with a password and a TOTP code; first sign-in enrols an authenticator."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.urls import reverse

from dasan.accounts import services
from dasan.accounts.models import Role, User
from dasan.core.errors import DasanError
from dasan.core.models import AuditEvent

PASSWORD = "correct-horse-battery-9"


def _password_step(client, username, password=PASSWORD, **extra):
    return client.post(reverse("accounts:staff_login"), {"username": username, "password": password, **extra})


def test_password_then_totp_signs_staff_in(client, enrolled_staff):
    staff = enrolled_staff()
    page = client.get(reverse("accounts:staff_login"))
    assert 'name="username"' in page.content.decode() and 'name="password"' in page.content.decode()
    response = _password_step(client, "officer1")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:staff_otp")
    assert "_auth_user_id" not in client.session  # not yet signed in
    html = client.get(reverse("accounts:staff_otp")).content.decode()
    assert 'name="otp"' in html and 'autocomplete="one-time-code"' in html
    response = client.post(reverse("accounts:staff_otp"), {"otp": staff.totp.now()})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == staff.pk
    assert AuditEvent.objects.filter(action="accounts.login", actor=staff, data__method="password+totp").exists()


def test_wrong_password_is_refused(client, enrolled_staff):
    enrolled_staff()
    response = _password_step(client, "officer1", "wrong-password-1")
    assert response.status_code == 400
    assert "아이디 또는 비밀번호가 올바르지 않습니다" in response.content.decode()
    assert AuditEvent.objects.filter(action="accounts.login_failed").exists()


def test_otp_page_needs_the_password_step(client):
    response = client.get(reverse("accounts:staff_otp"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:staff_login")


def test_wrong_totp_is_refused(client, enrolled_staff):
    staff = enrolled_staff()
    _password_step(client, "officer1")
    good = {staff.totp.at(time.time() + offset) for offset in (-30, 0, 30)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in good)
    response = client.post(reverse("accounts:staff_otp"), {"otp": wrong})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_totp_code_cannot_be_replayed(client, enrolled_staff):
    staff = enrolled_staff()
    code = staff.totp.now()
    _password_step(client, "officer1")
    assert client.post(reverse("accounts:staff_otp"), {"otp": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    _password_step(client, "officer1")
    response = client.post(reverse("accounts:staff_otp"), {"otp": code})
    assert response.status_code == 400
    assert "이미 사용한" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_adjacent_time_steps_are_accepted_once(enrolled_staff):
    staff = enrolled_staff()
    previous = staff.totp.at(time.time() - 30)
    user = User.objects.get(pk=staff.pk)
    assert services.staff_verify_totp(user, previous) == user
    with pytest.raises(DasanError) as info:
        services.staff_verify_totp(User.objects.get(pk=staff.pk), previous)
    assert info.value.code == "totp_replayed"


def test_first_sign_in_enrols_an_authenticator(client, make_staff, departments):
    staff = make_staff("newbie", department=departments["waste"])
    response = _password_step(client, "newbie")
    assert response["Location"] == reverse("accounts:staff_enrol")
    page = client.get(reverse("accounts:staff_enrol"))
    html = page.content.decode()
    assert "<svg" in html and "otpauth://totp/" in html
    staff.refresh_from_db()
    assert staff.totp_secret and staff.totp_confirmed_at is None
    assert staff.totp_secret[:4] in html  # the secret as text, for typing in
    totp = pyotp.TOTP(staff.totp_secret)
    assert client.post(reverse("accounts:staff_enrol"), {"otp": "12345"}).status_code == 400
    response = client.post(reverse("accounts:staff_enrol"), {"otp": totp.now()})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.totp_confirmed_at is not None
    assert int(client.session["_auth_user_id"]) == staff.pk


def test_enrolled_staff_skip_enrolment(client, enrolled_staff):
    enrolled_staff()
    _password_step(client, "officer1")
    assert client.get(reverse("accounts:staff_enrol"))["Location"] == reverse("accounts:staff_otp")


def test_five_failed_passwords_lock_the_username_from_that_address(client, enrolled_staff):
    enrolled_staff()
    for _ in range(5):
        assert _password_step(client, "officer1", "wrong-password-1").status_code == 400
    response = _password_step(client, "officer1")  # even the right password
    assert response.status_code == 429
    assert "Retry-After" in response
    assert AuditEvent.objects.filter(action="accounts.login_locked").exists()


def test_many_failed_passwords_from_one_address_are_locked(client, enrolled_staff):
    enrolled_staff()
    for n in range(20):
        _password_step(client, f"nobody{n}", "wrong-password-1")
    assert _password_step(client, "officer1").status_code == 429


def test_a_successful_password_clears_the_address_count(client, enrolled_staff):
    enrolled_staff()
    for _ in range(4):
        _password_step(client, "officer1", "wrong-password-1")
    assert _password_step(client, "officer1").status_code == 302
    for _ in range(4):
        assert _password_step(client, "officer1", "wrong-password-1").status_code == 400


def test_residents_cannot_use_the_staff_sign_in(client, resident):
    assert _password_step(client, resident.username, "").status_code == 400
    assert _password_step(client, resident.username, "anything-at-all").status_code == 400


def test_staff_next_is_followed_and_open_redirect_refused(client, enrolled_staff):
    staff = enrolled_staff()
    _password_step(client, "officer1", next="/admin/")
    assert client.post(reverse("accounts:staff_otp"), {"otp": staff.totp.now()})["Location"] == "/admin/"
    client.post(reverse("accounts:logout"))
    User.objects.filter(pk=staff.pk).update(totp_last_step=None)
    _password_step(client, "officer1", next="https://evil.example/")
    location = client.post(reverse("accounts:staff_otp"), {"otp": staff.totp.now()})["Location"]
    assert "evil" not in location


def test_admin_login_goes_through_totp(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:staff_login"))


def test_create_staff_and_create_resident(departments):
    staff = services.create_staff(
        "manager1", PASSWORD, name="김부장", department=departments["waste"], role=Role.MANAGER
    )
    assert staff.is_city_staff and staff.role == "manager" and staff.check_password(PASSWORD) and staff.is_staff
    admin = services.create_staff("admin1", PASSWORD, name="관리자", role=Role.ADMIN)
    assert admin.is_city_admin
    resident = services.create_resident("010-2222-3333", name="이주민", language="vi")
    assert resident.phone == "01022223333" and resident.language == "vi" and resident.is_resident
    with pytest.raises(DasanError):
        services.create_staff("x", PASSWORD, role="boss")
