"""E-mail through Django's SMTP backend to a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from dasan.notify.models import Status
from dasan.notify.services import enqueue
from dasan.notify.tasks import sweep


def _mail(person, deliver_now, template="test.hello", **kwargs):
    with deliver_now():
        message = enqueue(template, recipient=person, channel="email", context={"number": 3}, **kwargs)
    message.refresh_from_db()
    return message


def test_email_arrives_with_subject_body_and_message_id(db, make_resident, smtp_server, deliver_now, city):
    person = make_resident(name="이메일", email="mail@example.com")
    message = _mail(person, deliver_now)
    assert message.status == Status.SENT
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    from email.header import decode_header, make_header

    assert str(make_header(decode_header(received["Subject"]))) == "테스트시 알림"
    assert received["Message-ID"] == f"<{message.reference}@city.example.kr>"
    assert message.provider_ref == received["Message-ID"]
    assert received["To"] == "mail@example.com"
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset())
        for part in received.walk()
        if not part.is_multipart()
    }
    assert parts["text/plain"].strip() == "이메일님, 접수번호 3번이 접수되었습니다."
    assert "이메일님, 접수번호 3번이 접수되었습니다." in parts["text/html"]
    assert "List-Unsubscribe" not in received


def test_promotional_email_has_list_unsubscribe(db, make_resident, smtp_server, deliver_now):
    person = make_resident(email="fan@example.com", promo_opt_in=True)
    message = _mail(person, deliver_now, template="test.promo")
    received = smtp_server.messages[0]
    assert "".join(received["List-Unsubscribe"].split()).startswith(
        "<https://dasan.example.kr/notifications/unsubscribe/"
    )
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.subject.startswith("(광고)")


def test_rejected_recipient_is_permanent(db, make_resident, smtp_server, deliver_now):
    smtp_server.reject_with = "550 No such user"
    message = _mail(make_resident(email="gone@example.com"), deliver_now)
    assert message.status == Status.PERMANENT_FAILURE and "550" in message.last_error
    assert "gone@example.com" not in message.last_error


def test_greylisting_is_temporary(db, make_resident, smtp_server, deliver_now, clock):
    smtp_server.reject_with = "451 Try again later"
    message = _mail(make_resident(email="grey@example.com"), deliver_now)
    assert message.status == Status.TEMPORARY_FAILURE
    smtp_server.reject_with = None
    clock.advance(minutes=1)
    sweep()
    message.refresh_from_db()
    assert message.status == Status.SENT and len(smtp_server.messages) == 1


def test_smtp_down_is_temporary(db, settings, make_resident, deliver_now):
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    message = _mail(make_resident(email="x@example.com"), deliver_now)
    assert message.status == Status.TEMPORARY_FAILURE


def test_recovery_resends_with_the_same_message_id(db, make_resident, smtp_server, clock, monkeypatch):
    """SMTP cannot be asked whether it took a message: recovery sends again, with
    the same Message-ID (documented: a duplicate is possible on this channel)."""
    from dasan.notify import tasks

    real_finish = tasks._finish

    def crash(message, lease, fields, *args):
        if fields.get("status") == Status.SENT:
            raise KeyboardInterrupt  # the worker dies after the server said 250
        return real_finish(message, lease, fields, *args)

    message = enqueue(
        "test.hello", recipient=make_resident(email="twice@example.com"), channel="email", context={"number": 1}
    )
    monkeypatch.setattr(tasks, "_finish", crash)
    try:
        tasks.deliver_message(message.pk)
    except KeyboardInterrupt:
        pass
    monkeypatch.setattr(tasks, "_finish", real_finish)
    clock.advance(minutes=6)
    sweep()
    message.refresh_from_db()
    assert message.status == Status.SENT
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert ids == [f"<{message.reference}@city.example.kr>"] * 2
