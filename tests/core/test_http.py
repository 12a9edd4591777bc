"""What a resident sees when a service refuses: the 404 and 403 pages, the form they came
from with the reason on it, or an error page with the reason (dasan.core.http)."""

from __future__ import annotations

import pytest
from django.test import Client

from dasan.core.errors import Conflict

pytestmark = [pytest.mark.urls("tests.core.error_urls"), pytest.mark.django_db]


@pytest.fixture
def client(city):
    return Client()


def test_not_found_is_the_404_page(client):
    response = client.get("/test-errors/missing/")
    assert response.status_code == 404
    assert "페이지를 찾을 수 없습니다" in response.content.decode()


def test_permission_denied_is_the_403_page(client):
    response = client.get("/test-errors/not-yours/")
    assert response.status_code == 403
    assert "접근 권한이 없습니다" in response.content.decode()


def test_a_refused_post_goes_back_to_the_form_with_the_reason(client):
    response = client.post("/test-errors/taken/", HTTP_REFERER="http://testserver/")
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/"
    page = client.get(response["Location"]).content.decode()
    assert "방금 다른 분이 예약한 시간입니다." in page


def test_a_referer_on_another_site_is_not_followed(client):
    response = client.post("/test-errors/taken/", HTTP_REFERER="https://evil.example/phish")
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert response["Location"] == "/test-errors/taken/"


def test_a_refused_page_view_shows_the_reason_with_its_status(client):
    response = client.get("/test-errors/gone/")
    assert response.status_code == 410
    assert "접수가 마감되었습니다." in response.content.decode()


def test_the_api_keeps_its_own_errors(client):
    # The middleware leaves /api/ alone: the API's envelope answers there, not a page.
    with pytest.raises(Conflict):
        client.get("/api/test-errors/boom/")


def test_user_errors_flashes_the_reason_and_the_view_goes_on(client):
    response = client.post("/test-errors/cancel/")
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    assert "이미 취소된 예약입니다." in page
    assert "취소했습니다." not in page


def test_user_errors_turns_the_codes_a_view_names_into_not_found(client):
    assert client.get("/test-errors/lookup/invalid_input/").status_code == 404
    other = client.get("/test-errors/lookup/booking_closed/")
    assert other.status_code == 400
    assert other.content.decode() == "예약 번호를 확인해 주세요."
