"""The translator interface shared by every engine, and what all engines do alike:
language codes, personal-data masking, input limits, output checks, the cache."""

from __future__ import annotations

import hashlib
import re
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from dataclasses import dataclass

from dasan.core.conf import setting
from dasan.core.langdetect import detect
from dasan.core.pii import mask

__all__ = [
    "LANGUAGES",
    "Translation",
    "TranslationError",
    "TranslationUnavailable",
    "TranslationFailed",
    "Translator",
    "NoTranslator",
    "normalize_language",
    "clear_cache",
]

#: The product's languages (Django language codes); Korean is the source language.
LANGUAGES = ("ko", "en", "zh-hans", "vi")

LANGUAGE_NAMES = {"ko": "Korean", "en": "English", "zh-hans": "Simplified Chinese", "vi": "Vietnamese"}

_ALIASES = {
    "ko-kr": "ko",
    "kor": "ko",
    "en-us": "en",
    "en-gb": "en",
    "zh": "zh-hans",
    "zh-cn": "zh-hans",
    "zh-sg": "zh-hans",
    "zh-chs": "zh-hans",
    "vi-vn": "vi",
}

CACHE_SIZE = 512


@dataclass(frozen=True)
class Translation:
    """A translated text. ``machine`` is False only when nothing needed translating
    (same source and target); ``masked`` says personal data was hidden before the
    text left, so the translation shows e.g. ``010-****-5678`` where the original
    had the full number: show the original next to it."""

    text: str
    source: str
    target: str
    engine: str
    machine: bool = True
    masked: bool = False


class TranslationError(Exception):
    """Base of the translation errors; ``reason`` is a short code for logs and tests."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TranslationUnavailable(TranslationError):
    """No machine translation is configured (the default)."""


class TranslationFailed(TranslationError):
    """The engine was asked and did not give a usable translation: timeout, HTTP
    error, malformed or suspicious answer, input too long, unsupported language."""


def normalize_language(code: str | None) -> str:
    """A product language code from a Django/BCP 47 one ("zh-Hans", "zh_CN", "vi-VN");
    raises TranslationFailed("unsupported_language") for anything else."""
    value = (code or "").strip().lower().replace("_", "-")
    value = _ALIASES.get(value, value)
    if value not in LANGUAGES:
        raise TranslationFailed("unsupported_language")
    return value


# --- cache -------------------------------------------------------------------------
# In-process and small: translations of the same notice or FAQ answer repeat, and a
# shared cache table would keep residents' (masked) text in the database for no gain.
_cache: OrderedDict[tuple[str, str, str, str], str] = OrderedDict()
_cache_lock = threading.Lock()


def _cache_key(engine: str, source: str, target: str, text: str) -> tuple[str, str, str, str]:
    return engine, source, target, hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cache_get(key) -> str | None:
    with _cache_lock:
        value = _cache.get(key)
        if value is not None:
            _cache.move_to_end(key)
        return value


def _cache_put(key, value: str) -> None:
    with _cache_lock:
        _cache[key] = value
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def clear_cache() -> None:
    """Forget every cached translation (tests; after changing engines)."""
    with _cache_lock:
        _cache.clear()


# --- output checks -----------------------------------------------------------------
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"^```[\w-]*\s*\n?(.*?)\n?```$", re.DOTALL)
_LABEL = re.compile(
    r"^(?:translation|translated text|번역(?:문)?|译文|翻译|bản dịch)\s*(?:\([^)]{0,30}\))?\s*[:：]\s*", re.IGNORECASE
)
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "「": "」", "『": "』", "«": "»"}


def strip_wrappers(output: str, original: str) -> str:
    """Remove what chat models wrap around a translation: reasoning blocks, code
    fences, a "Translation:" label, quotes the original did not have."""
    text = _THINK.sub("", output).strip()
    match = _FENCE.match(text)
    if match and not original.lstrip().startswith("```"):
        text = match.group(1).strip()
    if not _LABEL.match(original.strip()):
        text = _LABEL.sub("", text, count=1).strip()
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        stripped = original.strip()
        if not (stripped and stripped[0] == text[0]):
            text = text[1:-1].strip()
    return text


def check_output(output: str, original: str, source: str, target: str) -> str:
    """Refuse an answer that cannot be a faithful translation of ``original``."""
    text = output.strip()
    if not text:
        raise TranslationFailed("empty")
    # Korean is dense: ko→vi or ko→en runs to about 3x the characters. Far more than
    # that is a model that answers, explains or loops instead of translating.
    if len(text) > 5 * len(original) + 200:
        raise TranslationFailed("too_long")
    got = detect(text)
    if got is not None and got == source and got != target and detect(original) == source:
        raise TranslationFailed("untranslated")
    return text


class Translator(ABC):
    """A machine-translation engine.

    Subclasses implement :meth:`_translate` only; :meth:`translate` is the same
    for all of them and guarantees that the text which leaves is masked by
    :func:`dasan.core.pii.mask` (주민등록번호, phone numbers, card and account
    numbers, e-mail and street addresses never reach the engine in clear), no
    longer than the limit, and that the answer is checked before it is returned.
    """

    #: Engine name shown to staff and stored with a translation ("libretranslate").
    name: str = ""

    def __init__(self, *, max_chars: int | None = None):
        #: The longest text (after masking) sent to the engine; ``TRANSLATION_MAX_CHARS`` by default.
        self.max_chars = setting("TRANSLATION_MAX_CHARS") if max_chars is None else max_chars

    def available(self) -> bool:
        """Whether this engine is configured to translate at all. It does not
        contact the server: a configured engine can still fail per request."""
        return True

    @property
    def cache_identity(self) -> str:
        return self.name

    def translate(self, text: str, *, source: str, target: str) -> Translation:
        """Translate ``text`` from ``source`` to ``target`` (Django codes: ko, en,
        zh-hans, vi). Raises TranslationUnavailable when no engine is configured,
        TranslationFailed for anything that went wrong; never anything else."""
        if not self.available():
            raise TranslationUnavailable("not_configured")
        source = normalize_language(source)
        target = normalize_language(target)
        text = "" if text is None else str(text)
        if source == target or not text.strip():
            return Translation(text, source, target, self.name, machine=False)
        masked = mask(text)
        if len(masked) > self.max_chars:
            raise TranslationFailed("too_long_input")
        key = _cache_key(self.cache_identity, source, target, masked)
        cached = _cache_get(key)
        if cached is None:
            try:
                output = self._translate(masked, source=source, target=target)
            except TranslationError:
                raise
            except Exception:  # noqa: BLE001 - an engine's surprise must not crash a page
                raise TranslationFailed("error") from None
            if not isinstance(output, str):
                raise TranslationFailed("invalid")
            cached = check_output(output, masked, source, target)
            _cache_put(key, cached)
        return Translation(cached, source, target, self.name, machine=True, masked=masked != text)

    @abstractmethod
    def _translate(self, text: str, *, source: str, target: str) -> str:
        """Send already-masked ``text`` to the engine and return its translation;
        raise TranslationFailed on any failure."""


class ServerTranslator(Translator):
    """An engine the city runs behind an HTTP ``url``: configured when it has one.
    ``timeout`` (seconds per request) is ``TRANSLATION_TIMEOUT`` unless given."""

    def __init__(self, url: str, *, api_key: str = "", timeout: float | None = None, max_chars: int | None = None):
        super().__init__(max_chars=max_chars)
        self.url = (url or "").rstrip("/")
        self.api_key = api_key
        self.timeout = setting("TRANSLATION_TIMEOUT") if timeout is None else timeout

    def available(self) -> bool:
        return bool(self.url)


class NoTranslator(Translator):
    """The default: no machine translation. No Korean-capable translation model
    ships in the package registries, so nothing is translated unless the city
    runs its own server; callers show "번역 없음 / needs translation"."""

    name = "none"

    def available(self) -> bool:
        return False

    def _translate(self, text: str, *, source: str, target: str) -> str:
        raise TranslationUnavailable("not_configured")
