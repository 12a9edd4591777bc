"""Public pages of the knowledge base: one page per source, sections linkable."""

from __future__ import annotations

from django.shortcuts import render

from . import selectors
from .models import Kind, Status
from .render import render_markdown


def _without_title(markdown: str, title: str) -> str:
    """Drop a first "# heading" that repeats the title the page already shows."""
    lines = (markdown or "").lstrip().split("\n", 1)
    if lines and lines[0].lstrip("#").strip() == title.strip() and lines[0].startswith("# "):
        return lines[1] if len(lines) > 1 else ""
    return markdown or ""


def article(request, pk: int | None = None, slug: str | None = None):
    """지식베이스 글: an article rendered from Markdown, or a file/FAQ source's sections."""
    source = selectors.visible_source(request.user, pk=pk, slug=slug)
    body = render_markdown(_without_title(source.body, source.title)) if source.kind == Kind.ARTICLE else None
    return render(
        request,
        "knowledge/article.html",
        {
            "source": source,
            "body": body,
            "sections": selectors.article_sections(source) if body is None else [],
            "draft": source.status != Status.PUBLISHED,
        },
    )
