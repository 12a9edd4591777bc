"""Audit log: what is recorded, masked, and that nothing can change it afterwards."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory, override_settings

from dasan.core import audit
from dasan.core.middleware import RequestContextMiddleware, client_ip, current
from dasan.core.models import AuditEvent, AuditLogIsAppendOnly


@pytest.mark.django_db
def test_record_with_model_target(departments, make_staff):
    officer = make_staff("officer1", department=departments["waste"])
    event = audit.record(
        "core.department.change",
        actor=officer,
        target=departments["waste"],
        reason="부서 전화 변경",
        data={"changed": ["phone"]},
    )
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor == officer
    assert event.actor_label == "officer1"
    assert event.target_type == "core.department"
    assert event.target_id == str(departments["waste"].pk)
    assert event.target_label == "청소행정과"
    assert event.reason == "부서 전화 변경"
    assert event.data == {"changed": ["phone"]}
    assert event.at is not None


@pytest.mark.django_db
def test_record_masks_reason_data_and_labels(resident, make_staff):
    staff = make_staff("officer2")
    event = audit.record(
        "resident.contact",
        actor=staff,
        target=resident,
        reason="010-1234-5678로 회신 요청, 900101-1234567",
        data={
            "phone": "01012345678",
            "email": "kim@example.com",
            "otp": "123456",
            "when": __import__("datetime").date(2025, 10, 3),
        },
    )
    assert event.reason == "010-****-5678로 회신 요청, 900101-1******"
    assert event.data == {
        "phone": "010****5678",
        "email": "k***@example.com",
        "otp": "[redacted]",
        "when": "2025-10-03",
    }
    assert "12345678" not in event.target_label


@pytest.mark.django_db
def test_resident_actor_label_hides_phone(resident):
    event = audit.record("resident.login", actor=resident)
    assert "1234" not in event.actor_label
    assert event.actor == resident


@pytest.mark.django_db
def test_record_read(resident, make_staff):
    staff = make_staff("officer3")
    event = audit.record_read(staff, resident, reason="민원 2025-000123 처리")
    assert event.action == audit.READ_ACTION
    assert event.actor == staff
    assert event.target_type == "accounts.user"
    assert event.reason == "민원 2025-000123 처리"


@pytest.mark.django_db
def test_record_without_actor_or_target():
    event = audit.record("system.startup", target=("payments.order", 42))
    assert event.actor is None and event.actor_label == ""
    assert (event.target_type, event.target_id) == ("payments.order", "42")


@pytest.mark.django_db
def test_ip_and_agent_from_request_context(make_staff):
    staff = make_staff("officer4")
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Mozilla/5.0 test")
    request.user = staff
    seen = {}

    def view(req):
        seen["context"] = current()
        seen["event"] = audit.record("core.test")  # no actor, no request: all from the context
        from django.http import HttpResponse

        return HttpResponse("ok")

    RequestContextMiddleware(view)(request)
    event = seen["event"]
    assert event.ip == "203.0.113.7"
    assert event.user_agent == "Mozilla/5.0 test"
    assert event.actor == staff
    assert current() is None  # reset after the request


@pytest.mark.django_db
def test_explicit_request_wins():
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.1")
    event = audit.record("core.test", request=request)
    assert event.ip == "198.51.100.1"


def _request(remote, xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


def test_forwarded_for_ignored_by_default():
    assert client_ip(_request("10.0.0.1", "1.2.3.4")) == "10.0.0.1"


@override_settings(DASAN={"TRUSTED_PROXIES": ["10.0.0.0/8"]})
def test_forwarded_for_from_trusted_proxy():
    # Rightmost untrusted hop is the client; a spoofed leftmost entry is ignored.
    assert client_ip(_request("10.0.0.1", "6.6.6.6, 1.2.3.4")) == "1.2.3.4"
    assert client_ip(_request("10.0.0.1", "1.2.3.4, 10.0.0.2")) == "1.2.3.4"
    # An untrusted peer cannot inject the header.
    assert client_ip(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"
    # Garbage in the header: fall back to the proxy itself.
    assert client_ip(_request("10.0.0.1", "not-an-ip")) == "10.0.0.1"
    assert client_ip(_request("10.0.0.1")) == "10.0.0.1"


# --- append-only ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_model_refuses_update_and_delete():
    event = audit.record("core.test")
    event.reason = "고침"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.django_db
def test_database_triggers_refuse_raw_update_and_delete():
    event = audit.record("core.test")
    table = AuditEvent._meta.db_table
    for sql in (f"UPDATE {table} SET reason = 'x' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError):
            with transaction.atomic():  # PostgreSQL: keep the test transaction usable
                with connection.cursor() as cursor:
                    cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, reason="").exists()


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_table():
    # The test runner's flush between transactional tests must keep working
    # (this test's own teardown proves it too).
    audit.record("core.test")
    from django.core.management import call_command

    call_command("flush", verbosity=0, interactive=False)
    assert not AuditEvent.objects.exists()
