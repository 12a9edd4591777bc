"""Delivery through the SMS and AlimTalk adapters against a fake NHN Cloud gateway:
retries with backoff, permanent failures, rate limits, crash recovery, receipts."""

from __future__ import annotations

import datetime as dt

import pytest

from dasan.notify import tasks
from dasan.notify.models import DeliveryAttempt, Message, Status
from dasan.notify.services import enqueue
from dasan.notify.tasks import deliver_message, sweep

from .conftest import SECRET


def _send(resident, deliver_now, **kwargs):
    kwargs.setdefault("context", {"number": 1})
    with deliver_now():
        message = enqueue("test.hello", recipient=resident, **kwargs)
    message.refresh_from_db()
    return message


def test_sms_goes_to_the_gateway_with_our_reference(db, resident, fake_nhn, deliver_now):
    message = _send(resident, deliver_now)
    assert message.status == Status.SENT and message.sent_at is not None
    post = [r for r in fake_nhn.requests if r["method"] == "POST"][0]
    assert post["path"] == "/sms/v3.0/appKeys/testAppKey/sender/sms"
    assert post["headers"]["X-Secret-Key"] == SECRET
    assert post["json"]["sendNo"] == "0212345678"
    assert post["json"]["recipientList"] == [
        {"recipientNo": "01012345678", "recipientGroupingKey": str(message.reference)}
    ]
    stored = fake_nhn.sms[str(message.reference)]
    assert message.provider_ref == f"{stored['requestId']}:1"
    assert stored["body"] == message.body
    assert [a.outcome for a in message.delivery_attempts.all()] == ["sent"]


def test_long_text_goes_as_lms(db, resident, fake_nhn, deliver_now):
    message = _send(resident, deliver_now, context={"number": "1" * 80})
    assert message.status == Status.SENT
    stored = fake_nhn.sms[str(message.reference)]
    assert stored["sendType"] == "mms" and stored["title"] == "다산 알림"


def test_byte_counting_is_euc_kr():
    from dasan.notify.channels.sms import message_type, truncate_bytes

    assert message_type("가" * 45) == "sms"
    assert message_type("가" * 46) == "mms"
    assert message_type("a" * 90) == "sms"
    assert truncate_bytes("가나다라", 5) == "가나"


def test_server_error_is_retried_with_backoff(db, resident, fake_nhn, deliver_now, clock):
    fake_nhn.fail_next = [500, 503]
    message = _send(resident, deliver_now)
    assert message.status == Status.TEMPORARY_FAILURE and message.attempts == 1
    wait = (message.next_attempt_at - clock.now).total_seconds()
    assert 27 <= wait <= 33
    assert "HTTP 500" in message.last_error

    sweep()  # not due yet
    message.refresh_from_db()
    assert message.attempts == 1

    clock.advance(seconds=34)
    sweep()
    message.refresh_from_db()
    assert message.status == Status.TEMPORARY_FAILURE and message.attempts == 2
    assert 54 <= (message.next_attempt_at - clock.now).total_seconds() <= 66

    clock.advance(seconds=70)
    sweep()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 3
    assert fake_nhn.copies(message.reference) == 1
    assert [a.outcome for a in message.delivery_attempts.all()] == ["temporary-failure", "temporary-failure", "sent"]


def test_gives_up_after_six_attempts(db, resident, fake_nhn, deliver_now, clock):
    fake_nhn.fail_next = [500] * 10
    message = _send(resident, deliver_now)
    for _ in range(5):
        clock.advance(seconds=1000)
        sweep()
    message.refresh_from_db()
    assert message.status == Status.PERMANENT_FAILURE and message.attempts == 6
    clock.advance(days=1)
    sweep()
    message.refresh_from_db()
    assert message.attempts == 6


def test_client_error_is_permanent_at_once(db, resident, fake_nhn, deliver_now):
    fake_nhn.fail_next = [400]
    message = _send(resident, deliver_now)
    assert message.status == Status.PERMANENT_FAILURE and message.attempts == 1
    assert message.next_attempt_at is None


def test_stored_errors_are_masked(db, resident, deliver_now, monkeypatch):
    from dasan.notify.channels import PermanentFailure
    from dasan.notify.channels.sms import SmsChannel

    def boom(self, message):
        raise PermanentFailure(f"number {message.to} rejected")

    monkeypatch.setattr(SmsChannel, "send", boom)
    message = _send(resident, deliver_now)
    assert "01012345678" not in message.last_error and "5678" in message.last_error
    assert "01012345678" not in message.delivery_attempts.get().error


def test_unreachable_gateway_is_temporary(db, settings, resident, deliver_now):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.DASAN = {**settings.DASAN, "SMS_GATEWAY_URL": f"http://127.0.0.1:{port}"}
    message = _send(resident, deliver_now)
    assert message.status == Status.TEMPORARY_FAILURE
    assert "unreachable" in message.last_error


def test_rate_limit_reschedules_instead_of_failing(db, settings, make_resident, fake_nhn, deliver_now, clock):
    settings.DASAN = {**settings.DASAN, "NOTIFY_RATE_LIMITS": {"sms": (2, 3600)}}
    messages = [_send(make_resident(), deliver_now) for _ in range(3)]
    assert [m.status for m in messages] == [Status.SENT, Status.SENT, Status.CREATED]
    late = messages[2]
    assert late.attempts == 0 and late.next_attempt_at > clock.now
    assert late.delivery_attempts.get().outcome == DeliveryAttempt.Outcome.RATE_LIMITED
    assert fake_nhn.copies(late.reference) == 0

    from django.core.cache import cache

    cache.clear()  # the window has passed
    clock.set(late.next_attempt_at + dt.timedelta(seconds=1))
    sweep()
    late.refresh_from_db()
    assert late.status == Status.SENT and fake_nhn.copies(late.reference) == 1


def test_deliver_twice_sends_once(db, resident, fake_nhn, deliver_now):
    message = _send(resident, deliver_now)
    assert deliver_message(message.pk) == Status.SENT
    sweep()
    assert fake_nhn.copies(message.reference) == 1


class WorkerKilled(BaseException):
    """Stands in for SIGKILL between the provider's answer and our database write."""


def _crash_after_provider_accepts(monkeypatch):
    real_finish = tasks._finish

    def crash(message, lease, fields, *args):
        if fields.get("status") in (Status.SENT, Status.DELIVERED):
            raise WorkerKilled()
        return real_finish(message, lease, fields, *args)

    monkeypatch.setattr(tasks, "_finish", crash)
    return real_finish


@pytest.mark.parametrize("channel", ["sms", "kakao"])
def test_crash_after_provider_accepted_is_recovered_without_second_send(
    db, resident, fake_nhn, clock, monkeypatch, django_capture_on_commit_callbacks, channel
):
    real_finish = _crash_after_provider_accepts(monkeypatch)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = enqueue("test.hello", recipient=resident, channel=channel, context={"number": 1})
    with pytest.raises(WorkerKilled):
        deliver_message(message.pk)
    monkeypatch.setattr(tasks, "_finish", real_finish)  # the next worker is healthy
    message.refresh_from_db()
    assert message.status == Status.SENDING
    assert fake_nhn.copies(message.reference) == 1

    # The task queue retries the job: the message is claimed, so nothing happens.
    callbacks[0]()
    sweep()  # lease not over yet
    message.refresh_from_db()
    assert message.status == Status.SENDING and fake_nhn.copies(message.reference) == 1

    clock.advance(minutes=6)
    result = sweep()
    message.refresh_from_db()
    assert result["recovered"] == 1
    assert message.status == Status.SENT and message.provider_ref
    assert fake_nhn.copies(message.reference) == 1
    assert message.delivery_attempts.last().outcome == DeliveryAttempt.Outcome.RECOVERED


def test_crash_before_provider_got_it_is_sent_on_recovery(db, resident, fake_nhn, clock, monkeypatch):
    from dasan.notify.channels.sms import SmsChannel

    real_send = SmsChannel.send

    def killed(self, message):
        raise WorkerKilled()

    monkeypatch.setattr(SmsChannel, "send", killed)
    message = enqueue("test.hello", recipient=resident, context={"number": 1})
    with pytest.raises(WorkerKilled):
        deliver_message(message.pk)
    monkeypatch.setattr(SmsChannel, "send", real_send)
    clock.advance(minutes=6)
    sweep()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2
    assert fake_nhn.copies(message.reference) == 1


def test_recovery_waits_when_the_provider_cannot_be_asked(db, settings, resident, fake_nhn, clock, monkeypatch):
    real_finish = _crash_after_provider_accepts(monkeypatch)
    message = enqueue("test.hello", recipient=resident, context={"number": 1})
    with pytest.raises(WorkerKilled):
        deliver_message(message.pk)
    monkeypatch.setattr(tasks, "_finish", real_finish)
    gateway = settings.DASAN["SMS_GATEWAY_URL"]
    settings.DASAN = {**settings.DASAN, "SMS_GATEWAY_URL": "http://127.0.0.1:9"}  # lookups fail
    clock.advance(minutes=6)
    sweep()
    message.refresh_from_db()
    assert message.status == Status.SENDING  # not sent blindly a second time
    settings.DASAN = {**settings.DASAN, "SMS_GATEWAY_URL": gateway}
    clock.advance(minutes=6)
    sweep()
    message.refresh_from_db()
    assert message.status == Status.SENT and fake_nhn.copies(message.reference) == 1


def test_late_original_worker_does_not_overwrite_recovery(db, resident, fake_nhn, clock):
    message = enqueue("test.hello", recipient=resident, context={"number": 1})
    # Worker A claims and stalls; after the lease the sweep recovers (provider has nothing: sends).
    Message.objects.filter(pk=message.pk).update(status=Status.SENDING, sending_started_at=clock.now, attempts=1)
    stale = Message.objects.get(pk=message.pk)
    clock.advance(minutes=6)
    sweep()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2
    # Worker A wakes up and reports a failure for its old lease: ignored.
    tasks._failed(stale, (stale.sending_started_at, 1), RuntimeError("late"), 0, permanent=True)
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_kakao_alimtalk(db, resident, fake_nhn, deliver_now):
    message = _send(resident, deliver_now, channel="kakao")
    assert message.status == Status.SENT
    post = [r for r in fake_nhn.requests if r["method"] == "POST"][0]
    assert post["path"] == "/alimtalk/v2.3/appkeys/testAppKey/raw-messages"
    assert {k.lower(): v for k, v in post["headers"].items()}["x-nc-api-idempotency-key"] == str(message.reference)
    body = post["json"]
    assert body["templateCode"] == "test.hello"
    assert body["recipientList"][0]["content"] == message.body
    assert body["recipientList"][0]["resendParameter"] == {"isResend": False}


def test_kakao_template_code_from_registration(db, resident, fake_nhn, deliver_now, test_templates):
    test_templates.register("test.kakao", kakao_template_code="CITY_RECEIVED", text={"ko": {"body": "접수"}})
    with deliver_now():
        enqueue("test.kakao", recipient=resident, channel="kakao")
    assert [r for r in fake_nhn.requests if r["method"] == "POST"][0]["json"]["templateCode"] == "CITY_RECEIVED"


def test_kakao_falls_back_to_sms_when_recipient_cannot_receive(db, resident, fake_nhn, deliver_now):
    fake_nhn.cannot_receive.add(resident.phone)
    message = _send(resident, deliver_now, channel="kakao")
    assert message.status == Status.PERMANENT_FAILURE and "3018" in message.last_error
    fallback = message.children.get()
    assert fallback.channel == "sms" and fallback.body == message.body
    assert fallback.status == Status.SENT
    assert fake_nhn.copies(fallback.reference) == 1


def _receipt(client, channel, hooks, secret="receipt-secret"):
    return client.post(
        f"/notifications/receipts/{channel}/",
        {"event": "MESSAGE_RESULT_UPDATE", "hooks": hooks},
        content_type="application/json",
        headers={"X-Toast-Webhook-Signature": secret},
    )


def test_delivery_receipt_webhook(db, client, resident, fake_nhn, deliver_now):
    message = _send(resident, deliver_now)
    ref = str(message.reference)
    assert _receipt(client, "sms", [{"recipientGroupingKey": ref, "msgStatus": "3"}], secret="wrong").status_code == 403
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert (
        _receipt(client, "sms", [{"recipientGroupingKey": ref, "msgStatus": "3", "requestId": "r"}]).status_code == 204
    )
    message.refresh_from_db()
    assert message.status == Status.DELIVERED and message.delivered_at is not None
    # A late "failed" receipt never takes a delivered message back.
    _receipt(client, "sms", [{"recipientGroupingKey": ref, "msgStatus": "0"}])
    message.refresh_from_db()
    assert message.status == Status.DELIVERED


def test_failure_receipt_for_kakao_triggers_sms_fallback(db, client, resident, fake_nhn, deliver_now):
    message = _send(resident, deliver_now, channel="kakao")
    response = _receipt(
        client,
        "kakao",
        [
            {
                "recipientGroupingKey": str(message.reference),
                "messageStatus": "FAILED",
                "resultCode": "3019",
                "resultCodeName": "톡 유저 아님",
            }
        ],
    )
    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == Status.PERMANENT_FAILURE
    assert message.children.get().channel == "sms"


def test_receipts_disabled_without_secret(db, client, settings):
    settings.DASAN = {**settings.DASAN, "NOTIFY_RECEIPT_SECRET": ""}
    assert _receipt(client, "sms", []).status_code == 404


def test_polling_moves_sent_to_delivered(db, resident, fake_nhn, deliver_now, clock):
    message = _send(resident, deliver_now)
    sweep()
    message.refresh_from_db()
    assert message.status == Status.SENT  # too early to ask
    fake_nhn.sms[str(message.reference)].update(msgStatus="3", msgStatusName="성공", resultCode="1000")
    clock.advance(minutes=2)
    assert sweep()["polled"] == 1
    message.refresh_from_db()
    assert message.status == Status.DELIVERED


def test_polling_marks_provider_failures(db, resident, fake_nhn, deliver_now, clock):
    message = _send(resident, deliver_now)
    fake_nhn.sms[str(message.reference)].update(msgStatus="0", msgStatusName="실패", resultCode="3015")
    clock.advance(minutes=2)
    sweep()
    message.refresh_from_db()
    assert message.status == Status.PERMANENT_FAILURE and "3015" in message.last_error


def test_sweep_is_registered():
    from dasan.core import schedule

    job = {j.name: j for j in schedule.jobs()}["notify.sweep"]
    assert job.func is sweep and job.every_seconds == 15


def test_sweep_picks_up_messages_whose_task_was_lost(db, resident, fake_nhn, clock):
    message = enqueue("test.hello", recipient=resident, context={"number": 1})  # on_commit never ran
    sweep()
    message.refresh_from_db()
    assert message.status == Status.CREATED
    clock.advance(minutes=2)
    sweep()
    message.refresh_from_db()
    assert message.status == Status.SENT
