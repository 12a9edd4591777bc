"""Links in messages and printed documents: the city's public address, or the page's own,
or nothing (dasan.core.links)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from dasan.core.links import public_url, public_url_for


@pytest.fixture
def no_public_url(settings):
    settings.DASAN = {**settings.DASAN, "PUBLIC_URL": ""}
    return settings


@pytest.fixture
def public_address(settings):
    settings.DASAN = {**settings.DASAN, "PUBLIC_URL": "https://minwon.example.go.kr/"}
    return settings


def test_the_configured_address_comes_first(public_address):
    request = RequestFactory().get("/", HTTP_HOST="internal:8000")
    assert public_url("/notifications/") == "https://minwon.example.go.kr/notifications/"
    assert public_url("/notifications/", request=request) == "https://minwon.example.go.kr/notifications/"


def test_without_it_a_page_uses_its_own_address(no_public_url):
    no_public_url.ALLOWED_HOSTS = ["dasan.example.kr"]
    request = RequestFactory().get("/", HTTP_HOST="dasan.example.kr")
    assert public_url("/notifications/", request=request) == "http://dasan.example.kr/notifications/"


def test_without_either_there_is_no_link(no_public_url):
    # A bare path in an SMS is no link: the message leaves it out.
    assert public_url("/notifications/") == ""


def test_links_to_named_pages(public_address):
    assert public_url_for("notify:inbox") == "https://minwon.example.go.kr/notifications/"


def test_a_page_that_is_not_installed_has_no_link(public_address):
    assert public_url_for("no_such_app:index") == ""
