"""The OpenAI-compatible adapter against a local chat-completions server."""

from __future__ import annotations

import json

import pytest

from dasan.translation import OpenAITranslator, TranslationFailed, get_translator

QUESTION = "대형폐기물 수거 신청은 어떻게 하나요?"


@pytest.fixture
def chat(configure, chat_server):
    configure(ENGINE="openai", URL=chat_server.url, MODEL="qwen2.5-7b-instruct", TIMEOUT=0.5)
    return get_translator()


def _request(server) -> tuple[dict, dict]:
    (post,) = server.posts()
    assert post["path"] == "/v1/chat/completions"
    return post["headers"], json.loads(post["raw"])


def test_sends_a_chat_completion_and_reads_the_message(chat, chat_server):
    result = chat.translate(QUESTION, source="ko", target="en")
    assert result.text == "How do I apply for bulky waste collection?"
    assert (result.engine, result.machine) == ("openai", True)
    headers, body = _request(chat_server)
    assert "Authorization" not in headers
    assert body["model"] == "qwen2.5-7b-instruct"
    assert body["temperature"] == 0
    assert body["stream"] is False
    assert 0 < body["max_tokens"] <= 4096
    system, user = body["messages"]
    assert system["role"] == "system" and user == {"role": "user", "content": QUESTION}
    assert "from Korean to English" in system["content"]
    assert "Output only the translation" in system["content"]


@pytest.mark.parametrize("target, name", [("vi", "Vietnamese"), ("zh-hans", "Simplified Chinese")])
def test_target_language_is_named(chat, chat_server, target, name):
    chat_server.app.content = {
        "vi": "Làm thế nào để đăng ký thu gom rác thải cồng kềnh?",
        "zh-hans": "如何申请大件垃圾回收？",
    }[target]
    chat.translate(QUESTION, source="ko", target=target)
    _, body = _request(chat_server)
    assert f"from Korean to {name}" in body["messages"][0]["content"]


@pytest.mark.parametrize("url_suffix", ["", "/", "/v1", "/v1/chat/completions"])
def test_url_forms(configure, chat_server, url_suffix):
    configure(ENGINE="openai", URL=chat_server.url + url_suffix)
    get_translator().translate(QUESTION, source="ko", target="en")
    assert chat_server.posts()[0]["path"] == "/v1/chat/completions"


def test_bearer_key(configure, chat_server):
    chat_server.app.api_key = "sk-city"
    configure(ENGINE="openai", URL=chat_server.url, API_KEY="sk-city")
    get_translator().translate(QUESTION, source="ko", target="en")
    headers, _ = _request(chat_server)
    assert headers["Authorization"] == "Bearer sk-city"


def test_personal_data_never_reaches_the_model(chat, chat_server):
    chat_server.app.content = "My number is 010-****-5678."
    result = chat.translate("제 전화번호는 010-1234-5678입니다. 메일은 kim.minsu@example.com", source="ko", target="en")
    sent = chat_server.raw_sent().decode()
    assert "010-1234-5678" not in sent and "1234" not in sent
    assert "kim.minsu@" not in sent
    _, body = _request(chat_server)
    assert "010-****-5678" in body["messages"][1]["content"]
    assert result.masked is True


@pytest.mark.parametrize(
    "content, expected",
    [
        ('"How do I apply for bulky waste collection?"', "How do I apply for bulky waste collection?"),
        ("Translation: How do I apply?", "How do I apply?"),
        ("```\nHow do I apply?\n```", "How do I apply?"),
        ("<think>The user wants English.</think>\nHow do I apply?", "How do I apply?"),
        ("  How do I apply?\n", "How do I apply?"),
    ],
)
def test_wrappers_are_stripped(chat, chat_server, content, expected):
    chat_server.app.content = content
    assert chat.translate(QUESTION, source="ko", target="en").text == expected


def test_quotes_of_the_original_are_kept(chat, chat_server):
    chat_server.app.content = "“Bulky waste” is what we call it"
    text = "“대형폐기물” 이라고 부릅니다"
    assert chat.translate(text, source="ko", target="en").text == "“Bulky waste” is what we call it"


@pytest.mark.parametrize(
    "setup, reason",
    [
        ({"mode": "error500"}, "error"),
        ({"mode": "malformed"}, "invalid"),
        ({"mode": "no_choices"}, "invalid"),
        ({"content": ""}, "empty"),
        ({"content": "```\n```"}, "empty"),
        ({"content": "Sure! " * 200}, "too_long"),
        ({"content": QUESTION}, "untranslated"),
        ({"content": "How do I", "finish_reason": "length"}, "truncated"),
        ({"content": None}, "invalid"),
    ],
)
def test_bad_answers_fail_cleanly(chat, chat_server, setup, reason):
    for key, value in setup.items():
        setattr(chat_server.app, key, value)
    with pytest.raises(TranslationFailed) as info:
        chat.translate(QUESTION, source="ko", target="en")
    assert info.value.reason == reason


def test_timeout(chat, chat_server):
    chat_server.delay = 1.5
    with pytest.raises(TranslationFailed) as info:
        chat.translate(QUESTION, source="ko", target="en")
    assert info.value.reason == "timeout"


def test_wrong_key_fails(configure, chat_server):
    chat_server.app.api_key = "sk-city"
    configure(ENGINE="openai", URL=chat_server.url, API_KEY="nope")
    with pytest.raises(TranslationFailed) as info:
        get_translator().translate(QUESTION, source="ko", target="en")
    assert info.value.reason == "error"


def test_server_down():
    with pytest.raises(TranslationFailed) as info:
        OpenAITranslator("http://127.0.0.1:9", timeout=0.5).translate(QUESTION, source="ko", target="en")
    assert info.value.reason == "error"


def test_cache_is_per_model(configure, chat_server):
    configure(ENGINE="openai", URL=chat_server.url, MODEL="a")
    get_translator().translate(QUESTION, source="ko", target="en")
    get_translator().translate(QUESTION, source="ko", target="en")
    configure(ENGINE="openai", URL=chat_server.url, MODEL="b")
    get_translator().translate(QUESTION, source="ko", target="en")
    assert [json.loads(p["raw"])["model"] for p in chat_server.posts()] == ["a", "b"]
