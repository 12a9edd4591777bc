"""Hybrid retrieval index (검색 색인): BM25 over Kiwi morphemes + dense e5 vectors.

Two rankers see every query:

* **lexical**: BM25 (``bm25s``) over the content morphemes of :mod:`.analysis`; it is
  exact about names of programmes, fees and places;
* **dense**: cosine between e5 embeddings (:mod:`.embedding`); it understands
  paraphrases ("소파 버리는 비용" for "대형폐기물 수수료") and other languages.

Their rankings are fused by reciprocal-rank fusion (RRF, Cormack et al. 2009):
``score(d) = Σ w_r / (k + rank_r(d))`` with ``k = 60``, which needs no score
normalisation. A grouped search (``group_by="topic"``, what the assistant runs) then
ranks the groups (an FAQ programme, an article section) on all their passages with a
small fitted model (:mod:`.ranking`) and returns each group's best passage. Each
result also carries a confidence in [0, 1] (:mod:`.calibration`) that the assistant
thresholds to say "I don't know".

The index is incremental: :meth:`HybridIndex.update` embeds only the chunks whose id it
has not seen (ids hash the text, see :mod:`.chunking`), drops vanished ones and
rebuilds BM25, which takes well under a second per 10k chunks. :meth:`save` writes a
directory (``vectors.npy``, ``chunks.json``, ``manifest.json`` and bm25s's own files)
next to the target and swaps it in by renaming; :meth:`load` reads it back without
embedding anything.

:class:`SearchBackend` is the interface the assistant uses, so a PostgreSQL (pgvector +
full text) or OpenSearch backend can take this one's place.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from . import analysis, chatter
from .calibration import DEFAULT as DEFAULT_CALIBRATION
from .calibration import FEATURES, Calibration
from .chunking import Chunk
from .embedding import Embedder, default_embedder
from .ranking import DEFAULT as DEFAULT_RANKER
from .ranking import GROUP_CANDIDATES, GROUP_DECAY, GROUP_DEPTH, GROUP_FEATURES, GroupRanker

FORMAT_VERSION = 1
RRF_K = 60
#: How many of each ranker's best passages take part in fusion.
CANDIDATES = 100
EMBED_BATCH = 32

#: ``progress(stage, done, total)``; stages: "tokenise", "embed", "bm25", "save".
ProgressCallback = Callable[[str, int, int], None]


@dataclass
class SearchHit:
    """One retrieved chunk with its fused score and the ranks that made it."""

    chunk: Chunk
    score: float
    lexical_rank: int | None = None  # 1-based; None when BM25 did not find it
    dense_rank: int | None = None
    dense_score: float = 0.0
    #: In a grouped search, the group's score (see :mod:`.ranking`); hits are in its order.
    group_score: float | None = None


@dataclass
class SearchResult:
    """Hits, best first, and how sure the index is that the query is answerable here."""

    query: str
    hits: list[SearchHit]
    confidence: float
    threshold: float
    features: dict[str, float] = field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        """Confidence at or above the index's calibrated threshold."""
        return bool(self.hits) and self.confidence >= self.threshold


@dataclass
class UpdateStats:
    added: int = 0
    removed: int = 0
    kept: int = 0
    embedded: int = 0
    seconds: float = 0.0


@runtime_checkable
class SearchBackend(Protocol):
    """What the assistant needs from a retrieval backend.

    ``filters`` maps a metadata key (or ``"source_id"``) to an allowed value or a
    collection of allowed values; a chunk without the key does not match. ``group_by``
    keeps only the best chunk per value of a metadata key (e.g. ``"topic"``).
    """

    def search(
        self, query: str, k: int = 5, filters: Mapping[str, Any] | None = None, group_by: str | None = None
    ) -> SearchResult: ...

    def update(self, chunks: Iterable[Chunk], progress: ProgressCallback | None = None) -> UpdateStats: ...

    def update_source(
        self, source_id: str, chunks: Iterable[Chunk], progress: ProgressCallback | None = None
    ) -> UpdateStats: ...

    def __len__(self) -> int: ...


class _State:
    """An immutable snapshot; searches read one while an update builds the next."""

    def __init__(self, chunks: list[Chunk], tokens: list[list[str]], vectors: np.ndarray, bm25=None):
        self.chunks = chunks
        self.tokens = tokens
        self.vectors = vectors
        self.row = {c.id: i for i, c in enumerate(chunks)}
        self.token_sets = [frozenset(t) for t in tokens]
        self.vocab = frozenset().union(*self.token_sets) if self.token_sets else frozenset()
        self.bm25 = bm25 if bm25 is not None else _build_bm25(tokens)
        self._columns: dict[str, np.ndarray] = {}
        self._groups: dict[str, _Groups] = {}
        self._lock = threading.Lock()

    def groups(self, key: str) -> _Groups:
        """The chunks grouped by a metadata key (or ``"source_id"``), built on first use."""
        groups = self._groups.get(key)
        if groups is None:
            with self._lock:
                groups = self._groups.get(key)
                if groups is None:
                    groups = self._groups[key] = _Groups(self.chunks, self.tokens, key)
        return groups

    def column(self, key: str) -> np.ndarray:
        col = self._columns.get(key)
        if col is None:
            with self._lock:
                if key == "source_id":
                    values = [c.source_id for c in self.chunks]
                else:
                    values = [c.metadata.get(key) for c in self.chunks]
                col = np.empty(len(values), dtype=object)
                col[:] = values
                self._columns[key] = col
        return col

    def mask(self, filters: Mapping[str, Any] | None) -> np.ndarray | None:
        if not filters:
            return None
        m = np.ones(len(self.chunks), dtype=bool)
        for key, allowed in filters.items():
            if allowed is None:
                continue
            if isinstance(allowed, (str, bytes, int, float, bool)):
                allowed = [allowed]
            allowed = set(allowed)
            col = self.column(key)
            m &= np.fromiter((v in allowed for v in col), dtype=bool, count=len(col))
        return m


class _Groups:
    """Which chunks share a value of a metadata key (a topic, a source), and the
    morphemes of each value, for ranking groups (:mod:`.ranking`)."""

    def __init__(self, chunks: list[Chunk], tokens: list[list[str]], key: str):
        ids: dict = {}
        parts: dict = {}
        gid = np.empty(len(chunks), dtype=np.int64)
        pid = np.empty(len(chunks), dtype=np.int64)
        for i, c in enumerate(chunks):
            value = c.source_id if key == "source_id" else c.metadata.get(key, c.id)
            gid[i] = ids.setdefault(value, len(ids))
            # A group's part within one source: sources are what filters (audience,
            # language) keep or drop, so a part is either wholly visible or not at all.
            pid[i] = parts.setdefault((gid[i], c.source_id), len(parts))
        self.gid, self.pid = gid, pid
        self.values = list(ids)
        order = np.argsort(gid, kind="stable")
        bounds = np.searchsorted(gid[order], np.arange(len(ids) + 1))
        self.members = [order[bounds[g] : bounds[g + 1]] for g in range(len(ids))]
        names = [v if isinstance(v, str) and key != "source_id" else "" for v in self.values]
        self.name_tokens = [frozenset(t) for t in analysis.tokens_many(names)] if names else []
        # BM25 over each part's passages taken together: how well the topic as a whole
        # matches the query's words, not just its best passage.
        docs: list[list[str]] = [[] for _ in parts]
        for i, t in enumerate(tokens):
            docs[pid[i]].extend(t)
        self.part_bm25 = _build_bm25(docs) if any(docs) else None
        self.n_parts = len(parts)


def _build_bm25(tokens: list[list[str]]):
    if not tokens:
        return None
    import bm25s

    bm25 = bm25s.BM25()
    bm25.index(tokens, show_progress=False)
    return bm25


def _top(scores: np.ndarray, n: int, valid: np.ndarray) -> np.ndarray:
    """Indices of the ``n`` best scores among ``valid`` ones, best first."""
    idx = np.flatnonzero(valid)
    if len(idx) == 0:
        return idx
    if len(idx) > n:
        part = np.argpartition(-scores[idx], n - 1)[:n]
        idx = idx[part]
    return idx[np.argsort(-scores[idx], kind="stable")]


class HybridIndex:
    """In-process hybrid index over chunks; see the module docstring."""

    def __init__(
        self,
        embedder: Embedder | None = None,
        calibration: Calibration | None = None,
        weights: tuple[float, float] = (1.0, 1.0),
        rrf_k: int = RRF_K,
        ranker: GroupRanker | None = None,
    ):
        self._embedder = embedder
        self.calibration = calibration or DEFAULT_CALIBRATION
        #: Scores the groups of a grouped search; ``None`` ranks them by their RRF alone.
        self.ranker = ranker or DEFAULT_RANKER
        #: RRF weights of (lexical, dense); (1, 0) or (0, 1) gives one ranker alone.
        self.weights = weights
        self.rrf_k = rrf_k
        self._state = _State([], [], np.zeros((0, 0), dtype=np.float32))
        self._write_lock = threading.Lock()

    # --- basics ----------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = default_embedder()
        return self._embedder

    def __len__(self) -> int:
        return len(self._state.chunks)

    def __contains__(self, chunk_id: str) -> bool:
        return chunk_id in self._state.row

    @property
    def chunks(self) -> list[Chunk]:
        return list(self._state.chunks)

    def get(self, chunk_id: str) -> Chunk | None:
        s = self._state
        i = s.row.get(chunk_id)
        return None if i is None else s.chunks[i]

    # --- building ----------------------------------------------------------------------

    def update(self, chunks: Iterable[Chunk], progress: ProgressCallback | None = None) -> UpdateStats:
        """Make the index hold exactly ``chunks``: embed new ids, drop vanished ones.

        Chunks whose id is already indexed keep their vector (their metadata is taken
        from the new chunk, so a change of audience or validity costs no embedding).
        """
        with self._write_lock:
            return self._replace(list(chunks), progress)

    def update_source(
        self, source_id: str, chunks: Iterable[Chunk], progress: ProgressCallback | None = None
    ) -> UpdateStats:
        """Replace the chunks of one source, leaving the other sources' chunks alone."""
        with self._write_lock:
            others = [c for c in self._state.chunks if c.source_id != source_id]
            return self._replace(others + [c for c in chunks if c.source_id == source_id], progress)

    def remove_source(self, source_id: str) -> UpdateStats:
        """Drop every chunk of a source (unpublished or deleted)."""
        return self.update_source(source_id, [])

    def _replace(self, chunks: list[Chunk], progress: ProgressCallback | None) -> UpdateStats:
        t0 = time.perf_counter()
        old = self._state
        unique: dict[str, Chunk] = {}
        for c in chunks:
            unique.setdefault(c.id, c)
        chunks = list(unique.values())
        new = [c for c in chunks if c.id not in old.row]
        stats = UpdateStats(
            added=len(new), kept=len(chunks) - len(new), removed=sum(1 for cid in old.row if cid not in unique)
        )

        new_tokens = _tokenise(new, progress)
        new_vectors = self._embed(new, progress)
        stats.embedded = len(new)

        if len(new):
            dim = new_vectors.shape[1]
        else:
            dim = old.vectors.shape[1] if old.vectors.ndim == 2 else 0
        vectors = np.zeros((len(chunks), dim), dtype=np.float32)
        tokens: list[list[str]] = []
        new_pos = {c.id: i for i, c in enumerate(new)}
        for i, c in enumerate(chunks):
            j = old.row.get(c.id)
            if j is not None:
                vectors[i] = old.vectors[j]
                tokens.append(old.tokens[j])
            else:
                k = new_pos[c.id]
                vectors[i] = new_vectors[k]
                tokens.append(new_tokens[k])
        if progress:
            progress("bm25", 0, 1)
        state = _State(chunks, tokens, vectors)
        if progress:
            progress("bm25", 1, 1)
        self._state = state  # one assignment: searches see the old or the new snapshot
        stats.seconds = time.perf_counter() - t0
        return stats

    def _embed(self, chunks: list[Chunk], progress: ProgressCallback | None) -> np.ndarray:
        if not chunks:
            return np.zeros((0, 0), dtype=np.float32)
        parts = []
        total = len(chunks)
        if progress:
            progress("embed", 0, total)
        for start in range(0, total, EMBED_BATCH):
            batch = chunks[start : start + EMBED_BATCH]
            parts.append(np.asarray(self.embedder.passages([c.search_text for c in batch]), dtype=np.float32))
            if progress:
                progress("embed", min(start + EMBED_BATCH, total), total)
        return np.vstack(parts)

    # --- searching ---------------------------------------------------------------------

    def search(
        self, query: str, k: int = 5, filters: Mapping[str, Any] | None = None, group_by: str | None = None
    ) -> SearchResult:
        """Best ``k`` chunks for ``query`` (after ``filters``), fused, with a confidence."""
        s = self._state
        threshold = self.calibration.threshold
        n = len(s.chunks)
        query = (query or "").strip()
        if n == 0 or not query:
            return SearchResult(query, [], 0.0, threshold)
        mask = s.mask(filters)
        valid = np.ones(n, dtype=bool) if mask is None else mask
        if not valid.any():
            return SearchResult(query, [], 0.0, threshold)

        q_tokens, qv, lex, dense, lex_top, dense_top, fused, order = self._score(s, query, valid)
        lex_rank = {int(i): r for r, i in enumerate(lex_top, 1)}
        dense_rank = {int(i): r for r, i in enumerate(dense_top, 1)}
        hits: list[SearchHit] = []
        if group_by is None:
            for i in order[:k]:
                hits.append(SearchHit(s.chunks[i], fused[i], lex_rank.get(i), dense_rank.get(i), float(dense[i])))
        else:
            ranked = self._rank_groups(s, group_by, q_tokens, qv, lex, dense, valid, fused, order, lex_top, dense_top)
            for i, score in ranked[:k]:
                hits.append(
                    SearchHit(
                        s.chunks[i], fused[i], lex_rank.get(i), dense_rank.get(i), float(dense[i]), group_score=score
                    )
                )

        best = s.row[hits[0].chunk.id] if hits else (order[0] if order else int(dense_top[0]))
        chatter_top = float((chatter.vectors(self.embedder) @ qv).max())
        feats = _features(s, q_tokens, lex_top, dense_top, dense, valid, best, chatter_top)
        lexical = _has_hangul(query)  # the KB is Korean: other scripts cannot match its morphemes
        conf = self.calibration.confidence([feats[f] for f in _FEATURE_ORDER], lexical) if hits else 0.0
        return SearchResult(query, hits, conf, threshold, feats)

    def _score(self, s: _State, query: str, valid: np.ndarray):
        """Both rankers' scores for every chunk, their best candidates, and the RRF fusion."""
        w_lex, w_dense = self.weights
        q_tokens = analysis.tokens(query)
        if q_tokens and s.bm25 is not None and w_lex > 0:
            lex = np.asarray(s.bm25.get_scores(q_tokens), dtype=np.float32)
        else:
            lex = np.zeros(len(s.chunks), dtype=np.float32)
        qv = self.embedder.query(query)
        dense = s.vectors @ qv

        lex_top = _top(lex, CANDIDATES, valid & (lex > 0))
        dense_top = _top(dense, CANDIDATES, valid)

        fused: dict[int, float] = {}
        if w_lex > 0:
            for r, i in enumerate(lex_top, 1):
                fused[int(i)] = fused.get(int(i), 0.0) + w_lex / (self.rrf_k + r)
        if w_dense > 0:
            for r, i in enumerate(dense_top, 1):
                fused[int(i)] = fused.get(int(i), 0.0) + w_dense / (self.rrf_k + r)
        # Ties (common when one ranker is off) are broken by the dense score.
        order = sorted(fused, key=lambda i: (-fused[i], -float(dense[i])))
        return q_tokens, qv, lex, dense, lex_top, dense_top, fused, order

    def _group_candidates(
        self,
        s: _State,
        group_by: str,
        q_tokens: list[str],
        qv: np.ndarray,
        lex: np.ndarray,
        dense: np.ndarray,
        valid: np.ndarray,
        fused: dict[int, float],
        order: list[int],
        lex_top: np.ndarray,
        dense_top: np.ndarray,
    ):
        """Groups of the fused passages, by aggregated RRF: ``(groups, best chunk of each,
        aggregated RRF of each, feature matrix of the first GROUP_CANDIDATES)``."""
        groups = s.groups(group_by)
        gid = groups.gid
        agg: dict[int, float] = {}
        seen: dict[int, int] = {}
        best: dict[int, int] = {}
        for i in order:  # best fused first
            g = int(gid[i])
            n = seen.get(g, 0)
            if n == 0:
                best[g] = i
            if n < GROUP_DEPTH:
                agg[g] = agg.get(g, 0.0) + fused[i] * GROUP_DECAY**n
                seen[g] = n + 1
        ranked = sorted(agg, key=lambda g: (-agg[g], -float(dense[best[g]])))
        cands = ranked[:GROUP_CANDIDATES]
        X = np.zeros((len(cands), len(GROUP_FEATURES)), dtype=np.float64)
        if not cands:
            return ranked, best, agg, X
        dmax = float(dense[valid].max())
        lmax = float(lex[valid].max()) if valid.any() else 0.0
        lmax = lmax if lmax > 0 else 1.0
        top_lex = {int(i) for i in lex_top[:10]}
        top_dense = {int(i) for i in dense_top[:10]}
        q = set(q_tokens)
        if q_tokens and groups.part_bm25 is not None:
            part_scores = np.asarray(groups.part_bm25.get_scores(q_tokens), dtype=np.float64)
        else:
            part_scores = np.zeros(groups.n_parts)
        for row, g in enumerate(cands):
            m = groups.members[g]
            m = m[valid[m]]
            d = np.sort(dense[m])[::-1][:3]
            d = np.concatenate([d, np.full(3 - len(d), np.nan)])  # fewer than 3: filled in below
            ls = lex[m]
            centre = s.vectors[m].sum(axis=0)
            norm = float(np.linalg.norm(centre))
            names = groups.name_tokens[g] if g < len(groups.name_tokens) else frozenset()
            words = frozenset().union(*(s.token_sets[int(j)] for j in m)) if q else frozenset()
            X[row] = (
                agg[g] * self.rrf_k,
                d[0] - dmax,
                d[1] - dmax,
                d[2] - dmax,
                float(ls.max()) / lmax if len(ls) else 0.0,
                float(ls.sum()),
                float(centre @ qv) / norm if norm > 0 else 0.0,
                len(q & names) / len(names) if names else 0.0,
                sum(1 for j in m if int(j) in top_lex),
                sum(1 for j in m if int(j) in top_dense),
                len(q & words) / len(q) if q else 0.0,
                float(part_scores[np.unique(groups.pid[m])].max()) if len(m) else 0.0,
            )
        # A group with one or two passages (an article's short section) has no second or
        # third cosine; it gets the candidates' median there, neither rewarded nor punished.
        for col in (2, 3):
            missing = np.isnan(X[:, col])
            if missing.any():
                known = X[~missing, col]
                X[missing, col] = float(np.median(known)) if len(known) else X[missing, col - 1]
        lsum = X[:, 5].max()
        X[:, 5] = X[:, 5] / lsum if lsum > 0 else 0.0
        X[:, 6] -= X[:, 6].max()
        top = X[:, 11].max()
        X[:, 11] = X[:, 11] / top if top > 0 else 0.0
        return ranked, best, agg, X

    def _rank_groups(
        self, s: _State, group_by: str, q_tokens, qv, lex, dense, valid, fused, order, lex_top, dense_top
    ) -> list[tuple[int, float]]:
        """(best chunk, score) per group, best group first."""
        ranked, best, agg, X = self._group_candidates(
            s, group_by, q_tokens, qv, lex, dense, valid, fused, order, lex_top, dense_top
        )
        cands = ranked[:GROUP_CANDIDATES]
        if self.ranker is None or not cands:
            return [(best[g], agg[g]) for g in ranked]
        scores = self.ranker.scores(X)
        top = sorted(range(len(cands)), key=lambda r: (-scores[r], -agg[cands[r]]))
        low = float(scores.min()) if len(scores) else 0.0
        # Groups beyond the candidates keep their RRF order, below every candidate.
        return [(best[cands[r]], float(scores[r])) for r in top] + [
            (best[g], low - 1.0) for g in ranked[GROUP_CANDIDATES:]
        ]

    def group_features(self, query: str, group_by: str = "topic", filters: Mapping[str, Any] | None = None):
        """The candidate groups of a query and their ranking features (to fit a :class:`GroupRanker`).

        Returns ``(values, X)``: the group values (e.g. topic names) of the first
        GROUP_CANDIDATES groups by aggregated RRF, and their feature matrix.
        """
        s = self._state
        query = (query or "").strip()
        if not len(s.chunks) or not query:
            return [], np.zeros((0, len(GROUP_FEATURES)))
        mask = s.mask(filters)
        valid = np.ones(len(s.chunks), dtype=bool) if mask is None else mask
        q_tokens, qv, lex, dense, lex_top, dense_top, fused, order = self._score(s, query, valid)
        if not order:
            return [], np.zeros((0, len(GROUP_FEATURES)))
        ranked, _best, _agg, X = self._group_candidates(
            s, group_by, q_tokens, qv, lex, dense, valid, fused, order, lex_top, dense_top
        )
        groups = s.groups(group_by)
        return [groups.values[g] for g in ranked[:GROUP_CANDIDATES]], X

    def features(self, query: str, filters: Mapping[str, Any] | None = None) -> dict[str, float]:
        """The calibration features of a query (for fitting a calibration)."""
        return self.search(query, k=1, filters=filters).features

    # --- persistence -------------------------------------------------------------------

    def save(self, path: str | os.PathLike, progress: ProgressCallback | None = None) -> None:
        """Write the index to directory ``path``, replacing any index there.

        Everything is written to a temporary sibling directory first and then renamed
        into place, so a reader (or a crash) never sees half an index.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        s = self._state
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp's 0700 would hide the index from the web server's user
        try:
            if progress:
                progress("save", 0, 1)
            np.save(tmp / "vectors.npy", s.vectors)
            with open(tmp / "chunks.json", "w", encoding="utf-8") as f:
                json.dump(
                    [{**c.to_dict(), "tokens": t} for c, t in zip(s.chunks, s.tokens)],
                    f,
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
            if s.bm25 is not None:
                s.bm25.save(str(tmp / "bm25"), show_progress=False)
            manifest = {
                "format": FORMAT_VERSION,
                "embedder": getattr(self.embedder, "name", "unknown"),
                "dim": int(s.vectors.shape[1]) if s.vectors.ndim == 2 else 0,
                "count": len(s.chunks),
                "weights": list(self.weights),
                "rrf_k": self.rrf_k,
                # The shipped defaults are not written down, so that an index follows the
                # defaults of the code that loads it; a city's own fit is kept.
                "calibration": None if self.calibration is DEFAULT_CALIBRATION else self.calibration.to_dict(),
                "ranker": None if self.ranker is DEFAULT_RANKER else self.ranker.to_dict(),
                "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            with open(tmp / "manifest.json", "w", encoding="utf-8") as f:
                json.dump(manifest, f, ensure_ascii=False, indent=1)
            _swap_in(tmp, path)
            if progress:
                progress("save", 1, 1)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike, embedder: Embedder | None = None) -> HybridIndex:
        """Read an index saved by :meth:`save`; nothing is re-embedded.

        Raises ``FileNotFoundError`` when there is no index at ``path`` and
        ``IndexMismatch`` when it was built by another embedding model (rebuild it).
        """
        path = _resolve(Path(path))
        with open(path / "manifest.json", encoding="utf-8") as f:
            manifest = json.load(f)
        if manifest.get("format") != FORMAT_VERSION:
            raise IndexMismatch(f"index format {manifest.get('format')} (expected {FORMAT_VERSION}); rebuild it")
        index = cls(
            embedder,
            _saved_calibration(manifest.get("calibration")),
            tuple(manifest.get("weights", (1.0, 1.0))),
            int(manifest.get("rrf_k", RRF_K)),
            GroupRanker.from_dict(manifest.get("ranker")),
        )
        if manifest["count"] and manifest["embedder"] != getattr(index.embedder, "name", "unknown"):
            raise IndexMismatch(
                f"index built with {manifest['embedder']!r}, not {getattr(index.embedder, 'name', '?')!r}; rebuild it"
            )
        with open(path / "chunks.json", encoding="utf-8") as f:
            rows = json.load(f)
        chunks = [Chunk.from_dict(r) for r in rows]
        tokens = [r.get("tokens", []) for r in rows]
        vectors = np.load(path / "vectors.npy")
        bm25 = None
        if (path / "bm25").is_dir():
            import bm25s

            bm25 = bm25s.BM25.load(str(path / "bm25"), show_progress=False)
        if vectors.shape[0] != len(chunks):
            raise IndexMismatch("vectors and chunks disagree; rebuild the index")
        index._state = _State(chunks, tokens, vectors.astype(np.float32, copy=False), bm25)
        return index

    def calibrate(self, calibration: Calibration) -> None:
        """Use another confidence model (e.g. fitted on the city's own questions)."""
        self.calibration = calibration


#: Biases of the defaults that earlier versions wrote into every manifest: such an index
#: follows today's default instead of keeping an old one that nobody chose.
_FORMER_DEFAULT_BIASES = (2.5223987277736764,)


def _saved_calibration(d: dict | None) -> Calibration:
    if not d or any(abs(float(d.get("bias", 0.0)) - b) < 1e-12 for b in _FORMER_DEFAULT_BIASES):
        return DEFAULT_CALIBRATION
    return Calibration.from_dict(d)


class IndexMismatch(RuntimeError):
    """The saved index cannot be used as it is and must be rebuilt."""


_FEATURE_ORDER = FEATURES
_FEATURE_NAMES = ("dense_top", "dense_z", "dense_margin", "lex_cover", "lex_known", "agree", "chatter_margin")


def _features(
    s: _State,
    q_tokens: list[str],
    lex_top: np.ndarray,
    dense_top: np.ndarray,
    dense: np.ndarray,
    valid: np.ndarray,
    best: int,
    chatter: float,
) -> dict[str, float]:
    """Features of a result for the confidence model (:mod:`.calibration` uses some of them)."""
    if len(dense_top) == 0:
        return {f: 0.0 for f in _FEATURE_NAMES}
    d = dense[valid]
    top = float(dense[dense_top[0]])
    std = float(d.std()) if len(d) > 1 else 0.0
    tenth = float(dense[dense_top[min(9, len(dense_top) - 1)]])
    q = set(q_tokens)
    cover = len(q & s.token_sets[best]) / len(q) if q else 0.0
    known = len(q & s.vocab) / len(q) if q else 0.0
    agree = 1.0 if len(lex_top) and int(lex_top[0]) == int(dense_top[0]) else 0.0
    return {
        "dense_top": top,
        "dense_z": (top - float(d.mean())) / std if std > 1e-6 else 0.0,
        "dense_margin": top - tenth,
        "lex_cover": cover,
        "lex_known": known,
        "agree": agree,
        "chatter_margin": top - chatter,
    }


def _has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e" for ch in text)


def _tokenise(chunks: list[Chunk], progress: ProgressCallback | None) -> list[list[str]]:
    out: list[list[str]] = []
    total = len(chunks)
    step = 256
    for start in range(0, total, step):
        out.extend(analysis.tokens_many([c.search_text for c in chunks[start : start + step]]))
        if progress:
            progress("tokenise", min(start + step, total), total)
    return out


def _swap_in(tmp: Path, path: Path) -> None:
    """Put directory ``tmp`` at ``path``; the old one is renamed away, then removed.

    POSIX cannot rename a directory over a non-empty one, so there is a moment between
    the two renames with no ``path``; :func:`_resolve` then finds the ``.old`` one.
    """
    old = None
    if path.exists():
        old = path.with_name(f".{path.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        os.rename(path, old)
    os.rename(tmp, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _resolve(path: Path) -> Path:
    if (path / "manifest.json").exists():
        return path
    olds = sorted(path.parent.glob(f".{path.name}.old-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for p in olds:  # caught between the two renames of a save
        if (p / "manifest.json").exists():
            return p
    raise FileNotFoundError(f"no index at {path}")
