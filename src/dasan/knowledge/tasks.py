"""Background work of the knowledge base (django.tasks API). Each task is idempotent.

:mod:`.services` queues these; they do the slow part, in :mod:`.indexing`.

They run on the "indexing" queue: an ingest can take minutes, and the worker that
sends messages (the "messages" queue) must never wait for one.
"""

from __future__ import annotations

from django_tasks import task

from .indexing import ingest, remove_from_index
from .models import Source


@task(queue_name="indexing")
def ingest_source(source_id: int) -> dict:
    """Extract, chunk and index one source (see indexing.ingest); safe to run twice."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        remove_from_index(source_id)
        return {"source_id": source_id, "removed": True}
    report = ingest(source)
    return {
        "source_id": source_id,
        "indexed": report.indexed,
        "chunks": report.chunks,
        "embedded": report.embedded,
        "error": report.error,
    }


@task(queue_name="indexing")
def remove_source(source_id: int) -> dict:
    """Take a deleted source out of the index."""
    remove_from_index(source_id)
    return {"source_id": source_id, "removed": True}


@task(queue_name="indexing")
def ingest_many(source_ids: list[int]) -> dict:
    """Ingest several sources one after another, in the order given (used by the demo)."""
    done = 0
    for sid in source_ids:
        source = Source.objects.filter(pk=sid).first()
        if source is not None:
            ingest(source)
            done += 1
    return {"ingested": done}
