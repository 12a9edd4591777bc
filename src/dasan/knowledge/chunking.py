"""Splitting sources into chunks (검색 단위) for the retrieval index.

A chunk is a passage small enough to be shown as an answer and embedded well
(~300–600 characters), together with its *title path*: the source title and the
headings above it ("대형폐기물 > 수수료 > 납부 방법"). The title path is indexed with
the text, because residents ask with the words of headings ("소파 버리는 비용") as often
as with the words of the body.

Each chunk's id is a hash of its source id, title path and text, so re-ingesting a source
gives the same ids to the chunks that did not change, and the index re-embeds only the
new ones (see :meth:`dasan.knowledge.index.HybridIndex.update`). Metadata (audience,
language, topic...) is not part of the id: changing who may see a chunk must not cost
an embedding.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

TARGET_CHARS = 300
MAX_CHARS = 600
TITLE_SEPARATOR = " > "


def chunk_id(source_id: str, title_path: Iterable[str], text: str) -> str:
    """Stable id of a chunk: the same source, headings and text give the same id."""
    h = hashlib.sha256()
    for part in (str(source_id), TITLE_SEPARATOR.join(title_path), text):
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:24]


@dataclass(frozen=True)
class Chunk:
    """A passage of a knowledge source, the unit that search finds and cites."""

    id: str
    source_id: str
    title_path: tuple[str, ...]
    text: str
    metadata: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    position: int = 0  # order within its source, for showing neighbours and citing

    @classmethod
    def create(
        cls, source_id: str, title_path: Iterable[str], text: str, metadata: Mapping | None = None, position: int = 0
    ) -> Chunk:
        """Build a chunk, computing its stable id."""
        path = tuple(p.strip() for p in title_path if p and p.strip())
        text = text.strip()
        return cls(chunk_id(source_id, path, text), str(source_id), path, text, dict(metadata or {}), position)

    @property
    def title(self) -> str:
        """The innermost heading (for an FAQ row, the question)."""
        return self.title_path[-1] if self.title_path else ""

    @property
    def title_display(self) -> str:
        """The title path as shown in citations: "대형폐기물 > 수수료 > 납부 방법"."""
        return TITLE_SEPARATOR.join(self.title_path)

    @property
    def search_text(self) -> str:
        """What is tokenised and embedded: the title path, then the passage."""
        if not self.title_path:
            return self.text
        return f"{self.title_display}\n{self.text}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source_id": self.source_id,
            "title_path": list(self.title_path),
            "text": self.text,
            "metadata": self.metadata,
            "position": self.position,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Chunk:
        return cls(
            d["id"],
            d["source_id"],
            tuple(d["title_path"]),
            d["text"],
            dict(d.get("metadata") or {}),
            int(d.get("position", 0)),
        )


# --- Markdown and plain text -------------------------------------------------------

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_FENCE = re.compile(r"^(```|~~~)")
# Sentence ends (punctuation then space) and line breaks: good enough to cut an
# over-long paragraph without cutting a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n+")


def _blocks(lines: list[str]) -> Iterable[tuple[str, Any]]:
    """Yield ("heading", (level, title)) and ("para", text) in document order."""
    para: list[str] = []
    fence: str | None = None

    def flush():
        if para:
            text = "\n".join(para).strip()
            para.clear()
            if text:
                return ("para", text)
        return None

    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if fence is not None:
            para.append(line)
            i += 1
            if line.lstrip().startswith(fence):
                fence = None
                if (b := flush()) is not None:
                    yield b
            continue
        m = _FENCE.match(line.lstrip())
        if m:
            fence = m.group(1)
            para.append(line)
            i += 1
            continue
        m = _ATX.match(line)
        if m:
            if (b := flush()) is not None:
                yield b
            yield ("heading", (len(m.group(1)), m.group(2).strip()))
            i += 1
            continue
        # Setext heading: a single text line underlined with === or ---.
        if (
            line.strip()
            and i + 1 < len(lines)
            and _SETEXT.match(lines[i + 1].strip())
            and not para
            and not line.lstrip().startswith(("-", "*", "+", ">", "|"))
        ):
            yield ("heading", (1 if lines[i + 1].strip().startswith("=") else 2, line.strip()))
            i += 2
            continue
        if not line.strip():
            if (b := flush()) is not None:
                yield b
        else:
            para.append(line)
        i += 1
    if (b := flush()) is not None:
        yield b


def _split_long(text: str, max_chars: int) -> list[str]:
    """Cut a paragraph longer than ``max_chars`` at sentence ends (hard cuts as a last resort)."""
    if len(text) <= max_chars:
        return [text]
    sentences = [s for s in _SENTENCE_END.split(text) if s and s.strip()]
    pieces: list[str] = []
    cur = ""
    for s in sentences:
        s = s.strip()
        while len(s) > max_chars:  # a "sentence" with no end in sight
            if cur:
                pieces.append(cur)
                cur = ""
            pieces.append(s[:max_chars])
            s = s[max_chars:].strip()
        if cur and len(cur) + 1 + len(s) > max_chars:
            pieces.append(cur)
            cur = s
        else:
            cur = f"{cur} {s}" if cur else s
    if cur:
        pieces.append(cur)
    return pieces


def _pack(paras: list[str], target: int, max_chars: int) -> list[str]:
    """Pack whole paragraphs into chunks of about ``target``..``max_chars`` characters.

    No overlap: each paragraph lands in exactly one chunk. A chunk is closed once it has
    reached ``target`` and the next paragraph would push it past ``max_chars``.
    """
    out: list[str] = []
    cur: list[str] = []
    size = 0
    for p in paras:
        for piece in _split_long(p, max_chars):
            added = len(piece) + (2 if cur else 0)
            if cur and (size + added > max_chars or size >= target and size + added > target * 1.5):
                out.append("\n\n".join(cur))
                cur, size = [], 0
                added = len(piece)
            cur.append(piece)
            size += added
    if cur:
        out.append("\n\n".join(cur))
    return out


def chunk_markdown(
    source_id: str,
    text: str,
    title: str | None = None,
    metadata: Mapping | None = None,
    target: int = TARGET_CHARS,
    max_chars: int = MAX_CHARS,
) -> list[Chunk]:
    """Split a Markdown (or plain text) document into chunks by headings and paragraphs.

    ``title`` is the source's title and the first element of every title path (a top
    heading repeating it is not repeated); without it, the document's own headings make
    the path. Section
    boundaries are never crossed: a short section gives a short chunk.
    """
    blocks = list(_blocks((text or "").replace("\r\n", "\n").split("\n")))
    root: tuple[str, ...] = (title,) if title else ()
    stack: list[tuple[int, str]] = []  # (level, heading)
    sections: list[tuple[tuple[str, ...], list[str]]] = []
    paras: list[str] = []

    def close():
        if paras:
            path = root + tuple(h for _, h in stack)
            sections.append((path, list(paras)))
            paras.clear()

    for kind, value in blocks:
        if kind == "heading":
            close()
            level, heading = value
            if title and heading == title and not stack:
                continue  # "# 대형폐기물" repeating the source title
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, heading))
        else:
            paras.append(value)
    close()

    chunks: list[Chunk] = []
    seen: set[str] = set()
    meta = dict(metadata or {})
    for path, section_paras in sections:
        for piece in _pack(section_paras, target, max_chars):
            c = Chunk.create(source_id, path, piece, meta, position=len(chunks))
            if c.id in seen:  # the same passage twice under the same heading adds nothing
                continue
            seen.add(c.id)
            chunks.append(c)
    return chunks


def chunk_text(
    source_id: str,
    text: str,
    title: str | None = None,
    metadata: Mapping | None = None,
    target: int = TARGET_CHARS,
    max_chars: int = MAX_CHARS,
) -> list[Chunk]:
    """Split plain text (no heading syntax) into paragraph-packed chunks under ``title``."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if p.strip()]
    meta = dict(metadata or {})
    root = (title,) if title else ()
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for piece in _pack(paras, target, max_chars):
        c = Chunk.create(source_id, root, piece, meta, position=len(chunks))
        if c.id not in seen:
            seen.add(c.id)
            chunks.append(c)
    return chunks


# --- FAQ tables ---------------------------------------------------------------------


def chunk_faq(
    source_id: str, rows: Iterable[Mapping[str, Any] | tuple], metadata: Mapping | None = None, title: str | None = None
) -> list[Chunk]:
    """One chunk per FAQ row (question, answer, topic), the question as its title.

    Rows are mappings with ``question``, ``answer`` and optionally ``topic`` keys, or
    tuples in that order. The title path is ``(title?, topic?, question)``; ``topic`` is
    also put in the chunk's metadata so that results can be grouped by it. Rows with an
    empty question or answer are skipped; an exact duplicate row is kept once.
    """
    meta = dict(metadata or {})
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for row in rows:
        if isinstance(row, Mapping):
            q, a, topic = row.get("question"), row.get("answer"), row.get("topic")
        else:
            q, a, topic = (tuple(row) + (None, None, None))[:3]
        q, a, topic = (q or "").strip(), (a or "").strip(), (topic or "").strip()
        if not q or not a:
            continue
        path = tuple(p for p in (title, topic, q) if p)
        c = Chunk.create(source_id, path, a, {**meta, "topic": topic or None, "kind": "faq"}, position=len(chunks))
        if c.id in seen:
            continue
        seen.add(c.id)
        chunks.append(c)
    return chunks
