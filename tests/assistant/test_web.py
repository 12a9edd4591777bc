from __future__ import annotations

import pytest
from django.urls import reverse

from dasan.assistant import services
from dasan.assistant.models import Turn

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_chat_page_is_accessible_form(client, kb, city):
    response = client.get("/assistant/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="assistant-question">' in html and 'id="assistant-question"' in html
    assert 'aria-live="polite"' in html and 'role="log"' in html
    assert 'hx-post="/assistant/ask/"' in html and 'action="/assistant/ask/"' in html
    assert "htmx.min.js" in html


def test_plain_post_without_javascript_shows_the_conversation(client, kb, city):
    response = client.post("/assistant/ask/", {"question": "대형폐기물 어떻게 버려요?"})
    assert response.status_code == 302 and response["Location"].startswith("/assistant/#turn-")
    html = client.get("/assistant/").content.decode()
    assert "대형폐기물 어떻게 버려요?" in html
    assert 'href="/kb/bulky-waste/"' in html and "스티커" in html
    assert "도움이 됐어요" in html and "아니요" in html
    assert 'value="층간소음"' in html  # quick reply button


def test_htmx_post_returns_the_answer_fragment(client, kb, city):
    response = client.post("/assistant/ask/", {"question": "대형폐기물 어떻게 버려요?"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<li class="assistant__turn"')
    assert "<html" not in html and "[1]" in html
    # the conversation continues in the session: the follow-up is about bulky waste's fees
    follow = client.post("/assistant/ask/", {"question": "그럼 수수료는요?"}, **HTMX).content.decode()
    assert Turn.objects.values("conversation").distinct().count() == 1
    assert "15,000원" in follow and 'href="/kb/bulky-waste/#수수료"' in follow


def test_validation_error_is_shown(client, kb, city):
    response = client.post("/assistant/ask/", {"question": ""})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode() and "질문을 입력해 주세요" in response.content.decode()
    fragment = client.post("/assistant/ask/", {"question": "가" * 501}, **HTMX)
    assert "500자" in fragment.content.decode()


def test_feedback_from_the_page(client, kb, city):
    client.post("/assistant/ask/", {"question": "대형폐기물"})
    turn = Turn.objects.get()
    response = client.post(f"/assistant/turns/{turn.pk}/feedback/", {"helpful": "1"}, **HTMX)
    assert response.status_code == 200 and "감사합니다" in response.content.decode()
    turn.refresh_from_db()
    assert turn.feedback == "helpful"
    no_js = client.post(f"/assistant/turns/{turn.pk}/feedback/", {"helpful": "0"})
    assert no_js.status_code == 302
    turn.refresh_from_db()
    assert turn.feedback == "not_helpful"


def test_another_session_cannot_rate(client, kb, city):
    from django.test import Client

    client.post("/assistant/ask/", {"question": "대형폐기물"})
    turn = Turn.objects.get()
    stranger = Client()
    assert stranger.post(f"/assistant/turns/{turn.pk}/feedback/", {"helpful": "0"}).status_code == 403
    turn.refresh_from_db()
    assert turn.feedback is None


def test_new_conversation(client, kb, city):
    client.post("/assistant/ask/", {"question": "대형폐기물"})
    client.post("/assistant/new/")
    assert "대형폐기물" not in client.get("/assistant/").content.decode().split("assistant__log")[1].split("</ol>")[0]


def test_widget_is_compact_and_frameable_by_same_origin_only(client, kb, city):
    response = client.get("/assistant/widget/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert 'name="layout" value="widget"' in html and "site-header" not in html
    redirect = client.post("/assistant/ask/", {"question": "대형폐기물", "layout": "widget"})
    assert redirect["Location"].startswith("/assistant/widget/")


def test_signed_in_resident_owns_the_conversation(client, kb, city, resident):
    client.force_login(resident)
    client.post("/assistant/ask/", {"question": "대형폐기물"})
    assert Turn.objects.get().conversation.user == resident


def test_staff_gaps_page(client, kb, city, make_staff, resident, departments):
    services.ask("주차 단속 카메라 위치", channel="web")
    assert client.get("/assistant/staff/gaps/").status_code == 302
    client.force_login(resident)
    assert client.get("/assistant/staff/gaps/").status_code == 403
    client.force_login(make_staff("lee", department=departments["waste"]))
    response = client.get(reverse("assistant:staff_gaps"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "불법 주정차 신고" in html and "주차 단속 카메라 위치" in html


def test_page_speaks_the_residents_language(client, city):
    html = client.get("/assistant/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "AI civil-service assistant" in html and ">Ask<" in html
    assert "Bắt đầu cuộc trò chuyện mới" in client.get("/assistant/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
