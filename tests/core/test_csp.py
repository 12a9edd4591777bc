"""The Content-Security-Policy (core.csp): on every page, a fresh nonce per request, the nonce
on every inline script and style a page carries, and templates without inline event handlers
or inline scripts that lack the nonce. Chromium's view of it: tests/web/test_browser_csp.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.views.decorators.clickjacking import xframe_options_sameorigin

import dasan
from dasan.core.csp import HEADER, ContentSecurityPolicyMiddleware, csp_update

PACKAGE = Path(dasan.__file__).parent
NONCE_ATTRIBUTE = 'nonce="{{ csp_nonce }}"'

OPEN_TAG = re.compile(r"<(script|style)\b([^>]*)>", re.IGNORECASE)
# An attribute named on… (onclick, onload, onerror…) inside a tag, or htmx's hx-on (evaluated text).
EVENT_HANDLER = re.compile(r"<[a-z][^<>]*?\s(on[a-z]+|hx-on[:\-][^\s=]*|data-hx-on[:\-][^\s=]*)\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
DATA_TYPES = re.compile(r"""\btype\s*=\s*["']?application/(json|ld\+json)""", re.IGNORECASE)


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            parsed[tokens[0]] = tokens[1:]
    return parsed


def nonce_of(response) -> str:
    (source,) = [s for s in directives(response[HEADER])["script-src"] if s.startswith("'nonce-")]
    return source.removeprefix("'nonce-").removesuffix("'")


def inline_tags(html: str) -> list[tuple[str, str]]:
    """(tag, attributes) of every inline <script> (no src, not a data block) and <style>."""
    found = []
    for tag, attributes in OPEN_TAG.findall(html):
        if tag.lower() == "script" and (re.search(r"\bsrc\s*=", attributes) or DATA_TYPES.search(attributes)):
            continue
        found.append((tag.lower(), attributes))
    return found


# --- templates ---------------------------------------------------------------------------


def templates() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.html") if "templates" in p.relative_to(PACKAGE).parts)


def test_there_are_templates_to_scan():
    assert len(templates()) > 50


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_template_has_no_inline_script_without_the_nonce_nor_event_handlers(path):
    source = path.read_text(encoding="utf-8")
    if "notify/templates/notify/email" in path.as_posix():
        return  # an e-mail, never served as a page
    for tag, attributes in inline_tags(source):
        assert NONCE_ATTRIBUTE in attributes, f"<{tag}{attributes}> without {NONCE_ATTRIBUTE}"
    handler = EVENT_HANDLER.search(source)
    assert handler is None, f"inline event handler {handler.group(1)}= (use a listener in a static file)"
    assert JAVASCRIPT_URL.search(source) is None, "javascript: URL"


def test_the_scan_finds_what_it_looks_for():
    assert EVENT_HANDLER.search('<button type="button" onclick="window.print()">')
    assert EVENT_HANDLER.search('<form hx-post="/x" hx-on::after-request="this.reset()">')
    assert EVENT_HANDLER.search('<img src="x" alt=""\n     onerror="alert(1)">')
    assert not EVENT_HANDLER.search("<p>Call us on=weekdays</p>")
    assert not EVENT_HANDLER.search('<button type="button" data-print>')
    assert inline_tags("<script>alert(1)</script><style>p{}</style>") == [("script", ""), ("style", "")]
    assert inline_tags('<script src="/static/a.js" defer></script><script type="application/json">{}</script>') == []


# --- responses ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_carries_the_policy_with_a_fresh_nonce(client, city):
    first, second = client.get("/"), client.get("/")
    assert first.status_code == second.status_code == 200
    policy = directives(first[HEADER])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'" and len(policy["script-src"]) == 2
    assert policy["style-src"][0] == "'self'" and len(policy["style-src"]) == 2
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert len(nonce_of(first)) >= 22 and nonce_of(first) != nonce_of(second)
    # The nonce is the same in both directives of one response.
    assert policy["style-src"][1] == policy["script-src"][1]


@pytest.mark.django_db
def test_error_pages_and_redirects_carry_it_too(client, city):
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "'nonce-" in missing[HEADER]
    signed_out = client.get("/complaints/new/")
    assert signed_out.status_code == 302 and "object-src 'none'" in signed_out[HEADER]


@pytest.mark.django_db
def test_inline_scripts_and_styles_on_pages_carry_the_requests_nonce(
    client, city, make_resident, make_staff, departments
):
    client.force_login(make_resident(name="주민"))
    resident_page = client.get("/complaints/new/")
    staff = client_for(make_staff("csp-officer", department=departments["waste"]))
    staff_page = staff.get("/staff/complaints/")
    for response in (resident_page, staff_page):
        assert response.status_code == 200
        html = response.content.decode()
        tags = inline_tags(html)
        assert tags, "the page was chosen for its inline script or style"
        for tag, attributes in tags:
            assert f'nonce="{nonce_of(response)}"' in attributes, f"<{tag}{attributes}>"
    assert any(tag == "script" for tag, _ in inline_tags(resident_page.content.decode()))
    assert any(tag == "style" for tag, _ in inline_tags(staff_page.content.decode()))


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_assistant_widget_may_be_framed_by_the_city_only(client, city):
    response = client.get("/assistant/widget/")
    policy = directives(response[HEADER])
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["script-src"][0] == "'self'" and policy["script-src"][1].startswith("'nonce-")


def _through_middleware(view):
    request = RequestFactory().get("/")
    return ContentSecurityPolicyMiddleware(view)(request)


def test_a_view_can_widen_one_directive_for_its_own_responses():
    @csp_update(form_action=["'self'", "https:"])
    def view(request):
        return HttpResponse("ok")

    policy = directives(_through_middleware(view)[HEADER])
    assert policy["form-action"] == ["'self'", "https:"]
    assert policy["script-src"][0] == "'self'" and policy["object-src"] == ["'none'"]


def test_frame_ancestors_follow_x_frame_options():
    @xframe_options_sameorigin
    def view(request):
        return HttpResponse("ok")

    assert directives(_through_middleware(view)[HEADER])["frame-ancestors"] == ["'self'"]
