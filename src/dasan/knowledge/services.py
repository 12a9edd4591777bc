"""Changing the knowledge base: the admin's edits, publishing, and keeping the index in step.

A change to a source is recorded in the audit log at once; its effect on search follows
in the background. Embedding passages takes seconds to minutes, so no web request ever
ingests: saving, publishing or unpublishing a source queues
:func:`dasan.knowledge.tasks.ingest_source` once the transaction commits
(:func:`schedule_ingest`), and deleting one queues its removal from the index. A queue
that is down loses nothing for long: the hourly :func:`sync_validity` finds sources whose
indexed state is not what it should be and queues them again.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from dasan.core import audit

from . import tasks
from .indexing import manager
from .models import Source, Status

logger = logging.getLogger(__name__)

__all__ = ["save_source", "publish", "unpublish", "delete_source", "schedule_ingest", "sync_validity"]


def schedule_ingest(source: Source | int) -> None:
    """Ingest a source in the background once the current transaction commits."""
    source_id = source.pk if isinstance(source, Source) else int(source)
    transaction.on_commit(lambda: _enqueue(source_id))


def _enqueue(source_id: int) -> None:
    try:
        tasks.ingest_source.enqueue(source_id)
    except Exception:  # noqa: BLE001 - the hourly sync catches what the queue missed
        logger.exception("could not queue ingestion of knowledge source %s", source_id)


def _enqueue_removal(source_id: int) -> None:
    try:
        tasks.remove_source.enqueue(source_id)
    except Exception:  # noqa: BLE001
        logger.exception("could not queue removal of knowledge source %s", source_id)


def save_source(source: Source, *, actor, created: bool = False) -> Source:
    """Record an edit made in the admin and schedule its re-ingestion."""
    audit.record("knowledge.source_created" if created else "knowledge.source_changed", actor=actor, target=source)
    schedule_ingest(source)
    return source


def _set_status(source: Source, status: str, action: str, *, actor) -> Source:
    with transaction.atomic():
        Source.objects.filter(pk=source.pk).update(status=status, updated_at=timezone.now())
        source.status = status
        audit.record(action, actor=actor, target=source)
        schedule_ingest(source)
    return source


def publish(source: Source, *, actor) -> Source:
    """Publish a source; it becomes searchable once ingested (in the background)."""
    return _set_status(source, Status.PUBLISHED, "knowledge.source_published", actor=actor)


def unpublish(source: Source, *, actor) -> Source:
    """Return a source to draft; it leaves the index in the background."""
    return _set_status(source, Status.DRAFT, "knowledge.source_unpublished", actor=actor)


def delete_source(source: Source, *, actor) -> None:
    """Delete a source; its chunks leave the index in the background."""
    source_id = source.pk
    with transaction.atomic():
        audit.record("knowledge.source_deleted", actor=actor, target=source, data={"title": source.title})
        source.delete()
        transaction.on_commit(lambda: _enqueue_removal(source_id))


def sync_validity() -> int:
    """Periodic job: re-ingest sources whose validity started or ended since last indexed.

    Searches already hide expired chunks; this takes them out of the index for good
    and adds the sources whose ``valid_from`` has come. Returns how many were queued.
    """
    index = manager.get()
    indexed = {c.source_id for c in index.chunks} if index is not None else set()
    n = 0
    for source in Source.objects.filter(status=Status.PUBLISHED).only(
        "pk", "status", "valid_from", "valid_until", "last_ingested_at"
    ):
        if source.is_live != (str(source.pk) in indexed) and source.last_ingested_at is not None:
            _enqueue(source.pk)
            n += 1
    existing = {str(pk) for pk in Source.objects.values_list("pk", flat=True)}
    for sid in indexed - existing:
        if sid.isdigit():
            _enqueue_removal(int(sid))
            n += 1
    return n
