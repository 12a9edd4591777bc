"""Who handles residents' documents (issue 15, item 3): city-wide staff and staff holding
``certificates.view_documentrequest`` (requests) or ``certificates.view_issueddocument``
(city-issued documents). Any other officer sees an empty queue and list and gets the same
404 as for no such request or document; with the permission, the same officer can work."""

from __future__ import annotations

import pytest
from django.test import Client

from dasan.accounts.models import Role
from dasan.certificates import issuing, selectors, services
from dasan.certificates.demo import load_demo
from dasan.certificates.models import DocumentStatus, RequestStatus
from dasan.core.errors import NotFound

from ..queueing.conftest import at, office, types, workday  # noqa: F401 - fixtures
from .conftest import grant


@pytest.fixture
def request_today(db, city, office, resident, workday):
    load_demo()
    return services.request_document(
        "resident-copy", actor=resident, office=office, pickup_at=at(workday, "14:00"), now=at(workday, "09:30")
    )


def test_an_officer_without_the_permission_sees_no_request(request_today, make_staff, departments):
    officer = make_staff("cleaner", department=departments["waste"])
    desk = Client()
    desk.force_login(officer)
    base = f"/staff/documents/requests/{request_today.pk}/"
    queue = desk.get("/staff/documents/", {"all": "1"})
    assert queue.status_code == 200 and request_today.code not in queue.content.decode()
    assert "/staff/documents/" not in desk.get("/staff/").content.decode()  # no menu entry either
    assert desk.get(base).status_code == 404
    assert desk.post(base + "preparing/").status_code == 404
    assert desk.post(base + "cancel/", {"reason": "x"}).status_code == 404
    with pytest.raises(NotFound) as caught:
        services.start_preparing(request_today, actor=officer)
    assert caught.value.code == "request_not_found"
    with pytest.raises(NotFound):
        services.cancel_request(request_today, actor=officer, reason="x")
    assert not selectors.queue(officer).exists()
    request_today.refresh_from_db()
    assert request_today.status == RequestStatus.REQUESTED


@pytest.mark.parametrize("who", ["granted", "city_admin"])
def test_an_officer_who_handles_requests_works_on_them(request_today, make_staff, departments, who):
    if who == "granted":
        officer = grant(make_staff("clerk", department=departments["waste"]), "view_documentrequest")
    else:
        officer = make_staff("admin1", department=departments["waste"], role=Role.ADMIN)
    desk = Client()
    desk.force_login(officer)
    assert request_today.code in desk.get("/staff/documents/", {"all": "1"}).content.decode()
    base = f"/staff/documents/requests/{request_today.pk}/"
    assert desk.get(base).status_code == 200
    desk.post(base + "preparing/")
    request_today.refresh_from_db()
    assert request_today.status == RequestStatus.PREPARING


def test_issued_documents_need_their_own_permission(signing, used_booking, resident, make_staff, departments):
    doc = issuing.issue_facility_use(used_booking, actor=resident)
    # Handling requests is not handling issued documents.
    officer = grant(make_staff("clerk", department=departments["waste"]), "view_documentrequest")
    desk = Client()
    desk.force_login(officer)
    assert doc.display_number not in desk.get("/staff/documents/issued/").content.decode()
    assert desk.get(f"/staff/documents/issued/{doc.pk}/document.pdf").status_code == 404
    assert desk.get(f"/documents/d/{doc.pk}/").status_code == 404
    assert desk.post(f"/staff/documents/issued/{doc.pk}/revoke/", {"reason": "x"}).status_code == 404
    with pytest.raises(NotFound):
        issuing.revoke(doc, actor=officer, reason="x")
    with pytest.raises(NotFound) as caught:  # nor issue one for someone else's booking
        issuing.issue_facility_use(used_booking.pk, actor=officer)
    assert caught.value.code == "source_not_found"
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.VALID

    officer = grant(officer, "view_issueddocument")
    desk.force_login(officer)
    assert doc.display_number in desk.get("/staff/documents/issued/").content.decode()
    assert desk.get(f"/staff/documents/issued/{doc.pk}/document.pdf").status_code == 200
    desk.post(f"/staff/documents/issued/{doc.pk}/revoke/", {"reason": "잘못 발급"})
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.REVOKED


def test_the_demo_has_the_clerks_group_to_put_staff_in(db, city, make_staff, departments):
    from django.contrib.auth.models import Group

    load_demo()
    load_demo()  # again: nothing changes
    officer = make_staff("clerk", department=departments["waste"])
    officer.groups.add(Group.objects.get(name="민원 서류 담당"))
    officer = type(officer).objects.get(pk=officer.pk)
    assert selectors.handles_requests(officer) and selectors.handles_documents(officer)
