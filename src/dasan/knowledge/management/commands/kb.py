"""`dasan kb ingest PATH`, `dasan kb rebuild`, `dasan kb status`: the knowledge base from the shell."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError

from dasan.core.errors import DasanError
from dasan.core.progress import stage_bars


class Command(BaseCommand):
    help = "Knowledge base: ingest files, rebuild the index, show its status."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ing = sub.add_parser("ingest", help="Create or update a source per file (a file or a directory) and index it.")
        ing.add_argument("path")
        ing.add_argument("--audience", choices=["residents", "staff"], default="residents")
        ing.add_argument("--department", help="owner department code")
        ing.add_argument("--language", default="ko", choices=["ko", "en", "zh-hans", "vi"])
        ing.add_argument("--publish", action="store_true", help="publish the sources (otherwise drafts)")
        reb = sub.add_parser("rebuild", help="Re-extract every source and rebuild the index.")
        reb.add_argument("--fresh", action="store_true", help="re-embed everything (e.g. after a model change)")
        sub.add_parser("status", help="Sources, chunks and the index on disk.")

    def handle(self, *args, **opts):
        return getattr(self, f"do_{opts['action']}")(opts)

    def _progress(self):
        return stage_bars()

    def do_ingest(self, opts):
        from dasan.core.models import Department

        from ... import extract
        from ...indexing import ingest

        path = Path(opts["path"]).expanduser().resolve()
        if not path.exists():
            raise CommandError(f"no such file or directory: {path}")
        files = (
            [path]
            if path.is_file()
            else sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in extract.EXTENSIONS)
        )
        dept = None
        if opts["department"]:
            dept = Department.objects.filter(code=opts["department"]).first()
            if dept is None:
                raise CommandError(f"unknown department code {opts['department']}")
        failed = 0
        for f in files:
            try:
                source = upsert_file_source(
                    f, audience=opts["audience"], department=dept, language=opts["language"], publish=opts["publish"]
                )
                report = ingest(source, progress=self._progress())
            except DasanError as exc:
                failed += 1
                self.stderr.write(f"{f}: {exc.message}")
                continue
            if report.error:
                failed += 1
                self.stderr.write(f"{f}: {report.error}")
            else:
                state = "indexed" if report.indexed else "stored (not live)"
                self.stdout.write(
                    f"{f}: source {source.pk}, {report.chunks} chunks, {report.embedded} embedded, {state}"
                )
        if failed:
            raise CommandError(f"{failed} of {len(files)} files failed")

    def do_rebuild(self, opts):
        from ...indexing import ingest_all

        def on_source(source, report):
            self.stderr.write(
                f"[{source.pk}] {source.title}: {report.chunks} chunks" + (f" - {report.error}" if report.error else "")
            )

        reports = ingest_all(progress=self._progress(), on_source=on_source, fresh=opts["fresh"])
        live = sum(r.indexed for r in reports)
        self.stdout.write(f"{len(reports)} sources, {live} indexed, {sum(bool(r.error) for r in reports)} errors")

    def do_status(self, opts):
        from ...indexing import manager
        from ...models import Source, SourceChunk

        index = manager.get()
        self.stdout.write(
            f"sources: {Source.objects.count()} "
            f"(published {Source.objects.filter(status='published').count()}, "
            f"with errors {Source.objects.exclude(ingest_error='').count()})"
        )
        self.stdout.write(f"stored chunks: {SourceChunk.objects.count()}")
        self.stdout.write(
            f"index: {manager.path} generation {manager.generation()}, "
            + (f"{len(index)} chunks" if index is not None else "not built")
        )


def upsert_file_source(path: Path, *, audience="residents", department=None, language="ko", publish=False):
    """Create or update the source kept for ``path`` (its origin); the file is copied to media."""
    from ... import extract
    from ...models import Kind, Source, Status

    fmt = extract.format_of(path.name)
    data = path.read_bytes()
    origin = str(path)
    source = Source.objects.filter(origin=origin).first() or Source(origin=origin)
    if fmt == "markdown":
        doc = extract.read_markdown(data)
        source.kind, source.body = Kind.ARTICLE, doc.markdown
        source.title = source.title or doc.title or path.stem
    else:
        source.kind = Kind.FAQ if fmt in extract.FAQ_FORMATS else Kind.FILE
        if not source.pk or not source.file or source.content_hash != hashlib.sha256(data).hexdigest():
            source.file.save(path.name, ContentFile(data), save=False)
        if not source.title:
            doc = extract.extract(data, path.name)
            source.title = getattr(doc, "title", "") or path.stem
    source.audience, source.department, source.language = audience, department, language
    if publish:
        source.status = Status.PUBLISHED
    source.full_clean(exclude=["file", "slug"])
    source.save()
    return source
