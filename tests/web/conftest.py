"""Fixtures for the web shell's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

import dasan


@pytest.fixture(autouse=True)
def _test_http_settings(settings):
    # Tests speak plain HTTP to the test client and to the live server.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production uses WhiteNoise's manifest storage, which needs `collectstatic`;
    # tests render templates with {% static %} straight from the finders.
    project_static = Path(dasan.__file__).resolve().parent / "static"
    dirs = [Path(d).resolve() for d in getattr(settings, "STATICFILES_DIRS", [])]
    if project_static not in dirs:  # until settings.py lists the project-level static/ itself
        settings.STATICFILES_DIRS = [*getattr(settings, "STATICFILES_DIRS", []), project_static]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def staff_officer(make_staff, departments):
    return make_staff("officer1", department=departments["waste"])


@pytest.fixture
def city_admin(make_staff, departments):
    from dasan.accounts.models import Role

    return make_staff("admin1", department=departments["root"], role=Role.ADMIN)


@pytest.fixture
def live_http_server(live_server, _test_http_settings, _plain_static_storage):
    """pytest-django's live server (session-wide, started before per-test settings)
    with its middleware rebuilt under this test's settings: no redirect to HTTPS."""
    from django.core.handlers.wsgi import WSGIHandler

    handler = live_server.thread.httpd.get_app()
    while not type(handler) is WSGIHandler and hasattr(handler, "application"):
        handler = handler.application
    handler.load_middleware()
    return live_server
