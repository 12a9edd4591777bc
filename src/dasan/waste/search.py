"""Item search that forgives Korean spelling and spacing.

Hangul syllables are decomposed into jamo by Unicode arithmetic (a syllable is
0xAC00 + (initial * 21 + medial) * 28 + final; Unicode 15, §3.12 "Conjoining Jamo
Behavior"), so that "쇼파" is one jamo away from "소파". A query made only of initial
consonants (ㅅㅍ) is matched against the items' initials (초성 검색). Spaces and
punctuation are ignored ("냉장 고" finds 냉장고), and a short table turns common
misspellings into the catalogue's words before anything else.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_BASE, _LAST = 0xAC00, 0xD7A3
# Compatibility jamo (the ones a keyboard types), in Unicode's order of the
# conjoining initials, medials and finals.
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = [
    "",
    "ㄱ",
    "ㄲ",
    "ㄳ",
    "ㄴ",
    "ㄵ",
    "ㄶ",
    "ㄷ",
    "ㄹ",
    "ㄺ",
    "ㄻ",
    "ㄼ",
    "ㄽ",
    "ㄾ",
    "ㄿ",
    "ㅀ",
    "ㅁ",
    "ㅂ",
    "ㅄ",
    "ㅅ",
    "ㅆ",
    "ㅇ",
    "ㅈ",
    "ㅊ",
    "ㅋ",
    "ㅌ",
    "ㅍ",
    "ㅎ",
]
_CONSONANTS = set("ㄱㄲㄳㄴㄵㄶㄷㄸㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅃㅄㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")

# What residents type -> the catalogue's word. Applied to the spaceless query.
ALIASES = {
    "쇼파": "소파",
    "쇼퍄": "소파",
    "장농": "장롱",
    "메트리스": "매트리스",
    "매트래스": "매트리스",
    "에어콘": "에어컨",
    "런닝머신": "러닝머신",
    "티비": "텔레비전",
    "티브이": "텔레비전",
    "tv": "텔레비전",
    "테레비": "텔레비전",
    "드럼세탁기": "세탁기",
    "이층침대": "2층침대",
}

_NOT_WORD = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """NFC, lower case, no spaces or punctuation: "냉장 고!" -> "냉장고"."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFC", str(text or "")).lower())


def decompose(text: str) -> str:
    """Each Hangul syllable as its compatibility jamo: "소파" -> "ㅅㅗㅍㅏ"."""
    out = []
    for ch in text:
        code = ord(ch)
        if _BASE <= code <= _LAST:
            index = code - _BASE
            out.append(INITIALS[index // 588])
            out.append(MEDIALS[(index % 588) // 28])
            out.append(FINALS[index % 28])
        else:
            out.append(ch)
    return "".join(out)


def initials(text: str) -> str:
    """The initial consonant of each syllable (초성): "소파" -> "ㅅㅍ"; other characters stay."""
    out = []
    for ch in text:
        code = ord(ch)
        out.append(INITIALS[(code - _BASE) // 588] if _BASE <= code <= _LAST else ch)
    return "".join(out)


def is_initials_query(text: str) -> bool:
    return bool(text) and all(ch in _CONSONANTS for ch in text)


def substring_distance(query: str, text: str) -> int:
    """Fewest edits turning ``query`` into some substring of ``text`` (Sellers' variant
    of Levenshtein: a match may start and end anywhere in ``text``)."""
    if not query:
        return 0
    previous = [0] * (len(text) + 1)
    for i, q in enumerate(query, 1):
        current = [i] + [0] * len(text)
        for j, t in enumerate(text, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (q != t))
        previous = current
    return min(previous)


def _allowed_edits(jamo_length: int) -> int:
    if jamo_length < 4:
        return 0
    return 1 if jamo_length < 9 else 2


def prepare(text: str) -> str:
    """The query as the catalogue would spell it: normalised, aliases applied."""
    query = normalise(text)
    for wrong, right in sorted(ALIASES.items(), key=lambda kv: -len(kv[0])):
        if wrong in query:
            query = query.replace(wrong, right)
    return query


@dataclass(frozen=True)
class Candidate:
    """Something to find: ``key`` comes back for a hit; ``texts`` are what it is called."""

    key: object
    texts: tuple[str, ...]


def rank(query: str, candidates: list[Candidate]) -> list[tuple[object, int]]:
    """Keys of the candidates that match ``query``, best first, with a score (lower is
    better: 0 exact part, 1 initials, 2 + edits for a near spelling)."""
    raw = normalise(query)
    if not raw:
        return []
    prepared = prepare(query)
    initials_only = is_initials_query(raw)
    q_jamo = decompose(prepared)
    allowed = _allowed_edits(len(q_jamo))
    found: list[tuple[int, int, object]] = []
    for position, candidate in enumerate(candidates):
        best = None
        for text in candidate.texts:
            norm = normalise(text)
            if not norm:
                continue
            if initials_only:
                score = 1 if raw in initials(norm) else None
            elif prepared in norm:
                score = 0
            else:
                edits = substring_distance(q_jamo, decompose(norm))
                score = 2 + edits if edits <= allowed else None
            if score is not None and (best is None or score < best):
                best = score
        if best is not None:
            found.append((best, position, candidate.key))
    found.sort(key=lambda row: (row[0], row[1]))
    return [(key, score) for score, _position, key in found]
