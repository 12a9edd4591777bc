"""Promotional messages: consent, "(광고)", quiet hours (21:00–08:00), unsubscribe."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dasan.core.errors import DasanError
from dasan.notify.models import Message, Status
from dasan.notify.selectors import unsubscribe_url
from dasan.notify.services import enqueue
from dasan.notify.tasks import sweep

SEOUL = ZoneInfo("Asia/Seoul")


def test_only_to_residents_who_opted_in(db, make_resident):
    with pytest.raises(DasanError) as err:
        enqueue("test.promo", recipient=make_resident())
    assert err.value.code == "not_opted_in"
    with pytest.raises(DasanError):
        enqueue("test.promo", to="01055554444")
    assert not Message.objects.exists()


def test_promotional_text_is_marked_and_has_an_unsubscribe_link(db, make_resident, fake_nhn, deliver_now):
    fan = make_resident(promo_opt_in=True)
    with deliver_now():
        message = enqueue("test.promo", recipient=fan)
    message.refresh_from_db()
    assert message.body.startswith("(광고) 다산 축제에 초대합니다.")
    assert "수신거부: https://dasan.example.kr/notifications/unsubscribe/" in message.body
    assert message.status == Status.SENT


def test_unsubscribe_line_in_the_residents_language(db, make_resident, test_templates):
    test_templates.register(
        "test.promo", category="promotional", text={"ko": {"body": "축제"}, "en": {"body": "Festival"}}
    )
    message = enqueue("test.promo", recipient=make_resident(language="en", promo_opt_in=True), channel="console")
    assert "Unsubscribe: https://dasan.example.kr/notifications/unsubscribe/" in message.body


@pytest.mark.parametrize("hour", [21, 23, 0, 7])
def test_held_during_quiet_hours_until_eight(db, make_resident, fake_nhn, deliver_now, clock, hour):
    clock.set(dt.datetime(2025, 6, 2, hour, 30, tzinfo=SEOUL))
    with deliver_now():
        message = enqueue("test.promo", recipient=make_resident(promo_opt_in=True))
    message.refresh_from_db()
    assert message.status == Status.HELD
    release = message.next_attempt_at.astimezone(SEOUL)
    assert (release.hour, release.minute) == (8, 0)
    assert release - clock.now <= dt.timedelta(hours=11)
    assert fake_nhn.requests == []

    clock.set(release - dt.timedelta(minutes=1))
    sweep()
    message.refresh_from_db()
    assert message.status == Status.HELD
    clock.set(release + dt.timedelta(seconds=5))
    sweep()
    message.refresh_from_db()
    assert message.status == Status.SENT and fake_nhn.copies(message.reference) == 1


def test_transactional_messages_go_at_night(db, resident, fake_nhn, deliver_now, clock):
    clock.set(dt.datetime(2025, 6, 2, 23, 0, tzinfo=SEOUL))
    with deliver_now():
        message = enqueue("test.hello", recipient=resident, context={"number": 1})
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_promotional_retry_falling_into_the_night_is_held(db, make_resident, fake_nhn, deliver_now, clock):
    clock.set(dt.datetime(2025, 6, 2, 20, 59, 50, tzinfo=SEOUL))
    fake_nhn.fail_next = [500]
    with deliver_now():
        message = enqueue("test.promo", recipient=make_resident(promo_opt_in=True))
    message.refresh_from_db()
    assert message.status == Status.TEMPORARY_FAILURE
    clock.advance(minutes=2)
    sweep()
    message.refresh_from_db()
    assert message.status == Status.HELD and message.next_attempt_at.astimezone(SEOUL).hour == 8


def test_unsubscribe_page(db, client, make_resident, clock):
    clock.set(dt.datetime(2025, 6, 2, 22, 0, tzinfo=SEOUL))
    fan = make_resident(promo_opt_in=True)
    held = enqueue("test.promo", recipient=fan)
    path = unsubscribe_url(fan, absolute=False)
    page = client.get(path)
    assert page.status_code == 200 and "수신거부" in page.content.decode()
    fan.refresh_from_db()
    assert fan.promo_opt_in  # a GET (a link scanner) changes nothing
    done = client.post(path)
    assert done.status_code == 200
    fan.refresh_from_db()
    assert fan.promo_opt_in is False and fan.promo_opt_in_at is not None
    held.refresh_from_db()
    assert held.status == Status.CANCELLED
    with pytest.raises(DasanError):
        enqueue("test.promo", recipient=fan)


def test_unsubscribe_with_a_forged_token(db, client, resident):
    assert client.get("/notifications/unsubscribe/1:forged/").status_code == 404
    assert client.post("/notifications/unsubscribe/1:forged/").status_code == 404


def test_consent_withdrawn_before_sending_cancels(db, make_resident, clock):
    from dasan.notify.tasks import deliver_message

    fan = make_resident(promo_opt_in=True)
    message = enqueue("test.promo", recipient=fan)
    type(fan).objects.filter(pk=fan.pk).update(promo_opt_in=False)
    assert deliver_message(message.pk) == Status.CANCELLED
