"""The demo city's (데모시) knowledge base: articles written for it and the welfare FAQ.

:func:`load_demo_sources` creates or updates the sources and queues their indexing as
background tasks: the articles first (searchable within a minute), then the ~4.7k-row
welfare FAQ (Welfare-QA by ash-hun, MIT; see ``welfare_faq/LICENSE``), which takes
several minutes to embed and must never hold up ``dasan demo`` or ``make run``.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent

#: (file under articles/, slug, owner department code)
ARTICLES = [
    ("bulky-waste.md", "bulky-waste", "1200"),
    ("recycling.md", "recycling", "1200"),
    ("facility-reservations.md", "facility-reservations", "1600"),
    ("certificates.md", "certificates", "1100"),
    ("parking.md", "parking", "1300"),
    ("noise.md", "noise", "1000"),
    ("lease.md", "lease", "1100"),
    ("local-taxes.md", "local-taxes", "1500"),
    ("welfare.md", "welfare", "1400"),
]
#: The city's own translations (file under articles/, slug, language, slug of the Korean original).
TRANSLATIONS = [
    ("translations/bulky-waste.en.md", "bulky-waste-en", "en", "bulky-waste"),
    ("translations/bulky-waste.zh-hans.md", "bulky-waste-zh-hans", "zh-hans", "bulky-waste"),
    ("translations/bulky-waste.vi.md", "bulky-waste-vi", "vi", "bulky-waste"),
]
WELFARE_FAQ = ("welfare_faq/kb.csv", "welfare-faq", "1400", "복지 서비스 자주 묻는 질문")


def _title(markdown: str, fallback: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return fallback


def load_demo_sources(*, enqueue: bool = True) -> list:
    """Create or update the demo sources (published) and queue their indexing.

    Idempotent: a second call changes nothing unless a file changed, and queues
    ingestion only for sources that changed or were never indexed.
    """
    from dasan.core.models import Department

    from ..models import Audience, Kind, Source, Status

    depts = {d.code: d for d in Department.objects.all()}
    sources, todo_articles, todo_faq = [], [], []
    with transaction.atomic():
        for filename, slug, dept in ARTICLES:
            body = (HERE / "articles" / filename).read_text(encoding="utf-8")
            origin = f"demo:{filename}"
            source = Source.objects.filter(origin=origin).first() or Source(origin=origin, slug=slug)
            changed = source.pk is None or source.body != body
            source.kind, source.body, source.title = Kind.ARTICLE, body, _title(body, slug)
            source.department, source.audience, source.status = depts.get(dept), Audience.RESIDENTS, Status.PUBLISHED
            if changed or source.department_id != getattr(depts.get(dept), "pk", None):
                source.save()
            sources.append(source)
            if changed or source.last_ingested_at is None:
                todo_articles.append(source.pk)

        originals = {source.slug: source for source in sources}
        for filename, slug, language, original_slug in TRANSLATIONS:
            original = originals[original_slug]
            body = (HERE / "articles" / filename).read_text(encoding="utf-8")
            origin = f"demo:{filename}"
            source = Source.objects.filter(origin=origin).first() or Source(origin=origin, slug=slug)
            changed = source.pk is None or source.body != body
            source.kind, source.body, source.title = Kind.ARTICLE, body, _title(body, slug)
            source.language, source.translation_of = language, original
            source.department, source.audience, source.status = (
                original.department,
                Audience.RESIDENTS,
                Status.PUBLISHED,
            )
            if changed:
                source.save()
            sources.append(source)
            if changed or source.last_ingested_at is None:
                todo_articles.append(source.pk)

        path, slug, dept, title = WELFARE_FAQ
        data = (HERE / path).read_bytes()
        origin = f"demo:{path}"
        source = Source.objects.filter(origin=origin).first() or Source(origin=origin, slug=slug)
        digest = hashlib.sha256(data).hexdigest()
        changed = source.pk is None or not source.file or source.content_hash != digest
        if changed:
            source.file.save("welfare-faq.csv", ContentFile(data), save=False)
        fields = {
            "kind": Kind.FAQ,
            "title": title,
            "department": depts.get(dept),
            "audience": Audience.RESIDENTS,
            "status": Status.PUBLISHED,
        }
        if changed or any(getattr(source, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(source, k, v)
            source.save()
        sources.append(source)
        if changed or source.last_ingested_at is None:
            todo_faq.append(source.pk)

        if enqueue and (todo_articles or todo_faq):
            order = todo_articles + todo_faq
            transaction.on_commit(lambda: _enqueue(order))
    return sources


def _enqueue(source_ids: list[int]) -> None:
    from ..tasks import ingest_many

    try:
        # One task, articles first: a single worker indexes them before the long FAQ.
        ingest_many.enqueue(source_ids)
    except Exception:  # noqa: BLE001 - `dasan kb rebuild` can always index them later
        logger.exception("could not queue indexing of the demo knowledge base")
