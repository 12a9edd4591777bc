"""Reading the knowledge base: search (the assistant's contract), topics, article pages.

The assistant's contract::

    from dasan.knowledge.selectors import search
    result = search("소파 버리는 비용", audience="residents", k=5)
    result.hits, result.confidence, result.answerable, result.index_ready

Search asks the process's loaded index (:data:`.indexing.manager`) and keeps what the
reader may see today: the audience's sources (staff see residents' and their own), in the
reader's language or Korean, within their validity dates. The index's confidence is the
calibrated probability that the best passage answers the question (``ranking`` and
``calibration``); the other passages get it scaled by their score.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.accounts.permissions import is_staff
from dasan.core.errors import NotFound
from dasan.knowledge.errors import Code

from .chunking import TITLE_SEPARATOR
from .indexing import manager
from .models import Audience, Source, SourceChunk, Status

__all__ = [
    "Passage",
    "Hit",
    "SearchResult",
    "search",
    "translated_passage",
    "related_topics",
    "topics",
    "visible_source",
    "article_sections",
]


@dataclass
class Passage:
    """One passage found for a question, with what a citation needs (the public API's hit)."""

    chunk_id: str
    source_id: int
    source_title: str
    title_path: str
    text: str
    url: str
    updated_at: datetime.date | None
    topic: str
    score: float
    confidence: float


@dataclass
class Hit(Passage):
    """A passage with what the assistant needs besides: its owner and its language."""

    department_id: int | None = None
    language: str = "ko"
    #: For a passage of a translated article: the Korean original's source id.
    translation_of: int | None = None


@dataclass
class SearchResult:
    hits: list[Hit] = field(default_factory=list)
    confidence: float = 0.0
    answerable: bool = False
    index_ready: bool = False
    #: The index's raw features of the best hit (dense_top, dense_margin, lex_cover, ...).
    features: dict = field(default_factory=dict)


def _audiences(audience: str) -> list[str]:
    if audience == Audience.STAFF:
        return [Audience.RESIDENTS, Audience.STAFF]
    if audience == Audience.RESIDENTS:
        return [Audience.RESIDENTS]
    raise ValueError(f"unknown audience {audience!r}")


def _valid_today(meta: dict, today: str) -> bool:
    vf, vu = meta.get("valid_from"), meta.get("valid_until")
    return (not vf or vf <= today) and (not vu or today <= vu)


def _to_hit(h, confidence: float, top_score: float) -> Hit:
    c, m = h.chunk, h.chunk.metadata
    url = m.get("url") or ""
    if url and m.get("anchor"):
        url = f"{url}#{m['anchor']}"
    try:
        updated = datetime.date.fromisoformat(m["updated_at"]) if m.get("updated_at") else None
    except ValueError:
        updated = None
    sid = int(c.source_id) if str(c.source_id).isdigit() else c.source_id
    return Hit(
        chunk_id=c.id,
        source_id=sid,
        source_title=m.get("source_title") or (c.title_path[0] if c.title_path else ""),
        title_path=c.title_display,
        text=c.text,
        url=url,
        updated_at=updated,
        topic=m.get("topic") or "",
        score=float(h.score),
        confidence=round(confidence * (min(h.score / top_score, 1.0) if top_score else 0.0), 4),
        department_id=m.get("department_id"),
        language=m.get("language") or "ko",
        translation_of=m.get("translation_of"),
    )


def index_ready() -> bool:
    """Whether an index has been built (it may still be empty)."""
    return manager.get() is not None


def search(
    query: str,
    *,
    audience: str = "residents",
    language: str | None = None,
    k: int = 5,
    group_by: str | None = None,
    originals_only: bool = False,
) -> SearchResult:
    """Best passages for ``query`` among the sources ``audience`` may see.

    ``audience="staff"`` searches residents' and staff-only sources; ``"residents"``
    only residents'. ``language`` keeps sources in that language and in Korean (the
    city's own language, which the multilingual model matches across languages).
    ``group_by`` (``"topic"`` or ``"source"``) keeps the best passage per group.
    ``originals_only`` leaves out the city's translations of articles.
    Confidence is the top hit's probability of answering the question; other hits
    get it scaled by their score.
    """
    index = manager.get()
    if index is None or len(index) == 0:
        return SearchResult(index_ready=index is not None)
    filters: dict = {"audience": _audiences(audience)}
    if language:
        filters["language"] = sorted({language, "ko"})
    if originals_only:
        # Translations are reached through their original (translated_passage): their
        # words would otherwise meet the calibrated confidence, fitted on Korean.
        filters["translation_of"] = [None]
    if group_by == "source":
        group_by = "source_id"
    result = index.search(query, k=max(k, 1) * 2, filters=filters, group_by=group_by)
    today = timezone.localdate().isoformat()
    kept = [h for h in result.hits if _valid_today(h.chunk.metadata, today)][:k]
    if not kept:
        return SearchResult(index_ready=True)
    confidence = (
        result.confidence if kept[0] is result.hits[0] else result.confidence * kept[0].score / result.hits[0].score
    )
    hits = [_to_hit(h, confidence, kept[0].score) for h in kept]
    return SearchResult(
        hits=hits,
        confidence=round(confidence, 4),
        answerable=confidence >= result.threshold,
        index_ready=True,
        features=dict(getattr(result, "features", None) or {}),
    )


def _sections(source_id) -> list[str]:
    """The distinct heading paths of a source's passages, in reading order."""
    seen: list[str] = []
    for path in (
        SourceChunk.objects.filter(source_id=source_id).order_by("position").values_list("title_path", flat=True)
    ):
        if path not in seen:
            seen.append(path)
    return seen


def _live_translation(original, language: str) -> Source | None:
    """The city's published, currently valid ``language`` translation of an article."""
    today = timezone.localdate()
    for source in Source.objects.filter(translation_of_id=original, language=language, status=Status.PUBLISHED):
        if source.is_valid_on(today):
            return source
    return None


def _same_section(hit: Hit, original, translation: Source, found: list):
    """Among ``found`` (the translation's passages), those under the heading that holds
    ``hit`` in the original: the k-th section of one is the k-th of the other."""
    row = SourceChunk.objects.filter(chunk_id=hit.chunk_id).values_list("title_path", flat=True).first()
    if row is None:
        return []
    mine, theirs = _sections(original), _sections(translation.pk)
    if len(mine) != len(theirs) or row not in mine:
        return []
    target = theirs[mine.index(row)]
    return [h for h in found if TITLE_SEPARATOR.join(h.chunk.title_path) == target or h.chunk.title_display == target]


def translated_passage(hit: Hit, language: str, query: str) -> Hit | None:
    """The city's own ``language`` translation of ``hit``'s passage, or None when the
    article has no live translation in that language.

    The passage is the translation's same section: translators keep the article's
    headings in order (the admin says so), so the k-th section of the original is the
    k-th of the translation. When the structures differ, the translation's passage
    that best matches ``query`` is used instead."""
    if not language or language == hit.language:
        return hit
    original = hit.translation_of or hit.source_id
    translation = _live_translation(original, language)
    index = manager.get()
    if translation is None or index is None or len(index) == 0:
        return None
    result = index.search(query, k=50, filters={"source_id": [str(translation.pk)]})
    if not result.hits:
        return None
    chosen = (_same_section(hit, original, translation, result.hits) or result.hits)[0]
    found = _to_hit(chosen, hit.confidence, chosen.score)
    found.confidence = hit.confidence
    return found


def related_topics(query: str, k: int = 5, *, audience: str = "residents") -> list[str]:
    """The closest topics (or source titles) to a question, for "I don't know" replies."""
    result = search(query, audience=audience, k=k * 3, group_by="topic", originals_only=True)
    out: list[str] = []
    for h in result.hits:
        name = h.topic or h.source_title
        if name and name not in out:
            out.append(name)
        if len(out) >= k:
            break
    return out


def topics(*, audience: str = "residents") -> list[str]:
    """Every topic of the live sources ``audience`` may see: FAQ topics and article sections."""
    today = timezone.localdate()
    live = [
        s.pk
        for s in Source.objects.filter(
            status=Status.PUBLISHED, audience__in=_audiences(audience), translation_of__isnull=True
        )
        if s.is_valid_on(today)
    ]
    names = SourceChunk.objects.filter(source_id__in=live).exclude(topic="").values_list("topic", flat=True)
    return sorted(set(names))


# --- article pages ---------------------------------------------------------------------


def visible_source(user, *, pk: int | None = None, slug: str | None = None) -> Source:
    """The source behind an article page: staff see every one (drafts and staff-only
    sources included, to check them), everyone else only a live residents' source.
    Raises NotFound otherwise, so that a draft's existence is not revealed."""
    found = Source.objects.filter(pk=pk) if pk is not None else Source.objects.filter(slug=slug)
    source = found.select_related("department").first()
    if source is None or not (is_staff(user) or (source.audience == Audience.RESIDENTS and source.is_live)):
        raise NotFound(Code.KB_SOURCE_NOT_FOUND, _("지식 원문을 찾을 수 없습니다."))
    return source


def article_sections(source: Source) -> list[dict]:
    """A file or FAQ source's passages as page sections (anchor, heading, text, topic)."""
    sections = []
    for chunk in source.chunks.order_by("position"):
        parts = chunk.title_path.split(TITLE_SEPARATOR)
        heading = parts[-1] if len(parts) > 1 else ""
        sections.append({"anchor": chunk.anchor, "heading": heading, "text": chunk.text, "topic": chunk.topic})
    return sections
