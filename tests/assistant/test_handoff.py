"""Hand-off to a 민원 (complaint): the link the assistant offers when it cannot answer or
the resident asks for a person, on the web chat and on Kakao, and the draft the
new-complaint form builds from the conversation (``services.complaint_draft``)."""

from __future__ import annotations

import json

import pytest
from django.urls import NoReverseMatch, reverse

from dasan.assistant import answers, services
from dasan.assistant.models import Conversation, Turn
from dasan.core.errors import NotFound

from .test_kakao import SECRET, _Inline, check_skill_response, payload

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ASK = "/assistant/ask/"


@pytest.fixture
def complaint_form(settings):
    """The new-complaint page's URL: the real one once the complaints pages define
    ``complaints:new``, else a stand-in page mounted at that name."""
    try:
        return reverse("complaints:new")
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.assistant.urls_complaint_form"
        return reverse("complaints:new")


@pytest.fixture
def no_complaint_form(settings):
    settings.ROOT_URLCONF = "tests.assistant.urls_no_complaint_form"


@pytest.fixture
def inline(monkeypatch, settings):
    from dasan.assistant.channels.kakao import views as kakao

    monkeypatch.setattr(kakao, "_executor", _Inline())
    settings.DASAN = {**settings.DASAN, "KAKAO_SKILL_SECRET": SECRET}  # required outside DEBUG


def _kakao(client, utterance, user_id="kakao-user-handoff"):
    response = client.post(
        "/channels/kakao/skill",
        data=json.dumps(payload(utterance, user_id)),
        content_type="application/json",
        HTTP_X_DASAN_SKILL_SECRET=SECRET,
    )
    assert response.status_code == 200
    body = response.json()
    check_skill_response(body)
    return body


def test_asking_for_a_person_offers_the_complaint_form_prefilled_from_this_chat(client, kb, city, complaint_form):
    client.post(ASK, {"question": "대형폐기물 수수료는 얼마예요?"})
    html = client.post(ASK, {"question": "상담원 연결해 주세요"}, **HTMX).content.decode()
    conversation = Conversation.objects.get()
    link = f"{complaint_form}?from={conversation.pk}"
    assert f'href="{link}"' in html and "민원 신청" in html
    assert 'href="tel:02-000-0000"' in html
    turn = Turn.objects.filter(kind="handoff").get()
    assert turn.handoff["complaint_url"] == link and turn.handoff["complaint_note"]


def test_an_unanswered_question_offers_the_complaint_form(client, kb, city, complaint_form):
    # The test parking article says how to report illegal parking, not where the cameras are.
    html = client.post(ASK, {"question": "주차 단속 카메라 위치"}, **HTMX).content.decode()
    turn = Turn.objects.get()
    assert turn.kind == "unknown"
    assert f'href="{complaint_form}?from={turn.conversation_id}"' in html
    assert "온라인으로 민원을 신청하실 수도 있습니다" in turn.answer


def test_the_widget_opens_the_form_in_the_whole_page(client, kb, city, complaint_form):
    html = client.post(ASK, {"question": "상담원 연결해 주세요", "layout": "widget"}, **HTMX).content.decode()
    assert f'href="{complaint_form}?from=' in html and 'target="_top"' in html


def test_without_complaint_pages_no_link_is_offered(client, kb, city, no_complaint_form):
    html = client.post(ASK, {"question": "상담원 연결해 주세요"}, **HTMX).content.decode()
    turn = Turn.objects.get()
    assert turn.kind == "handoff" and turn.handoff["complaint_url"] is None
    assert "민원 신청" not in html and "/complaints/" not in html
    assert "02-000-0000" in turn.answer and "온라인으로 민원" not in turn.answer


def test_draft_from_an_anonymous_web_chat(client, kb, city, complaint_form):
    client.post(ASK, {"question": "안녕하세요"})
    client.post(ASK, {"question": "제 번호 010-1234-5678 로 대형폐기물 안내 주세요"})
    client.post(ASK, {"question": "대형폐기물 수수료는 얼마예요?"})
    client.post(ASK, {"question": "상담원 연결해 주세요"})
    conversation = Conversation.objects.get()
    ids = services.session_conversation_ids(client.session)
    assert ids == [conversation.pk]

    draft = services.complaint_draft(conversation.pk, None, session_conversation_ids=ids)
    assert draft["title"] == "제 번호 010-****-5678 로 대형폐기물 안내 주세요"
    assert draft["description"].splitlines() == [
        "제 번호 010-****-5678 로 대형폐기물 안내 주세요",
        "대형폐기물 수수료는 얼마예요?",
    ]
    assert "1234" not in json.dumps(draft, ensure_ascii=False)
    assert draft["category_hint"] == "대형폐기물 수수료"

    # Another browser (no session), or a session holding another conversation, gets nothing.
    with pytest.raises(NotFound):
        services.complaint_draft(conversation.pk, None)
    with pytest.raises(NotFound):
        services.complaint_draft(conversation.pk, None, session_conversation_ids=[conversation.pk + 1])
    with pytest.raises(NotFound):
        services.complaint_draft(conversation.pk + 100, None, session_conversation_ids=ids)


def test_draft_from_a_signed_in_residents_conversation(kb, city, resident, make_resident):
    first = services.ask("주차 단속 카메라 위치", actor=resident, channel="web")
    assert first.kind == "unknown"
    draft = services.complaint_draft(first.conversation.pk, resident)
    assert draft == {
        "title": "주차 단속 카메라 위치",
        "description": "주차 단속 카메라 위치",
        "category_hint": first.topic,
    }
    assert draft["category_hint"]  # the closest topic of an unanswered question
    with pytest.raises(NotFound):
        services.complaint_draft(first.conversation.pk, make_resident())
    with pytest.raises(NotFound):  # a session id does not open a signed-in resident's conversation
        services.complaint_draft(first.conversation.pk, None, session_conversation_ids=[first.conversation.pk])


def test_long_first_question_makes_a_short_title(kb, city, resident):
    question = "대형폐기물 " + "소파와 침대와 장롱을 한꺼번에 내놓으려고 하는데 " * 4 + "수수료가 얼마인가요?"
    answer = services.ask(question, actor=resident, channel="web")
    draft = services.complaint_draft(answer.conversation.pk, resident)
    assert len(draft["title"]) <= services.DRAFT_TITLE_CHARS and draft["title"].endswith("…")
    assert draft["description"] == question


def test_kakao_handoff_has_a_complaint_button_with_an_absolute_link(
    client, kb, city, departments, complaint_form, inline, settings
):
    body = _kakao(client, "상담원 연결해 주세요")
    card = body["template"]["outputs"][-1]["basicCard"]
    assert card["buttons"][0] == {"action": "phone", "label": "전화하기", "phoneNumber": "02-000-0000"}
    # A Kakao chat cannot be reopened in a browser session, so the form starts empty (no ?from=).
    assert card["buttons"][1] == {
        "action": "webLink",
        "label": "민원 신청",
        "webLinkUrl": f"http://testserver{complaint_form}",
    }
    settings.DASAN = {**settings.DASAN, "PUBLIC_URL": "https://dasan.example.go.kr/"}
    body = _kakao(client, "주차 단속 카메라 위치")
    card = body["template"]["outputs"][-1]["basicCard"]
    assert card["title"] == "도로과"
    assert card["buttons"][1]["webLinkUrl"] == f"https://dasan.example.go.kr{complaint_form}"


def test_kakao_without_complaint_pages_offers_the_phone_only(client, kb, city, no_complaint_form, inline):
    card = _kakao(client, "상담원 연결해 주세요")["template"]["outputs"][-1]["basicCard"]
    assert [b["action"] for b in card["buttons"]] == ["phone"]


def test_api_and_cli_answers_carry_the_link(client, kb, city, complaint_form):
    body = client.post(
        "/api/v1/assistant/ask", data={"question": "상담원 연결해 주세요"}, content_type="application/json"
    ).json()
    assert body["handoff"]["complaint_url"] == f"{complaint_form}?from={body['conversation_id']}"
    cli = services.ask("상담원 연결해 주세요", channel="cli")
    assert cli.handoff["complaint_url"] == complaint_form  # no browser session to prefill from


def test_reporting_a_problem_gets_the_answer_and_the_complaint_form(client, kb, city, complaint_form):
    # "The streetlight in front of my house is broken" is a 민원, not a question: the
    # resident still gets what the knowledge base says, plus the form to report it.
    html = client.post(ASK, {"question": "아파트 앞에 대형폐기물이 몇 주째 방치돼 있어요"}, **HTMX).content.decode()
    conversation = Conversation.objects.get()
    turn = conversation.turns.get()
    assert turn.kind == "answer" and turn.citations, "the knowledge base's answer is still given"
    assert f'href="{complaint_form}?from={conversation.pk}"' in html

    # A question about how things work is answered without pushing a complaint.
    html = client.post(ASK, {"question": "대형폐기물 수수료는 얼마예요?"}, **HTMX).content.decode()
    assert html.count("?from=") == 0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("골목에 쓰레기 무단투기가 너무 심해요", True),
        ("버스정류장 의자가 부서졌어요", True),
        ("윗집 소음이 심해서 못 자겠어요", True),
        ("무단투기 신고는 어떻게 하나요?", False),
        ("소파 버리는 비용은 얼마예요?", False),
        ("안녕하세요", False),
    ],
)
def test_reports_are_told_apart_from_questions(text, expected):
    assert answers.looks_like_report(text) is expected
