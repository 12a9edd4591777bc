"""Knowledge-base services: ingesting sources, the shared index, and search.

The assistant's contract::

    from dasan.knowledge.services import search, Hit
    result = search("소파 버리는 비용", audience="residents", k=5)
    result.hits, result.confidence, result.answerable, result.index_ready

Ingestion embeds passages, which takes seconds to minutes, so web requests never call
:func:`ingest` directly: saving or publishing a source enqueues
:func:`dasan.knowledge.tasks.ingest_source` on commit (:func:`schedule_ingest`).

The index lives in ``settings.VAR_DIR / "index" / "kb"``. Each process keeps one
loaded copy (:data:`manager`); a writer saves a new index and bumps the number in
``kb.generation`` beside it, and every search compares that file's modification time
with the one it loaded (one ``stat``), reloading when another process saved a newer one.
Writers take a file lock, so two workers never lose each other's updates.
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import logging
import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from dasan.core import audit
from dasan.core.errors import DasanError, NotFound
from dasan.knowledge.errors import Code

from . import extract as extraction
from .chunking import TITLE_SEPARATOR, Chunk, chunk_faq, chunk_markdown
from .models import Audience, Kind, Source, SourceChunk, Status

logger = logging.getLogger(__name__)

__all__ = [
    "Hit",
    "SearchResult",
    "search",
    "related_topics",
    "topics",
    "ingest",
    "ingest_all",
    "schedule_ingest",
    "publish",
    "unpublish",
    "delete_source",
    "manager",
    "anchor_for",
]


# --- the shared index ----------------------------------------------------------------


class IndexManager:
    """One loaded :class:`~.index.HybridIndex` per process, kept in step with the disk."""

    def __init__(self, path: Path | None = None, embedder=None):
        self._path = path
        self._embedder = embedder
        self._index = None
        self._loaded_mark: tuple | None = None
        self._lock = threading.RLock()

    def configure(self, path: Path | None = None, embedder=None) -> None:
        """Point at another directory / embedder (tests, benchmarks); forgets the loaded index."""
        with self._lock:
            self._path = path
            self._embedder = embedder
            self._index = None
            self._loaded_mark = None

    @property
    def path(self) -> Path:
        return Path(self._path) if self._path else Path(settings.VAR_DIR) / "index" / "kb"

    @property
    def generation_file(self) -> Path:
        return self.path.with_name(self.path.name + ".generation")

    @property
    def embedder(self):
        if self._embedder is None:
            from .embedding import default_embedder

            self._embedder = default_embedder()
        return self._embedder

    def _mark(self) -> tuple | None:
        try:
            st = os.stat(self.generation_file)
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def generation(self) -> int:
        try:
            return int(self.generation_file.read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def get(self):
        """The current index, or ``None`` while none has been built yet."""
        mark = self._mark()
        if self._index is not None and mark == self._loaded_mark:
            return self._index
        with self._lock:
            mark = self._mark()
            if self._index is not None and mark == self._loaded_mark:
                return self._index
            if mark is None:
                self._index, self._loaded_mark = None, None
                return None
            from .index import HybridIndex, IndexMismatch

            try:
                self._index = HybridIndex.load(self.path, embedder=self.embedder)
            except FileNotFoundError:
                self._index = None
            except IndexMismatch:
                logger.warning("the knowledge index at %s must be rebuilt (dasan kb rebuild)", self.path)
                self._index = None
            self._loaded_mark = mark
            return self._index

    def warm(self) -> None:
        """Load the index, Kiwi and the embedding model so that the first question is fast."""
        from . import analysis

        analysis.warm()
        if hasattr(self.embedder, "warm"):
            self.embedder.warm()
        index = self.get()
        if index is not None:
            index.search("대형폐기물", k=1, group_by="topic")  # also embeds the chatter examples

    @contextmanager
    def writing(self):
        """Lock out other writers, yield the freshest index (new if none), save it after."""
        from .index import HybridIndex, IndexMismatch

        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                with self._lock:
                    index = None
                    if self._index is not None and self._mark() == self._loaded_mark:
                        index = self._index  # already the newest: no need to read it back
                    elif self._mark() is not None:
                        try:
                            index = HybridIndex.load(self.path, embedder=self.embedder)
                        except (FileNotFoundError, IndexMismatch):
                            index = None
                    if index is None:
                        index = HybridIndex(embedder=self.embedder)
                    try:
                        yield index
                        index.save(self.path)
                    except BaseException:
                        self._index, self._loaded_mark = None, None  # reload what is on disk
                        raise
                    gen = self.generation() + 1
                    tmp = self.generation_file.with_suffix(".tmp")
                    tmp.write_text(str(gen))
                    os.replace(tmp, self.generation_file)
                    self._index, self._loaded_mark = index, self._mark()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


manager = IndexManager()


# --- turning a source into chunks ----------------------------------------------------


def anchor_for(heading: str) -> str:
    """The HTML id of a heading on the article page (also used in citation links)."""
    return slugify(heading, allow_unicode=True) or "section"


def read_source(source: Source) -> tuple[extraction.Document | extraction.FaqTable, bytes]:
    """Extract a source's content; returns it with the raw bytes it came from."""
    if source.kind == Kind.ARTICLE:
        raw = (source.body or "").encode("utf-8")
        return extraction.Document(source.body or "", source.title), raw
    if not source.file:
        raise DasanError(Code.KB_NO_FILE, _("원문에 파일이 없습니다."))
    try:
        with source.file.open("rb") as f:
            raw = f.read()
    except OSError as exc:
        raise DasanError(
            Code.KB_FILE_MISSING, _("원문 파일을 열 수 없습니다: %(name)s") % {"name": source.file.name}
        ) from exc
    doc = extraction.extract(raw, source.file.name)
    if source.kind == Kind.FAQ and not isinstance(doc, extraction.FaqTable):
        raise DasanError(Code.KB_NOT_FAQ, _("FAQ 표 원문에는 CSV나 XLSX 파일을 올려 주세요."))
    return doc, raw


def _metadata(source: Source) -> dict:
    return {
        "audience": source.audience,
        "language": source.language,
        "translation_of": source.translation_of_id,
        "kind": source.kind,
        "source_title": source.title,
        "department_id": source.department_id,
        "updated_at": timezone.localdate(source.updated_at or timezone.now()).isoformat(),
        "url": source.get_absolute_url() if source.pk else "",
        "valid_from": source.valid_from.isoformat() if source.valid_from else None,
        "valid_until": source.valid_until.isoformat() if source.valid_until else None,
    }


def chunks_for(source: Source, content) -> list[Chunk]:
    """Chunk extracted content with the source's metadata (and each chunk's anchor)."""
    meta = _metadata(source)
    sid = str(source.pk)
    if isinstance(content, extraction.FaqTable):
        chunks = chunk_faq(sid, content.rows, metadata=meta, title=source.title)
    else:
        chunks = chunk_markdown(sid, content.markdown, title=source.title, metadata=meta)
    out = []
    for c in chunks:
        if source.kind == Kind.ARTICLE:
            anchor = anchor_for(c.title_path[-1]) if len(c.title_path) > 1 else ""
        else:
            anchor = f"c-{c.id[:12]}"
        topic = c.metadata.get("topic") or (c.title_path[1] if len(c.title_path) > 1 else source.title)
        md = {**c.metadata, "anchor": anchor, "topic": topic}
        out.append(Chunk(c.id, c.source_id, c.title_path, c.text, md, c.position))
    return out


# --- ingestion -------------------------------------------------------------------------


@dataclass
class IngestReport:
    source_id: int
    indexed: bool
    chunks: int = 0
    added: int = 0
    removed: int = 0
    embedded: int = 0
    error: str = ""


def ingest(source: Source | int, *, actor=None, progress: Callable | None = None) -> IngestReport:
    """Extract, chunk and (re)index one source; only changed chunks are embedded.

    A draft, expired or not-yet-valid source is taken out of the index (its chunks are
    still stored for the admin's preview). A file that cannot be read leaves the
    index as it was and records the reason in ``ingest_error``.
    """
    if not isinstance(source, Source):
        source = Source.objects.filter(pk=source).first()
        if source is None:
            raise NotFound(Code.KB_SOURCE_NOT_FOUND, _("지식 원문을 찾을 수 없습니다."))
    try:
        content, raw = read_source(source)
    except DasanError as exc:
        Source.objects.filter(pk=source.pk).update(ingest_error=exc.message, last_ingested_at=timezone.now())
        source.ingest_error = exc.message
        audit.record("knowledge.ingest_failed", actor=actor, target=source, data={"error": exc.message})
        return IngestReport(source.pk, False, error=exc.message)

    chunks = chunks_for(source, content)
    live = source.is_live and bool(chunks)
    with manager.writing() as index:
        stats = index.update_source(str(source.pk), chunks if live else [], progress=progress)

    with transaction.atomic():
        _store_chunks(source, chunks)
        now = timezone.now()
        digest = hashlib.sha256(raw).hexdigest()
        Source.objects.filter(pk=source.pk).update(content_hash=digest, last_ingested_at=now, ingest_error="")
        source.content_hash, source.last_ingested_at, source.ingest_error = digest, now, ""
        audit.record(
            "knowledge.source_ingested",
            actor=actor,
            target=source,
            data={
                "indexed": live,
                "chunks": len(chunks),
                "added": stats.added,
                "removed": stats.removed,
                "embedded": stats.embedded,
            },
        )
    return IngestReport(source.pk, live, len(chunks), stats.added, stats.removed, stats.embedded)


def _store_chunks(source: Source, chunks: list[Chunk]) -> None:
    """Make the source's SourceChunk rows match ``chunks`` (diffed by chunk id)."""
    existing = {row.chunk_id: row for row in SourceChunk.objects.filter(source=source)}
    wanted = {c.id: c for c in chunks}
    # Rows that vanished or moved are deleted; moved ones are created again below,
    # which keeps (source, position) unique at every step.
    stale = [
        cid
        for cid, row in existing.items()
        if cid not in wanted
        or row.position != wanted[cid].position
        or row.anchor != wanted[cid].metadata.get("anchor", "")
    ]
    SourceChunk.objects.filter(source=source, chunk_id__in=stale).delete()
    keep = set(existing) - set(stale)
    SourceChunk.objects.bulk_create(
        [
            SourceChunk(
                source=source,
                chunk_id=c.id,
                position=c.position,
                title_path=c.title_display[:1000],
                anchor=c.metadata.get("anchor", "")[:200],
                text=c.text,
                topic=(c.metadata.get("topic") or "")[:200],
            )
            for c in chunks
            if c.id not in keep
        ]
    )


def remove_from_index(source_id: int) -> None:
    """Take a source's chunks out of the index (it was deleted or unpublished)."""
    if manager._mark() is None:
        return
    with manager.writing() as index:
        index.remove_source(str(source_id))


def ingest_all(
    *, actor=None, progress: Callable | None = None, on_source: Callable | None = None, fresh: bool = False
) -> list[IngestReport]:
    """Re-extract every source and make the index hold exactly the live ones.

    Unchanged passages keep their vectors unless ``fresh`` (start from an empty index,
    e.g. after changing the embedding model).
    """
    if fresh:
        with manager.writing() as index:
            index.update([])
    reports = []
    for source in Source.objects.select_related("department").order_by("pk"):
        reports.append(ingest(source, actor=actor, progress=progress))
        if on_source:
            on_source(source, reports[-1])
    ids = {str(pk) for pk in Source.objects.values_list("pk", flat=True)}
    index = manager.get()
    if index is not None and any(c.source_id not in ids for c in index.chunks):
        with manager.writing() as idx:
            idx.update([c for c in idx.chunks if c.source_id in ids])
    return reports


def schedule_ingest(source: Source | int) -> None:
    """Ingest a source in the background once the current transaction commits."""
    source_id = source.pk if isinstance(source, Source) else int(source)
    transaction.on_commit(lambda: _enqueue(source_id))


def _enqueue(source_id: int) -> None:
    from .tasks import ingest_source

    try:
        ingest_source.enqueue(source_id)
    except Exception:  # noqa: BLE001 - the hourly sync catches what the queue missed
        logger.exception("could not queue ingestion of knowledge source %s", source_id)


def save_source(source: Source, *, actor=None, created: bool = False) -> Source:
    """Record an edit made in the admin and schedule its re-ingestion."""
    audit.record("knowledge.source_created" if created else "knowledge.source_changed", actor=actor, target=source)
    schedule_ingest(source)
    return source


def publish(source: Source, *, actor=None) -> Source:
    """Publish a source; it becomes searchable once ingested (in the background)."""
    with transaction.atomic():
        Source.objects.filter(pk=source.pk).update(status=Status.PUBLISHED, updated_at=timezone.now())
        source.status = Status.PUBLISHED
        audit.record("knowledge.source_published", actor=actor, target=source)
        schedule_ingest(source)
    return source


def unpublish(source: Source, *, actor=None) -> Source:
    """Return a source to draft; it leaves the index in the background."""
    with transaction.atomic():
        Source.objects.filter(pk=source.pk).update(status=Status.DRAFT, updated_at=timezone.now())
        source.status = Status.DRAFT
        audit.record("knowledge.source_unpublished", actor=actor, target=source)
        schedule_ingest(source)
    return source


def delete_source(source: Source, *, actor=None) -> None:
    """Delete a source; its chunks leave the index in the background."""
    source_id = source.pk
    with transaction.atomic():
        audit.record("knowledge.source_deleted", actor=actor, target=source, data={"title": source.title})
        source.delete()
        transaction.on_commit(lambda: _enqueue_removal(source_id))


def _enqueue_removal(source_id: int) -> None:
    from .tasks import remove_source

    try:
        remove_source.enqueue(source_id)
    except Exception:  # noqa: BLE001
        logger.exception("could not queue removal of knowledge source %s", source_id)


def sync_validity() -> int:
    """Periodic job: re-ingest sources whose validity started or ended since last indexed.

    Searches already hide expired chunks; this takes them out of the index for good
    and adds the sources whose ``valid_from`` has come. Returns how many were queued.
    """
    index = manager.get()
    indexed = {c.source_id for c in index.chunks} if index is not None else set()
    n = 0
    for source in Source.objects.filter(status=Status.PUBLISHED).only("pk", "status", "valid_from", "valid_until"):
        if source.is_live != (str(source.pk) in indexed) and source.last_ingested_at is not None:
            _enqueue(source.pk)
            n += 1
    existing = {str(pk) for pk in Source.objects.values_list("pk", flat=True)}
    for sid in indexed - existing:
        if sid.isdigit():
            _enqueue_removal(int(sid))
            n += 1
    return n


# --- search (the assistant's contract) -------------------------------------------------


@dataclass
class Hit:
    """One passage found for a question, with what a citation needs."""

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
    department_id: int | None
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


def _section_key(title_path: str) -> str:
    """A passage's heading path without the article title (which a translation changes)."""
    return TITLE_SEPARATOR.join(source_chunks_title(title_path)[1:])


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
    today = timezone.localdate()
    wanted = [
        s
        for s in Source.objects.filter(translation_of_id=original, language=language, status=Status.PUBLISHED)
        if s.is_valid_on(today)
    ]
    index = manager.get()
    if not wanted or index is None or len(index) == 0:
        return None
    translation = wanted[0]
    result = index.search(query, k=50, filters={"source_id": [str(translation.pk)]})
    if not result.hits:
        return None
    chosen = result.hits[0]
    row = SourceChunk.objects.filter(chunk_id=hit.chunk_id).values_list("title_path", flat=True).first()
    if row is not None:
        mine, theirs = _sections(original), _sections(translation.pk)
        if len(mine) == len(theirs) and row in mine:
            target = theirs[mine.index(row)]
            in_section = [
                h
                for h in result.hits
                if TITLE_SEPARATOR.join(h.chunk.title_path) == target or h.chunk.title_display == target
            ]
            if in_section:
                chosen = in_section[0]
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


def source_chunks_title(title_path: str) -> list[str]:
    return title_path.split(TITLE_SEPARATOR) if title_path else []
