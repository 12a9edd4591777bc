"""The Content-Security-Policy (core.csp) in a real browser (Debian's Chromium via Playwright):
the resident home, the assistant chat and its widget, a complaint form with its inline script,
the reservations search and staff pages load with the policy on, htmx and the pages' own scripts
run, and Chromium reports no violation."""

from __future__ import annotations

import pytest
from django.test import Client

from .test_browser import CHROMIUM, chromium  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]

# Registered before any of the page's own code runs (Playwright's init scripts are not
# subject to the page's policy); every violation the document reports is kept.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


def expect(locator):
    return pytest.importorskip("playwright.sync_api").expect(locator)


def _signed_in_context(chromium, live_server, user):  # noqa: F811
    client = Client()
    client.force_login(user)
    context = chromium.new_context(locale="ko-KR")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    context.add_init_script(RECORD_VIOLATIONS)
    return context


def _visit(context, url: str) -> tuple[list[str], list[str]]:
    """Loads the page; (its violations, console messages about the policy)."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    console: list[str] = []
    page.on(
        "console",
        lambda message: console.append(message.text) if "Content Security Policy" in message.text else None,
    )
    response = page.goto(url)
    assert response is not None and response.ok, (url, response and response.status)
    assert "'nonce-" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.htmx") == "object", url
    violations = page.evaluate("window.__cspViolations")
    page.close()
    return violations, console


def test_pages_run_under_the_policy_without_violations(
    live_server,
    chromium,  # noqa: F811
    city,
    make_resident,
    make_staff,
    departments,
):
    resident = _signed_in_context(chromium, live_server, make_resident(phone="01055550177", name="정보안"))
    staff = _signed_in_context(chromium, live_server, make_staff("csp-staff", department=departments["waste"]))
    pages = [
        (resident, "/"),
        (resident, "/assistant/"),
        (resident, "/assistant/widget/"),
        (resident, "/complaints/new/"),
        (resident, "/reservations/"),
        (staff, "/staff/"),
        (staff, "/staff/complaints/"),
    ]
    problems = {}
    for context, path in pages:
        violations, console = _visit(context, f"{live_server.url}{path}")
        if violations or console:
            problems[path] = violations + console
    assert problems == {}

    # The pages' scripts ran: the complaint form's inline script (nonce) and the chat's
    # listener file replace what were inline handlers.
    page = resident.new_page()
    page.goto(f"{live_server.url}/complaints/new/")
    assert page.evaluate("document.getElementById('cx-geo').hidden") is False
    page.goto(f"{live_server.url}/assistant/")
    # A question sent through htmx: the answer is added to the log and the form empties itself.
    page.get_by_label("질문").fill("쓰레기 배출 요일이 언제인가요?")
    page.get_by_role("button", name="묻기", exact=True).click()
    page.locator("#chat-log > li:not(.assistant__intro)").first.wait_for()
    expect(page.locator("#assistant-question")).to_have_value("")
    assert page.evaluate("window.__cspViolations") == []
    # An inline script without the nonce is refused and reported: the recorder works.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.append(s); }"
    )
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert page.evaluate("window.__ran") is None
    assert "script-src" in page.evaluate("window.__cspViolations")[0]
    resident.close()
    staff.close()
