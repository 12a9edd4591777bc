"""Choosing the engine from settings, the honest default, and translate_or_none."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from dasan.translation import (
    LibreTranslateTranslator,
    NoTranslator,
    OpenAITranslator,
    Translation,
    TranslationFailed,
    TranslationUnavailable,
    enabled,
    get_translator,
    normalize_language,
    translate_or_none,
)


def test_default_is_no_machine_translation():
    translator = get_translator()
    assert isinstance(translator, NoTranslator)
    assert translator.name == "none"
    assert translator.available() is False
    assert enabled() is False


def test_no_translator_raises_unavailable():
    with pytest.raises(TranslationUnavailable) as info:
        get_translator().translate("안녕하세요", source="ko", target="en")
    assert info.value.reason == "not_configured"


def test_translate_or_none_without_engine_is_none(caplog):
    with caplog.at_level(logging.WARNING, logger="dasan.translation"):
        assert translate_or_none("대형폐기물 수거 신청", source="ko", target="vi") is None
    assert caplog.records == []  # no engine is the normal case, not a warning


def test_explicit_none_engine(configure):
    configure(ENGINE="none")
    assert isinstance(get_translator(), NoTranslator)


def test_engine_from_settings(configure, libre_server):
    configure(ENGINE="libretranslate", URL=libre_server.url + "/", TIMEOUT=3.0, MAX_CHARS=800)
    translator = get_translator()
    assert isinstance(translator, LibreTranslateTranslator)
    assert translator.url == libre_server.url
    assert (translator.timeout, translator.max_chars) == (3.0, 800)
    assert enabled() is True


def test_only_settings_count_not_the_environment_at_run_time(monkeypatch, configure):
    # settings.py reads DASAN_TRANSLATION_* once, at start-up: the engine follows settings.DASAN.
    monkeypatch.setenv("DASAN_TRANSLATION_ENGINE", "libretranslate")
    monkeypatch.setenv("DASAN_TRANSLATION_URL", "http://127.0.0.1:9")
    assert isinstance(get_translator(), NoTranslator)
    configure(ENGINE="openai", URL="http://127.0.0.1:8", MODEL="qwen")
    translator = get_translator()
    assert isinstance(translator, OpenAITranslator)
    assert (translator.url, translator.model) == ("http://127.0.0.1:8", "qwen")


def test_openai_falls_back_to_the_assistants_model_server(settings, configure):
    settings.DASAN = {**settings.DASAN, "LLM_URL": "http://127.0.0.1:7", "LLM_MODEL": "city", "LLM_API_KEY": "k"}
    configure(ENGINE="openai")
    translator = get_translator()
    assert (translator.url, translator.model, translator.api_key) == ("http://127.0.0.1:7", "city", "k")


def test_openai_with_its_own_url_never_gets_the_assistants_key(settings, configure):
    settings.DASAN = {**settings.DASAN, "LLM_URL": "http://127.0.0.1:7", "LLM_API_KEY": "assistant-key"}
    configure(ENGINE="openai", URL="http://127.0.0.1:8")
    assert get_translator().api_key == ""


@pytest.mark.parametrize(
    "values",
    [{"ENGINE": "deepl"}, {"ENGINE": "libretranslate"}, {"ENGINE": "openai"}],
    ids=["unknown", "libretranslate-without-url", "openai-without-url"],
)
def test_misconfiguration_is_reported(configure, values, caplog):
    configure(**values)
    with pytest.raises(ImproperlyConfigured):
        get_translator()
    assert enabled() is False
    with caplog.at_level(logging.ERROR, logger="dasan.translation"):
        assert translate_or_none("안녕하세요", source="ko", target="en") is None
    assert "misconfigured" in caplog.text


def test_translate_or_none_translates(configure, libre_server):
    configure(ENGINE="libretranslate", URL=libre_server.url)
    result = translate_or_none("대형폐기물 수거 신청은 어떻게 하나요?", source="ko", target="en")
    assert result == Translation(
        "How do I apply for bulky waste collection?", "ko", "en", "libretranslate", machine=True, masked=False
    )


def test_translate_or_none_logs_failure_without_the_text(configure, libre_server, caplog):
    configure(ENGINE="libretranslate", URL=libre_server.url)
    libre_server.app.mode = "error500"
    with caplog.at_level(logging.WARNING, logger="dasan.translation"):
        assert translate_or_none("비밀스러운 민원 내용입니다", source="ko", target="en") is None
    assert "failed: error" in caplog.text
    assert "비밀스러운" not in caplog.text


def test_same_language_needs_no_engine():
    result = translate_or_none("안녕하세요", source="ko", target="ko-KR")
    assert result == Translation("안녕하세요", "ko", "ko", "none", machine=False)


def test_unsupported_language_is_none(configure, libre_server):
    configure(ENGINE="libretranslate", URL=libre_server.url)
    assert translate_or_none("안녕하세요", source="ko", target="ja") is None
    assert libre_server.requests == []


@pytest.mark.parametrize(
    "code, expected",
    [("ko", "ko"), ("zh-Hans", "zh-hans"), ("zh_CN", "zh-hans"), ("zh", "zh-hans"), ("vi-VN", "vi"), ("EN", "en")],
)
def test_normalize_language(code, expected):
    assert normalize_language(code) == expected


@pytest.mark.parametrize("code", ["ja", "", None, "zh-hant", "fr"])
def test_normalize_language_refuses_others(code):
    with pytest.raises(TranslationFailed) as info:
        normalize_language(code)
    assert info.value.reason == "unsupported_language"
