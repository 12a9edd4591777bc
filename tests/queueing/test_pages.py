"""The pages with the real clock: an office open every day around the clock, so the
resident's flow, the kiosk, the counter and the hall display work whenever tests run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from dasan.queueing import services
from dasan.queueing.models import Office, Ticket, TicketStatus


@pytest.fixture
def always_open(office):
    Office.objects.filter(pk=office.pk).update(
        opens=dt.time(0, 0), cutoff=dt.time(23, 59, 59), closes=dt.time(23, 59, 59), open_every_day=True
    )
    office.refresh_from_db()
    return office


@pytest.fixture
def staff_client(clerk):
    client = Client()
    client.force_login(clerk)
    return client


def test_a_resident_takes_a_ticket_and_follows_it(always_open, resident, client):
    client.force_login(resident)
    page = client.get(f"/queue/o/{always_open.code}/").content.decode()
    assert "전입신고" in page and "약 0분" in page
    response = client.post(f"/queue/o/{always_open.code}/", {"service_type": "move-in"})
    ticket = Ticket.objects.get(resident=resident)
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "A001" in page and "내 앞에 0명" in page and 'hx-trigger="every 5s"' in page
    again = client.post(f"/queue/o/{always_open.code}/", {"service_type": "seal"})
    assert again["Location"] == ticket.get_absolute_url()  # the one live ticket, not a second
    bad = client.post(f"/queue/o/{always_open.code}/", {"service_type": "nothing"})
    assert bad.status_code == 404 or "업무 종류를 목록에서 골라 주세요" in bad.content.decode()


def test_taking_needs_sign_in_and_a_closed_office_says_why(office, client):
    assert client.get(f"/queue/o/{office.code}/")["Location"].startswith("/accounts/login/")
    Office.objects.filter(pk=office.pk).update(is_active=False)
    from dasan.accounts.models import User

    client.force_login(User.objects.create_user(username="r-closed", phone="01011112222"))
    page = client.post(f"/queue/o/{office.code}/", {"service_type": "move-in"})
    assert page.status_code == 409 and "운영하지 않는 민원실" in page.content.decode()


def test_the_kiosk_issues_without_an_account(always_open, client):
    response = client.post(f"/queue/kiosk/{always_open.code}/", {"service_type": "passport", "phone": ""})
    assert response.status_code == 200 and "C001" in response.content.decode()
    wrong = client.post(f"/queue/kiosk/{always_open.code}/", {"service_type": "passport", "phone": "999"})
    assert wrong.status_code == 400 and "휴대전화 번호" in wrong.content.decode()


def test_the_counter_page_calls_and_the_display_follows(always_open, counters, staff_client, client):
    ticket = services.take_ticket(always_open, "move-in")
    page = staff_client.get(f"/staff/queue/c/{counters[1].pk}/").content.decode()
    assert "A001" in page and "다음 번호 호출" in page
    staff_client.post(f"/staff/queue/c/{counters[1].pk}/call/")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CALLED and ticket.counter == counters[1]
    board = client.get(f"/queue/display/{always_open.code}/").content.decode()
    assert "A001" in board and "1번 창구" in board
    status = client.get(f"/queue/t/{ticket.token}/status/").content.decode()
    assert "1번 창구로 오세요" in status
    staff_client.post(f"/staff/queue/c/{counters[1].pk}/served/")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SERVED
    assert client.get(f"/staff/queue/c/{counters[1].pk}/").status_code == 302  # not for residents or anonymous
    assert staff_client.get("/staff/queue/stats/?days=7").status_code == 200


def test_the_api_lists_offices_and_takes_a_ticket_once_per_key(always_open, resident, client):
    client.force_login(resident)
    offices = client.get("/api/v1/queue/offices").json()
    assert offices[0]["code"] == "city-hall" and offices[0]["open"] is True
    body = {"office": "city-hall", "service_type": "seal"}
    first = client.post("/api/v1/queue/tickets", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/queue/tickets", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 200 and first.json()["number"] == again.json()["number"]
    assert Ticket.objects.count() == 1
    token = Ticket.objects.get().token
    assert Client().get(f"/api/v1/queue/tickets/{token}").json()["ahead"] == 0
    other = client.post(
        "/api/v1/queue/tickets", {"office": "city-hall", "service_type": "move-in"}, content_type="application/json"
    )
    assert other.status_code == 409 and other.json()["error"]["code"] == "already_waiting"
