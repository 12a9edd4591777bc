"""Fixtures for core's tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _test_http_settings(settings):
    # Tests speak plain HTTP to the test client; the admin renders with plain static files.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
