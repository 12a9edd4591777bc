"""The LibreTranslate adapter against a local server speaking its documented API."""

from __future__ import annotations

import json
import time

import pytest

from dasan.translation import LibreTranslateTranslator, TranslationFailed, get_translator

QUESTION = "대형폐기물 수거 신청은 어떻게 하나요?"


@pytest.fixture
def libre(configure, libre_server):
    configure(ENGINE="libretranslate", URL=libre_server.url, TIMEOUT=0.5)
    return get_translator()


def _translate_body(server) -> dict:
    (post,) = [r for r in server.posts() if r["path"] == "/translate"]
    assert post["headers"]["Content-Type"] == "application/json"
    return json.loads(post["raw"])


def test_sends_the_documented_request_and_reads_translated_text(libre, libre_server):
    result = libre.translate(QUESTION, source="ko", target="en")
    assert result.text == "How do I apply for bulky waste collection?"
    assert (result.source, result.target, result.engine, result.machine) == ("ko", "en", "libretranslate", True)
    assert _translate_body(libre_server) == {"q": QUESTION, "source": "ko", "target": "en", "format": "text"}


def test_vietnamese_to_korean(libre, libre_server):
    result = libre.translate("Tôi muốn vứt tủ lạnh cũ.", source="vi", target="ko")
    assert result.text == "오래된 냉장고를 버리고 싶어요."
    body = _translate_body(libre_server)
    assert (body["source"], body["target"]) == ("vi", "ko")


def test_chinese_code_of_an_older_server_is_zh(libre, libre_server):
    assert libre.translate(QUESTION, source="ko", target="zh-hans").text == "如何申请大件垃圾回收？"
    assert _translate_body(libre_server)["target"] == "zh"


def test_chinese_code_of_a_newer_server_is_zh_hans(configure, libre_server_hans):
    configure(ENGINE="libretranslate", URL=libre_server_hans.url)
    assert get_translator().translate(QUESTION, source="ko", target="zh-Hans").text == "如何申请大件垃圾回收？"
    assert _translate_body(libre_server_hans)["target"] == "zh-Hans"


def test_languages_are_asked_once(libre, libre_server):
    libre.translate(QUESTION, source="ko", target="en")
    libre.translate(QUESTION, source="ko", target="vi")
    gets = [r for r in libre_server.requests if r["method"] == "GET"]
    assert [g["path"] for g in gets] == ["/languages"]


def test_language_the_server_lacks_is_not_sent(libre, libre_server):
    libre_server.app.codes = ["en", "ko"]
    with pytest.raises(TranslationFailed) as info:
        libre.translate(QUESTION, source="ko", target="vi")
    assert info.value.reason == "unsupported_language"
    assert libre_server.posts() == []


def test_api_key_is_sent(configure, libre_server):
    libre_server.app.api_key = "city-key"
    configure(ENGINE="libretranslate", URL=libre_server.url, API_KEY="city-key")
    get_translator().translate(QUESTION, source="ko", target="en")
    assert _translate_body(libre_server)["api_key"] == "city-key"


def test_wrong_api_key_fails(configure, libre_server):
    libre_server.app.api_key = "city-key"
    configure(ENGINE="libretranslate", URL=libre_server.url, API_KEY="wrong")
    with pytest.raises(TranslationFailed) as info:
        get_translator().translate(QUESTION, source="ko", target="en")
    assert info.value.reason == "error"


def test_personal_data_never_reaches_the_server(libre, libre_server):
    text = "제 번호는 010-1234-5678이고 주민번호는 900101-1234567, 주소는 서울특별시 강남구 테헤란로 123, 4층입니다."
    result = libre.translate(text, source="ko", target="en")
    sent = libre_server.raw_sent().decode()
    for secret in ("010-1234-5678", "1234-5678", "900101-1234567", "1234567", "테헤란로 123", "4층"):
        assert secret not in sent
    assert "010-****-5678" in _translate_body(libre_server)["q"]
    assert result.masked is True
    assert result.text.startswith("My number is 010-****-5678,")


def test_results_are_cached(libre, libre_server):
    first = libre.translate(QUESTION, source="ko", target="en")
    second = libre.translate(QUESTION, source="ko", target="en")
    assert first == second
    assert len(libre_server.posts()) == 1


@pytest.mark.parametrize(
    "mode, reason",
    [
        ("error500", "error"),
        ("malformed", "invalid"),
        ("list", "invalid"),
        ("empty", "empty"),
        ("echo", "untranslated"),
    ],
)
def test_bad_answers_fail_cleanly(libre, libre_server, mode, reason):
    libre_server.app.mode = mode
    with pytest.raises(TranslationFailed) as info:
        libre.translate(QUESTION, source="ko", target="en")
    assert info.value.reason == reason


def test_failures_are_not_cached(libre, libre_server):
    libre_server.app.mode = "error500"
    with pytest.raises(TranslationFailed):
        libre.translate(QUESTION, source="ko", target="en")
    libre_server.app.mode = "ok"
    assert libre.translate(QUESTION, source="ko", target="en").text.startswith("How do I")


def test_timeout(libre, libre_server):
    libre_server.delay = 1.5
    with pytest.raises(TranslationFailed) as info:
        libre.translate(QUESTION, source="ko", target="en")
    assert info.value.reason == "timeout"


def test_server_down():
    translator = LibreTranslateTranslator("http://127.0.0.1:9", timeout=0.5)
    with pytest.raises(TranslationFailed) as info:
        translator.translate(QUESTION, source="ko", target="en")
    assert info.value.reason == "error"


def test_input_too_long_is_not_sent(configure, libre_server):
    configure(ENGINE="libretranslate", URL=libre_server.url, MAX_CHARS=50)
    with pytest.raises(TranslationFailed) as info:
        get_translator().translate("가" * 51, source="ko", target="en")
    assert info.value.reason == "too_long_input"
    assert libre_server.requests == []


def test_same_language_and_blank_text_are_not_sent(libre, libre_server):
    same = libre.translate(QUESTION, source="ko", target="ko")
    blank = libre.translate("   ", source="ko", target="en")
    assert (same.text, same.machine) == (QUESTION, False)
    assert blank.machine is False
    assert libre_server.requests == []


def test_without_a_languages_list_the_usual_codes_are_sent(libre, libre_server):
    libre_server.app.get = lambda h: h._send(404, {"error": "Not Found"})
    libre.translate(QUESTION, source="ko", target="zh-hans")
    assert _translate_body(libre_server)["target"] == "zh"


def test_slow_languages_fail_without_a_second_wait(libre, libre_server):
    def slow(h):
        time.sleep(1.5)
        h._send(200, [])

    libre_server.app.get = slow
    with pytest.raises(TranslationFailed) as info:
        libre.translate(QUESTION, source="ko", target="en")
    assert info.value.reason == "timeout"
    assert libre_server.posts() == []
