"""내 알림 page, the notifications API (with Idempotency-Key) and the admin."""

from __future__ import annotations

import json

import pytest

from dasan.notify.models import Message, Status, Template
from dasan.notify.services import enqueue


@pytest.fixture
def two_residents(make_resident):
    return make_resident(name="첫째"), make_resident(name="둘째")


def test_inbox_lists_only_own_messages(db, client, two_residents):
    mine, theirs = two_residents
    enqueue("test.hello", recipient=mine, channel="console", context={"number": 111})
    enqueue("test.hello", recipient=theirs, channel="console", context={"number": 222})
    client.force_login(mine)
    page = client.get("/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "접수번호 111번" in html and "222" not in html


def test_inbox_needs_login(db, client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_api_lists_own_messages_paginated(db, client, two_residents):
    mine, theirs = two_residents
    for n in range(25):
        enqueue("test.hello", recipient=mine, channel="console", context={"number": n})
    enqueue("test.hello", recipient=theirs, channel="console", context={"number": 999})
    client.force_login(mine)
    first = client.get("/api/v1/notifications/").json()
    assert first["count"] == 25 and len(first["items"]) == 20
    assert first["items"][0]["body"].endswith("24번이 접수되었습니다.")
    second = client.get("/api/v1/notifications/?page=2").json()
    assert len(second["items"]) == 5
    assert all("999" not in item["body"] for item in first["items"] + second["items"])


def test_api_needs_authentication(db, client):
    assert client.get("/api/v1/notifications/").status_code == 401


def _post(client, body, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/notifications/messages", json.dumps(body), content_type="application/json", headers=headers
    )


def test_staff_send_is_idempotent(
    db, client, resident, make_staff, departments, fake_nhn, django_capture_on_commit_callbacks
):
    from django.test import Client

    staff_client = Client(enforce_csrf_checks=False)
    staff_client.force_login(make_staff("sender", department=departments["waste"]))
    body = {"template": "test.hello", "recipient_id": resident.pk, "context": {"number": 5}}
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(staff_client, body, key="abc-123")
    with django_capture_on_commit_callbacks(execute=True):
        again = _post(staff_client, body, key="abc-123")
    assert first.status_code == 201 and again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    message = Message.objects.get()
    assert message.department == departments["waste"] and message.channel == "sms"
    assert fake_nhn.copies(message.reference) == 1
    other = _post(staff_client, {**body, "context": {"number": 6}}, key="abc-123")
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Message.objects.count() == 1


def test_staff_send_errors_use_the_envelope(db, client, resident, make_staff):
    client.force_login(make_staff("sender2"))
    unknown = _post(client, {"template": "no.such", "recipient_id": resident.pk}, key="k1")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_template"
    missing = _post(client, {"template": "test.hello", "recipient_id": 99999}, key="k2")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "recipient_not_found"


def test_residents_cannot_send(db, client, two_residents):
    mine, theirs = two_residents
    client.force_login(mine)
    response = _post(client, {"template": "test.hello", "recipient_id": theirs.pk, "context": {"number": 1}})
    assert response.status_code == 403 and response.json()["error"]["code"] == "staff_only"
    assert not Message.objects.exists()


@pytest.fixture
def admin_client(client, make_staff):
    from dasan.accounts.models import Role

    admin = make_staff("cityadmin", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_admin_edit_saves_a_new_version(db, admin_client, resident):
    old = enqueue("test.hello", recipient=resident, channel="console", context={"number": 1})
    v1 = Template.objects.get(key="test.hello", language="ko", version=1)
    response = admin_client.post(
        f"/admin/notify/template/{v1.pk}/change/",
        {"category": "transactional", "subject": "수정된 제목", "body": "수정 {{ number }}"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    v1.refresh_from_db()
    assert v1.body.startswith("{{ name }}") and not v1.active
    v2 = Template.objects.get(key="test.hello", language="ko", version=2)
    assert v2.active and v2.origin == "admin" and v2.body == "수정 {{ number }}"
    assert enqueue("test.hello", recipient=resident, channel="console", context={"number": 2}).body == "수정 2"
    old.refresh_from_db()
    assert old.template_version == 1


def test_admin_rejects_broken_template_syntax(db, admin_client):
    from dasan.notify.templates import active_template

    v1 = active_template("test.hello", "ko")
    response = admin_client.post(
        f"/admin/notify/template/{v1.pk}/change/", {"category": "transactional", "subject": "x", "body": "{% if %}"}
    )
    assert response.status_code == 200
    assert Template.objects.filter(key="test.hello", language="ko").count() == 1


def test_admin_message_list_and_resend(db, admin_client, resident, fake_nhn, django_capture_on_commit_callbacks):
    fake_nhn.fail_next = [400]
    with django_capture_on_commit_callbacks(execute=True):
        failed = enqueue("test.hello", recipient=resident, context={"number": 1})
    failed.refresh_from_db()
    assert failed.status == Status.PERMANENT_FAILURE
    listing = admin_client.get("/admin/notify/message/?status__exact=permanent-failure")
    assert listing.status_code == 200 and "010****5678" in listing.content.decode()
    assert admin_client.get(f"/admin/notify/message/{failed.pk}/change/").status_code == 200
    from dasan.core.audit import READ_ACTION
    from dasan.core.models import AuditEvent

    read = AuditEvent.objects.get(action=READ_ACTION)
    assert read.target_id == str(resident.pk) and read.actor.username == "cityadmin"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/notify/message/", {"action": "resend_failed", "_selected_action": [failed.pk]}
        )
    assert response.status_code == 302
    copy = failed.children.get()
    assert copy.status == Status.SENT and copy.body == failed.body
    assert fake_nhn.copies(copy.reference) == 1
