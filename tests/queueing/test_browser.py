"""The ticket on a phone and the hall display on a TV, in Chromium: a resident takes a
number, the counter calls the one before it, and both screens follow without a reload
(htmx polling). With DASAN_SCREENSHOTS=DIR the screens are saved there, and side by side."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from ..web.test_browser import CHROMIUM, chromium, save_screenshot, sign_in_on_the_way  # noqa: F401 - the fixture
from .test_pages import always_open  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


def _shot(page, name: str) -> str | None:
    return save_screenshot(page, f"queue-{name}", full_page=False)


def test_ticket_page_and_hall_display_follow_the_counter(
    live_server, chromium, always_open, counters, clerk, make_resident
):
    from dasan.queueing import services
    from dasan.queueing.models import Ticket, TicketStatus

    make_resident(phone="01055550199", name="한번호")
    before = services.take_ticket(always_open, "move-in")  # someone at the kiosk first
    phone = chromium.new_context(locale="ko-KR", viewport={"width": 390, "height": 780})
    page = phone.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/queue/o/{always_open.code}/")
    sign_in_on_the_way(page, "010-5555-0199")
    page.wait_for_url(re.compile(r"/queue/o/"))
    page.get_by_label(re.compile("전입신고")).check()
    page.get_by_role("button", name="번호표 받기").click()
    page.wait_for_url(re.compile(r"/queue/t/"))
    mine = Ticket.objects.get(resident__phone="01055550199")
    assert page.locator(".q-number").inner_text() == mine.number == "A002"
    assert "내 앞에 1명" in page.locator("main").inner_text()

    tv = chromium.new_context(locale="ko-KR", viewport={"width": 1280, "height": 720})
    hall = tv.new_page()
    hall.set_default_timeout(15_000)
    hall.goto(f"{live_server.url}/queue/display/{always_open.code}/")
    assert "호출을 기다리고 있습니다" in hall.locator("main").inner_text()

    # The counter calls: the display shows A001 → 1, the resident is next.
    services.call_next(counters[1], actor=clerk)
    hall.locator(".q-card .q-number").filter(has_text="A001").wait_for()
    page.locator("text=곧 호출됩니다").wait_for()
    services.finish(counters[1], TicketStatus.SERVED, actor=clerk)
    services.call_next(counters[2], actor=clerk)  # now the resident's turn, at counter 2
    page.locator("text=2번 창구로 오세요").wait_for()
    hall.locator(".q-card .q-number").filter(has_text="A002").wait_for()
    assert "한번호" not in hall.locator("main").inner_text()
    left, right = _shot(page, "ticket"), _shot(hall, "hall-display")

    client = Client()
    client.force_login(clerk)
    desk = chromium.new_context(locale="ko-KR", viewport={"width": 1024, "height": 760})
    desk.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    counter = desk.new_page()
    counter.goto(f"{live_server.url}/staff/queue/c/{counters[2].pk}/")
    assert "A002" in counter.locator("main").inner_text()
    _shot(counter, "counter")
    before.refresh_from_db()
    assert before.status == TicketStatus.SERVED
    if left and right:
        from PIL import Image

        a, b = Image.open(left), Image.open(right)
        scale = b.height / a.height
        a = a.resize((int(a.width * scale), b.height))
        both = Image.new("RGB", (a.width + b.width + 24, b.height), "white")
        both.paste(a, (0, 0))
        both.paste(b, (a.width + 24, 0))
        both.save(str(Path(left).with_name("queue-side-by-side.png")))
    for context in (desk, tv, phone):
        context.close()
