"""The app contract: what an app declares in its AppConfig is what the platform mounts,
shows, schedules and calls (dasan.core.appconfig)."""

from __future__ import annotations

import sys

import pytest
from django.apps import apps
from ninja import Router

from dasan.core import catalog, schedule
from dasan.core.appconfig import (
    STAFF,
    DasanAppConfig,
    Job,
    PaymentPurpose,
    Tile,
    api_routers,
    dasan_apps,
    demo_loaders,
    error_enums,
    payment_handlers,
    register_payment_purpose,
    resolve,
    url_patterns,
)

# --- a new app, as someone writing one declares it ------------------------------------------


def sample_job():
    return "ran"


def sees_everything(user):
    return getattr(user, "is_superuser", False)


def booking_paid(order):
    return order


def booking_refunded(order, refund):
    return order, refund


class SampleConfig(DasanAppConfig):
    name = "tests.core"
    label = "sample"
    tiles = [
        Tile("sample.book", "예약", "샘플 예약", "web:home", order=5),
        Tile(
            "sample.staff",
            "관리",
            "샘플 관리",
            "web:staff_home",
            audience=STAFF,
            visible="test_appconfig.sees_everything",
        ),
    ]
    jobs = [Job("sample.tidy", "test_appconfig.sample_job", every_seconds=60)]


@pytest.fixture
def sample_app(monkeypatch):
    """SampleConfig started as Django starts an app; what it registers is undone afterwards."""
    monkeypatch.setattr(schedule, "_jobs", dict(schedule._jobs))
    config = SampleConfig("tests.core", sys.modules["tests.core"])
    config.ready()
    yield config
    for tile in SampleConfig.tiles:
        catalog.unregister_service(tile.key)


def test_a_new_apps_tiles_appear_on_the_menus(sample_app):
    resident_menu = {service.key: service for service in catalog.registered("resident")}
    assert resident_menu["sample.book"].url_name == "web:home"
    staff_menu = {service.key: service for service in catalog.registered("staff")}
    assert "sample.staff" in staff_menu
    # "visible" given as a path relative to the app is resolved to the predicate.
    assert staff_menu["sample.staff"].visible is sees_everything


def test_a_new_apps_jobs_are_scheduled(sample_app):
    job = {job.name: job for job in schedule.jobs()}["sample.tidy"]
    assert job.func is sample_job and job.every_seconds == 60
    assert job.func() == "ran"


def test_every_installed_apps_tiles_and_jobs_are_registered():
    registered = {service.key: service for service in catalog.registered()}
    scheduled = {job.name: job for job in schedule.jobs()}
    for app in dasan_apps():
        for tile in app.tiles:
            assert registered[tile.key].url_name == tile.url_name, tile.key
            assert registered[tile.key].audience == tile.audience, tile.key
        for job in app.jobs:
            assert scheduled[job.name].func is app.resolve(job.func), job.name
            assert scheduled[job.name].every_seconds == job.every_seconds, job.name


# --- dotted paths ---------------------------------------------------------------------------------


def test_resolve_imports_the_module_then_walks_attributes():
    from dasan.core import timefmt

    assert resolve("dasan.core.timefmt") is timefmt
    assert resolve("dasan.core.timefmt.fmt") is timefmt.fmt
    assert resolve("timefmt.fmt", "dasan.core") is timefmt.fmt  # relative to the app
    assert resolve("dasan.core.timefmt.fmt", "dasan.waste") is timefmt.fmt  # absolute stays absolute
    assert resolve("appconfig.DasanAppConfig.resolve", "dasan.core") is DasanAppConfig.resolve


def test_resolve_says_what_is_missing():
    with pytest.raises(AttributeError):
        resolve("timefmt.no_such_function", "dasan.core")
    # A module that exists but fails to import is that module's error, not "no such module".
    with pytest.raises(ModuleNotFoundError) as excinfo:
        resolve("tests.core.broken_import.anything")
    assert excinfo.value.name == "dasan_no_such_package"


# --- the platform reads apps in INSTALLED_APPS order -----------------------------------------------


def _installed_labels() -> list[str]:
    return [config.label for config in dasan_apps()]


def test_urls_are_mounted_in_installed_apps_order_with_the_web_shell_last():
    mounted = [pattern.urlconf_name.__name__.split(".")[1] for pattern in url_patterns()]
    order = _installed_labels()
    assert mounted == sorted(mounted, key=order.index)
    assert mounted[-1] == "web"  # its "" prefix would otherwise shadow the apps after it


def test_api_routers_are_mounted_in_installed_apps_order():
    mounted = list(api_routers())
    prefixes = [prefix for prefix, _router in mounted]
    assert prefixes.index("/city/") < prefixes.index("/accounts/") < prefixes.index("/notifications/")
    assert prefixes.index("/notifications/") < prefixes.index("/documents/")
    assert all(isinstance(router, Router) for _prefix, router in mounted)


def test_demo_content_loads_lower_layers_first():
    loaders = list(demo_loaders())
    labels = [app.label for app, _loader in loaders]
    assert labels == sorted(labels, key=_installed_labels().index)
    assert labels[:2] == ["core", "accounts"]  # the city and its people before any service
    assert all(callable(loader) for _app, loader in loaders)


# --- payments ---------------------------------------------------------------------------------------


def test_payment_handlers_of_a_declared_purpose():
    app, purpose = next((app, p) for app in dasan_apps() for p in app.payment_purposes if p.paid)
    assert payment_handlers(purpose.purpose, "paid") == [app.resolve(purpose.paid)]
    assert payment_handlers("no.such.purpose", "paid") == []


def test_payment_handlers_of_a_registered_purpose():
    undo = register_payment_purpose(
        PaymentPurpose("sample.booking", paid=booking_paid, refunded="tests.core.test_appconfig.booking_refunded")
    )
    try:
        assert payment_handlers("sample.booking", "paid") == [booking_paid]
        assert payment_handlers("sample.booking", "refunded") == [booking_refunded]
        assert payment_handlers("sample.booking", "cancelled") == []
    finally:
        undo()
    assert payment_handlers("sample.booking", "paid") == []


# --- error codes and configs -----------------------------------------------------------------------


def test_error_enums_finds_each_apps_code():
    from dasan.accounts.errors import Code as AccountsCode
    from dasan.core.errors import CoreCode, ErrorCode
    from dasan.notify.errors import Code as NotifyCode

    enums = error_enums()
    assert enums["core"] is CoreCode
    assert enums["accounts"] is AccountsCode
    assert enums["notify"] is NotifyCode
    for label, enum in enums.items():
        assert issubclass(enum, ErrorCode)
        assert enum.__module__ == f"{apps.get_app_config(label).name}.errors"


def test_an_apps_dasan_config_is_the_one_django_uses():
    from dasan.notify.apps import NotifyConfig

    assert type(apps.get_app_config("notify")) is NotifyConfig
    for config in dasan_apps():
        assert type(config).__module__ == f"{config.name}.apps"
    # apps.py imports the base too: only the app's own subclass may be Django's default.
    assert DasanAppConfig.default is False
    assert SampleConfig.default is True


def test_an_unknown_layer_is_refused():
    with pytest.raises(ValueError):

        class Misplaced(DasanAppConfig):
            name = "tests.core"
            layer = "penthouse"
