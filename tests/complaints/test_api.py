"""The complaints API (/api/v1/complaints/): categories, filing with an Idempotency-Key,
one's own complaints, rating and withdrawing; every error in the envelope."""

from __future__ import annotations

import base64
import json

import pytest

from dasan.complaints import intake, services
from dasan.complaints.models import Channel, Complaint, Status

from .test_resident_pages import jpeg_bytes

API = "/api/v1/complaints/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api_client(client, resident):
    client.force_login(resident)
    return client


def _post(client, path, body, **headers):
    return client.post(path, data=json.dumps(body), content_type="application/json", **headers)


def _complaint_body(**extra):
    body = {
        "title": "보도블록이 깨져 있어요",
        "description": "다산로 12 앞 보도블록 세 장이 깨져 있습니다.",
        "category": "pothole",
        "address": "다산로 12",
        "latitude": 37.5665,
        "longitude": 126.978,
    }
    body.update(extra)
    return body


def test_categories_are_public_with_department_and_period(client, categories):
    response = client.get(API + "categories")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert set(rows) == {"illegal-dumping", "pothole", "illegal-parking", "policy-question"}
    assert rows["pothole"]["department"] == "도로과" and rows["pothole"]["requires_location"] is True
    assert rows["illegal-dumping"]["allows_anonymous"] is True
    assert rows["illegal-parking"]["form"] == "illegal_parking"
    assert rows["illegal-parking"]["period"] == {"value": 7, "unit": "days"}


def test_filing_answers_201_with_number_and_due_date(api_client, resident, categories):
    response = _post(
        api_client, API, _complaint_body(photos=[{"content_base64": base64.b64encode(jpeg_bytes()).decode()}])
    )

    assert response.status_code == 201, response.content
    body = response.json()
    complaint = Complaint.objects.get()
    assert body["number"] == complaint.number
    assert body["status"] == "received" and body["status_label"] == "접수"
    assert body["department"] == "도로과" and body["channel"] == Channel.API
    assert body["can_withdraw"] is True and body["can_rate"] is False
    assert len(body["photos"]) == 1 and body["photos"][0]["url"] == f"/complaints/photos/{complaint.photos.get().pk}/"
    assert body["timeline"][0]["kind"] == "filed"
    assert complaint.resident == resident


def test_a_retry_with_the_same_idempotency_key_returns_the_first_complaint(api_client, categories):
    first = _post(api_client, API, _complaint_body(), HTTP_IDEMPOTENCY_KEY="retry-1")
    again = _post(api_client, API, _complaint_body(), HTTP_IDEMPOTENCY_KEY="retry-1")

    assert first.status_code == again.status_code == 201
    assert again.json()["number"] == first.json()["number"]
    assert again["Idempotent-Replayed"] == "true"
    assert Complaint.objects.count() == 1

    other = _post(api_client, API, _complaint_body(title="다른 민원입니다"), HTTP_IDEMPOTENCY_KEY="retry-1")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Complaint.objects.count() == 1

    # A new key files a new complaint.
    assert _post(api_client, API, _complaint_body(), HTTP_IDEMPOTENCY_KEY="retry-2").status_code == 201
    assert Complaint.objects.count() == 2


def test_errors_come_in_the_envelope_in_the_requests_language(api_client, make_resident, categories):
    from django.test import Client

    anonymous = Client()
    korean = _post(anonymous, API, _complaint_body(), HTTP_ACCEPT_LANGUAGE="ko")
    english = _post(anonymous, API, _complaint_body(), HTTP_ACCEPT_LANGUAGE="en")
    assert korean.status_code == english.status_code == 401
    assert korean.json() == {"error": {"code": "not_authenticated", "message": "로그인이 필요합니다."}}
    assert english.json() == {"error": {"code": "not_authenticated", "message": "You need to sign in."}}

    invalid = _post(api_client, API, {"title": "제목만"})
    assert invalid.status_code == 422
    assert invalid.json()["error"] == {
        "code": "invalid_input",
        "message": "입력값이 올바르지 않습니다: description",
        "details": {"fields": [{"field": "description", "location": "body", "type": "missing"}]},
    }
    # A signed-in resident gets their own language.
    english_speaker = Client()
    english_speaker.force_login(make_resident(name="Jane", language="en"))
    invalid_en = _post(english_speaker, API, {"title": "Title only"})
    assert invalid_en.status_code == 422
    assert invalid_en.json()["error"]["message"] == "Invalid input: description"

    unknown = _post(api_client, API, _complaint_body(category="no-such"), HTTP_ACCEPT_LANGUAGE="ko")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "unknown_category"
    assert "알 수 없는 분류" in unknown.json()["error"]["message"]

    parking = _post(api_client, API, _complaint_body(category="illegal-parking"))
    assert parking.status_code == 400 and parking.json()["error"]["code"] == "category_needs_form"

    bad_photo = _post(api_client, API, _complaint_body(photos=[{"content_base64": "not base64!"}]))
    assert bad_photo.status_code == 400 and bad_photo.json()["error"]["code"] == "photo_invalid"

    not_a_picture = _post(
        api_client, API, _complaint_body(photos=[{"content_base64": base64.b64encode(b"hello").decode()}])
    )
    assert not_a_picture.status_code == 400 and "error" in not_a_picture.json()
    assert Complaint.objects.count() == 0


def test_my_complaints_and_one_by_number_only_mine(api_client, resident, make_resident, categories):
    mine = intake.file_complaint(
        title="내 민원",
        description="내 민원 내용",
        channel="web",
        category=categories["waste"],
        resident=resident,
        address="다산로 1",
    )
    theirs = intake.file_complaint(
        title="남의 민원",
        description="남의 민원 내용",
        channel="web",
        category=categories["waste"],
        resident=make_resident(name="남"),
        address="다산로 2",
    )

    listing = api_client.get(API)
    assert listing.status_code == 200
    body = listing.json()
    assert body["count"] == 1 and [item["number"] for item in body["items"]] == [mine.number]

    one = api_client.get(API + mine.number)
    assert one.status_code == 200 and one.json()["title"] == "내 민원"

    hidden = api_client.get(API + theirs.number)
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "complaint_not_found"
    assert api_client.post(API + theirs.number + "/withdraw").status_code == 404


def test_rate_after_the_answer_and_withdraw_while_open(api_client, resident, make_staff, departments, categories):
    answered = intake.file_complaint(
        title="답변 받을 민원",
        description="답변 받을 민원 내용",
        channel="web",
        category=categories["waste"],
        resident=resident,
        address="다산로 1",
    )
    officer = make_staff("waste-officer", department=departments["waste"])

    early = _post(api_client, f"{API}{answered.number}/rate", {"score": 5})
    assert early.status_code == 409 and early.json()["error"]["code"] == "cannot_rate"

    services.answer(answered, actor=officer, text="처리했습니다. 고맙습니다.")
    rated = _post(api_client, f"{API}{answered.number}/rate", {"score": 4, "comment": "좋아요"})
    assert rated.status_code == 200
    assert rated.json()["satisfaction"] == 4 and rated.json()["can_rate"] is False
    assert rated.json()["answer"] == "처리했습니다. 고맙습니다."

    out_of_range = _post(api_client, f"{API}{answered.number}/rate", {"score": 9})
    assert out_of_range.status_code == 422

    open_one = intake.file_complaint(
        title="취하할 민원",
        description="취하할 민원 내용",
        channel="web",
        category=categories["waste"],
        resident=resident,
        address="다산로 3",
    )
    withdrawn = api_client.post(f"{API}{open_one.number}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == Status.WITHDRAWN
    again = api_client.post(f"{API}{open_one.number}/withdraw")
    assert again.status_code == 409 and again.json()["error"]["code"] == "cannot_withdraw"


def test_operations_are_documented_with_examples(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    assert {
        "/api/v1/complaints/",
        "/api/v1/complaints/categories",
        "/api/v1/complaints/{number}",
        "/api/v1/complaints/{number}/rate",
        "/api/v1/complaints/{number}/withdraw",
    } <= set(paths)
    create = paths["/api/v1/complaints/"]["post"]
    assert {"201", "400", "401", "422"} <= set(create["responses"])
    assert {"name": "Idempotency-Key", "in": "header"}.items() <= create["parameters"][0].items()
    schemas = document["components"]["schemas"]
    assert schemas["ComplaintOut"]["examples"][0]["number"] == "2026-000123"
    assert schemas["ComplaintIn"]["examples"]
