"""The web shell: "My 다산", languages, the staff workbench, health, error pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from dasan.core import catalog

from .html_checks import accessibility_problems, html_lang

pytestmark = pytest.mark.django_db

# A string from each language's catalogue that every page shows (the skip link).
SKIP_LINK = {
    "ko": "본문 바로가기",
    "en": "Skip to main content",
    "zh-hans": "跳到主要内容",
    "vi": "Chuyển đến nội dung chính",
}
SERVICES_HEADING = {"ko": "서비스", "en": "Services", "zh-hans": "服务", "vi": "Dịch vụ"}


def page(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- My 다산 ----------------------------------------------------------------------


def test_home_is_korean_by_default(client, city):
    html = page(client)
    assert html_lang(html) == "ko"
    assert SKIP_LINK["ko"] in html
    assert "My 다산" in html
    assert "테스트시" in html


def test_home_without_city_profile_says_dasan(client):
    html = page(client)
    assert "다산" in html
    assert "시청 연락처가 아직 등록되지 않았습니다." in html


@pytest.mark.parametrize("language", ["en", "zh-hans", "vi"])
def test_switching_language_translates_the_home_page(client, city, language):
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    html = page(client)
    assert html_lang(html) == language
    assert SKIP_LINK[language] in html
    assert SERVICES_HEADING[language] in html
    assert SKIP_LINK["ko"] not in html


def test_browser_language_is_honoured(client, city):
    html = client.get("/", headers={"accept-language": "vi,en;q=0.5"}).content.decode()
    assert html_lang(html) == "vi"
    assert SKIP_LINK["vi"] in html


def test_english_reader_sees_the_city_english_name(client, city):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(client)
    assert "Test City" in html


def test_signed_in_switch_is_saved_on_the_user(client, resident):
    client.force_login(resident)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.language == "zh-hans"
    # Another device, no cookie: the saved choice wins.
    other = Client()
    other.force_login(resident)
    html = page(other)
    assert html_lang(html) == "zh-hans"
    assert SKIP_LINK["zh-hans"] in html


def test_unknown_language_changes_nothing(client, resident):
    client.force_login(resident)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    resident.refresh_from_db()
    assert resident.language == "ko"


def test_set_language_refuses_get(client):
    assert client.get("/i18n/setlang/?language=en").status_code == 405


def test_anonymous_visitor_sees_what_this_is_and_sign_in(client, city):
    html = page(client)
    assert "온라인 민원 창구" in html
    assert 'href="/accounts/login/"' in html
    assert "휴대전화로 로그인" in html


def test_signed_in_resident_is_greeted_by_name_and_can_sign_out(client, city, resident):
    client.force_login(resident)
    html = page(client)
    assert "김주민님, 안녕하세요." in html
    assert 'action="/accounts/logout/"' in html
    assert "휴대전화로 로그인" not in html


def test_home_shows_city_contact(client, city):
    city.address = "서울특별시 중구 세종대로 110"
    city.save()
    html = page(client)
    assert 'href="tel:02-000-0000"' in html
    assert "세종대로 110" in html


@pytest.fixture
def extra_service():
    catalog.register_service(
        "test.health",
        title="건강 확인 서비스",
        description="시험용 타일",
        url_name="web:healthz",
        audience="resident",
        order=1,
    )
    catalog.register_service(
        "test.missing", title="없는 서비스", description="", url_name="nowhere:at-all", audience="resident"
    )
    yield
    catalog.unregister_service("test.health")
    catalog.unregister_service("test.missing")


def test_home_tiles_come_from_the_catalogue(client, extra_service):
    html = page(client)
    assert "건강 확인 서비스" in html
    assert 'href="/healthz"' in html
    assert "없는 서비스" not in html  # its URL does not resolve: left out, page still renders


def test_catalogue_orders_and_resolves(extra_service):
    tiles = catalog.services("resident")
    assert tiles[0].key == "test.health"
    assert tiles[0].url == "/healthz"
    assert "test.missing" not in [t.key for t in tiles]


def test_catalogue_rejects_unknown_audience():
    with pytest.raises(ValueError):
        catalog.register_service("x", title="x", description="", url_name="web:home", audience="everyone")


def test_foundation_tiles_are_registered():
    keys = {s.key for s in catalog.registered()}
    assert {"notify.inbox", "accounts.me", "admin.index", "core.audit"} <= keys


# --- accessibility basics ------------------------------------------------------------


def test_home_accessibility_basics_anonymous(client, city):
    assert accessibility_problems(page(client)) == []


def test_home_accessibility_basics_signed_in(client, city, resident):
    client.force_login(resident)
    assert accessibility_problems(page(client)) == []


def test_staff_home_accessibility_basics(client, city, city_admin):
    client.force_login(city_admin)
    assert accessibility_problems(page(client, "/staff/")) == []


def test_error_page_accessibility_basics(client):
    response = client.get("/no-such-page/")
    assert accessibility_problems(response.content.decode()) == []


def test_language_switcher_is_a_labelled_form(client):
    html = page(client)
    assert 'action="/i18n/setlang/"' in html
    assert '<label for="language-select">' in html
    for code in ("ko", "en", "zh-hans", "vi"):
        assert f'value="{code}" lang="{code}"' in html


def test_settings_find_the_project_static_files():
    from pathlib import Path

    import dasan.settings as project_settings

    assert Path(dasan_static_dir()) in [Path(d).resolve() for d in getattr(project_settings, "STATICFILES_DIRS", [])]


def dasan_static_dir():
    import dasan

    return Path(dasan.__file__).resolve().parent / "static"


def test_static_files_are_found(client):
    from django.contrib.staticfiles import finders

    for name in ("dasan/dasan.css", "dasan/vendor/htmx.min.js", "dasan/vendor/htmx.LICENSE", "dasan/logo.svg"):
        assert finders.find(name), name


def test_htmx_and_css_are_served_locally(client):
    html = page(client)
    assert "/static/dasan/vendor/htmx.min.js" in html
    assert "/static/dasan/dasan.css" in html
    assert "https://" not in html.split("<body", 1)[0]  # nothing loaded from a CDN


# --- staff workbench ----------------------------------------------------------------


def test_staff_home_redirects_anonymous_to_staff_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/staff/login/?next=/staff/"


def test_staff_home_forbids_residents(client, resident):
    client.force_login(resident)
    response = client.get("/staff/")
    assert response.status_code == 403
    assert "접근 권한이 없습니다" in response.content.decode()


def test_staff_home_opens_for_staff(client, city, staff_officer):
    client.force_login(staff_officer)
    html = page(client, "/staff/")
    assert "업무 홈" in html
    assert "업무 메뉴" in html
    assert ("오늘은 근무일입니다." in html) or ("오늘은 휴일" in html)
    assert "최근 감사 기록" not in html  # officers do not see the audit trail
    assert "감사 기록" not in html


def test_staff_home_shows_business_day(client, staff_officer, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    client.force_login(staff_officer)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2025, 1, 1))  # 신정
    html = page(client, "/staff/")
    assert "오늘은 휴일" in html
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2025, 1, 2))
    html = page(client, "/staff/")
    assert "오늘은 근무일입니다." in html


def test_staff_home_shows_recent_audit_events_to_admins(client, city, city_admin, staff_officer):
    from dasan.core.models import AuditEvent

    AuditEvent.objects.create(
        actor=staff_officer, actor_label="officer1", action="complaint.viewed", target_label="민원 #7"
    )
    client.force_login(city_admin)
    html = page(client, "/staff/")
    assert "최근 감사 기록" in html
    assert "complaint.viewed" in html
    assert "민원 #7" in html
    assert 'href="/admin/core/auditevent/"' in html


# --- health, robots, errors -----------------------------------------------------------


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    from django.db import connections

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(connections["default"], "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /staff/" in body
    assert "Disallow: /admin/" in body


def test_404_page_is_translated(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "페이지를 찾을 수 없습니다" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/no-such-page/")
    assert "Page not found" in response.content.decode()


@pytest.mark.urls("tests.web.boom_urls")
def test_500_page_shows_no_stack_trace(city):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "일시적인 오류가 발생했습니다" in body
    assert "Traceback" not in body
    assert "010-1234-5678" not in body


def test_400_and_csrf_templates_render():
    from django.template.loader import render_to_string

    assert "잘못된 요청입니다" in render_to_string("400.html")
    assert "보안 확인에 실패했습니다" in render_to_string("403_csrf.html")
