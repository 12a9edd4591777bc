"""Back office: users (masked phones, audited reads of residents) and API tokens."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

from dasan.accounts.models import APIToken, Role
from dasan.core.models import AuditEvent


def _admin(make_staff):
    user = make_staff("cityadmin", role=Role.ADMIN, is_staff=True, is_superuser=True)
    return user


def test_user_list_masks_phones_and_filters_by_kind(client, make_staff):
    from dasan.accounts.services import create_resident

    create_resident("01012345678", name="김주민")
    client.force_login(_admin(make_staff))
    response = client.get(reverse("admin:accounts_user_changelist") + "?kind=resident")
    html = response.content.decode()
    assert response.status_code == 200
    assert "010-****-5678" in html and "01012345678" not in html


def test_viewing_a_resident_is_audited(client, make_staff, resident):
    admin = _admin(make_staff)
    client.force_login(admin)
    response = client.get(reverse("admin:accounts_user_change", args=[resident.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(actor=admin, target_id=str(resident.pk)).order_by("-id").first()
    assert event is not None and "read" in event.action


def test_issuing_a_token_shows_it_once(client, make_staff):
    admin = _admin(make_staff)
    client.force_login(admin)
    response = client.post(reverse("admin:accounts_apitoken_add"), {"name": "연계", "owner": admin.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    token = APIToken.objects.get()
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(token.prefix in m and "dsn_" in m for m in shown)
    assert token.token_hash not in " ".join(shown)
    changelist = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert token.prefix in changelist


def test_admin_can_add_a_staff_member(client, make_staff, departments):
    client.force_login(_admin(make_staff))
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newofficer",
            "kind": "staff",
            "name": "새 담당자",
            "phone": "",
            "role": "officer",
            "department": departments["waste"].pk,
            "language": "ko",
            "password1": "a-long-pass-phrase-77",
            "password2": "a-long-pass-phrase-77",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
