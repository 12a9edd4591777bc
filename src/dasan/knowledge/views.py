"""Public pages of the knowledge base: one page per source, sections linkable."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import Audience, Kind, Source, Status
from .render import render_markdown


def _visible(request, source: Source) -> bool:
    user = request.user
    is_staff = user.is_authenticated and (getattr(user, "kind", "") == "staff" or user.is_staff)
    if is_staff:
        return True
    return source.audience == Audience.RESIDENTS and source.is_live


def _without_title(markdown: str, title: str) -> str:
    """Drop a first "# heading" that repeats the title the page already shows."""
    lines = (markdown or "").lstrip().split("\n", 1)
    if lines and lines[0].lstrip("#").strip() == title.strip() and lines[0].startswith("# "):
        return lines[1] if len(lines) > 1 else ""
    return markdown or ""


def article(request, pk: int | None = None, slug: str | None = None):
    """지식베이스 글: an article rendered from Markdown, or a file/FAQ source's sections."""
    source = get_object_or_404(Source, pk=pk) if pk is not None else get_object_or_404(Source, slug=slug)
    if not _visible(request, source):
        raise Http404
    body = render_markdown(_without_title(source.body, source.title)) if source.kind == Kind.ARTICLE else None
    chunks = list(source.chunks.order_by("position")) if body is None else []
    sections = []
    for c in chunks:
        parts = c.title_path.split(" > ")
        sections.append(
            {"anchor": c.anchor, "heading": parts[-1] if len(parts) > 1 else "", "text": c.text, "topic": c.topic}
        )
    return render(
        request,
        "knowledge/article.html",
        {
            "source": source,
            "body": body,
            "sections": sections,
            "draft": source.status != Status.PUBLISHED,
        },
    )
