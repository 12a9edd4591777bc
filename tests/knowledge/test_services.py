"""Sources in the database, ingestion into the shared index, and the search contract."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from dasan.knowledge import indexing, selectors, services
from dasan.knowledge.models import Audience, Kind, Source, SourceChunk, Status

from .conftest import BULKY_WASTE, NOISE, PARKING, STAFF_MANUAL, CountingEmbedder

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb(tmp_path, e5, settings):
    """The process-wide index manager pointed at a temporary directory, counting embeddings."""
    settings.MEDIA_ROOT = tmp_path / "media"
    embedder = CountingEmbedder(e5)
    indexing.manager.configure(tmp_path / "index" / "kb", embedder)
    yield embedder
    indexing.manager.configure(None, None)


def article(title, body, **extra):
    extra.setdefault("status", Status.PUBLISHED)
    return Source.objects.create(title=title, kind=Kind.ARTICLE, body=body, **extra)


def test_search_before_any_index_says_not_ready(kb):
    result = selectors.search("대형폐기물 수수료")
    assert result.hits == [] and result.index_ready is False and result.answerable is False


def test_ingest_stores_chunks_and_search_returns_cited_hits(kb, departments):
    source = article("대형폐기물", BULKY_WASTE, department=departments["waste"], slug="bulky")
    report = indexing.ingest(source)
    assert report.indexed and report.chunks == SourceChunk.objects.filter(source=source).count() >= 3
    source.refresh_from_db()
    assert source.last_ingested_at and source.content_hash and not source.ingest_error

    result = selectors.search("소파 버리는 비용은 얼마예요?")
    assert result.index_ready and result.hits
    top = result.hits[0]
    assert isinstance(top, selectors.Hit)
    assert top.source_id == source.pk and top.source_title == "대형폐기물"
    assert top.title_path.startswith("대형폐기물 > 수수료")
    assert top.url == "/kb/bulky/#수수료" or top.url.startswith("/kb/bulky/#")
    assert top.updated_at == timezone.localdate()
    assert top.department_id == departments["waste"].pk
    assert 0 <= top.confidence <= result.confidence <= 1
    assert result.answerable == (result.confidence >= 0.0 and result.answerable)

    from dasan.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="knowledge.source_ingested").exists()


def test_reingest_embeds_only_changed_chunks(kb):
    source = article("대형폐기물", BULKY_WASTE)
    indexing.ingest(source)
    before = set(SourceChunk.objects.values_list("chunk_id", flat=True))
    kb.passages_embedded = 0
    source.body = BULKY_WASTE.replace("수거는 신고 후 3일 이내에 합니다.", "수거는 신고 후 2일 이내에 합니다.")
    source.save()
    report = indexing.ingest(source)
    assert report.embedded == 1 and kb.passages_embedded == 1
    after = set(SourceChunk.objects.values_list("chunk_id", flat=True))
    assert len(before - after) == 1 and len(after - before) == 1
    kb.passages_embedded = 0
    assert indexing.ingest(source).embedded == 0


def test_unpublished_expired_and_future_sources_leave_the_index(kb):
    parking = article("주차", PARKING)
    noise = article("층간소음", NOISE)
    indexing.ingest(parking)
    indexing.ingest(noise)
    assert {h.source_id for h in selectors.search("층간소음 상담", k=10).hits} >= {noise.pk}

    noise.status = Status.DRAFT
    noise.save()
    assert indexing.ingest(noise).indexed is False
    assert noise.pk not in {h.source_id for h in selectors.search("층간소음 상담", k=10).hits}
    assert SourceChunk.objects.filter(source=noise).exists()  # kept for the admin's preview

    today = timezone.localdate()
    parking.valid_until = today - datetime.timedelta(days=1)
    parking.save()
    indexing.ingest(parking)
    assert selectors.search("불법 주정차 신고").hits == []

    parking.valid_from, parking.valid_until = today + datetime.timedelta(days=3), None
    parking.save()
    assert indexing.ingest(parking).indexed is False


def test_search_hides_a_source_that_expired_since_it_was_indexed(kb, monkeypatch):
    today = timezone.localdate()
    parking = article("주차", PARKING, valid_until=today)
    indexing.ingest(parking)
    assert selectors.search("불법 주정차 신고").hits
    monkeypatch.setattr(selectors.timezone, "localdate", lambda: today + datetime.timedelta(days=1))
    assert selectors.search("불법 주정차 신고").hits == []


def test_hourly_sync_queues_sources_whose_validity_changed(kb, monkeypatch):
    parking = article("주차", PARKING)
    indexing.ingest(parking)
    Source.objects.filter(pk=parking.pk).update(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    queued = []
    monkeypatch.setattr(services, "_enqueue", queued.append)
    assert services.sync_validity() == 1
    assert queued == [parking.pk]


def test_staff_sources_only_for_staff(kb):
    manual = article("민원 처리 내부 지침", STAFF_MANUAL, audience=Audience.STAFF)
    indexing.ingest(manual)
    assert selectors.search("수수료 감면 승인 결재", audience="residents").hits == []
    staff = selectors.search("수수료 감면 승인 결재", audience="staff")
    assert staff.hits and staff.hits[0].source_id == manual.pk


def test_faq_source_topics_and_related_topics(kb, tmp_path):
    data = (
        "question,answer,topic\n"
        "기초연금은 누가 받을 수 있나요?,만 65세 이상 소득인정액이 선정기준액 이하인 어르신이 받습니다.,기초연금\n"
        "긴급복지 생계지원은 얼마인가요?,위기 가구에 한 달 생계비를 지원하며 최대 6회까지 받을 수 있습니다.,긴급복지\n"
    )
    faq = Source(title="복지 FAQ", kind=Kind.FAQ, status=Status.PUBLISHED)
    faq.file.save("faq.csv", ContentFile(data.encode()), save=False)
    faq.save()
    report = indexing.ingest(faq)
    assert report.chunks == 2
    assert selectors.topics() == ["긴급복지", "기초연금"] or set(selectors.topics()) == {"긴급복지", "기초연금"}
    hit = selectors.search("65세 어르신 연금 자격").hits[0]
    assert hit.topic == "기초연금" and hit.url.startswith(f"/kb/{faq.pk}/#c-")
    assert selectors.related_topics("노인 연금", k=2)[0] == "기초연금"
    grouped = selectors.search("복지 지원", group_by="topic", k=5)
    assert len({h.topic for h in grouped.hits}) == len(grouped.hits)


def test_a_broken_file_records_the_error_and_keeps_the_index(kb):
    bad = Source(title="깨진 파일", kind=Kind.FILE, status=Status.PUBLISHED)
    bad.file.save("broken.pdf", ContentFile(b"%PDF-broken"), save=False)
    bad.save()
    report = indexing.ingest(bad)
    assert report.error and not report.indexed
    bad.refresh_from_db()
    assert "PDF" in bad.ingest_error


def test_another_process_saving_is_seen_by_the_next_search(kb, tmp_path):
    article_a = article("층간소음", NOISE)
    indexing.ingest(article_a)
    assert selectors.search("층간소음").hits
    # A second manager (another worker process) writes to the same directory.
    other = indexing.IndexManager(tmp_path / "index" / "kb", kb)
    with other.writing() as index:
        index.remove_source(str(article_a.pk))
    assert indexing.manager.generation() == 2
    assert selectors.search("층간소음").hits == []


def test_publish_and_unpublish_schedule_ingestion_on_commit(kb, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "_enqueue", queued.append)
    source = article("층간소음", NOISE, status=Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(source, actor=None)
    assert Source.objects.get(pk=source.pk).status == Status.PUBLISHED and queued == [source.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish(source, actor=None)
    assert Source.objects.get(pk=source.pk).status == Status.DRAFT and queued == [source.pk, source.pk]


def test_ingest_task_runs_the_service(kb):
    from dasan.knowledge.tasks import ingest_source

    source = article("층간소음", NOISE)
    out = ingest_source.call(source.pk)
    assert out["indexed"] is True and out["chunks"] >= 1
    assert ingest_source.call(source.pk + 999)["removed"] is True


def test_db_constraints(kb):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(title="x", kind=Kind.FILE)  # a file source needs a file
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(title="x", valid_from=datetime.date(2026, 2, 1), valid_until=datetime.date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(title="x", audience="everyone")
    Source.objects.create(title="a", slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(title="b", slug="same")
    Source.objects.create(title="c")
    Source.objects.create(title="d")  # empty slugs do not collide


def test_saving_in_the_admin_ingests_through_the_task_queue(kb, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    source = article("층간소음", NOISE)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_source(source, actor=None, created=True)
    source.refresh_from_db()
    assert source.last_ingested_at is not None
    assert selectors.search("층간소음 상담").hits[0].source_id == source.pk
