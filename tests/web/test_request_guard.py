"""The edge check (core.guard) through the whole stack: control characters, oversized and
too deeply nested bodies and unreadable forms answer 4xx — never a 500 — and store nothing.

The NUL cases were 500s on PostgreSQL (SQLite stores NUL); CI runs this file on both."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from dasan.core.guard import MAX_BODY_BYTES, MAX_JSON_DEPTH

pytestmark = pytest.mark.django_db


def envelope(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), (response.status_code, response.content[:300])
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    return body["error"]


@pytest.fixture
def resident(make_resident):
    return make_resident(name="김주민")


@pytest.fixture
def pothole(departments):
    from dasan.complaints.models import Category, Kind

    return Category.objects.create(
        code="pothole", name="도로 파손", group="도로", kind=Kind.GRIEVANCE, department=departments["roads"]
    )


def _complaint(**extra) -> dict:
    return {"title": "보도블록이 깨져 있어요", "description": "세 장이 깨졌습니다.", "category": "pothole", **extra}


def _stored() -> dict:
    """Every row an input below could have written."""
    from dasan.accounts.models import User
    from dasan.assistant.models import Conversation, Turn
    from dasan.certificates.models import DocumentRequest
    from dasan.complaints.models import Complaint
    from dasan.reservations.models import Reservation

    return {
        "complaints": Complaint.objects.count(),
        "conversations": Conversation.objects.count(),
        "turns": Turn.objects.count(),
        "reservations": Reservation.objects.count(),
        "documents": DocumentRequest.objects.count(),
        "names": sorted(User.objects.values_list("name", flat=True)),
    }


NUL = "a\x00b"

# (method, path, JSON body or None, signed in)
JSON_CASES = {
    "complaint title": ("post", "/api/v1/complaints/", _complaint(title=NUL), True),
    "complaint description": ("post", "/api/v1/complaints/", _complaint(description=NUL), True),
    "assistant question, anonymous": ("post", "/api/v1/assistant/ask", {"question": NUL}, False),
    "reservation purpose": (
        "post",
        "/api/v1/reservations/bookings",
        {"resource": 1, "begin": "2030-01-07T10:00:00+09:00", "end": "2030-01-07T11:00:00+09:00", "purpose": NUL},
        True,
    ),
    "document purpose": ("post", "/api/v1/documents/requests", {"document_type": "x", "purpose": NUL}, True),
    "account name": ("patch", "/api/v1/accounts/me", {"name": NUL}, True),
    "a key, not a value": ("post", "/api/v1/assistant/ask", {"question": "안녕", NUL: 1}, False),
    "nested deep in a list": ("post", "/api/v1/assistant/ask", {"question": "안녕", "x": [[{"y": [NUL]}]]}, False),
    "another control character": ("post", "/api/v1/assistant/ask", {"question": "a\x1bb"}, False),
    "a lone surrogate": ("post", "/api/v1/assistant/ask", {"question": "a\ud800b"}, False),
}


@pytest.mark.parametrize("case", JSON_CASES, ids=list(JSON_CASES))
def test_control_characters_in_json_are_400_and_nothing_is_stored(client, resident, pothole, case):
    method, path, body, signed_in = JSON_CASES[case]
    if signed_in:
        client.force_login(resident)
    before = _stored()
    # json.dumps writes NUL as \u0000 and a lone surrogate as \ud800: what a client sends.
    response = getattr(client, method)(path, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    assert envelope(response)["code"] == "control_characters"
    assert _stored() == before


def test_the_same_complaint_without_nul_is_filed(client, resident, pothole):
    """The cases above are refused for the NUL alone: the clean body is stored."""
    client.force_login(resident)
    response = client.post("/api/v1/complaints/", data=json.dumps(_complaint()), content_type="application/json")
    assert response.status_code == 201, response.content
    response = client.patch("/api/v1/accounts/me", data=json.dumps({"name": "김다산"}), content_type="application/json")
    assert response.status_code == 200, response.content
    assert _stored()["complaints"] == 1 and "김다산" in _stored()["names"]


def test_tab_newline_and_carriage_return_are_text(client, resident, pothole):
    client.force_login(resident)
    body = _complaint(description="첫 줄\r\n둘째 줄\t끝")
    response = client.post("/api/v1/complaints/", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content


PATHS = [
    "/queue/t/a%00b/",
    "/complaints/a%00b/",
    "/open311/v2/requests/a%00b.json",
    "/api/v1/payments/orders/a%00b",
    "/api/v1/complaints/?status=a%00b",
    "/complaints/?q=a%09b",  # a tab: none at all in a path or query string
    "/?a%00b=1",
]


@pytest.mark.parametrize("path", PATHS)
def test_control_characters_in_paths_and_query_strings_are_400(client, resident, path):
    client.force_login(resident)
    before = _stored()
    response = client.get(path)
    assert response.status_code == 400, response.content[:300]
    if path.startswith("/open311/"):  # the spec's own error list (the complaints app's hook)
        (error,) = json.loads(response.content)
        assert error["code"] == 400 and "제어 문자" in error["description"]
    elif path.startswith("/api/") or ".json" in path:
        assert envelope(response)["code"] == "control_characters"
    else:
        assert response["Content-Type"].startswith("text/html")
        assert "제어 문자" in response.content.decode()
    assert _stored() == before


def test_control_characters_in_a_web_form_answer_the_error_page(client, resident, pothole):
    client.force_login(resident)
    form = {"title": NUL, "description": "설명", "category": "pothole"}
    response = client.post("/complaints/new/", data=urlencode(form), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "제어 문자" in response.content.decode()
    response = client.post("/complaints/new/", data=form)  # multipart, as a form with a photo field sends it
    assert response.status_code == 400
    assert "제어 문자" in response.content.decode()
    assert _stored()["complaints"] == 0


def test_the_refusal_speaks_the_request_language(client):
    response = client.post(
        "/api/v1/assistant/ask",
        data=json.dumps({"question": NUL}),
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    message = envelope(response)["message"]
    assert "control character" in message
    response = client.get("/complaints/a%00b/", headers={"accept-language": "vi"})
    assert response.status_code == 400
    assert "ký tự điều khiển" in response.content.decode()


def test_the_signed_in_users_language_wins(client, make_resident):
    client.force_login(make_resident(language="zh-hans"))
    response = client.post("/api/v1/assistant/ask", data=json.dumps({"question": NUL}), content_type="application/json")
    assert "控制字符" in envelope(response)["message"]


# --- deeply nested and oversized JSON -------------------------------------------------------


def test_deeply_nested_json_to_the_kakao_skill_is_400_not_a_recursion_error(client):
    from dasan.assistant.models import Conversation

    response = client.post("/channels/kakao/skill", data=b"[" * 200_000, content_type="application/json")
    assert response.status_code == 400
    assert envelope(response)["code"] == "body_too_deep"
    # Endpoints that parse whatever comes (webhooks, the skill) are covered without a JSON type.
    response = client.post("/channels/kakao/skill", data=b" {" * 200_000, content_type="text/plain")
    assert response.status_code == 400
    assert Conversation.objects.count() == 0


def test_nesting_is_bounded_on_every_json_endpoint(client):
    deep = {"question": "안녕"}
    for _ in range(MAX_JSON_DEPTH):
        deep = {"x": deep}
    response = client.post("/api/v1/assistant/ask", data=json.dumps(deep), content_type="application/json")
    assert response.status_code == 400
    assert envelope(response)["code"] == "body_too_deep"
    # Brackets inside strings are text, not nesting.
    text = {"question": "[" * 1000 + '"\\' + "{" * 1000}
    response = client.post("/api/v1/assistant/ask", data=json.dumps(text), content_type="application/json")
    assert response.status_code != 400 or envelope(response)["code"] != "body_too_deep"


def test_oversized_json_is_413_envelope_before_it_is_read(client):
    body = b'{"userRequest": {"utterance": "' + b"a" * (12 * 1024 * 1024) + b'"}}'
    response = client.post("/channels/kakao/skill", data=body, content_type="application/json")
    assert response.status_code == 413
    error = envelope(response)
    assert error["code"] == "request_too_large"
    assert "1 MB" in error["message"]
    response = client.post(
        "/api/v1/assistant/ask", data=b" " * (MAX_BODY_BYTES + 1) + b"{}", content_type="application/json"
    )
    assert response.status_code == 413
    assert envelope(response)["code"] == "request_too_large"


def test_large_forms_without_files_are_refused_multipart_uploads_are_not(client, resident):
    client.force_login(resident)
    big = "a" * (MAX_BODY_BYTES + 1)
    response = client.post("/complaints/new/", data=f"title={big}", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    # The same size as a file in a multipart form reaches the view (which answers for itself).
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("photo.jpg", big.encode(), content_type="image/jpeg")
    response = client.post("/complaints/new/", data={"title": "제목", "photos": upload})
    assert response.status_code != 413


def test_request_data_too_big_raised_in_a_view_answers_json_to_json_clients(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    settings.DASAN = {**settings.DASAN, "KAKAO_SKILL_SECRET": "skill-secret"}
    body = b"x" * (2 * 1024 * 1024)  # not JSON: the guard leaves it to the view, which reads it
    response = client.post(
        "/channels/kakao/skill",
        data=body,
        content_type="text/plain",
        headers={"accept": "application/json", "x-dasan-skill-secret": "skill-secret"},
    )
    assert response.status_code == 413
    assert envelope(response)["code"] == "request_too_large"


# --- unreadable multipart ------------------------------------------------------------------


def test_multipart_without_boundary_with_a_session_is_400_not_500(client, resident):
    client.force_login(resident)
    response = client.post("/api/v1/complaints/", data=b"title=x", content_type="multipart/form-data")
    assert response.status_code == 400, response.content
    assert envelope(response)["code"] == "malformed_body"
    response = client.post("/api/v1/accounts/logout", data=b"x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert envelope(response)["code"] == "malformed_body"


def test_multipart_without_boundary_to_a_page_is_the_400_page(client, resident):
    client.force_login(resident)
    response = client.post("/complaints/new/", data=b"title=x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_large_multipart_body_sent_to_a_json_endpoint_is_415_not_500(client, resident, settings):
    """Parsed as a stream at the edge (too large to keep in memory): the raw body is gone."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client.force_login(resident)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.bin", b"x" * 4096)
    response = client.post("/api/v1/assistant/ask", data={"question": "안녕", "file": upload})
    assert response.status_code == 415, response.content
    envelope(response)
