from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from dasan.assistant.models import Turn

pytestmark = pytest.mark.django_db


def test_api_ask_anonymous_and_follow_up(client, kb, city):
    response = client.post(
        "/api/v1/assistant/ask", {"question": "대형폐기물 어떻게 버려요?"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (
        body["kind"] == "answer"
        and body["citations"][0]["n"] == 1
        and body["citations"][0]["url"] == "/kb/bulky-waste/"
    )
    assert 0 <= body["confidence"] <= 1
    follow = client.post(
        "/api/v1/assistant/ask",
        {"question": "그럼 수수료는요?", "conversation_id": body["conversation_id"]},
        content_type="application/json",
    ).json()
    assert follow["conversation_id"] == body["conversation_id"]
    assert follow["kind"] == "answer" and "15,000원" in follow["text"]
    assert follow["citations"][0]["url"] == "/kb/bulky-waste/#수수료"
    assert Turn.objects.get(pk=follow["turn_id"]).conversation.channel == "api"


def test_api_errors_use_the_envelope(client, kb, city):
    response = client.post("/api/v1/assistant/ask", {"question": ""}, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "question_empty"
    other = client.post("/api/v1/assistant/ask", {"question": "대형폐기물"}, content_type="application/json").json()
    from django.test import Client

    stranger = Client()
    denied = stranger.post(
        "/api/v1/assistant/ask",
        {"question": "x", "conversation_id": other["conversation_id"]},
        content_type="application/json",
    )
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "conversation_forbidden"
    missing = stranger.post(
        "/api/v1/assistant/ask", {"question": "x", "conversation_id": 999999}, content_type="application/json"
    )
    assert missing.status_code == 404


def test_api_idempotency_key_replays(client, kb, city):
    first = client.post(
        "/api/v1/assistant/ask", {"question": "대형폐기물"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    second = client.post(
        "/api/v1/assistant/ask", {"question": "대형폐기물"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == second.status_code == 200
    assert first.json()["turn_id"] == second.json()["turn_id"]
    assert second["Idempotent-Replayed"] == "true"
    assert Turn.objects.count() == 1


def test_api_feedback(client, kb, city):
    body = client.post("/api/v1/assistant/ask", {"question": "대형폐기물"}, content_type="application/json").json()
    response = client.post(
        f"/api/v1/assistant/turns/{body['turn_id']}/feedback",
        {"helpful": False, "comment": "부족해요"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json() == {"turn_id": body["turn_id"], "feedback": "not_helpful"}
    from django.test import Client

    denied = Client().post(
        f"/api/v1/assistant/turns/{body['turn_id']}/feedback", {"helpful": True}, content_type="application/json"
    )
    assert denied.status_code == 403
    assert (
        Client()
        .post("/api/v1/assistant/turns/999999/feedback", {"helpful": True}, content_type="application/json")
        .status_code
        == 404
    )


def test_api_signed_in_resident_owns_conversation(client, kb, city, resident):
    client.force_login(resident)
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=False)
    csrf_client.force_login(resident)
    body = csrf_client.post("/api/v1/assistant/ask", {"question": "대형폐기물"}, content_type="application/json").json()
    assert Turn.objects.get(pk=body["turn_id"]).conversation.user == resident


def test_cli_ask_json(kb, city):
    out = StringIO()
    call_command("ask", "대형폐기물", "어떻게", "버려요?", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["kind"] == "answer"
    assert (
        data["citations"][0]["source_id"] == kb.sources["bulky-waste"].pk
        and data["citations"][0]["title"] == "대형폐기물"
    )
    assert 0 < data["confidence"] <= 1
    assert Turn.objects.get().conversation.channel == "cli"


def test_cli_ask_text_and_staff(kb, city):
    out = StringIO()
    call_command("ask", "대형폐기물", stdout=out)
    text = out.getvalue()
    assert "[1] 대형폐기물" in text and f"source {kb.sources['bulky-waste'].pk}" in text and "confidence=" in text
    out = StringIO()
    call_command("ask", "내부 지침 수수료 감면", "--staff", stdout=out)
    assert "kind=answer" in out.getvalue() and "[1] 민원 처리 내부 지침" in out.getvalue()
    out = StringIO()
    call_command("ask", "내부 지침 수수료 감면", stdout=out)
    assert "kind=unknown" in out.getvalue() and "민원 처리 내부 지침" not in out.getvalue()


def test_openapi_documents_the_assistant(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/assistant/ask" in paths and "/api/v1/assistant/turns/{turn_id}/feedback" in paths
