"""Safe Markdown to HTML for article pages (raw HTML in the source is escaped).

markdown-it-py's CommonMark renderer with HTML disabled; its link validator drops
``javascript:`` and similar URLs. Every heading gets an ``id`` (see
:func:`anchor_for`) so that citations can link to a section.
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify


def anchor_for(heading: str) -> str:
    """The HTML id of a heading on the article page (also used in citation links)."""
    return slugify(heading, allow_unicode=True) or "section"


def render_markdown(text: str) -> SafeString:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    tokens = md.parse(text or "")
    seen: dict[str, int] = {}
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and i + 1 < len(tokens):
            anchor = anchor_for(tokens[i + 1].content)
            n = seen.get(anchor, 0)
            seen[anchor] = n + 1
            tok.attrSet("id", anchor if n == 0 else f"{anchor}-{n + 1}")
        if tok.type == "link_open":
            href = tok.attrGet("href") or ""
            if href.startswith(("http://", "https://")):
                tok.attrSet("rel", "noopener noreferrer")
    return mark_safe(md.renderer.render(tokens, md.options, {}))  # noqa: S308 - html disabled, output escaped
