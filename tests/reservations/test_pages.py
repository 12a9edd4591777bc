"""The resident and staff pages: search, week grid, booking form, my reservations,
the .ics file, and the staff calendar with its actions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from dasan.core.audit import AuditEvent
from dasan.notify.models import Message
from dasan.reservations import selectors, services
from dasan.reservations.models import Penalty, Reservation, Status
from tests.web.html_checks import accessibility_problems

from .conftest import EVERY_DAY, at

pytestmark = pytest.mark.django_db


def _form(day, hhmm="10:00", **extra):
    return {
        "date": day.isoformat(),
        "begin": f"{day.isoformat()}T{hhmm}",
        "minutes": "60",
        "party_size": "2",
        "token": "tok-1",
        **extra,
    }


def test_search_by_type_and_date_shows_free_slots(client, court, make_resource, day):
    make_resource("소회의실", type="meeting_room")
    page = client.get("/reservations/", {"type": "sports", "date": day.isoformat()}).content.decode()
    assert "배드민턴장 A" in page and "소회의실" not in page
    assert "빈 시간 9개" in page
    assert accessibility_problems(page) == []
    # Nonsense in the query string is ignored, never a 500.
    assert client.get("/reservations/", {"type": "x", "unit": "abc", "date": "31-31"}).status_code == 200


def test_resource_page_has_a_week_grid_with_links_to_book(client, court, resident, day):
    services.book(court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    page = client.get(f"/reservations/r/{court.pk}/", {"week": day.isoformat()}).content.decode()
    assert "예약됨" in page and "예약 가능" in page
    assert f"/reservations/r/{court.pk}/book/?begin={day.isoformat()}T11:00" in page
    assert "7일 전까지 100%" in page and "접근성" in page
    assert accessibility_problems(page) == []
    assert client.get("/reservations/r/99999/").status_code == 404


def test_booking_form_needs_a_signed_in_resident(client, court):
    response = client.get(f"/reservations/r/{court.pk}/book/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_booking_form_books_once_on_a_double_submit(resident_client, court, day):
    page = resident_client.get(f"/reservations/r/{court.pk}/book/", {"date": day.isoformat()}).content.decode()
    assert f'value="{day.isoformat()}T10:00"' in page and 'name="token"' in page
    assert accessibility_problems(page) == []
    response = resident_client.post(f"/reservations/r/{court.pk}/book/", _form(day))
    reservation = Reservation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reservations/b/{reservation.pk}/"
    assert reservation.status == Status.CONFIRMED and reservation.party_size == 2
    again = resident_client.post(f"/reservations/r/{court.pk}/book/", _form(day))
    assert again.status_code == 302 and Reservation.objects.count() == 1


def test_a_paid_booking_goes_to_checkout_and_shows_the_discount_note(resident_client, paid_court, day):
    page = resident_client.get(f"/reservations/r/{paid_court.pk}/book/", {"date": day.isoformat()}).content.decode()
    assert "장애인 (50%)" in page and "증빙" in page
    response = resident_client.post(f"/reservations/r/{paid_court.pk}/book/", _form(day, discount="disabled"))
    reservation = Reservation.objects.get()
    assert re.match(r"^/payments/\d{8}-\w{10}/$", response["Location"])
    assert reservation.price == 4_000
    detail = resident_client.get(f"/reservations/b/{reservation.pk}/").content.decode()
    assert "이용료 결제하기" in detail and "4,000" in detail and "증빙" in detail


@pytest.mark.parametrize(
    "bad",
    [
        {"minutes": "abc"},
        {"minutes": "-60"},
        {"minutes": "99999999"},
        {"begin": "garbage"},
        {"begin": ""},
        {"party_size": "-1"},
        {"party_size": "열"},
        {"discount": "bogus"},
        {"begin": "2020-01-01T10:00"},
        {"begin": "9999-12-31T23:00"},
    ],
)
def test_bad_input_is_a_form_error_never_a_500(resident_client, court, day, bad):
    response = resident_client.post(f"/reservations/r/{court.pk}/book/", _form(day, **bad))
    assert 400 <= response.status_code < 500
    assert 'role="alert"' in response.content.decode()
    assert not Reservation.objects.exists()


def test_a_taken_slot_says_so_in_korean(resident_client, court, make_resident, day):
    services.book(court, at(day, "10:00"), at(day, "11:00"), actor=make_resident())
    response = resident_client.post(f"/reservations/r/{court.pk}/book/", _form(day))
    assert response.status_code == 409 and "이미 예약된 시간입니다" in response.content.decode()


def test_my_reservations_cancel_and_calendar_link(resident_client, resident, court, day):
    reservation = services.book(court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    page = resident_client.get("/reservations/mine/").content.decode()
    assert reservation.code in page and f"/reservations/b/{reservation.pk}/calendar.ics" in page
    assert accessibility_problems(page) == []
    response = resident_client.post(
        f"/reservations/b/{reservation.pk}/cancel/", {"next": "/reservations/mine/"}, follow=True
    )
    assert "예약을 취소했습니다" in response.content.decode()
    reservation.refresh_from_db()
    assert reservation.status == Status.CANCELLED
    assert (
        resident_client.post(f"/reservations/b/{reservation.pk}/cancel/", {"next": "https://evil.example/"})["Location"]
        == f"/reservations/b/{reservation.pk}/"
    )


def test_the_ics_file(resident_client, resident, court, day):
    court.unit.address = "테스트시 체육로 10, 2층; 서관"
    court.unit.save()
    reservation = services.book(court, at(day, "10:00"), at(day, "12:00"), actor=resident)
    response = resident_client.get(f"/reservations/b/{reservation.pk}/calendar.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    text = raw.decode().replace("\r\n ", "")  # unfold
    begin_utc = (reservation.begin.astimezone(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{begin_utc}" in text and "STATUS:CONFIRMED" in text
    assert f"UID:reservation-{reservation.pk}@" in text
    assert "LOCATION:시민체육관\\, 테스트시 체육로 10\\, 2층\\; 서관" in text


def test_someone_elses_reservation_is_not_found(client, court, resident, make_resident, day):
    reservation = services.book(court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    client.force_login(make_resident())
    for url in (f"/reservations/b/{reservation.pk}/", f"/reservations/b/{reservation.pk}/calendar.ics"):
        assert client.get(url).status_code == 404
    assert client.post(f"/reservations/b/{reservation.pk}/cancel/").status_code == 404
    reservation.refresh_from_db()
    assert reservation.status == Status.CONFIRMED


@pytest.mark.parametrize("url", ["/staff/reservations/", "/staff/reservations/r/{pk}/"])
def test_staff_pages_are_guarded(client, resident, court, url):
    url = url.format(pk=court.pk)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/accounts/staff/login/" in anonymous["Location"]
    client.force_login(resident)
    assert client.get(url).status_code == 403


def test_staff_actions_are_refused_to_residents(client, resident, court, day):
    reservation = services.book(court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    client.force_login(resident)
    assert client.post(f"/staff/reservations/b/{reservation.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert (
        client.post(
            f"/staff/reservations/r/{court.pk}/block/",
            {"date": day.isoformat(), "begin": "13:00", "end": "14:00", "reason": "x"},
        ).status_code
        == 403
    )
    reservation.refresh_from_db()
    assert reservation.status == Status.CONFIRMED


def test_staff_approve_and_deny_from_the_queue(staff_client, staff, make_resource, resident, make_resident, day):
    room = make_resource("대회의실", needs_approval=True)
    one = services.book(room, at(day, "10:00"), at(day, "11:00"), actor=resident, purpose="주민자치회 회의")
    two = services.book(room, at(day, "14:00"), at(day, "15:00"), actor=make_resident())
    page = staff_client.get("/staff/reservations/").content.decode()
    assert "승인 대기 2건" in page and "주민자치회 회의" in page and resident.name in page
    assert accessibility_problems(page) == []
    assert AuditEvent.objects.filter(action="personal_record.read", actor=staff, target_id=str(one.pk)).exists()
    staff_client.post(f"/staff/reservations/b/{one.pk}/approve/", {"next": "/staff/reservations/"})
    response = staff_client.post(
        f"/staff/reservations/b/{two.pk}/deny/", {"reason": "", "next": "/staff/reservations/"}, follow=True
    )
    assert "반려 사유를 적어 주세요" in response.content.decode()
    staff_client.post(f"/staff/reservations/b/{two.pk}/deny/", {"reason": "정기 점검일"})
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.status == Status.CONFIRMED and two.status == Status.DENIED and two.reason == "정기 점검일"
    assert staff_client.post(f"/staff/reservations/b/{one.pk}/explode/").status_code == 404
    assert staff_client.post("/staff/reservations/b/99999/approve/").status_code == 404


def test_staff_calendar_blocks_time_and_marks_a_no_show(staff_client, staff, make_resource, resident, day):
    court = make_resource(hours=((EVERY_DAY, "00:00", "23:00"),), open_on_holidays=True)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    past = services.book(
        court, at(yesterday, "10:00"), at(yesterday, "11:00"), actor=resident, discount="", now=at(yesterday, "08:00")
    )
    page = staff_client.get(f"/staff/reservations/r/{court.pk}/", {"date": yesterday.isoformat()}).content.decode()
    assert past.code in page and "노쇼 처리" in page and resident.name in page
    assert accessibility_problems(page) == []
    staff_client.post(f"/staff/reservations/b/{past.pk}/no-show/")
    past.refresh_from_db()
    assert past.status == Status.NO_SHOW and Penalty.objects.filter(resident=resident).exists()

    bad = staff_client.post(
        f"/staff/reservations/r/{court.pk}/block/",
        {"date": day.isoformat(), "begin": "25:00", "end": "x", "reason": "점검"},
        follow=True,
    )
    assert bad.status_code == 200 and "HH:MM" in bad.content.decode()
    staff_client.post(
        f"/staff/reservations/r/{court.pk}/block/",
        {"date": day.isoformat(), "begin": "13:00", "end": "15:00", "reason": "조명 점검"},
    )
    week = staff_client.get(f"/staff/reservations/r/{court.pk}/", {"date": day.isoformat(), "view": "week"})
    assert "조명 점검" in week.content.decode() and "사용 중지 해제" in week.content.decode()
    assert Reservation.objects.filter(kind="block", resource=court).count() == 1


def test_staff_cancel_refunds_in_full_and_tells_the_resident(staff_client, staff, paid_court, resident, day):
    from dasan.payments import services as payments

    reservation = services.book(paid_court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    payments.mark_paid_at_office(selectors.order_for(reservation), actor=staff)
    staff_client.post(f"/staff/reservations/b/{reservation.pk}/cancel/", {"reason": "배관 공사"})
    reservation.refresh_from_db()
    assert reservation.status == Status.CANCELLED and reservation.refunded_amount == 8_000
    assert "배관 공사" in Message.objects.get(recipient=resident, template_key="reservations.cancelled").body


def test_tiles_lead_to_the_desk_and_the_staff_page(client, resident, staff):
    client.force_login(resident)
    assert 'href="/reservations/"' in client.get("/").content.decode()
    client.force_login(staff)
    assert 'href="/staff/reservations/"' in client.get("/staff/").content.decode()
