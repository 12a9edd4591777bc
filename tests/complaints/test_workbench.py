"""The staff workbench for complaints (/staff/complaints/): what officers and managers
see and do, through the pages, with the real services underneath."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dasan.accounts.models import Role
from dasan.complaints import intake
from dasan.complaints.models import AnswerTemplate, Complaint, ComplaintEvent, EventKind, Status
from dasan.core.models import AuditEvent

from ..web.html_checks import accessibility_problems

QUEUE = "/staff/complaints/"


@pytest.fixture
def officer(make_staff, departments):
    return make_staff("waste-officer", department=departments["waste"])


@pytest.fixture
def staff_client(client, officer):
    client.force_login(officer)
    return client


def _file(category, resident=None, *, title="골목 쓰레기 무단투기", **extra):
    extra.setdefault("description", "매일 밤 같은 자리에 쓰레기가 쌓입니다.")
    extra.setdefault("address", "서울특별시 중구 세종대로 110")
    return intake.file_complaint(title=title, channel="web", category=category, resident=resident, **extra)


def _item(html: str, title: str) -> str:
    """The queue's list item that holds ``title``."""
    for chunk in re.findall(r'<li class="cw-item.*?</li>', html, flags=re.S):
        if title in chunk:
            return chunk
    raise AssertionError(f"{title!r} is not in the queue")


def test_officer_sees_only_their_departments_queue(staff_client, categories, resident):
    _file(categories["waste"], resident, title="분리수거장 악취")
    _file(categories["pothole"], resident, title="인도 보도블록 파손")

    response = staff_client.get(QUEUE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "분리수거장 악취" in html
    assert "인도 보도블록 파손" not in html
    assert "민원 1건" in html
    assert accessibility_problems(html) == []


def test_overdue_complaint_is_marked_and_filtered(staff_client, categories, resident):
    _file(categories["waste"], resident, title="한 달 묵은 민원", received_at=timezone.now() - timedelta(days=30))
    _file(categories["waste"], resident, title="오늘 들어온 민원")

    html = staff_client.get(QUEUE).content.decode()

    old = _item(html, "한 달 묵은 민원")
    assert "cw-item--overdue" in old and "기한 지남" in old
    assert "기한 지남" not in _item(html, "오늘 들어온 민원")
    assert "기한 지남 1" in html  # the count at the top

    only_overdue = staff_client.get(QUEUE, {"sla": "overdue"}).content.decode()
    assert "한 달 묵은 민원" in only_overdue and "오늘 들어온 민원" not in only_overdue


def test_search_by_number_finds_one_complaint(staff_client, categories, resident):
    wanted = _file(categories["waste"], resident, title="찾는 민원")
    _file(categories["waste"], resident, title="다른 민원")

    html = staff_client.get(QUEUE, {"q": wanted.number}).content.decode()

    assert "찾는 민원" in html and "다른 민원" not in html


def _as(user) -> Client:
    other = Client()
    other.force_login(user)
    return other


def test_answer_from_a_template_reaches_the_resident(staff_client, officer, categories, resident, departments):
    complaint = _file(categories["waste"], resident)
    template = AnswerTemplate.objects.create(
        department=departments["waste"], title="수거 완료", body="말씀하신 곳의 쓰레기를 오늘 수거했습니다. 감사합니다."
    )
    AnswerTemplate.objects.create(department=departments["roads"], title="도로과 서식", body="도로과 전용")
    detail_url = reverse("complaints_staff:detail", args=[complaint.number])

    page = staff_client.get(detail_url, {"template": template.pk}).content.decode()
    # The template fills the editor without JavaScript; another department's is not offered.
    assert re.search(r'<textarea[^>]*name="answer"[^>]*>말씀하신 곳의 쓰레기를 오늘 수거했습니다', page)
    assert "도로과 서식" not in page

    response = staff_client.post(
        reverse("complaints_staff:act", args=[complaint.number, "answer"]), {"answer": template.body}
    )
    assert response.status_code == 302 and response["Location"] == detail_url

    complaint.refresh_from_db()
    assert complaint.status == Status.ANSWERED
    assert complaint.answer == template.body
    assert complaint.answered_by == officer

    from dasan.notify.models import Message

    assert Message.objects.filter(template_key="complaints.answered", recipient=resident).exists()

    mine = _as(resident).get(reverse("complaints:detail", args=[complaint.number])).content.decode()
    assert "답변 완료" in mine and template.body in mine


def test_an_empty_answer_is_a_form_error_not_a_crash(staff_client, categories, resident):
    complaint = _file(categories["waste"], resident)

    response = staff_client.post(reverse("complaints_staff:act", args=[complaint.number, "answer"]), {"answer": "  "})

    assert 400 <= response.status_code < 500
    assert 'role="alert"' in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status != Status.ANSWERED


def test_bulk_reassign_moves_complaints_and_records_it(staff_client, categories, resident, departments):
    first = _file(categories["waste"], resident, title="도로 쪽 민원 하나")
    second = _file(categories["waste"], resident, title="도로 쪽 민원 둘")
    stays = _file(categories["waste"], resident, title="남는 민원")

    response = staff_client.post(
        reverse("complaints_staff:bulk_reassign"),
        {
            "numbers": [first.number, second.number],
            "department": departments["roads"].pk,
            "reason": "도로 파손 건이라 도로과 소관",
            "next": QUEUE,
        },
    )

    assert response.status_code == 302 and response["Location"] == QUEUE
    assert set(Complaint.objects.filter(department=departments["roads"]).values_list("number", flat=True)) == {
        first.number,
        second.number,
    }
    stays.refresh_from_db()
    assert stays.department == departments["waste"]
    events = ComplaintEvent.objects.filter(kind=EventKind.REASSIGNED, to_department=departments["roads"])
    assert {e.complaint.number for e in events} == {first.number, second.number}
    assert all(e.reason == "도로 파손 건이라 도로과 소관" for e in events)

    html = staff_client.get(QUEUE).content.decode()
    assert "민원 2건을 도로과(으)로 옮겼습니다." in html
    assert "도로 쪽 민원 하나" not in html and "남는 민원" in html  # out of this officer's queue now


def test_bulk_reassign_without_a_department_keeps_the_ticks(staff_client, categories, resident):
    complaint = _file(categories["waste"], resident)

    response = staff_client.post(
        reverse("complaints_staff:bulk_reassign"), {"numbers": [complaint.number], "reason": "소관 아님", "next": QUEUE}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "옮길 부서를 고르세요." in html
    assert re.search(rf'value="{complaint.number}" id="pick-{complaint.number}" checked', html)


def test_another_departments_complaint_is_not_found(staff_client, categories, resident):
    roads = _file(categories["pothole"], resident, title="도로과 민원")

    assert staff_client.get(reverse("complaints_staff:detail", args=[roads.number])).status_code == 404
    response = staff_client.post(reverse("complaints_staff:act", args=[roads.number, "note"]), {"note": "엿보기"})
    assert response.status_code == 404
    assert not ComplaintEvent.objects.filter(kind=EventKind.NOTE).exists()


def test_residents_and_visitors_get_no_access(client, categories, resident):
    complaint = _file(categories["waste"], resident)
    pages = [
        QUEUE,
        reverse("complaints_staff:detail", args=[complaint.number]),
        reverse("complaints_staff:counter"),
        reverse("complaints_staff:triage"),
    ]

    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/staff/login/?next=")

    client.force_login(resident)
    for url in pages:
        assert client.get(url).status_code == 403
    response = client.post(
        reverse("complaints_staff:act", args=[complaint.number, "answer"]), {"answer": "스스로 답변"}
    )
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.answer == ""


def test_a_note_is_for_staff_only(staff_client, categories, resident):
    complaint = _file(categories["waste"], resident)
    note = "신청인이 예전에도 같은 곳을 신고함, 현장 사진 확인 필요"

    response = staff_client.post(reverse("complaints_staff:act", args=[complaint.number, "note"]), {"note": note})

    assert response.status_code == 302
    assert note in staff_client.get(response["Location"]).content.decode()
    resident_page = _as(resident).get(reverse("complaints:detail", args=[complaint.number]))
    assert resident_page.status_code == 200
    assert note not in resident_page.content.decode()


def test_contact_is_masked_until_revealed_with_a_reason(staff_client, officer, categories, resident):
    complaint = _file(categories["waste"], resident)
    detail_url = reverse("complaints_staff:detail", args=[complaint.number])
    reveal_url = reverse("complaints_staff:act", args=[complaint.number, "reveal"])

    html = staff_client.get(detail_url).content.decode()
    assert "010-****-5678" in html and "01012345678" not in html
    assert "세종대로 110" not in html
    assert "김*민" in html and "김주민" not in html  # not in the contact, nor as the history's actor
    assert accessibility_problems(html) == []

    response = staff_client.post(reveal_url, {"reveal_reason": ""})
    assert response.status_code == 400 and "01012345678" not in response.content.decode()

    staff_client.post(reveal_url, {"reveal_reason": "현장 위치 확인 전화"})
    read = AuditEvent.objects.filter(
        action="personal_record.read", actor=officer, reason__contains="현장 위치 확인 전화"
    )
    assert read.count() == 1
    revealed = staff_client.get(detail_url).content.decode()
    assert "01012345678" in revealed and "세종대로 110" in revealed
    assert "01012345678" not in staff_client.get(detail_url).content.decode()  # shown once


def test_counter_files_a_complaint_for_a_walk_in_resident(staff_client, officer, categories):
    page = staff_client.get(reverse("complaints_staff:counter")).content.decode()
    assert accessibility_problems(page) == []
    nonce = re.search(r'name="nonce" value="([0-9a-f]+)"', page).group(1)
    form = {
        "nonce": nonce,
        "category": categories["waste"].pk,
        "title": "공원 입구 쓰레기",
        "description": "공원 입구에 쓰레기 봉투가 쌓여 있다고 방문하여 말씀하심",
        "address": "시민공원 정문",
        "contact_name": "박방문",
        "contact_phone": "010-2222-3333",
        "contact_preference": "sms",
        "language": "ko",
    }

    response = staff_client.post(reverse("complaints_staff:counter"), form)
    assert response.status_code == 302
    staff_client.post(reverse("complaints_staff:counter"), form)  # a double click

    complaint = Complaint.objects.get()
    assert complaint.channel == "counter"
    assert complaint.filed_by == officer
    assert complaint.resident is None
    assert complaint.contact_name == "박방문"
    assert complaint.department == categories["waste"].department
    html = staff_client.get(response["Location"]).content.decode()
    assert f"접수번호 {complaint.number}" in html


def test_counter_form_errors_are_shown(staff_client, categories):
    response = staff_client.post(reverse("complaints_staff:counter"), {"title": "", "description": ""})

    assert response.status_code == 400
    assert "errorlist" in response.content.decode()

    # A rule the service enforces comes back on the form too, with what was typed kept.
    response = staff_client.post(
        reverse("complaints_staff:counter"),
        {
            "title": "가로등 고장",
            "description": "집 앞 가로등이 사흘째 꺼져 있습니다",
            "contact_name": "최방문",
            "contact_preference": "sms",
            "language": "ko",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "휴대전화 번호가 필요합니다" in html and 'value="가로등 고장"' in html
    assert not Complaint.objects.exists()


def test_triage_shows_the_suggestion_and_managers_route(staff_client, make_staff, categories, departments):
    unrouted = intake.file_complaint(
        title="어디 소관인지 모를 민원",
        description="알 수 없는 내용입니다",
        channel="web",
        contact_phone="01055556666",
    )
    Complaint.objects.filter(pk=unrouted.pk).update(
        department=None, suggested_category=categories["pothole"], suggestion_confidence=0.42
    )

    assert staff_client.get(reverse("complaints_staff:triage")).status_code == 403  # officers do not route

    client = _as(make_staff("manager", department=departments["root"], role=Role.MANAGER))
    html = client.get(reverse("complaints_staff:triage")).content.decode()
    assert "어디 소관인지 모를 민원" in html
    assert "도로 파손" in html and "42%" in html
    assert accessibility_problems(html) == []

    response = client.post(
        reverse("complaints_staff:act", args=[unrouted.number, "assign"]),
        {"department": departments["roads"].pk, "next": reverse("complaints_staff:triage")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("complaints_staff:triage")
    unrouted.refresh_from_db()
    assert unrouted.department == departments["roads"]
    assert "어디 소관인지 모를 민원" not in client.get(reverse("complaints_staff:triage")).content.decode()


def test_photos_link_to_the_photo_page(staff_client, categories, resident, settings, tmp_path):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    upload = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(upload, "JPEG")
    upload.seek(0)
    upload.name = "현장.jpg"
    complaint = _file(categories["waste"], resident, photos=[upload])
    photo = complaint.photos.get()

    html = staff_client.get(reverse("complaints_staff:detail", args=[complaint.number])).content.decode()

    assert f'href="{reverse("complaints:photo", args=[photo.pk])}"' in html
