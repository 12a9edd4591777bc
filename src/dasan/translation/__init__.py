"""Machine translation through a server the city runs itself.

No model that translates Korean ships in the package registries, so by default
nothing is machine-translated: :func:`get_translator` gives a
:class:`NoTranslator`, and :func:`translate_or_none` gives ``None`` so that the
page can say "번역 없음 / needs translation" instead of pretending. A city that
runs a translation server picks an engine with ``DASAN_TRANSLATION_ENGINE``:

* ``libretranslate`` — a LibreTranslate server (``DASAN_TRANSLATION_URL``,
  optional ``DASAN_TRANSLATION_API_KEY``);
* ``openai`` — an OpenAI-compatible chat model (vLLM, llama.cpp server, Ollama) at
  ``DASAN_TRANSLATION_URL`` with ``DASAN_TRANSLATION_MODEL``; when no URL is set,
  the assistant's model server (``DASAN_LLM_URL``, ``_MODEL``, ``_API_KEY``) is used.

Every engine receives the text only after :func:`dasan.core.pii.mask`: resident
registration numbers, phone, card and account numbers, e-mail and street
addresses never leave in clear, and the translation shows them masked.

Usage::

    from dasan.translation import translate_or_none

    result = translate_or_none(complaint.body, source="vi", target="ko")
    if result is None:
        ...  # show the original, marked "needs translation"
"""

from __future__ import annotations

import logging

from django.core.exceptions import ImproperlyConfigured

from dasan.core.conf import setting

from .base import (
    LANGUAGES,
    NoTranslator,
    Translation,
    TranslationError,
    TranslationFailed,
    TranslationUnavailable,
    Translator,
    clear_cache,
    normalize_language,
)
from .libretranslate import LibreTranslateTranslator
from .openai_compat import OpenAITranslator

__all__ = [
    "ENGINES",
    "LANGUAGES",
    "LibreTranslateTranslator",
    "NoTranslator",
    "OpenAITranslator",
    "Translation",
    "TranslationError",
    "TranslationFailed",
    "TranslationUnavailable",
    "Translator",
    "clear_cache",
    "enabled",
    "get_translator",
    "normalize_language",
    "translate_or_none",
]

logger = logging.getLogger("dasan.translation")

#: Values of DASAN_TRANSLATION_ENGINE; "" (and "none") means no machine translation.
ENGINES = ("", "none", "libretranslate", "openai")


def get_translator() -> Translator:
    """The translator the settings ask for (read on every call, so it is cheap
    and follows settings changes). Raises ImproperlyConfigured for an unknown
    engine or one without its URL."""
    engine = str(setting("TRANSLATION_ENGINE")).strip().lower()
    if engine not in ENGINES:
        raise ImproperlyConfigured(f"DASAN_TRANSLATION_ENGINE={engine!r}: expected one of none, libretranslate, openai")
    url = str(setting("TRANSLATION_URL")).strip()
    if engine == "libretranslate":
        if not url:
            raise ImproperlyConfigured("DASAN_TRANSLATION_ENGINE=libretranslate needs DASAN_TRANSLATION_URL")
        return LibreTranslateTranslator(url, api_key=str(setting("TRANSLATION_API_KEY")))
    if engine == "openai":
        if url:
            model, key = setting("TRANSLATION_MODEL"), setting("TRANSLATION_API_KEY")
        else:
            # The assistant's model server, with its own model and key (never the
            # assistant's key sent to a different translation server).
            url = str(setting("LLM_URL")).strip()
            model = setting("TRANSLATION_MODEL") or setting("LLM_MODEL")
            key = setting("LLM_API_KEY")
        if not url:
            raise ImproperlyConfigured("DASAN_TRANSLATION_ENGINE=openai needs DASAN_TRANSLATION_URL (or DASAN_LLM_URL)")
        return OpenAITranslator(url, model=str(model or "default"), api_key=str(key))
    return NoTranslator()


def enabled() -> bool:
    """Whether an engine is configured (it may still fail on a given request)."""
    try:
        return get_translator().available()
    except ImproperlyConfigured:
        return False


def translate_or_none(text: str, *, source: str, target: str) -> Translation | None:
    """Translate ``text``, or return ``None`` when no engine is configured, the
    configuration is wrong, the language is not one of the product's, or the
    engine failed; failures are logged (engine, languages and reason, never the
    text). When ``source`` and ``target`` are the same language the text comes
    back as it is, with ``machine=False``, whatever the engine."""
    try:
        src, dst = normalize_language(source), normalize_language(target)
    except TranslationFailed:
        logger.warning("Translation %s→%s not attempted: unsupported language", source, target)
        return None
    if src == dst:
        return Translation("" if text is None else str(text), src, dst, "none", machine=False)
    try:
        translator = get_translator()
    except ImproperlyConfigured as exc:
        logger.error("Machine translation is misconfigured: %s", exc)
        return None
    if not translator.available():
        return None
    try:
        return translator.translate(text, source=src, target=dst)
    except TranslationUnavailable:
        return None
    except TranslationFailed as exc:
        logger.warning("Translation %s→%s by %s failed: %s", src, dst, translator.name, exc.reason)
        return None


def for_reader(korean_text: str, language: str) -> tuple[str, bool]:
    """Korean text (an assistant's passage, a staff answer) for a reader of ``language``:
    a plain note that it exists only in Korean and, when the city runs an engine, its
    machine translation marked as such, with the Korean kept below it.

    Returns ``(text, machine_translated)``; the words are in the active language
    (call it under ``translation.override(language)``)."""
    from django.utils.translation import gettext

    if not korean_text or language == "ko":
        return korean_text, False
    note = gettext("이 안내는 아직 한국어로만 있습니다.")
    translated = translate_or_none(korean_text, source="ko", target=language)
    if translated is None:
        return f"{note}\n\n{korean_text}", False
    warning = gettext("아래는 기계 번역이며 정확하지 않을 수 있습니다.")
    machine, original = gettext("기계 번역"), gettext("한국어 원문")
    return f"{note} {warning}\n\n[{machine}] {translated.text}\n\n[{original}]\n{korean_text}", True
