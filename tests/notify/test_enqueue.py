"""enqueue(): validation, channel and address choice, the caller's transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from dasan.core.errors import DasanError
from dasan.notify.models import Message, Status
from dasan.notify.services import enqueue


def test_unknown_template(db, resident):
    with pytest.raises(DasanError) as err:
        enqueue("no.such", recipient=resident)
    assert err.value.code == "unknown_template"


def test_no_address_for_the_channel(db, resident):
    with pytest.raises(DasanError) as err:
        enqueue("test.hello", recipient=resident, channel="email", context={"number": 1})
    assert err.value.code == "no_address"
    with pytest.raises(DasanError) as err:
        enqueue("test.hello", to="not-a-phone", channel="sms", context={"number": 1})
    assert err.value.code == "no_address"


def test_disabled_and_unknown_channels(db, settings, resident):
    settings.DASAN = {**settings.DASAN, "NOTIFY_CHANNELS": ["console"]}
    with pytest.raises(DasanError) as err:
        enqueue("test.hello", recipient=resident, channel="sms", context={"number": 1})
    assert err.value.code == "channel_disabled"
    with pytest.raises(DasanError) as err:
        enqueue("test.hello", recipient=resident, channel="pigeon", context={"number": 1})
    assert err.value.code == "unknown_channel"


def test_channel_choice(db, settings, make_resident, make_staff):
    with_phone = make_resident(email="a@example.com")
    assert enqueue("test.hello", recipient=with_phone, context={"number": 1}).channel == "sms"
    staff_with_mail = make_staff("clerk", email="clerk@example.com")
    assert enqueue("test.hello", recipient=staff_with_mail, context={"number": 1}).channel == "email"
    assert enqueue("test.hello", recipient=make_staff("nomail"), context={"number": 1}).channel == "console"
    settings.DASAN = {**settings.DASAN, "NOTIFY_CHANNELS": ["console", "email"]}
    message = enqueue("test.hello", recipient=with_phone, context={"number": 1})
    assert (message.channel, message.to) == ("email", "a@example.com")


def test_explicit_address_wins(db, resident):
    message = enqueue("test.hello", recipient=resident, to="010-9999-8888", channel="sms", context={"number": 1})
    assert message.to == "01099998888"
    nobody = enqueue("test.hello", to="01077776666", context={"number": 1})
    assert (nobody.channel, nobody.recipient, nobody.language) == ("sms", None, "ko")


def test_stored_in_callers_transaction_and_rolled_back_with_it(
    db, resident, fake_nhn, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                enqueue("test.hello", recipient=resident, context={"number": 1})
                raise RuntimeError("the caller's change failed")
    assert not Message.objects.exists()
    assert callbacks == []
    assert fake_nhn.requests == []


def test_delivery_is_queued_only_after_commit(db, resident, fake_nhn, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = enqueue("test.hello", recipient=resident, context={"number": 1})
        assert fake_nhn.requests == []
    assert len(callbacks) == 1
    callbacks[0]()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert fake_nhn.copies(message.reference) == 1


def test_console_message_is_delivered_and_logged_masked(db, resident, deliver_now, caplog):
    caplog.set_level("INFO", logger="dasan.notify.console")
    with deliver_now():
        message = enqueue("test.hello", recipient=resident, channel="console", context={"number": 42})
    message.refresh_from_db()
    assert message.status == Status.DELIVERED and message.delivered_at is not None
    assert "접수번호 42번" in message.body  # the copy the demo UI shows
    log = caplog.text
    assert "01012345678" not in log and "5678" in log


def test_database_backend_stores_a_task(db, settings, resident, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue("test.hello", recipient=resident, channel="console", context={"number": 1})
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [message.pk]
    assert task.task_path == "dasan.notify.tasks.deliver"
