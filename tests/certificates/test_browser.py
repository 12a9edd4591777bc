"""In Chromium: a resident asks for a 주민등록표 등본 to be ready at the city hall, and a
city-issued PDF is checked on 문서 진위확인 — the signed file verifies, a copy with one
changed byte does not. With DASAN_SCREENSHOTS=DIR the screens are saved there."""

from __future__ import annotations

import re

import pytest

from dasan.certificates.demo import load_demo
from dasan.certificates.models import DocumentRequest

from ..queueing.conftest import office, types  # noqa: F401 - fixtures
from ..web.test_browser import CHROMIUM, chromium, save_screenshot, sign_in_on_the_way  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


def _shot(page, name: str) -> str | None:
    return save_screenshot(page, f"documents-{name}")


@pytest.fixture
def issued(signing, used_booking, resident):
    """Signed before the browser starts: pyHanko runs its own event loop, which cannot
    nest in the one Playwright's sync API keeps in this thread."""
    from dasan.certificates import issuing

    load_demo()
    return issuing.issue_facility_use(used_booking, actor=resident)


def test_request_for_pickup_and_a_tampered_pdf_fails(live_server, issued, office, chromium, resident):
    phone = chromium.new_context(locale="ko-KR", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/documents/request/resident-copy/")
    sign_in_on_the_way(page, "010-1234-5678")
    page.wait_for_url(re.compile(r"/documents/request/resident-copy/"))
    page.get_by_label("과거 주소 변동 사항 포함").check()
    page.get_by_label("부수").select_option("2")
    page.get_by_label("받을 곳").select_option(office.code)
    page.get_by_label("받을 날짜와 시간").select_option(index=1)
    page.get_by_label("용도 또는 필요한 정보").fill("회사 제출용")
    _shot(page, "1-request-form")
    page.get_by_role("button", name="신청").click()
    page.wait_for_url(re.compile(r"/documents/requests/\d+/"))
    req = DocumentRequest.objects.get()
    text = page.locator("main").inner_text()
    assert req.code in text and "800원" in text and "신청했습니다" in text
    _shot(page, "2-request")

    doc = issued
    public = chromium.new_context(locale="ko-KR", viewport={"width": 390, "height": 844})
    check = public.new_page()
    check.set_default_timeout(15_000)
    for name, data, verdict in [
        ("3-genuine", bytes(doc.pdf), "진본입니다"),
        ("4-tampered", _tampered(bytes(doc.pdf)), "진본이 아닙니다"),
    ]:
        check.goto(f"{live_server.url}/documents/verify/")
        check.get_by_label("문서확인번호 (16자리)").fill(doc.display_number)
        check.get_by_label("PDF 파일 (선택)").set_input_files(
            files=[{"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": data}]
        )
        check.get_by_role("button", name="확인하기").click()
        check.wait_for_load_state()
        assert verdict in check.locator(".cd-result h2").inner_text()
        assert resident.name not in check.locator("main").inner_text()
        _shot(check, name)


def _tampered(pdf: bytes) -> bytes:
    changed = bytearray(pdf)
    changed[changed.index(b"stream") + 40] ^= 0x01
    return bytes(changed)
