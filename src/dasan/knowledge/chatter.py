"""Examples of chatter (잡담) that a search compares each query with.

A question the knowledge base can answer is closer to one of its passages than to
small talk; "배고파 죽겠어" is the other way round. The cosine of the best passage minus
the cosine of the closest line of ``data/chatter.txt`` (``chatter_margin``) separates
the two whatever the size of the knowledge base, which the corpus-relative features
(how far the best passage stands above the others) cannot: a four-article test index
and the 4,700-row welfare FAQ put the same chit-chat on opposite sides of any threshold.

The lines were written for this purpose (everyday remarks, feelings, food, weather,
plans, a few in English) and share no line with the chit-chat set the bench evaluates
on. They are embedded once per process and embedding model (~125 queries, a couple of
seconds; ``IndexManager.warm`` pays it at start-up).
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

PATH = Path(__file__).resolve().parent / "data" / "chatter.txt"

_lock = threading.Lock()
_vectors: dict[str, np.ndarray] = {}


def lines() -> list[str]:
    """The chatter examples, one per non-empty line of ``data/chatter.txt``."""
    return [line.strip() for line in PATH.read_text(encoding="utf-8").splitlines() if line.strip()]


def vectors(embedder) -> np.ndarray:
    """The examples embedded as queries by ``embedder`` (cached per model name)."""
    name = getattr(embedder, "name", None) or repr(embedder)
    v = _vectors.get(name)
    if v is None:
        with _lock:
            v = _vectors.get(name)
            if v is None:
                v = np.stack([np.asarray(embedder.query(text), dtype=np.float32) for text in lines()])
                _vectors[name] = v
    return v
