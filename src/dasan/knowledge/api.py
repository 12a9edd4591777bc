"""Public search API of the knowledge base (residents' sources only)."""

from __future__ import annotations

from ninja import Query, Router, Schema

from . import selectors

router = Router(tags=["knowledge"])


class SearchParams(Schema):
    q: str
    k: int = 5
    language: str | None = None


class SearchOut(Schema):
    query: str
    hits: list[selectors.Passage]
    confidence: float
    answerable: bool
    index_ready: bool


@router.get("/search", response=SearchOut, auth=None, summary="Search the knowledge base")
def search(request, params: Query[SearchParams]):
    """Passages from the city's published residents' knowledge base that best answer ``q``."""
    q = params.q.strip()[:500]
    k = max(1, min(params.k, 20))
    result = (
        selectors.search(q, audience="residents", language=params.language, k=k)
        if q
        else selectors.SearchResult(index_ready=selectors.index_ready())
    )
    return {
        "query": q,
        "hits": [h.__dict__ for h in result.hits],
        "confidence": result.confidence,
        "answerable": result.answerable,
        "index_ready": result.index_ready,
    }
