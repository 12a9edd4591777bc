"""민원서류 사전발급: a resident asks for a document to be ready at an office at a chosen
time; staff prepare it (attach the national system's PDF), mark it ready (the resident is
told); on the pickup day the resident gets a priority ticket that the counter calls first;
staff record the collection with the kind of ID checked. Pages, services and the API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from fpdf import FPDF

from dasan.certificates import issuing, selectors, services
from dasan.certificates.demo import load_demo
from dasan.certificates.models import DocumentRequest, RequestStatus
from dasan.core.errors import Conflict, DasanError, NotFound
from dasan.notify.models import Message
from dasan.queueing import selectors as queue_selectors
from dasan.queueing import services as queueing
from dasan.queueing.models import TicketStatus

from ..queueing.conftest import at, counters, office, types, workday  # noqa: F401 - fixtures


def national_pdf() -> bytes:
    """What the national system would print: any real PDF."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="Resident registration copy (test)")
    return bytes(pdf.output())


@pytest.fixture
def catalogue(db, city):
    load_demo()


def nine_thirty(workday):
    return at(workday, "09:30")


def test_the_whole_journey_through_the_pages(catalogue, office, resident, clerk):
    me = Client()
    me.force_login(resident)
    index = me.get("/documents/").content.decode()
    assert "/documents/request/resident-copy/" in index and "준비 중입니다" not in index
    form = me.get("/documents/request/resident-copy/")
    assert form.status_code == 200 and "과거 주소 변동 사항 포함" in form.content.decode()
    first_day, times = form.context["slots"][0]
    pickup = times[0]
    response = me.post(
        "/documents/request/resident-copy/",
        {
            "office": office.code,
            "pickup_at": pickup.strftime("%Y-%m-%dT%H:%M"),
            "copies": "2",
            "options": ["past_addresses"],
            "purpose": "회사 제출용",
        },
    )
    req = DocumentRequest.objects.get()
    assert response["Location"] == f"/documents/requests/{req.pk}/"
    assert (req.copies, req.total_fee, req.options) == (2, 800, {"past_addresses": True, "household_reason": False})
    page = me.get(response["Location"]).content.decode()
    assert req.code in page and "800원" in page and "과거 주소 변동 사항 포함: 포함" in page
    told = Message.objects.get(template_key="certificates.requested")
    assert req.code in told.body and office.name in told.body

    desk = Client()
    desk.force_login(clerk)
    queue = desk.get("/staff/documents/", {"day": first_day.isoformat()}).content.decode()
    assert req.code in queue and "주민등록표 등본" in queue
    detail = desk.get(f"/staff/documents/requests/{req.pk}/").content.decode()
    assert "과거 주소 변동 사항 포함: <strong>포함" in detail
    desk.post(f"/staff/documents/requests/{req.pk}/preparing/")
    document = national_pdf()
    desk.post(
        f"/staff/documents/requests/{req.pk}/attach/",
        {"file": SimpleUploadedFile("copy.pdf", document, "application/pdf")},
    )
    printed = desk.get(f"/staff/documents/requests/{req.pk}/file.pdf")
    assert printed["Content-Type"] == "application/pdf" and printed.content == document
    desk.post(f"/staff/documents/requests/{req.pk}/ready/")
    req.refresh_from_db()
    assert req.status == RequestStatus.READY
    ready = Message.objects.get(template_key="certificates.ready")
    assert "준비되었습니다" in ready.body and "800원" in ready.body and "신분증" in ready.body
    assert "수령 대기" in me.get(f"/documents/requests/{req.pk}/").content.decode()
    assert me.post(f"/documents/requests/{req.pk}/cancel/").status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.READY  # too late to cancel once it is ready

    refused = desk.post(f"/staff/documents/requests/{req.pk}/collect/", {"fee_paid": "1"}, follow=True)
    assert "신분증을 확인하고" in refused.content.decode()
    desk.post(f"/staff/documents/requests/{req.pk}/collect/", {"id_kind": "driver_license", "fee_paid": "1"})
    req.refresh_from_db()
    assert req.status == RequestStatus.COLLECTED and req.id_kind == "driver_license" and req.id_checked_by == clerk
    assert req.fee_paid and req.file is None  # the national system's file is not kept after pickup
    assert desk.get(f"/staff/documents/requests/{req.pk}/file.pdf").status_code == 404


def test_a_request_is_checked_and_refused_with_a_reason(catalogue, office, resident, workday):
    now = nine_thirty(workday)
    earliest = selectors.earliest_pickup(selectors.get_type("family-relation"), now)
    assert earliest == at(workday, "11:30")  # 2 working hours

    def ask(**changes):
        values = {"office": office.code, "pickup_at": at(workday, "14:00"), "copies": 1, "now": now}
        values.update(changes)
        return services.request_document(changes.pop("doc", "family-relation"), actor=resident, **values)

    cases = [
        ({"pickup_at": at(workday, "11:00")}, "pickup_too_early"),
        ({"pickup_at": at(workday, "12:30")}, "invalid_pickup_time"),  # lunch
        ({"pickup_at": at(workday, "14:10")}, "invalid_pickup_time"),  # not a slot
        ({"pickup_at": "next tuesday"}, "invalid_pickup_time"),
        ({"copies": 6}, "invalid_copies"),
        ({"copies": "many"}, "invalid_copies"),
        ({"options": {"secret_field": True}}, "unknown_option"),
        ({"office": "nowhere"}, "unknown_office"),
    ]
    for change, code in cases:
        with pytest.raises(DasanError) as error:
            ask(**change)
        assert error.value.code == code, change
    with pytest.raises(DasanError) as error:
        services.request_document(
            "facility-use", actor=resident, office=office.code, pickup_at=at(workday, "14:00"), now=now
        )
    assert error.value.code == "issued_online"
    assert not DocumentRequest.objects.exists()
    ok = ask()
    assert ok.pickup_at == at(workday, "14:00") and ok.options == {"detailed": False}

    page = Client()
    page.force_login(resident)
    response = page.post("/documents/request/family-relation/", {"office": office.code, "pickup_at": "", "copies": "1"})
    assert response.status_code == 400 and "수령 일시를 선택해 주세요" in response.content.decode()


def test_ready_on_the_day_gives_a_priority_ticket_called_before_earlier_ones(
    catalogue, office, counters, types, resident, make_resident, clerk, workday
):
    now = nine_thirty(workday)
    req = services.request_document(
        "resident-abstract", actor=resident, office=office, pickup_at=at(workday, "11:00"), now=now
    )
    earlier = queueing.take_ticket(office, "seal", actor=make_resident(), now=at(workday, "10:00"))
    services.start_preparing(req, actor=clerk)
    services.attach_file(req, national_pdf(), actor=clerk)
    req = services.mark_ready(req, actor=clerk, now=at(workday, "10:30"))
    assert req.ticket_number.startswith("P")  # taken at once: the pickup is today
    assert f"우선 번호표 {req.ticket_number}번" in Message.objects.get(template_key="certificates.ready").body
    assert services.take_pickup_ticket(req, actor=resident, now=at(workday, "10:40")).ticket_number == req.ticket_number
    called = queueing.call_next(counters[1], actor=clerk, now=at(workday, "10:45"))
    assert called.reference == req.code and called.number == req.ticket_number
    assert queue_selectors.ticket_by_token(earlier.token).status == TicketStatus.WAITING


def test_ready_before_the_day_the_resident_takes_the_ticket_on_the_day(
    catalogue, office, counters, resident, clerk, workday
):
    from dasan.core import calendar

    next_day = calendar.next_business_day(workday)
    req = services.request_document(
        "resident-copy", actor=resident, office=office, pickup_at=at(next_day, "10:00"), now=nine_thirty(workday)
    )
    req = services.mark_ready(req, actor=clerk, now=at(workday, "11:00"))
    assert not req.ticket_number and not selectors.can_take_ticket(req, now=at(workday, "11:00"))
    with pytest.raises(DasanError) as error:
        services.take_pickup_ticket(req, actor=resident, now=at(workday, "11:00"))
    assert error.value.code == "not_pickup_day"
    req = services.take_pickup_ticket(req, actor=resident, now=at(next_day, "09:40"))
    assert req.ticket_number and req.ticket_url.startswith("/queue/")


def test_residents_see_only_their_own_and_cancel_only_before_ready(
    catalogue, office, resident, make_resident, clerk, workday
):
    now = nine_thirty(workday)
    mine = services.request_document(
        "resident-copy", actor=resident, office=office, pickup_at=at(workday, "14:00"), now=now
    )
    other = make_resident(name="이웃")
    with pytest.raises(NotFound):
        selectors.get_request(other, mine.pk)
    with pytest.raises(NotFound):
        services.cancel_request(mine, actor=other)
    stranger = Client()
    stranger.force_login(other)
    assert stranger.get(f"/documents/requests/{mine.pk}/").status_code == 404
    assert stranger.get(f"/staff/documents/requests/{mine.pk}/").status_code in (302, 403)
    services.cancel_request(mine, actor=resident)
    mine.refresh_from_db()
    assert mine.status == RequestStatus.CANCELLED

    second = services.request_document(
        "resident-copy", actor=resident, office=office, pickup_at=at(workday, "14:00"), now=now
    )
    services.mark_ready(second, actor=clerk, now=at(workday, "10:00"))
    with pytest.raises(Conflict):
        services.cancel_request(second, actor=resident)
    with pytest.raises(DasanError) as error:
        services.cancel_request(second, actor=clerk)
    assert error.value.code == "reason_required"
    services.cancel_request(second, actor=clerk, reason="발급 대상이 아닙니다")
    told = Message.objects.get(template_key="certificates.cancelled")
    assert "발급 대상이 아닙니다" in told.body


def test_documents_without_identity_check_and_uncollected_ones_expire(catalogue, office, resident, clerk, workday):
    now = nine_thirty(workday)
    land = services.request_document(
        "land-register", actor=resident, office=office, pickup_at=at(workday, "14:00"), now=now, purpose="다산동 123-4"
    )
    services.mark_ready(land, actor=clerk, now=at(workday, "10:00"))
    land = services.record_collection(land, actor=clerk, id_kind="", fee_paid=True)
    assert land.status == RequestStatus.COLLECTED and land.id_checked_by is None

    forgotten = services.request_document(
        "resident-copy", actor=resident, office=office, pickup_at=at(workday, "14:00"), now=now
    )
    services.attach_file(forgotten, national_pdf(), actor=clerk)
    services.mark_ready(forgotten, actor=clerk, now=at(workday, "10:00"))
    assert services.expire_uncollected(now=at(workday + dt.timedelta(days=3), "10:00")) == 0
    assert services.expire_uncollected(now=at(workday + dt.timedelta(days=9), "10:00")) == 1
    forgotten.refresh_from_db()
    assert forgotten.status == RequestStatus.EXPIRED and forgotten.file is None
    assert Message.objects.filter(template_key="certificates.expired").count() == 1


def test_staff_attach_only_real_pdfs_within_the_size_limit(catalogue, office, resident, clerk, workday, settings):
    req = services.request_document(
        "resident-copy", actor=resident, office=office, pickup_at=at(workday, "14:00"), now=nine_thirty(workday)
    )
    for data, code in [(b"hello", "not_pdf"), (b"%PDF-1.7\nnot really", "not_pdf")]:
        with pytest.raises(DasanError) as error:
            services.attach_file(req, data, actor=clerk)
        assert error.value.code == code
    settings.DASAN = {**settings.DASAN, "CERTIFICATES_PDF_MAX_BYTES": 500}
    with pytest.raises(DasanError) as error:
        services.attach_file(req, national_pdf(), actor=clerk)
    assert error.value.code == "file_too_large"
    desk = Client()
    desk.force_login(clerk)
    page = desk.post(
        f"/staff/documents/requests/{req.pk}/attach/",
        {"file": SimpleUploadedFile("x.pdf", b"GIF89a", "application/pdf")},
        follow=True,
    )
    assert "PDF 파일만 올릴 수 있습니다" in page.content.decode()
    req.refresh_from_db()
    assert req.file is None and req.status == RequestStatus.REQUESTED


def test_the_api_requests_replays_and_verifies(catalogue, office, resident, client):
    types_ = client.get("/api/v1/documents/types").json()
    copy = next(t for t in types_ if t["code"] == "resident-copy")
    assert copy["fee"] == 400 and copy["identity_check"] and copy["options"][0]["key"] == "past_addresses"
    days = client.get("/api/v1/documents/types/resident-copy/pickup-times").json()
    pickup = days[0]["times"][0]
    assert client.get("/api/v1/documents/types/no-such/pickup-times").status_code == 404

    body = {
        "document_type": "resident-copy",
        "office": office.code,
        "pickup_at": pickup,
        "copies": 1,
        "options": {"past_addresses": True},
    }
    assert client.post("/api/v1/documents/requests", body, content_type="application/json").status_code == 401
    client.force_login(resident)
    first = client.post(
        "/api/v1/documents/requests", body, content_type="application/json", headers={"Idempotency-Key": "req-1"}
    )
    again = client.post(
        "/api/v1/documents/requests", body, content_type="application/json", headers={"Idempotency-Key": "req-1"}
    )
    assert first.status_code == 201 and again.status_code == 200 and again.json()["code"] == first.json()["code"]
    assert DocumentRequest.objects.count() == 1
    bad = client.post("/api/v1/documents/requests", {**body, "copies": 9}, content_type="application/json")
    assert bad.status_code == 400 and "부수는 1에서 5 사이" in bad.json()["error"]["message"]
    mine = client.get("/api/v1/documents/requests").json()
    assert [r["code"] for r in mine] == [first.json()["code"]] and mine[0]["fee_total"] == 400
    cancelled = client.post(f"/api/v1/documents/requests/{mine[0]['id']}/cancel").json()
    assert cancelled["status"] == "cancelled" and not cancelled["cancellable"]
    unknown = Client().get("/api/v1/documents/verify", {"number": "1234-5678-9012-3456"}).json()
    assert unknown["state"] == "not_found" and not unknown["genuine"]


def test_a_verification_by_number_in_the_api(signing, used_booking, resident, client):
    load_demo()
    doc = issuing.issue_facility_use(used_booking, actor=resident)
    answer = client.get("/api/v1/documents/verify", {"number": doc.display_number}).json()
    assert answer["genuine"] and answer["number"] == doc.display_number and answer["holder"] == "김*민"
    assert resident.name not in str(answer)
