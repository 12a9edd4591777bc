"""The reservation journey in a real browser (Debian's Chromium via Playwright), on a
phone-sized screen: a resident finds a court by type and date, picks a free slot in the
week calendar, declares a discount, pays, gets the .ics file and sees "내 예약"; then
applies for a lottery slot, staff draw it, and the audit page shows the seed and the
ranks anyone can recompute. With DASAN_SCREENSHOTS=DIR the pages are saved there."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from ..web.test_browser import CHROMIUM, chromium, save_screenshot, sign_in_on_the_way  # noqa: F401 - the fixture
from .conftest import at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


def _shot(page, name: str) -> str | None:
    return save_screenshot(page, f"reservations-{name}")


def _phone(chromium):
    context = chromium.new_context(locale="ko-KR", viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_find_book_pay_and_a_lottery_draw(live_server, chromium, paid_court, court, make_resident, staff, day):
    from dasan.payments import services as payments
    from dasan.reservations import lottery as lotteries
    from dasan.reservations import selectors
    from dasan.reservations.models import ApplicationStatus, Lottery, Reservation, Status

    make_resident(phone="01055550188", name="한예약")
    context, page = _phone(chromium)

    # Sign in on the way to "내 예약".
    page.goto(f"{live_server.url}/reservations/mine/")
    sign_in_on_the_way(page, "010-5555-0188")
    page.wait_for_url(re.compile(r"/reservations/mine/"))

    # Search: sports facilities free on the day.
    page.goto(f"{live_server.url}/reservations/")
    page.get_by_label("종류").select_option(label="체육시설")
    page.get_by_label("날짜 (선택)").fill(f"{day:%Y-%m-%d}")
    page.get_by_role("button", name="찾기").click()
    page.wait_for_url(re.compile(r"type=sports"))
    listing = page.locator("main").inner_text()
    assert "유료 배드민턴장" in listing and "빈 시간 9개" in listing
    _shot(page, "1-search")

    # The week calendar, then a free 10:00 slot on the day.
    page.get_by_role("link", name=re.compile("유료 배드민턴장")).click()
    page.goto(f"{page.url}?week={day:%Y-%m-%d}")
    _shot(page, "2-resource-week")
    page.locator(f"a[href*='begin={day:%Y-%m-%d}T10:00']").first.click()
    page.wait_for_url(re.compile(r"/book/"))
    assert page.get_by_label("시작 시각").input_value() == f"{day:%Y-%m-%d}T10:00"
    page.get_by_label("이용 시간").select_option(label="120분")
    page.get_by_label("감면 대상 (선택)").select_option(label="65세 이상 (30%)")
    page.get_by_label(re.compile("우리 시에 살고 있습니다")).check()
    _shot(page, "3-book")
    page.get_by_role("button", name="예약하기").click()

    # 8,000원 × 2 hours less 30 %: the checkout, paid at the office by the officer.
    page.wait_for_url(re.compile(r"/payments/"))
    assert "11,200" in page.locator("main").inner_text()
    _shot(page, "4-checkout")
    reservation = Reservation.objects.get(resident__phone="01055550188")
    assert (reservation.price, reservation.discount, reservation.status) == (11_200, "senior", Status.PENDING_PAYMENT)
    payments.mark_paid_at_office(selectors.order_for(reservation), actor=staff)

    page.goto(f"{live_server.url}/reservations/b/{reservation.pk}/")
    detail = page.locator("main").inner_text()
    assert "확정" in detail and reservation.code in detail and "지금 취소하면" in detail
    _shot(page, "5-detail")
    ics = page.request.get(f"{live_server.url}/reservations/b/{reservation.pk}/calendar.ics")
    assert ics.ok and "BEGIN:VEVENT" in ics.text() and f"{day:%Y%m%d}T" in ics.text()

    page.goto(f"{live_server.url}/reservations/mine/")
    assert reservation.code in page.locator("main").inner_text()
    _shot(page, "6-mine")

    # A popular slot goes by lottery: the resident applies from the resource page.
    now = timezone.now()
    lottery = lotteries.create_lottery(
        paid_court,
        at(day, "14:00"),
        at(day, "16:00"),
        now - dt.timedelta(minutes=5),
        now + dt.timedelta(hours=1),
        actor=staff,
    )
    others = [make_resident(name=name) for name in ("김추첨", "이추첨", "박추첨")]
    for person in others:
        lotteries.apply(lottery, actor=person, party_size=2)
    page.goto(f"{live_server.url}/reservations/r/{paid_court.pk}/")
    page.locator(f"#lottery-{lottery.pk}").get_by_label("인원(수량)").fill("3")
    page.locator(f"#lottery-{lottery.pk}").get_by_role("button", name="추첨 신청").click()
    assert "추첨" in page.locator("main").inner_text()
    Lottery.objects.filter(pk=lottery.pk).update(applications_close_at=timezone.now() - dt.timedelta(seconds=1))

    # Staff draw it on the workbench and open the audit page.
    client = Client()
    client.force_login(staff)
    desk = chromium.new_context(locale="ko-KR", viewport={"width": 1024, "height": 900})
    desk.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    staff_page = desk.new_page()
    staff_page.set_default_timeout(15_000)
    staff_page.goto(f"{live_server.url}/staff/reservations/lotteries/")
    staff_page.get_by_role("button", name="추첨하기").click()
    staff_page.wait_for_url(re.compile(rf"/staff/reservations/lotteries/{lottery.pk}/"))
    lottery.refresh_from_db()
    audit = staff_page.locator("main").inner_text()
    assert lottery.seed and lottery.seed in audit and "일치" in audit
    ranked = lotteries.ranked(lottery)
    assert [a.rank for a in ranked] == [1, 2, 3, 4]
    assert ranked[0].status == ApplicationStatus.WON and all(a.status == ApplicationStatus.LOST for a in ranked[1:])
    assert "한예약" not in audit and "한*약" in audit  # names masked on the audit page
    _shot(staff_page, "7-lottery-audit")

    # The staff calendar of the court shows both the paid booking and the lottery winner's hold.
    staff_page.goto(f"{live_server.url}/staff/reservations/r/{paid_court.pk}/?date={day:%Y-%m-%d}")
    calendar = staff_page.locator("main").inner_text()
    assert reservation.code in calendar and ranked[0].reservation.code in calendar
    _shot(staff_page, "8-staff-calendar")
    desk.close()
    context.close()
