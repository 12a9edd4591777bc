"""The knowledge base's search index and what goes into it: one source → its passages.

Ingesting a source extracts its text (:mod:`.extract`), cuts it into passages under their
headings (:mod:`.chunking`), and makes the index hold exactly the passages of the live
sources; unchanged passages keep their vectors, so re-ingesting an edited article embeds
only what changed. Embedding takes seconds to minutes, so web requests never call
:func:`ingest`: :mod:`.services` queues it as a background task (:mod:`.tasks`).

The index lives in ``settings.VAR_DIR / "index" / "kb"``. Each process keeps one
loaded copy (:data:`manager`); a writer saves a new index and bumps the number in
``kb.generation`` beside it, and every search compares that file's modification time
with the one it loaded (one ``stat``), reloading when another process saved a newer one.
Writers take a file lock, so two workers never lose each other's updates.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.core import audit
from dasan.core.errors import DasanError, NotFound
from dasan.knowledge.errors import Code

from . import extract as extraction
from .chunking import Chunk, chunk_faq, chunk_markdown
from .models import Kind, Source, SourceChunk
from .render import anchor_for

logger = logging.getLogger(__name__)

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

    def built(self) -> bool:
        """Whether an index has been saved (by any process)."""
        return self._mark() is not None

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


# --- turning a source into passages ---------------------------------------------------


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
    if not manager.built():
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
