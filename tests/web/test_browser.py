"""The main resident journey in a real browser (Debian's Chromium via Playwright):
sign in with a phone number and the code that was sent, then switch to English."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@pytest.fixture
def chromium(monkeypatch):
    """Debian's Chromium, headless; a test opens its own contexts (one per person)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the Django ORM
    # calls made by the test itself are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def _latest_code_sent_to(phone: str) -> str:
    from dasan.notify.models import Message

    message = Message.objects.filter(to=phone).order_by("-created_at", "-id").first()
    assert message is not None, f"no message was sent to {phone}"
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", message.body)
    assert match, "the message carries no 6-digit code"
    return match.group(1)


def save_screenshot(page, name: str, *, full_page: bool = True) -> str | None:
    """With DASAN_SCREENSHOTS=DIR, the page as DIR/<name>.png (its path); else nothing."""
    folder = os.environ.get("DASAN_SCREENSHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = str(Path(folder) / f"{name}.png")
    page.screenshot(path=path, full_page=full_page)
    return path


def sign_in_on_the_way(page, phone: str) -> None:
    """On the sign-in page a protected page sent the browser to: the phone number, the
    code texted to it, and on (the caller waits for the page it expects back)."""
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.locator("input[name=phone]").fill(phone)
    page.locator("form:has(input[name=phone]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/login/verify/"))
    page.locator("input[name=code]").fill(_latest_code_sent_to(re.sub(r"\D", "", phone)))
    page.locator("form:has(input[name=code]) button[type=submit]").click()


def test_resident_signs_in_and_switches_to_english(live_server, browser_page, city, make_resident):
    resident = make_resident(phone="01055550123", name="박데모")
    page = browser_page

    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "ko"
    # The stylesheet and htmx are served by the application itself.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") == "rgb(15, 61, 122)"
    )
    assert page.evaluate("typeof window.htmx") == "object"
    page.locator("input[name=phone]").fill("010-5555-0123")
    page.locator("form:has(input[name=phone]) button[type=submit]").click()

    page.wait_for_url(re.compile(r"/accounts/login/verify/"))
    page.locator("input[name=code]").fill(_latest_code_sent_to("01055550123"))
    page.locator("form:has(input[name=code]) button[type=submit]").click()

    page.wait_for_url(f"{live_server.url}/")
    assert "박데모님, 안녕하세요." in page.locator("h1").inner_text()

    # The language switcher in the header.
    page.get_by_label(re.compile("언어")).select_option("en")
    page.locator("form.language-form button[type=submit]").click()
    page.wait_for_load_state()

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().strip() == "Hello, 박데모."
    assert page.get_by_role("heading", name="Services").is_visible()
    assert page.get_by_role("link", name="Skip to main content").count() == 1
    resident.refresh_from_db()
    assert resident.language == "en"

    # Keyboard users: the first Tab lands on the skip link.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
