"""Contract tests for the Kakao i Open Builder skill endpoint, from the documented
SkillPayload and SkillResponse 2.0 shapes (https://i.kakao.com/docs/skill-response-format)."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest

from dasan.assistant import answers, services
from dasan.assistant.channels.kakao import views as kakao
from dasan.assistant.models import Conversation
from dasan.core import ratelimit

from ..core.test_outbound import LocalServer

URL = "/channels/kakao/skill"
SECRET = "skill-secret"


@pytest.fixture(autouse=True)
def skill_secret(settings):
    """Outside DEBUG the skill needs its secret; every request here sends it."""
    settings.DASAN = {**settings.DASAN, "KAKAO_SKILL_SECRET": SECRET}


@pytest.fixture
def frozen_clock(monkeypatch):
    """Rate-limit windows stand still: limits are counted, never timed."""
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000_000.0)


def limits(settings, **rates):
    settings.DASAN = {**settings.DASAN, **{f"KAKAO_{name.upper()}": rate for name, rate in rates.items()}}


def payload(utterance="대형폐기물 어떻게 버려요?", user_id="kakao-user-abc", callback_url=None):
    # The documented SkillPayload (trimmed to what Open Builder always sends).
    user_request = {
        "timezone": "Asia/Seoul",
        "params": {"ignoreMe": "true"},
        "block": {"id": "blockid", "name": "폴백 블록"},
        "utterance": utterance,
        "lang": "ko",
        "user": {"id": user_id, "type": "botUserKey", "properties": {"botUserKey": user_id}},
    }
    if callback_url:
        user_request["callbackUrl"] = callback_url
    return {
        "intent": {"id": "intentid", "name": "폴백 블록"},
        "userRequest": user_request,
        "bot": {"id": "botid", "name": "다산"},
        "action": {"name": "skill", "clientExtra": None, "params": {}, "id": "actionid", "detailParams": {}},
    }


def post(client, body, **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    headers.setdefault("HTTP_X_DASAN_SKILL_SECRET", SECRET)
    return client.post(URL, data=data, content_type="application/json", **headers)


class _Inline:
    """Runs the answer in the request thread (the test's DB transaction)."""

    def submit(self, fn, *args):
        from concurrent.futures import Future

        future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # noqa: BLE001
            future.set_exception(exc)
        return future


@pytest.fixture
def inline(monkeypatch):
    monkeypatch.setattr(kakao, "_executor", _Inline())


def check_skill_response(body):
    assert body["version"] == "2.0"
    outputs = body["template"]["outputs"]
    assert 1 <= len(outputs) <= 3
    for output in outputs:
        (kind,) = output.keys()
        assert kind in ("simpleText", "basicCard", "listCard")
        if kind == "simpleText":
            assert 0 < len(output["simpleText"]["text"]) <= 1000
        if kind == "listCard":
            assert output["listCard"]["header"]["title"]
            assert 1 <= len(output["listCard"]["items"]) <= 5
            for item in output["listCard"]["items"]:
                assert item["title"]
                if "link" in item:
                    assert set(item["link"]) <= {"web", "pc", "mobile"}
    quick = body["template"].get("quickReplies", [])
    assert len(quick) <= 10
    for q in quick:
        assert q["action"] == "message" and len(q["label"]) <= 14 and q["messageText"]


@pytest.mark.django_db
def test_answer_with_citations_and_quick_replies(client, kb, city, inline):
    response = post(client, payload())
    assert response.status_code == 200
    body = response.json()
    check_skill_response(body)
    outputs = body["template"]["outputs"]
    assert "[1]" in outputs[0]["simpleText"]["text"]
    items = outputs[1]["listCard"]["items"]
    assert items[0]["title"].startswith("[1] 대형폐기물") and items[0]["link"] == {
        "web": "http://testserver/kb/bulky-waste/"
    }
    labels = [q["label"] for q in body["template"]["quickReplies"]]
    assert "층간소음" in labels and "대형폐기물" not in labels
    conversation = Conversation.objects.get()
    assert conversation.channel == "kakao" and conversation.external_user == services.hash_external_user(
        "kakao", "kakao-user-abc"
    )


@pytest.mark.django_db
def test_follow_up_in_the_same_kakao_conversation(client, kb, city, inline):
    post(client, payload())
    body = post(client, payload("그럼 수수료는요?")).json()
    assert Conversation.objects.count() == 1
    assert "15,000원" in body["template"]["outputs"][0]["simpleText"]["text"]
    # The request's own address (core.links.public_url) comes percent-encoded, as a URL should.
    link = body["template"]["outputs"][1]["listCard"]["items"][0]["link"]["web"]
    assert unquote(link) == "http://testserver/kb/bulky-waste/#수수료"


@pytest.mark.django_db
def test_unknown_answer_offers_phone_and_topics(client, kb, city, departments, inline):
    body = post(client, payload("주차 단속 카메라 위치")).json()
    check_skill_response(body)
    card = body["template"]["outputs"][-1]["basicCard"]
    assert card["title"] == "도로과" and card["buttons"][0] == {
        "action": "phone",
        "label": "전화하기",
        "phoneNumber": "02-100-1200",
    }


def test_long_answers_and_labels_are_clipped():
    answer = answers.Answer(
        text="가" * 3000,
        kind="answer",
        citations=[{"n": i, "title": f"제목{i}", "section": "", "url": "", "updated": None} for i in range(1, 9)],
        quick_replies=[f"아주아주아주아주긴주제이름{i}" for i in range(15)],
    )
    body = kakao.skill_response(answer)
    check_skill_response(body)
    assert body["template"]["quickReplies"][0]["messageText"] == "아주아주아주아주긴주제이름0"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        {"userRequest": {}},
        {"userRequest": {"utterance": "x", "user": {}}},
        {"userRequest": {"utterance": 5, "user": {"id": "u"}}},
    ],
)
def test_bad_requests_get_400_json(client, body, inline):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("malformed_body", "invalid_input")


@pytest.mark.django_db
def test_question_errors_become_a_simple_text(client, kb, city, inline):
    body = post(client, payload("   ")).json()
    check_skill_response(body)
    assert "질문" in body["template"]["outputs"][0]["simpleText"]["text"]


@pytest.mark.django_db
def test_shared_secret(client, kb, city, inline, settings):
    settings.DASAN = {**settings.DASAN, "KAKAO_SKILL_SECRET": "s3cret"}
    assert post(client, payload(), HTTP_X_DASAN_SKILL_SECRET="").status_code == 403
    assert post(client, payload(), HTTP_X_DASAN_SKILL_SECRET="wrong").status_code == 403
    assert post(client, payload(), HTTP_X_DASAN_SKILL_SECRET="s3cret").status_code == 200


@pytest.mark.django_db
def test_the_secret_is_required_outside_debug(client, kb, city, inline, settings):
    settings.DASAN = {**settings.DASAN, "KAKAO_SKILL_SECRET": ""}
    settings.DEBUG = False
    response = post(client, payload(), HTTP_X_DASAN_SKILL_SECRET="")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "kakao_skill_secret_missing" and "DASAN_KAKAO_SKILL_SECRET" in error["message"]
    assert Conversation.objects.count() == 0
    # The demo (DEBUG on) answers without one.
    settings.DEBUG = True
    assert post(client, payload(), HTTP_X_DASAN_SKILL_SECRET="").status_code == 200


@pytest.mark.django_db
def test_rate_limited_per_kakao_user(client, kb, city, inline, settings, frozen_clock):
    limits(settings, rate_per_user=(2, 60))
    for _ in range(2):
        assert "[1]" in post(client, payload()).json()["template"]["outputs"][0]["simpleText"]["text"]
    limited = post(client, payload()).json()
    check_skill_response(limited)
    assert "너무 많" in limited["template"]["outputs"][0]["simpleText"]["text"]
    assert "[1]" in post(client, payload(user_id="someone-else")).json()["template"]["outputs"][0]["simpleText"]["text"]


def assert_rate_limited(response):
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_rate_limited_per_source_address_whatever_the_user_ids(client, kb, city, inline, settings, frozen_clock):
    limits(settings, rate_per_address=(3, 60))
    for n in range(3):
        assert post(client, payload(user_id=f"made-up-{n}"), REMOTE_ADDR="203.0.113.7").status_code == 200
    assert_rate_limited(post(client, payload(user_id="made-up-9"), REMOTE_ADDR="203.0.113.7"))
    assert post(client, payload(user_id="made-up-9"), REMOTE_ADDR="198.51.100.2").status_code == 200
    assert Conversation.objects.count() == 4  # the refused request opened none


@pytest.mark.django_db
def test_rate_limited_globally(client, kb, city, inline, settings, frozen_clock):
    limits(settings, rate_global=(3, 60))
    for n in range(3):
        assert post(client, payload(user_id=f"u{n}"), REMOTE_ADDR=f"203.0.113.{n + 1}").status_code == 200
    assert_rate_limited(post(client, payload(user_id="u9"), REMOTE_ADDR="198.51.100.9"))


@pytest.mark.django_db
def test_new_conversations_are_capped_but_ongoing_ones_answered(client, kb, city, inline, settings, frozen_clock):
    limits(settings, new_conversations=(2, 600))
    assert post(client, payload(user_id="first")).status_code == 200
    assert post(client, payload(user_id="second")).status_code == 200
    assert_rate_limited(post(client, payload(user_id="third")))
    body = post(client, payload("그럼 수수료는요?", user_id="first")).json()
    assert "15,000원" in body["template"]["outputs"][0]["simpleText"]["text"]
    assert Conversation.objects.count() == 2


def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


@pytest.fixture
def callback_server(tmp_path, settings, monkeypatch):
    """Kakao's callback endpoint, played by a local HTTPS server on "localhost"; the skill
    may post to it only through the test-only loopback option."""
    server = LocalServer(tmp_path)
    settings.DASAN = {**settings.DASAN, "KAKAO_CALLBACK_HOSTS": ["localhost"]}
    monkeypatch.setattr(kakao, "CALLBACK_OPTIONS", {"allow_loopback": True, "verify": server.client_context})
    yield server
    server.close()


@pytest.fixture
def slow_model(llm_server, settings, monkeypatch):
    """The city's model server is slow: the answer waits for its timeout (1 s), then falls
    back to the extractive answer, long after the skill stops waiting (0.2 s)."""
    monkeypatch.setattr(kakao, "CALLBACK_AFTER", 0.2)
    llm_server.mode, llm_server.delay = "timeout", 2.0
    settings.DASAN = {**settings.DASAN, "LLM_TIMEOUT": 1.0}


@pytest.mark.django_db(transaction=True)
def test_slow_answer_uses_the_callback(client, kb, city, slow_model, callback_server):
    body = post(client, payload(callback_url=callback_server.url())).json()
    # Kakao is told to wait: the answer is not in this response...
    assert body["version"] == "2.0" and body["useCallback"] is True and body["data"]["text"]
    # ...but comes through the callback.
    assert callback_server.wait(10)
    (request,) = callback_server.received
    final = request["body"]
    check_skill_response(final)
    assert "[1]" in final["template"]["outputs"][0]["simpleText"]["text"]
    assert final["template"]["outputs"][1]["listCard"]["items"][0]["title"].startswith("[1] 대형폐기물")
    assert request["host"] == f"localhost:{callback_server.port}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("callback", "hosts"),
    [
        ("https://127.0.0.1:{port}/cb", ["127.0.0.1"]),  # loopback, even when named
        ("https://localhost:{port}/cb", ["localhost"]),  # a name that resolves to loopback
        ("https://10.0.0.1/cb", ["10.0.0.1"]),
        ("https://169.254.169.254/latest/meta-data/", ["169.254.169.254"]),
        ("https://localhost:{port}/cb", None),  # not a Kakao host
        ("https://evil.example/cb", None),
        ("http://localhost:{port}/cb", ["localhost"]),  # not https
        ("https://bot-api.kakao.com@127.0.0.1:{port}/cb", None),
    ],
)
def test_a_callback_url_that_is_refused_gets_nothing(client, kb, city, slow_model, tmp_path, settings, callback, hosts):
    """The forged callbackUrl of the review: no request leaves; the answer waits in the
    skill's own response instead."""
    inside, plain = LocalServer(tmp_path), LocalServer(tmp_path, tls=False)
    if hosts is not None:
        settings.DASAN = {**settings.DASAN, "KAKAO_CALLBACK_HOSTS": hosts}
    try:
        port = plain.port if callback.startswith("http:") else inside.port
        body = post(client, payload(callback_url=callback.format(port=port))).json()
        assert "useCallback" not in body
        check_skill_response(body)
        assert "[1]" in body["template"]["outputs"][0]["simpleText"]["text"]
        assert inside.received == [] and plain.received == []
    finally:
        inside.close()
        plain.close()


@pytest.mark.django_db(transaction=True)
def test_fast_answer_is_returned_directly_even_with_callback_url(client, kb, city, callback_server):
    body = post(client, payload(callback_url=callback_server.url())).json()
    check_skill_response(body)
    assert "useCallback" not in body
    assert callback_server.received == []


@pytest.mark.django_db
def test_a_resident_writing_vietnamese_is_answered_in_vietnamese(client, kb, city, inline):
    """Kakao sends lang "ko" for everyone; the answer follows what the resident wrote."""
    body = post(client, payload("Vứt ghế sofa thì phí bao nhiêu?")).json()
    check_skill_response(body)
    outputs = body["template"]["outputs"]
    assert outputs[0]["simpleText"]["text"].startswith("Thông tin này hiện chỉ có bằng tiếng Hàn.")
    assert outputs[1]["listCard"]["header"]["title"] == "Nguồn"  # "출처" in Vietnamese
    assert Conversation.objects.get().turns.get().question == "Vứt ghế sofa thì phí bao nhiêu?"
