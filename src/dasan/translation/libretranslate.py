"""LibreTranslate (https://libretranslate.com, self-hosted: ``libretranslate`` on
the city's server), through its documented HTTP API:

* ``GET {url}/languages`` → ``[{"code": "en", "name": "English", "targets": [...]}, ...]``
* ``POST {url}/translate`` with JSON ``{"q", "source", "target", "format": "text",
  "api_key"}`` → ``{"translatedText": "..."}``; errors are ``{"error": "..."}``
  with status 400 (bad request, unsupported language), 403 (API key), 429 (rate
  limit) or 500.

Simplified Chinese is ``zh`` on older servers and the Argos models, ``zh-Hans`` on
newer ones; the adapter asks ``/languages`` which the server lists (cached for an
hour per server) and falls back to ``zh`` when it cannot tell.
"""

from __future__ import annotations

import logging
import threading
import time

import httpx

from .base import ServerTranslator, TranslationFailed

logger = logging.getLogger("dasan.translation")

# Candidate engine codes for each product language, preferred first; the first one
# the server lists is used.
_CODES = {
    "ko": ("ko",),
    "en": ("en",),
    "zh-hans": ("zh-Hans", "zh", "zh-CN"),
    "vi": ("vi",),
}
_FALLBACK = {"ko": "ko", "en": "en", "zh-hans": "zh", "vi": "vi"}

_LANGUAGES_TTL = 3600.0
_languages: dict[str, tuple[float, frozenset[str]]] = {}
_languages_lock = threading.Lock()


def clear_languages_cache() -> None:
    with _languages_lock:
        _languages.clear()


class LibreTranslateTranslator(ServerTranslator):
    """Translation by a LibreTranslate server the city runs."""

    name = "libretranslate"

    @property
    def cache_identity(self) -> str:
        return f"{self.name}:{self.url}"

    def server_languages(self) -> frozenset[str] | None:
        """The language codes the server lists, or None when its answer is unusable
        (a proxy that forwards only /translate). A server that cannot be reached
        fails the translation at once rather than after a second timeout."""
        now = time.monotonic()
        with _languages_lock:
            hit = _languages.get(self.url)
        if hit and now - hit[0] < _LANGUAGES_TTL:
            return hit[1]
        try:
            response = httpx.get(f"{self.url}/languages", timeout=self.timeout)
        except httpx.TimeoutException:
            raise TranslationFailed("timeout") from None
        except httpx.HTTPError as exc:
            logger.warning("LibreTranslate request failed: %s", type(exc).__name__)
            raise TranslationFailed("error") from None
        try:
            data = response.json() if response.status_code == 200 else None
            codes = frozenset(item["code"] for item in data if isinstance(item.get("code"), str))
        except (ValueError, KeyError, TypeError, AttributeError):
            logger.warning("LibreTranslate /languages answered %s without a usable list", response.status_code)
            return None
        if not codes:
            return None
        with _languages_lock:
            _languages[self.url] = (now, codes)
        return codes

    def engine_code(self, language: str) -> str:
        """The code this server uses for a product language."""
        listed = self.server_languages()
        if listed is not None:
            for code in _CODES[language]:
                if code in listed:
                    return code
            raise TranslationFailed("unsupported_language")
        return _FALLBACK[language]

    def _translate(self, text: str, *, source: str, target: str) -> str:
        body = {
            "q": text,
            "source": self.engine_code(source),
            "target": self.engine_code(target),
            "format": "text",
        }
        if self.api_key:
            body["api_key"] = self.api_key
        try:
            response = httpx.post(f"{self.url}/translate", json=body, timeout=self.timeout)
        except httpx.TimeoutException:
            raise TranslationFailed("timeout") from None
        except httpx.HTTPError as exc:
            logger.warning("LibreTranslate request failed: %s", type(exc).__name__)
            raise TranslationFailed("error") from None
        if response.status_code != 200:
            # Only the status: the server's message may quote the (masked) text.
            logger.warning("LibreTranslate answered %s", response.status_code)
            raise TranslationFailed("unsupported_language" if _is_unsupported(response) else "error")
        try:
            data = response.json()
        except ValueError:
            raise TranslationFailed("invalid") from None
        if not isinstance(data, dict):
            raise TranslationFailed("invalid")
        translated = data.get("translatedText")
        if not isinstance(translated, str):
            raise TranslationFailed("invalid")
        return translated


def _is_unsupported(response: httpx.Response) -> bool:
    if response.status_code != 400:
        return False
    try:
        error = response.json().get("error", "")
    except (ValueError, AttributeError):
        return False
    return isinstance(error, str) and "not supported" in error.lower()
