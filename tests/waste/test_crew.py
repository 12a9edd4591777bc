"""Crews and staff: the day's overview, route sheets (print and CSV), the sticker's QR
link, recording what the crew found (with the resident told), changes by the resident,
and the month's totals."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import segno
from django.utils import timezone
from PIL import Image

from dasan.core.errors import DasanError
from dasan.core.models import AuditEvent
from dasan.notify.models import Message
from dasan.payments import services as payments
from dasan.waste import selectors, services
from dasan.waste.models import Booking, BookingStatus, Crew, DayCapacity, District


def _jpeg(colour=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def paid(book, staff):
    """A booking paid at the office: confirmed, with its 배출번호."""

    def make(**kwargs):
        booking = book(**kwargs)
        payments.mark_paid_at_office(selectors.order_for(booking), actor=staff)
        booking.refresh_from_db()
        return booking

    return make


@pytest.fixture
def due(paid):
    """A paid booking whose collection day has come. Booked days are always in the
    future, so the day is moved to today here, as time would."""

    def make(**kwargs):
        booking = paid(**kwargs)
        Booking.objects.filter(pk=booking.pk).update(collection_date=timezone.localdate())
        booking.refresh_from_db()
        return booking

    return make


@pytest.fixture
def crew(district, staff):
    crew = Crew.objects.create(name="1반", vehicle="12가 3401")
    crew.districts.add(district)
    crew.members.add(staff)
    return crew


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


# --- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/staff/waste/", "/staff/waste/route/", "/staff/waste/scan/", "/staff/waste/report/"])
def test_staff_pages_need_staff(client, resident, url):
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/accounts/staff/login/" in anonymous["Location"]
    client.force_login(resident)
    assert client.get(url).status_code == 403


def test_staff_tile_is_registered(staff):
    from dasan.core.catalog import services as tiles

    assert "/staff/waste/" in [tile.url for tile in tiles("staff", staff)]


# --- day overview and route sheets -----------------------------------------------------------------


def test_overview_counts_the_day_per_district_and_crew(staff_client, paid, book, crew, district, open_day):
    paid()
    book()  # not paid yet: counted apart, not on the route
    page = staff_client.get("/staff/waste/", {"date": open_day.isoformat()}).content.decode()
    assert "배출신고 1건, 품목 4개" in page  # 2 items paid + 2 reserved by the unpaid booking
    assert "1반" in page and f"crew={crew.pk}" in page
    row = next(r for r in selectors.day_overview(open_day) if r.district == district)
    assert (row.bookings, row.pending, row.booked, row.capacity) == (1, 1, 4, 10)


def test_route_sheet_lists_paid_bookings_of_the_crews_districts_in_address_order(
    staff_client, paid, book, crew, open_day, staff
):
    second = paid(address="가나로 3")
    first = paid()
    unpaid = book()
    other = District.objects.create(code="9999959000", name="외곽동", weekdays="0123456", daily_capacity=5)
    elsewhere = paid(district=other.pk, address="외곽로 1")
    page = staff_client.get("/staff/waste/route/", {"date": open_day.isoformat(), "crew": crew.pk}).content.decode()
    assert page.index(second.number) < page.index(first.number)  # 가나로 before 중앙로
    assert "1203호" in page and "1층 현관 앞" in page and "소파 3인용 × 1" in page
    assert f"#{unpaid.pk}" not in page and elsewhere.number not in page
    assert "@page { size: A4 landscape" in page
    # Each address shown is a staff read of personal data.
    reads = AuditEvent.objects.filter(action="personal_record.read", actor=staff, target_type="waste.booking")
    assert {int(r.target_id) for r in reads} == {first.pk, second.pk}


def test_route_sheet_as_csv_opens_in_korean_excel(staff_client, paid, open_day, crew):
    booking = paid()
    response = staff_client.get("/staff/waste/route/", {"date": open_day.isoformat(), "crew": crew.pk, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert f"waste-route-{open_day.isoformat()}.csv" in response["Content-Disposition"]
    body = response.content
    assert body.startswith("\ufeff".encode())
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:3] == ["순번", "배출번호", "수거일"]
    assert lines[1].startswith(f"1,{booking.number},{open_day.isoformat()},중앙동,")
    assert "소파 3인용 × 1; 냉장고(온장고 포함) 300ℓ 미만 × 1" in lines[1]


def test_a_bad_date_on_staff_pages_shows_today_instead_of_failing(staff_client):
    for url in (
        "/staff/waste/?date=2026-13-40",
        "/staff/waste/route/?date=x&crew=abc",
        "/staff/waste/report/?month=2026-99",
    ):
        assert staff_client.get(url).status_code == 200


# --- the sticker's QR link ---------------------------------------------------------------------------


def test_sticker_qr_links_to_the_check_page_with_its_code(client, resident, paid):
    booking = paid()
    client.force_login(resident)
    page = client.get(f"/waste/b/{booking.pk}/sticker/").content.decode()
    link = f"http://testserver/waste/s/{booking.number}/?c={selectors.sticker_code(booking.number)}"
    assert segno.make(link, error="m").svg_inline(scale=5, title=booking.number) in page


def test_check_page_confirms_a_genuine_sticker_without_the_address(client, paid):
    booking = paid()
    code = selectors.sticker_code(booking.number)
    page = client.get(f"/waste/s/{booking.number}/", {"c": code})
    text = page.content.decode()
    assert page.status_code == 200 and "정식 배출신고" in text and booking.collection_date.isoformat() in text
    assert "중앙로" not in text and "김주민" not in text
    # Without the code (someone trying numbers) nothing is shown.
    assert client.get(f"/waste/s/{booking.number}/").status_code == 404
    assert client.get(f"/waste/s/{booking.number}/", {"c": "0" * 12}).status_code == 404


def test_a_crew_phone_scanning_the_qr_lands_on_the_crew_page(staff_client, paid):
    booking = paid()
    response = staff_client.get(f"/waste/s/{booking.number}/", {"c": selectors.sticker_code(booking.number)})
    assert response.status_code == 302 and response["Location"] == f"/staff/waste/b/{booking.number}/"


def test_scan_page_reads_the_number_from_a_link_or_typing(staff_client, paid):
    booking = paid()
    scanned = f"https://city.example/waste/s/{booking.number}/?c=abc"
    for text in (scanned, booking.number.lower(), f" {booking.number} "):
        response = staff_client.get("/staff/waste/scan/", {"q": text})
        assert response.status_code == 302 and response["Location"] == f"/staff/waste/b/{booking.number}/"
    bad = staff_client.get("/staff/waste/scan/", {"q": "hello"})
    assert bad.status_code == 400 and "배출번호를 읽지 못했습니다" in bad.content.decode()
    assert staff_client.get("/staff/waste/b/W000000-999999/").status_code == 404


# --- recording the outcome ------------------------------------------------------------------------------


def test_collected_with_photo_tells_the_resident_once(staff_client, due, resident, settings):
    settings.DASAN = {**settings.DASAN, "PUBLIC_URL": "https://city.example"}
    booking = due()
    page = staff_client.get(f"/staff/waste/b/{booking.number}/").content.decode()
    assert "중앙로 12, 101동 1203호" in page and 'value="collected"' in page and 'capture="environment"' in page
    photo = io.BytesIO(_jpeg())
    photo.name = "crew.jpg"
    response = staff_client.post(f"/staff/waste/b/{booking.number}/", {"outcome": "collected", "photo": photo})
    assert response.status_code == 302 and response["Location"] == "/staff/waste/scan/"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COLLECTED and booking.crew_photo and booking.outcome_at
    message = Message.objects.get(template_key="waste.collected")
    assert message.recipient == resident and booking.number in message.body
    assert f"https://city.example/waste/b/{booking.pk}/crew-photo/" in message.body
    # Scanned again by the same crew: nothing changes, nobody is told twice.
    staff_client.post(f"/staff/waste/b/{booking.number}/", {"outcome": "collected"})
    assert Message.objects.filter(template_key="waste.collected").count() == 1


def test_the_crews_photo_is_shown_to_the_owner_only(client, due, staff, resident, make_resident):
    booking = services.record_outcome(due(), "collected", photo=_jpeg(), actor=staff)
    client.force_login(resident)
    detail = client.get(f"/waste/b/{booking.pk}/").content.decode()
    assert "수거 결과" in detail and f"/waste/b/{booking.pk}/crew-photo/" in detail
    response = client.get(f"/waste/b/{booking.pk}/crew-photo/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    client.force_login(make_resident())
    assert client.get(f"/waste/b/{booking.pk}/crew-photo/").status_code == 404


def test_not_as_declared_needs_a_reason_and_reaches_the_resident(staff_client, due, staff):
    booking = due()
    response = staff_client.post(f"/staff/waste/b/{booking.number}/", {"outcome": "mismatch", "note": ""})
    assert response.status_code == 400 and "무엇이 다른지" in response.content.decode()
    booking = services.record_outcome(booking, "mismatch", note="3인용 소파가 아니라 4인용 소파", actor=staff)
    assert booking.status == BookingStatus.MISMATCH
    body = Message.objects.get(template_key="waste.mismatch").body
    assert "4인용 소파" in body and "02-000-0000" in body  # the city's phone


def test_a_correction_is_recorded_and_told(due, staff):
    booking = services.record_outcome(due(), "not_found", note="문 앞에 없음", actor=staff)
    booking = services.record_outcome(booking, "collected", note="건물 뒤에서 찾아 수거", actor=staff)
    assert booking.status == BookingStatus.COLLECTED and booking.outcome_note == "건물 뒤에서 찾아 수거"
    assert Message.objects.filter(template_key__in=["waste.not_found", "waste.collected"]).count() == 2
    outcomes = AuditEvent.objects.filter(action="waste.booking.outcome").order_by("pk")
    assert [(e.data["previous"], e.data["outcome"]) for e in outcomes] == [
        ("confirmed", "not_found"),
        ("not_found", "collected"),
    ]


def test_outcomes_are_refused_before_the_day_for_unpaid_and_cancelled_and_for_residents(
    paid, book, staff, resident, client
):
    future = paid()
    with pytest.raises(DasanError) as caught:
        services.record_outcome(future, "collected", actor=staff)
    assert caught.value.code == "not_due"
    unpaid = book()
    with pytest.raises(DasanError) as caught:
        services.record_outcome(unpaid, "collected", actor=staff)
    assert caught.value.code == "not_collectable"
    cancelled = services.cancel_booking(paid(), actor=resident)
    with pytest.raises(DasanError) as caught:
        services.record_outcome(cancelled, "collected", actor=staff)
    assert caught.value.code == "not_collectable"
    with pytest.raises(DasanError) as caught:
        services.record_outcome(future, "collected", actor=resident)
    assert caught.value.code == "staff_only"
    with pytest.raises(DasanError) as caught:
        services.record_outcome(future, "thrown-away", actor=staff)
    assert caught.value.code == "invalid_outcome"


def test_crew_page_of_a_cancelled_booking_says_do_not_collect(staff_client, paid, resident):
    booking = services.cancel_booking(paid(), actor=resident)
    page = staff_client.get(f"/staff/waste/b/{booking.number}/").content.decode()
    assert "수거하지 않습니다" in page and 'name="outcome"' not in page


# --- changes by the resident ---------------------------------------------------------------------------


def _two_days(district):
    days = [d.date for d in selectors.available_days(district)]
    return days[0], days[1]


def test_moving_the_day_moves_the_capacity_and_gives_a_new_number(paid, resident, district):
    first_day, second_day = _two_days(district)
    booking = paid(collection_date=first_day)
    old_number = booking.number
    changed = services.change_booking(booking, collection_date=second_day, placement="주차장 입구", actor=resident)
    assert changed.collection_date == second_day and changed.placement == "주차장 입구"
    assert changed.number == f"W{second_day:%y%m%d}-{booking.pk:06d}" != old_number
    booked = dict(DayCapacity.objects.filter(district=district).values_list("date", "booked"))
    assert booked[first_day] == 0 and booked[second_day] == 2
    assert "스티커를 새로 출력" in Message.objects.get(template_key="waste.changed").body
    # A sticker printed before the change is still recognised at the door, with a warning.
    found, stale = selectors.find_by_number(old_number)
    assert found.pk == booking.pk and stale


def test_changes_are_refused_to_a_full_day_after_the_cutoff_and_before_payment(paid, book, resident, district, variant):
    first_day, second_day = _two_days(district)
    booking = paid(collection_date=first_day)
    book(collection_date=second_day, items={variant("소파", "3인용").pk: 9})  # 9 of 10 taken
    with pytest.raises(DasanError) as caught:
        services.change_booking(booking, collection_date=second_day, actor=resident)
    assert caught.value.code == "day_full"
    after_cutoff = selectors.cutoff_for(first_day) + dt.timedelta(minutes=1)
    with pytest.raises(DasanError) as caught:
        services.change_booking(booking, address="다른로 1", now=after_cutoff, actor=resident)
    assert caught.value.code == "change_closed"
    with pytest.raises(DasanError) as caught:
        services.change_booking(book(collection_date=first_day), address="다른로 1", actor=resident)
    assert caught.value.code == "pay_first"
    booking.refresh_from_db()
    assert booking.collection_date == first_day and booking.address == "중앙로 12, 101동 1203호"


def test_change_page_moves_the_day(client, resident, paid, district):
    first_day, second_day = _two_days(district)
    booking = paid(collection_date=first_day)
    client.force_login(resident)
    page = client.get(f"/waste/b/{booking.pk}/change/").content.decode()
    assert second_day.isoformat() in page and '<label for="address">' in page
    response = client.post(
        f"/waste/b/{booking.pk}/change/",
        {"collection_date": second_day.isoformat(), "address": booking.address, "placement": booking.placement},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.collection_date == second_day
    bad = client.post(f"/waste/b/{booking.pk}/change/", {"collection_date": "someday", "address": "x"})
    assert bad.status_code == 400 and "수거일을 목록에서 골라 주세요." in bad.content.decode()


# --- the month's totals -------------------------------------------------------------------------------------


def test_month_report_counts_fees_refunds_and_outcomes(staff_client, paid, due, staff, resident, open_day):
    services.record_outcome(due(), "collected", actor=staff)
    paid()
    refunded = services.cancel_booking(paid(), actor=resident)
    assert refunded.refunded_amount == 16000
    today = timezone.localdate()
    from dasan.waste.reports import month_report

    report = month_report(today.year, today.month)
    totals = report.totals
    if open_day.month == today.month:
        assert (totals.bookings, totals.collected, totals.cancelled) == (2, 1, 1)
        assert (totals.fees, totals.refunds, totals.net) == (48000, 16000, 32000)
    else:  # the next open day falls in next month: only today's collection is in this one
        assert (totals.bookings, totals.collected, totals.fees) == (1, 1, 16000)
    day_row = dict(report.days)[today]
    assert (day_row.collected, day_row.fees) == (1, 16000)
    assert report.months[-1][0] == today.replace(day=1) and len(report.months) == 13
    page = staff_client.get("/staff/waste/report/", {"month": f"{today:%Y-%m}"}).content.decode()
    assert re.search(r'id="total-bookings">\d+건', page) and "<svg" in page and "표로 보기" in page
