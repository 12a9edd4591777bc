"""A resident's complaint journey in a real browser (Debian's Chromium via Playwright):
sign in with the code sent by SMS, file a complaint with a photo, find it in 내 민원."""

from __future__ import annotations

import re

import pytest

from ..web.test_browser import CHROMIUM, browser_page, chromium, sign_in_on_the_way  # noqa: F401 - the fixtures
from .test_resident_pages import jpeg_bytes

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


def test_resident_files_a_complaint_and_sees_it_in_my_complaints(
    live_server, browser_page, city, categories, make_resident
):  # noqa: F811
    from dasan.complaints.models import Complaint

    make_resident(phone="01055550199", name="최민원")
    page = browser_page

    # Filing needs sign-in; the sign-in page brings the resident back to the form.
    page.goto(f"{live_server.url}/complaints/new/?category=illegal-dumping")
    sign_in_on_the_way(page, "010-5555-0199")
    page.wait_for_url(re.compile(r"/complaints/new/"))

    assert page.get_by_label("분류").input_value() == "illegal-dumping"
    # The anonymous choice is offered for this category and hidden for one that refuses it.
    assert page.get_by_label(re.compile("익명")).is_visible()
    page.get_by_label("분류").select_option("pothole")
    assert not page.get_by_label(re.compile("익명")).is_visible()
    page.get_by_label("분류").select_option("illegal-dumping")

    page.get_by_label(re.compile("^제목")).fill("공원 입구에 쓰레기가 버려져 있어요")
    page.get_by_label(re.compile("^내용")).fill("다산공원 북문 앞에 봉투 여러 개가 사흘째 놓여 있습니다.")
    page.get_by_label(re.compile("^주소 또는 장소")).fill("다산공원 북문")
    page.get_by_label(re.compile("^사진")).set_input_files(
        files=[{"name": "park.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    page.get_by_role("button", name="민원 접수하기").click()

    page.wait_for_url(re.compile(r"/complaints/\d{4}-\d{6}/\?filed=1"))
    complaint = Complaint.objects.get()
    assert f"접수번호 {complaint.number}로 접수되었습니다." in page.locator("main").inner_text()
    # The photo loads (lazily, once scrolled to) from the owner-only photo URL.
    photo = page.locator("img[alt='첨부 사진 1']")
    photo.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())

    page.get_by_role("link", name="내 민원 목록").click()
    page.wait_for_url(f"{live_server.url}/complaints/")
    item = page.locator("li.cx-item", has_text="공원 입구에 쓰레기가 버려져 있어요")
    assert complaint.number in item.inner_text()
    assert "처리 기한" in item.inner_text()

    # Keyboard: the complaint's link is reachable and opens it.
    item.get_by_role("link").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/complaints/{complaint.number}/$"))
    assert page.locator("h1").inner_text().strip() == "공원 입구에 쓰레기가 버려져 있어요"
