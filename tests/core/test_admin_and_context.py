"""Admin: single city profile, read-only audit log, admin changes audited;
the template context processor."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from dasan.core.context_processors import municipality
from dasan.core.models import AuditEvent, Department, Municipality, TemporaryHoliday


@pytest.fixture
def admin_client(client, db):
    from dasan.accounts.models import User

    user = User.objects.create_superuser("cityadmin", password="correct-horse-battery-9", name="관리자")
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.django_db
def test_municipality_add_only_when_none(admin_client):
    assert admin_client.get("/admin/core/municipality/add/").status_code == 200
    Municipality.objects.create(name="테스트시", region_code="99999")
    assert admin_client.get("/admin/core/municipality/add/").status_code == 403


@pytest.mark.django_db
def test_municipality_change_is_audited(admin_client, city):
    response = admin_client.post(
        f"/admin/core/municipality/{city.pk}/change/",
        {
            "name": "테스트시",
            "name_en": "Test City",
            "region_code": "99999",
            "time_zone": "Asia/Seoul",
            "phone": "02-123-4567",
            "email": "",
            "address": "",
            "website": "",
            "work_start": "09:00",
            "work_end": "18:00",
            "lunch_start": "12:00",
            "lunch_end": "13:00",
        },
        REMOTE_ADDR="203.0.113.5",
    )
    assert response.status_code == 302, response.content[:500]
    event = AuditEvent.objects.get(action="core.municipality.change")
    assert event.actor == admin_client.user
    assert event.target_id == str(city.pk)
    assert event.data["changed"] == ["phone"]
    assert event.ip == "203.0.113.5"


@pytest.mark.django_db
def test_department_and_holiday_create_delete_audited(admin_client, departments):
    response = admin_client.post(
        "/admin/core/department/add/",
        {
            "code": "1300",
            "name": "복지과",
            "phone": "",
            "email": "",
            "parent": departments["root"].pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="core.department.create", target_label="복지과").exists()
    response = admin_client.post(
        "/admin/core/temporaryholiday/add/", {"date": "2025-11-12", "name": "시민의 날", "reason": "조례"}
    )
    assert response.status_code == 302
    holiday = TemporaryHoliday.objects.get()
    response = admin_client.post(f"/admin/core/temporaryholiday/{holiday.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="core.temporaryholiday.delete", target_id=str(holiday.pk)).exists()


@pytest.mark.django_db
def test_department_search(admin_client, departments):
    response = admin_client.get("/admin/core/department/", {"q": "청소"})
    assert response.status_code == 200
    assert "청소행정과" in response.content.decode()


@pytest.mark.django_db
def test_audit_admin_is_read_only(admin_client):
    from dasan.core import audit

    event = audit.record("core.test", reason="확인")
    assert admin_client.get("/admin/core/auditevent/").status_code == 200
    assert admin_client.get("/admin/core/auditevent/", {"q": "core.test", "action": "core.test"}).status_code == 200
    assert admin_client.get("/admin/core/auditevent/add/").status_code == 403
    assert admin_client.get(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    # The change page is a read-only view.
    page = admin_client.get(f"/admin/core/auditevent/{event.pk}/change/")
    assert page.status_code == 200
    assert admin_client.post(f"/admin/core/auditevent/{event.pk}/change/", {"reason": "변조"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).reason == "확인"


@pytest.mark.django_db
def test_context_processor_is_lazy_and_cached(city, django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        context = municipality(request)
    with django_assert_num_queries(1):
        assert context["municipality"].name == "테스트시"
        assert municipality(request)["municipality"].name == "테스트시"


@pytest.mark.django_db
def test_context_processor_without_city():
    context = municipality(RequestFactory().get("/"))
    assert not context["municipality"]


@pytest.mark.django_db
def test_department_str_unchanged(departments):
    assert str(Department.objects.get(code="1100")) == "청소행정과"
