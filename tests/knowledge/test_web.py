"""The article page, the public search API, the admin, the `kb` command and the demo loader."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from dasan.knowledge import indexing, selectors, services
from dasan.knowledge.models import Audience, Kind, Source, SourceChunk, Status
from dasan.knowledge.render import render_markdown

from .conftest import BULKY_WASTE, NOISE, STAFF_MANUAL, CountingEmbedder

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb(tmp_path, e5, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    indexing.manager.configure(tmp_path / "index" / "kb", CountingEmbedder(e5))
    yield
    indexing.manager.configure(None, None)


def test_markdown_renderer_escapes_html_and_gives_headings_ids():
    html = render_markdown(
        "# 제목\n\n## 수수료 안내\n\n<script>x</script> **굵게** [링크](javascript:alert(1)) "
        "[누리집](https://example.org)\n\n- 하나\n- 둘\n\n## 수수료 안내\n"
    )
    assert '<h2 id="수수료-안내">' in html and '<h2 id="수수료-안내-2">' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<strong>굵게</strong>" in html and "<li>하나</li>" in html
    assert 'href="javascript' not in html and 'href="https://example.org"' in html


def test_article_page_by_id_and_slug(client, kb):
    source = Source.objects.create(title="대형폐기물", body=BULKY_WASTE, slug="bulky", status=Status.PUBLISHED)
    for url in (f"/kb/{source.pk}/", "/kb/bulky/"):
        r = client.get(url)
        assert r.status_code == 200
        body = r.content.decode()
        assert 'id="수수료"' in body and "15,000원" in body


def test_drafts_and_staff_sources_are_hidden_from_residents(client, kb, make_staff):
    draft = Source.objects.create(title="초안", body="내용", status=Status.DRAFT)
    staff_only = Source.objects.create(
        title="내부", body=STAFF_MANUAL, audience=Audience.STAFF, status=Status.PUBLISHED
    )
    assert client.get(f"/kb/{draft.pk}/").status_code == 404
    assert client.get(f"/kb/{staff_only.pk}/").status_code == 404
    client.force_login(make_staff("officer"))
    assert client.get(f"/kb/{staff_only.pk}/").status_code == 200


def test_faq_page_shows_sections_with_citation_anchors(client, kb):
    from django.core.files.base import ContentFile

    faq = Source(title="복지 FAQ", kind=Kind.FAQ, status=Status.PUBLISHED)
    faq.file.save("f.csv", ContentFile("질문,답변,주제\n아동수당은 언제?,매월 25일,아동수당\n".encode()), save=False)
    faq.save()
    indexing.ingest(faq)
    chunk = SourceChunk.objects.get(source=faq)
    body = client.get(f"/kb/{faq.pk}/").content.decode()
    assert f'id="{chunk.anchor}"' in body and "매월 25일" in body


def test_search_api_returns_residents_hits_only(client, kb):
    noise = Source.objects.create(title="층간소음", body=NOISE, status=Status.PUBLISHED)
    manual = Source.objects.create(
        title="내부 지침", body=STAFF_MANUAL, audience=Audience.STAFF, status=Status.PUBLISHED
    )
    indexing.ingest(noise)
    indexing.ingest(manual)
    r = client.get("/api/v1/kb/search", {"q": "층간소음 상담 전화"})
    assert r.status_code == 200
    data = r.json()
    assert data["index_ready"] is True and data["hits"][0]["source_id"] == noise.pk
    assert data["hits"][0]["url"].startswith(f"/kb/{noise.pk}/")
    r = client.get("/api/v1/kb/search", {"q": "수수료 감면 승인 결재 직원 전용"})
    assert all(h["source_id"] != manual.pk for h in r.json()["hits"])


def test_admin_publish_action_and_save_schedule_ingestion(client, kb, monkeypatch, django_capture_on_commit_callbacks):
    from dasan.accounts.models import User

    queued = []
    monkeypatch.setattr(services, "_enqueue", queued.append)
    admin = User.objects.create_superuser(username="root", password="pw-123456789", kind="staff")
    client.force_login(admin)
    source = Source.objects.create(title="층간소음", body=NOISE)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/admin/knowledge/source/", {"action": "publish_selected", "_selected_action": [source.pk]})
    assert r.status_code == 302
    assert Source.objects.get(pk=source.pk).status == Status.PUBLISHED and queued == [source.pk]
    assert client.get(f"/admin/knowledge/source/{source.pk}/change/").status_code == 200
    assert client.get("/admin/knowledge/source/add/").status_code == 200


def test_kb_command_ingests_a_directory_and_reports_status(kb, tmp_path, departments, capsys):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "noise.md").write_text(NOISE, encoding="utf-8")
    (d / "faq.csv").write_text("question,answer,topic\n아동수당은 언제?,매월 25일,아동수당\n", encoding="utf-8")
    (d / "notes.bin").write_bytes(b"\x00")  # not a known format: skipped
    call_command("kb", "ingest", str(d), "--department", "1100", "--publish")
    assert Source.objects.count() == 2
    faq = Source.objects.get(kind=Kind.FAQ)
    assert faq.department == departments["waste"] and faq.status == Status.PUBLISHED
    call_command("kb", "ingest", str(d), "--publish")  # same paths: updated, not duplicated
    assert Source.objects.count() == 2
    call_command("kb", "rebuild")
    call_command("kb", "status")
    out = capsys.readouterr().out
    assert "sources: 2" in out and "chunks" in out
    assert selectors.search("아동수당 지급일").hits[0].topic == "아동수당"


def test_demo_sources_load_idempotently(kb, monkeypatch, django_capture_on_commit_callbacks):
    from dasan.core.models import Department
    from dasan.knowledge import demo

    for code, name in (
        ("1000", "시청"),
        ("1100", "민원"),
        ("1200", "청소"),
        ("1300", "교통"),
        ("1400", "복지"),
        ("1500", "세무"),
        ("1600", "체육"),
    ):
        Department.objects.create(code=code, name=name)
    queued = []
    monkeypatch.setattr(demo, "_enqueue", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        sources = demo.load_demo_sources()
    assert len(sources) == 13 and queued and queued[0][-1] == sources[-1].pk  # the FAQ last
    assert Source.objects.filter(kind=Kind.ARTICLE, status=Status.PUBLISHED).count() == 12
    bulky = Source.objects.get(slug="bulky-waste")
    assert bulky.department.code == "1200"
    # The city's translations of the bulky-waste article: linked to it, one per language.
    assert sorted(bulky.translations.values_list("language", flat=True)) == ["en", "vi", "zh-hans"]
    # Index the articles (not the 4.7k-row FAQ: too slow for a unit test).
    for s in sources[:-1]:
        Source.objects.filter(pk=s.pk).update(last_ingested_at="2026-01-01T00:00:00Z")
    Source.objects.filter(pk=sources[-1].pk).update(
        last_ingested_at="2026-01-01T00:00:00Z",
        content_hash=__import__("hashlib").sha256((demo.HERE / "welfare_faq/kb.csv").read_bytes()).hexdigest(),
    )
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert len(demo.load_demo_sources()) == 13
    assert queued == [] and Source.objects.count() == 13


def test_admin_refuses_unknown_file_types(client, kb):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dasan.accounts.models import User

    client.force_login(User.objects.create_superuser(username="root", password="pw-123456789", kind="staff"))
    r = client.post(
        "/admin/knowledge/source/add/",
        {
            "title": "실행 파일",
            "kind": "file",
            "status": "draft",
            "audience": "residents",
            "language": "ko",
            "file": SimpleUploadedFile("virus.exe", b"MZ"),
            "chunks-TOTAL_FORMS": "0",
            "chunks-INITIAL_FORMS": "0",
        },
    )
    assert r.status_code == 200 and "지원하지 않는 파일 형식" in r.content.decode()
    assert not Source.objects.exists()


def test_rebuild_fresh_reembeds(kb, capsys):
    source = Source.objects.create(title="층간소음", body=NOISE, status=Status.PUBLISHED)
    indexing.ingest(source)
    embedder = indexing.manager.embedder
    embedder.passages_embedded = 0
    call_command("kb", "rebuild")
    assert embedder.passages_embedded == 0
    call_command("kb", "rebuild", "--fresh")
    assert embedder.passages_embedded >= 1


def test_every_hit_url_points_at_an_anchor_on_its_page(client, kb):
    source = Source.objects.create(title="대형폐기물", body=BULKY_WASTE, status=Status.PUBLISHED)
    indexing.ingest(source)
    page = client.get(f"/kb/{source.pk}/").content.decode()
    hits = selectors.search("대형폐기물 수수료 납부 방법 배출", k=10).hits
    assert len(hits) >= 3
    for hit in hits:
        path, _, anchor = hit.url.partition("#")
        assert path == f"/kb/{source.pk}/"
        assert not anchor or f'id="{anchor}"' in page
