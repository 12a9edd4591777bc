"""Korean text analysis for lexical search (형태소 분석) with Kiwi.

``tokens(text)`` turns text into the normalised content morphemes that BM25 indexes:
nouns, verb and adjective stems, roots, foreign words and numbers, with particles,
endings and punctuation dropped and Latin letters lowercased. Kiwi splits compounds
whether or not they were written with spaces ("대형폐기물" and "대형 폐기물" give the
same tokens), which is what makes lexical search tolerant of residents' spacing.

Creating ``Kiwi()`` takes about 1.5 s and its first analysis another 2 s, so there is
one instance per process, created lazily under a lock; call :func:`warm` at start-up
(e.g. in ``AppConfig.ready`` of a worker, or before serving) to pay that up front.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable

# Morpheme tags kept for search. NNG/NNP common and proper nouns, NR numerals,
# VV/VA verb and adjective stems, XR roots, SL foreign (Latin) words, SH Hanja,
# SN numbers. Dependent nouns (NNB: 것, 수, 등), pronouns, particles (J*), endings
# (E*), suffixes (XS*) and symbols (S* other than the above) are dropped.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SH", "SN"})

# Stems so common in questions that they only add noise to BM25 ("어떻게 하나요?").
STOP_STEMS = frozenset({"하", "되", "있", "없", "않", "어떻", "어떠하", "그렇", "이렇", "같", "알", "주"})

# Words that Kiwi's default dictionary splits wrongly in civil-service text. Each is
# added as its own noun so that the spaced and unspaced spellings tokenise alike
# ("층간소음" is otherwise read as 층 + 가 + ㄴ + 소음).
USER_NOUNS = ("층간", "과태료", "임대차", "폐기물", "수수료", "주차장")

_lock = threading.Lock()
_kiwi = None


def get_kiwi():
    """Return the process-wide Kiwi instance, creating it on first use."""
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                kiwi = Kiwi()
                for word in USER_NOUNS:
                    kiwi.add_user_word(word, "NNG")
                _kiwi = kiwi
    return _kiwi


def warm() -> None:
    """Create Kiwi and run one analysis so that the first real request is fast."""
    tokens("대형 폐기물 배출 수수료는 얼마인가요?")


def _normalise(text: str) -> str:
    # NFKC folds full-width Latin/digits and compatibility jamo that IMEs produce.
    return unicodedata.normalize("NFKC", text or "")


def _select(morphs) -> list[str]:
    out: list[str] = []
    for m in morphs:
        tag = m.tag.split("-", 1)[0]  # "VV-R"/"VA-I" mark (ir)regular conjugation
        if tag not in CONTENT_TAGS:
            continue
        form = m.form
        if tag == "SL":
            form = form.lower()
        elif tag in ("VV", "VA") and form in STOP_STEMS:
            continue
        out.append(form)
    return out


def tokens(text: str) -> list[str]:
    """Content morphemes of ``text`` for lexical search, in order, repeats kept."""
    text = _normalise(text)
    if not text.strip():
        return []
    kiwi = get_kiwi()
    # Kiwi's analysis is safe to call from several threads (the C++ core keeps no
    # per-call state on the instance); only creation and dictionary edits need the
    # lock, and those happen once in get_kiwi().
    return _select(kiwi.tokenize(text))


def tokens_many(texts: Iterable[str]) -> list[list[str]]:
    """``tokens`` for many texts at once (Kiwi batches them internally)."""
    texts = [_normalise(t) for t in texts]
    kiwi = get_kiwi()
    return [_select(morphs) if t.strip() else [] for t, morphs in zip(texts, kiwi.tokenize(texts))]
