"""The bulky-waste journey in a real browser (Debian's Chromium via Playwright): a
resident books a sofa on a phone-sized screen and prints the sticker; on the collection
day a crew member's phone opens the sticker's QR link and records the collection with a
photo, and the resident is told. With DASAN_SCREENSHOTS=DIR the pages are saved there."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from ..web.test_browser import CHROMIUM, chromium, save_screenshot, sign_in_on_the_way  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _shot(page, name: str) -> str | None:
    return save_screenshot(page, f"waste-{name}")


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 120, 160)).save(out, "JPEG")
    return out.getvalue()


def test_booking_sticker_and_crew_scan(live_server, chromium, city, fee_table, district, make_resident, staff):
    from dasan.notify.models import Message
    from dasan.payments import services as payments
    from dasan.waste import selectors
    from dasan.waste.models import Booking, BookingStatus

    make_resident(phone="01055550177", name="정대형")
    phone = chromium.new_context(locale="ko-KR", viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page = phone.new_page()
    page.set_default_timeout(15_000)

    # Sign in on the way to the booking form.
    page.goto(f"{live_server.url}/waste/book/")
    sign_in_on_the_way(page, "010-5555-0177")
    page.wait_for_url(re.compile(r"/waste/book/"))

    # District, then a forgiving search: "쇼파" finds the sofa.
    page.get_by_label("행정동").select_option(label=district.name)
    page.get_by_label(re.compile("품목 찾기")).fill("쇼파")
    page.get_by_role("button", name="다음").click()
    page.wait_for_url(re.compile(r"district="))
    assert "'쇼파' 검색 결과" in page.locator("main").inner_text()
    page.get_by_label(re.compile(r"^3인용 — 10,000원")).first.fill("1")
    page.get_by_label(re.compile("^상세 주소")).fill("중앙로 12, 101동 1203호")
    page.get_by_label(re.compile("배출 장소 안내")).fill("1층 현관 옆 화단 앞")
    _shot(page, "1-booking-form")
    page.get_by_role("button", name="신청하고 수수료 결제하기").click()

    page.wait_for_url(re.compile(r"/payments/"))
    booking = Booking.objects.get()
    assert booking.total_fee == 10000 and booking.status == BookingStatus.PENDING
    _shot(page, "2-checkout")
    # The resident pays at the office (the demo's provider); the officer records it.
    payments.mark_paid_at_office(selectors.order_for(booking), actor=staff)
    booking.refresh_from_db()

    page.goto(f"{live_server.url}/waste/b/{booking.pk}/")
    assert booking.number in page.locator("h1").inner_text()
    _shot(page, "3-detail")
    page.get_by_role("link", name="스티커 출력 (A4)").click()
    page.wait_for_url(re.compile(r"/sticker/"))
    assert page.locator(".sticker .number").inner_text() == booking.number
    assert page.locator(".sticker svg").count() == 1
    _shot(page, "4-sticker")

    # Collection day: the crew's phone, signed in as staff, opens the link in the QR code.
    Booking.objects.filter(pk=booking.pk).update(collection_date=timezone.localdate())
    client = Client()
    client.force_login(staff)
    crew = chromium.new_context(locale="ko-KR", viewport={"width": 390, "height": 844})
    crew.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    crew_page = crew.new_page()
    crew_page.set_default_timeout(15_000)
    crew_page.goto(f"{live_server.url}/waste/s/{booking.number}/?c={selectors.sticker_code(booking.number)}")
    crew_page.wait_for_url(re.compile(rf"/staff/waste/b/{booking.number}/"))
    main = crew_page.locator("main").inner_text()
    assert "중앙로 12, 101동 1203호" in main and "소파 3인용 × 1" in main
    crew_page.get_by_label("수거 완료").check()
    crew_page.get_by_label(re.compile("현장 사진")).set_input_files(
        files=[{"name": "done.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    _shot(crew_page, "5-crew-scan")
    crew_page.get_by_role("button", name="기록하기").click()
    crew_page.wait_for_url(re.compile(r"/staff/waste/scan/"))
    assert f"{booking.number}: 수거 완료(으)로 기록했습니다." in crew_page.locator("main").inner_text()

    booking.refresh_from_db()
    assert booking.status == BookingStatus.COLLECTED and booking.crew_photo
    assert Message.objects.filter(template_key="waste.collected", recipient=booking.resident).exists()
    # The resident sees the result and the crew's photo.
    page.goto(f"{live_server.url}/waste/b/{booking.pk}/")
    photo = page.locator("img[alt='수거반이 찍은 사진']")
    photo.scroll_into_view_if_needed()
    assert page.evaluate("(img) => img.complete && img.naturalWidth", photo.element_handle()) == 320
    _shot(page, "6-collected")
    crew.close()
    phone.close()
