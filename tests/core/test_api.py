"""Public city API at /api/v1/city/ (mounted by dasan/api.py)."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_profile(client, city):
    response = client.get("/api/v1/city/profile")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "테스트시" and body["region_code"] == "99999" and body["phone"] == "02-000-0000"
    assert body["working_hours"] == {
        "start": "09:00",
        "end": "18:00",
        "lunch_start": "12:00",
        "lunch_end": "13:00",
        "hours_per_day": 8.0,
    }


@pytest.mark.django_db
def test_profile_before_setup(client):
    response = client.get("/api/v1/city/profile")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "city_not_configured"


@pytest.mark.django_db
def test_departments(client, departments):
    departments["roads"].is_active = False
    departments["roads"].save()
    response = client.get("/api/v1/city/departments")
    assert response.status_code == 200
    assert response.json() == [
        {"code": "1000", "name": "시청", "phone": "", "parent_code": None},
        {"code": "1100", "name": "청소행정과", "phone": "02-100-1100", "parent_code": "1000"},
    ]


@pytest.mark.django_db
def test_calendar_chuseok_2025(client):
    response = client.get("/api/v1/city/calendar", {"start": "2025-10-02", "end": "2025-10-10"})
    assert response.status_code == 200
    days = {d["date"]: d for d in response.json()}
    assert len(days) == 9
    assert days["2025-10-02"] == {"date": "2025-10-02", "business_day": True, "holiday": None}
    assert days["2025-10-04"] == {"date": "2025-10-04", "business_day": False, "holiday": None}  # Saturday
    assert days["2025-10-06"]["holiday"] == "추석" and not days["2025-10-06"]["business_day"]
    assert "대체" in days["2025-10-08"]["holiday"]
    assert days["2025-10-10"]["business_day"]


@pytest.mark.django_db
def test_calendar_includes_city_holidays(client):
    from dasan.core.models import TemporaryHoliday

    TemporaryHoliday.objects.create(date="2025-11-12", name="시민의 날")
    body = client.get("/api/v1/city/calendar", {"start": "2025-11-12", "end": "2025-11-12"}).json()
    assert body == [{"date": "2025-11-12", "business_day": False, "holiday": "시민의 날"}]


@pytest.mark.django_db
def test_calendar_default_range_is_31_days(client):
    assert len(client.get("/api/v1/city/calendar").json()) == 31


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"start": "2025-13-01"},
        {"start": "yesterday"},
        {"start": "2025-10-10", "end": "2025-10-01"},
        {"start": "2025-01-01", "end": "2026-01-02"},  # 367 days
    ],
)
def test_calendar_bad_ranges(client, params):
    response = client.get("/api/v1/city/calendar", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_date_range"
    assert error["message"]


@pytest.mark.django_db
def test_calendar_366_days_is_allowed(client):
    assert len(client.get("/api/v1/city/calendar", {"start": "2024-01-01", "end": "2024-12-31"}).json()) == 366


@pytest.mark.django_db
def test_calendar_error_in_english(client):
    response = client.get(
        "/api/v1/city/calendar", {"start": "2025-10-10", "end": "2025-10-01"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["error"]["message"] == "The end date cannot be before the start date."


def test_every_api_schema_name_is_one_class():
    """The OpenAPI document names schemas by class name: two apps' ``SummaryOut`` would
    silently become one, and a client would read one app's fields in the other's answer."""
    from ninja import Schema

    import dasan.api  # noqa: F401 - mounts every app's router, importing its schemas

    seen: dict[str, set[str]] = {}
    stack = list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("dasan."):
            seen.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: mods for name, mods in seen.items() if len(mods) > 1} == {}
