"""Ranking groups of passages (topics, sources) for a grouped search.

A grouped search (``HybridIndex.search(..., group_by="topic")``) answers "which
programme / section is this question about": the welfare FAQ has ~10 rows per
programme, and a question is usually close to several rows of the right programme
and to one row of a neighbouring one. Taking each group's single best passage (the
max) throws that evidence away, so each candidate group is described by a few
scale-free *features* of its passages and scored by a linear model:

==============  ===========================================================================
``rrf``         the group's passages' fused RRF scores, best + ½·second + ¼·third, × k
``dense1..3``   cosine of the group's best, second and third passage minus the best overall
``lex1``        the group's best BM25 score over the best overall
``lex_sum``     the sum of the group's BM25 scores over the largest such sum among candidates
``centroid``    cosine to the mean of the group's passage vectors, minus the candidates' best
``name``        share of the group name's morphemes that the query contains ("기초연금")
``n_lex``       how many of the ten best BM25 passages belong to the group
``n_dense``     how many of the ten best dense passages belong to the group
``cover``       share of the query's morphemes found anywhere in the group's passages
``bm25``        BM25 of the group's passages taken as one document, over the candidates' best
==============  ===========================================================================

Every feature is computed from the passages the search may see (after filters), so a
staff-only passage never shapes a resident's ranking (``bm25`` is kept per source
within a group, and sources are what the audience and language filters keep or drop). The weights are fitted with a
listwise (softmax) loss on the tuning half of the welfare development questions by
``bench/assistant/fit_ranker.py``, which prints :data:`DEFAULT`; the bench reports the
other half separately.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

GROUP_FEATURES = (
    "rrf",
    "dense1",
    "dense2",
    "dense3",
    "lex1",
    "lex_sum",
    "centroid",
    "name",
    "n_lex",
    "n_dense",
    "cover",
    "bm25",
)
#: Groups (by aggregated RRF) that the model re-scores; the rest keep their RRF order after them.
GROUP_CANDIDATES = 30
#: Passages per group that count towards its RRF score, and the weight of each next one.
GROUP_DEPTH = 3
GROUP_DECAY = 0.5


@dataclass
class GroupRanker:
    """A linear score over standardised :data:`GROUP_FEATURES`."""

    weights: list[float]
    mean: list[float] = field(default_factory=lambda: [0.0] * len(GROUP_FEATURES))
    scale: list[float] = field(default_factory=lambda: [1.0] * len(GROUP_FEATURES))

    def scores(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.size == 0:
            return np.zeros(len(X))
        return ((X - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.weights)

    def to_dict(self) -> dict:
        return {
            "features": list(GROUP_FEATURES),
            "weights": [float(w) for w in self.weights],
            "mean": [float(m) for m in self.mean],
            "scale": [float(s) for s in self.scale],
        }

    @classmethod
    def from_dict(cls, d: dict | None) -> GroupRanker:
        if not d or list(d.get("features", ())) != list(GROUP_FEATURES):
            return DEFAULT
        return cls(list(d["weights"]), list(d["mean"]), list(d["scale"]))


def fit(
    groups: Sequence[np.ndarray], labels: Sequence[np.ndarray], l2: float = 1e-2, iters: int = 400, rate: float = 0.5
) -> GroupRanker:
    """Fit weights so that the right group of each query gets the highest score.

    ``groups[i]`` is the (candidates × features) matrix of query ``i`` and ``labels[i]``
    a boolean vector marking its right group(s); queries whose right group is not among
    the candidates teach nothing and are skipped. Gradient descent on the softmax
    cross-entropy over each query's candidates, with a small L2 penalty.
    """
    pairs = [
        (np.asarray(X, dtype=np.float64), np.asarray(y, dtype=bool))
        for X, y in zip(groups, labels)
        if len(X) and np.asarray(y).any()
    ]
    if not pairs:
        raise ValueError("no query has its right group among the candidates")
    allx = np.vstack([X for X, _ in pairs])
    mean = allx.mean(axis=0)
    scale = allx.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Z = [((X - mean) / scale, y / y.sum()) for X, y in pairs]
    w = np.zeros(allx.shape[1])
    for _ in range(iters):
        grad = np.zeros_like(w)
        for Xs, y in Z:
            s = Xs @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            grad += Xs.T @ (p - y)
        w -= rate * (grad / len(Z) + l2 * w)
    return GroupRanker(list(w), list(mean), list(scale))


# Fitted by `python bench/assistant/fit_ranker.py` on the tuning half of the welfare dev
# questions (seed 13): hit@3 0.897 on the held-out half (0.885 with the aggregated RRF alone).
DEFAULT = GroupRanker(
    weights=[
        0.232185,
        0.611963,
        0.199425,
        0.0974769,
        0.0414065,
        -0.249697,
        0.707311,
        0.27661,
        0.147568,
        0.241601,
        0.112015,
        0.735526,
    ],
    mean=[
        1.40827,
        -0.0484823,
        -0.0572844,
        -0.0629047,
        0.42602,
        0.290818,
        -0.0480276,
        0.170674,
        0.329321,
        0.332051,
        0.48126,
        0.354507,
    ],
    scale=[
        0.691132,
        0.0241825,
        0.0242634,
        0.0244231,
        0.222366,
        0.238983,
        0.0236928,
        0.199599,
        1.25179,
        1.25586,
        0.188567,
        0.240323,
    ],
)
