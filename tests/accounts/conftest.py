from __future__ import annotations

import re

import pyotp
import pytest
from django.urls import reverse


@pytest.fixture(autouse=True)
def _accounts_use_the_database(db):
    """Every accounts test reads or writes users."""


@pytest.fixture
def sent_code(db):
    """The last sign-in code sent to a phone, read from the notify outbox."""
    from dasan.notify.models import Message

    def read(phone: str = "01012345678") -> str:
        message = Message.objects.filter(to=phone, template_key="accounts.otp_code").order_by("-id").first()
        assert message is not None, "no code was sent"
        return re.search(r"\b(\d{6})\b", message.body).group(1)

    return read


@pytest.fixture
def resident_login(client, sent_code):
    """Sign a phone in through the real pages; returns the final response."""

    def run(phone: str = "01012345678", **extra):
        response = client.post(reverse("accounts:login"), {"phone": phone, **extra})
        assert response.status_code == 302, response.content.decode()[:2000]
        return client.post(reverse("accounts:verify"), {"code": sent_code(phone)})

    return run


@pytest.fixture
def enrolled_staff(make_staff, departments):
    """An officer of 청소행정과 with a confirmed authenticator; .totp is a pyotp.TOTP."""
    from django.utils import timezone

    def make(username="officer1", department=None, role="officer", password="correct-horse-battery-9"):
        user = make_staff(username, department=department or departments["waste"], role=role, password=password)
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed_at = timezone.now()
        user.save()
        user.totp = pyotp.TOTP(user.totp_secret)
        return user

    return make
