"""Back office: categories with their period, complaints read-only (opening one is
audited, nothing is deleted), the two actions going through the services, and
routing models read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dasan.accounts.models import Role
from dasan.complaints import intake, services
from dasan.complaints.models import Category, Complaint, EventKind, RoutingModel, Status
from dasan.core.models import AuditEvent


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin_user(make_staff, departments):
    return make_staff("city-admin", department=departments["root"], role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _complaint(categories, resident, **extra):
    values = dict(
        title="쓰레기 무단투기",
        description="골목에 쓰레기봉투가 쌓여 있습니다.",
        channel="web",
        category=categories["waste"],
        resident=resident,
        latitude="37.5",
        longitude="127.0",
    )
    values.update(extra)
    return intake.file_complaint(**values)


@pytest.mark.django_db
def test_category_list_shows_department_and_period(admin_client, categories):
    html = admin_client.get(reverse("admin:complaints_category_changelist")).content.decode()
    assert "불법주정차 신고" in html and "교통행정과" in html
    assert "7일" in html  # the parking category's own period
    assert "(기본)" in html  # others follow the law's default for their kind


@pytest.mark.django_db
def test_adding_a_category_is_audited(admin_client, departments):
    response = admin_client.post(
        reverse("admin:complaints_category_add"),
        {
            "code": "streetlight",
            "name": "가로등 고장",
            "description": "",
            "group": "안전",
            "order": 30,
            "is_active": "on",
            "kind": "grievance",
            "form": "general",
            "department": departments["roads"].pk,
            "period_value": "",
            "period_unit": "",
            "keywords": "가로등,고장,불빛",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    category = Category.objects.get(code="streetlight")
    assert category.keywords == "가로등,고장,불빛"
    assert AuditEvent.objects.filter(action="complaints.category.create", target_id=str(category.pk)).exists()


@pytest.mark.django_db
def test_complaint_page_is_read_only_and_its_opening_audited(admin_client, admin_user, categories, resident):
    complaint = _complaint(categories, resident, contact_phone="010-9876-5432")
    response = admin_client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert complaint.number in html and "골목에 쓰레기봉투가" in html
    assert "01098765432" not in html and "5432" in html  # contact shown masked
    assert 'name="_save"' not in html  # nothing to save
    event = AuditEvent.objects.get(action="personal_record.read")
    assert event.actor == admin_user and event.target_id == str(complaint.pk)


@pytest.mark.django_db
def test_complaints_cannot_be_added_or_deleted_in_the_admin(admin_client, categories, resident):
    complaint = _complaint(categories, resident)
    assert admin_client.get(reverse("admin:complaints_complaint_add")).status_code == 403
    response = admin_client.post(reverse("admin:complaints_complaint_delete", args=[complaint.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Complaint.objects.filter(pk=complaint.pk).exists()
    changelist = admin_client.get(reverse("admin:complaints_complaint_changelist")).content.decode()
    assert "delete_selected" not in changelist


@pytest.mark.django_db
def test_department_staff_see_only_their_department_in_the_admin(client, make_staff, departments, categories, resident):
    from django.contrib.auth.models import Permission

    waste = _complaint(categories, resident)
    roads = _complaint(categories, resident, category=categories["pothole"], latitude="36.0", longitude="128.0")
    officer = make_staff("roads-officer", department=departments["roads"], is_staff=True)
    officer.user_permissions.add(Permission.objects.get(codename="view_complaint"))
    client.force_login(officer)
    html = client.get(reverse("admin:complaints_complaint_changelist")).content.decode()
    assert roads.number in html and waste.number not in html


@pytest.mark.django_db
def test_close_action_closes_answered_complaints_through_the_service(admin_client, admin_user, categories, resident):
    answered = _complaint(categories, resident)
    services.answer(answered, actor=admin_user, text="처리했습니다. 감사합니다.")
    still_open = _complaint(categories, resident, latitude="36.5", longitude="127.5")
    response = admin_client.post(
        reverse("admin:complaints_complaint_changelist"),
        {
            "action": "close_selected",
            "_selected_action": [answered.pk, still_open.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    answered.refresh_from_db()
    still_open.refresh_from_db()
    assert answered.status == Status.CLOSED and still_open.status == Status.RECEIVED
    assert answered.events.filter(kind=EventKind.STATUS, to_status=Status.CLOSED, actor=admin_user).exists()
    text = response.content.decode()
    assert "1건을 종결했습니다" in text and "1건은 그대로 두었습니다" in text


@pytest.mark.django_db
def test_reassign_action_asks_for_department_and_reason(admin_client, categories, resident, departments):
    complaint = _complaint(categories, resident)
    url = reverse("admin:complaints_complaint_changelist")
    page = admin_client.post(url, {"action": "reassign_selected", "_selected_action": [complaint.pk]})
    assert page.status_code == 200 and "옮길 부서" in page.content.decode()
    # Without a reason the service refuses and the page says why.
    page = admin_client.post(
        url,
        {
            "action": "reassign_selected",
            "_selected_action": [complaint.pk],
            "apply": "1",
            "department": departments["roads"].pk,
            "reason": " ",
        },
    )
    assert page.status_code == 200
    complaint.refresh_from_db()
    assert complaint.department == departments["waste"]
    response = admin_client.post(
        url,
        {
            "action": "reassign_selected",
            "_selected_action": [complaint.pk],
            "apply": "1",
            "department": departments["roads"].pk,
            "reason": "도로과 소관입니다",
        },
        follow=True,
    )
    complaint.refresh_from_db()
    assert complaint.department == departments["roads"]
    event = complaint.events.get(kind=EventKind.REASSIGNED)
    assert event.reason == "도로과 소관입니다" and event.from_department == departments["waste"]
    assert "1건을 도로과(으)로 옮겼습니다" in response.content.decode()


@pytest.mark.django_db
def test_parking_report_shows_whether_its_hash_still_holds(admin_client, categories, resident):
    from .test_parking import _report

    complaint = _report(resident)
    html = admin_client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])).content.decode()
    assert complaint.parking.content_hash in html
    assert "icon-yes.svg" in html


@pytest.mark.django_db
def test_routing_models_are_read_only(admin_client):
    model = RoutingModel.objects.create(
        algorithm="nb-tfidf", samples=120, labels=8, metrics={"accuracy": 0.91}, blob=b"\x00"
    )
    html = admin_client.get(reverse("admin:complaints_routingmodel_changelist")).content.decode()
    assert "nb-tfidf" in html and "0.910" in html
    assert admin_client.get(reverse("admin:complaints_routingmodel_add")).status_code == 403
    response = admin_client.post(reverse("admin:complaints_routingmodel_delete", args=[model.pk]), {"post": "yes"})
    assert response.status_code == 403
