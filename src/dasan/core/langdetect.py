"""Which of the product's languages (ko, en, zh-hans, vi) a resident wrote in.

Used so that a KakaoTalk or web user who writes in Vietnamese is answered with
Vietnamese UI text without choosing a language first. The detector looks only at
scripts, which is all the four languages need and costs microseconds:

* Hangul (syllables, conjoining or compatibility jamo: "ㅋㅋ", "ㅠㅠ") → ``"ko"``.
* Han ideographs without kana → ``"zh-hans"``. Traditional characters count too:
  the product serves only Simplified Chinese, and a Traditional-Chinese reader
  is served better by it than by Korean. Kana mean Japanese, which the product
  does not serve → ``None``.
* Latin letters: Vietnamese when enough of the words carry Vietnamese letters or
  tone marks (ă đ ơ ư, ạ ả ấ … ỹ; à á â ê ô … count when many words have them),
  else English.
* Mixed text: the script with the most letters wins; Korean wins a tie, since the
  city's staff and most residents write Korean ("대형폐기물 fee?" → ``"ko"``). A
  Chinese or Latin tie goes to Chinese.

``None`` means "not enough signal": digits, punctuation, emoji, a URL, or
fewer than five Latin letters ("ok", "hi", "QR"). The caller then keeps the
language it already had (see :func:`choose_language`).

Known limits, on purpose: Vietnamese typed without diacritics ("xin chao, toi
muon hoi") is indistinguishable from other Latin text by script and comes out
as ``"en"``; other Latin-script languages (French, Spanish …) come out as
``"en"``, or as ``"vi"`` when most of their words carry accents; Japanese
written only in kanji comes out as ``"zh-hans"``.

Input is NFKC-normalised first, so decomposed Vietnamese (a letter followed by
combining marks), full-width Latin and half-width katakana are recognised.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["LANGUAGES", "detect", "choose_language"]

LANGUAGES = ("ko", "en", "zh-hans", "vi")

# Enough text to decide; longer input is only sampled at its start.
_SAMPLE = 2000
# Fewer Latin letters than this is too little to call English ("ok", "hi", "QR").
_MIN_LATIN = 5
# Vietnamese needs fewer when a Vietnamese-only letter is present ("ơn", "Dạ").
_MIN_LATIN_VI = 2

# URLs and e-mail addresses are Latin whatever language surrounds them.
_NOISE = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\u0300-\u036f]+")

# Letters that in practice only Vietnamese uses: the range U+1EA0-U+1EF9 of Latin
# Extended Additional (ạ ả ấ … ỹ, exactly the Vietnamese tone-marked set), ă đ ơ ư
# ĩ ũ, and the combining horn, hook above and dot below that NFKC left unattached.
_VI_STRONG = frozenset("ăĂđĐơƠưƯĩĨũŨ\u031b\u0309\u0323")
# Accented letters Vietnamese shares with French, Spanish, Portuguese …
_VI_WEAK = frozenset("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ\u0300\u0301\u0302\u0303")


def _is_vi_strong(ch: str) -> bool:
    return ch in _VI_STRONG or "\u1ea0" <= ch <= "\u1ef9"


def _counts(text: str) -> tuple[int, int, int, int]:
    """(hangul, han, kana, latin) letter counts."""
    hangul = han = kana = latin = 0
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            if 0x41 <= o <= 0x5A or 0x61 <= o <= 0x7A:
                latin += 1
        elif (
            0xAC00 <= o <= 0xD7A3  # syllables
            or 0x1100 <= o <= 0x11FF  # conjoining jamo
            or 0x3131 <= o <= 0x318E  # compatibility jamo (ㅋ, ㅠ)
            or 0xA960 <= o <= 0xA97F
            or 0xD7B0 <= o <= 0xD7FF  # jamo extended A/B
        ):
            hangul += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F:
            han += 1
        elif (0x3041 <= o <= 0x309F or 0x30A0 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF) and o != 0x30FB:
            # U+30FB (katakana middle dot) also separates Korean lists; not a sign of Japanese.
            kana += 1
        elif (0xC0 <= o <= 0x24F or 0x1E00 <= o <= 0x1EFF) and ch.isalpha():
            latin += 1
    return hangul, han, kana, latin


def _latin_language(text: str, latin: int) -> str | None:
    words = _LATIN_WORD.findall(text)
    if not words:
        return None
    strong = weak = 0
    for word in words:
        if any(_is_vi_strong(ch) for ch in word):
            strong += 1
        elif any(ch in _VI_WEAK for ch in word):
            weak += 1
    share = (strong + weak) / len(words)
    # A Vietnamese name in an English sentence ("My name is Nguyễn Văn Đức and I
    # need help") marks a few words; Vietnamese marks most ("Tôi muốn đăng ký").
    if strong and share >= 0.35 and latin >= _MIN_LATIN_VI:
        return "vi"
    if weak and share >= 0.5 and latin >= _MIN_LATIN:
        # Only shared accents ("Xin chào"): Vietnamese when most words carry them.
        return "vi"
    if latin >= _MIN_LATIN:
        return "en"
    return None


def detect(text: str | None) -> str | None:
    """Return ``"ko"``, ``"en"``, ``"zh-hans"`` or ``"vi"`` for ``text``, or
    ``None`` when it has too little signal (see the module docstring).

    Vietnamese written without diacritics is ambiguous and comes out as
    ``"en"``; Japanese (any kana) gives ``None``.
    """
    if not text:
        return None
    if not isinstance(text, str):
        text = str(text)
    text = unicodedata.normalize("NFKC", text[:_SAMPLE])
    if "@" in text or "//" in text or "www." in text.lower():
        text = _NOISE.sub(" ", text)
    hangul, han, kana, latin = _counts(text)
    cjk = han + kana
    if not (hangul or cjk or latin):
        return None
    if hangul and hangul >= cjk and hangul >= latin:
        return "ko"
    if cjk and cjk >= latin:
        if kana:
            return None
        return "zh-hans"
    return _latin_language(text, latin)


def choose_language(text: str | None, fallback: str) -> str:
    """The language to answer ``text`` in: the detected one, else ``fallback``
    (typically the resident's saved language or the request's)."""
    return detect(text) or fallback
