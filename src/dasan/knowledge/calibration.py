"""Turning retrieval scores into a confidence in [0, 1] that a caller can threshold.

Raw scores do not say "I know this": e5 cosines of unrelated texts sit in a narrow band
(0.75–0.85) and BM25 scores grow with query length. So a search computes a few
scale-free *features* of its result and a logistic model maps them to a probability
that the question is answerable from the knowledge base.

The features are chosen to mean the same in a four-article knowledge base and in the
4,700-row welfare FAQ: the best cosine, how much closer the query is to that passage
than to everyday chatter (:mod:`.chatter`), and whether the words of the query are in
the passage. Features relative to the rest of the corpus (how far the best passage
stands above the tenth, how many of the query's words the corpus knows) were dropped:
they made the old model confident about chit-chat in a small knowledge base and
unsure about plain questions ("소파 버리는 비용은 얼마예요?") in a big one.

The shipped :data:`DEFAULT` is fitted by ``bench/assistant/calibrate.py`` on tuning
questions only: half of the welfare development questions, the questions written for
the demo city's articles (``bench/assistant/demo_tuning_questions.csv``) and half of
the chit-chat set, each asked of the knowledge bases it belongs to; its threshold is
the highest that declines at most 10 % of each group of real tuning questions. A city
can refit on its own logged questions and store the result with its index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

#: Names of the features, in the order of the weight vector.
FEATURES = (
    "dense_top",  # best cosine between the query and a passage
    "lex_cover",  # share of the query's content morphemes found in the best hit
    "agree",  # 1 when the best dense and the best BM25 passages are the same
    "chatter_margin",  # best cosine minus the cosine of the closest chatter example
)

#: Indices of the features that need the query and the passages to share a language.
LEXICAL = tuple(FEATURES.index(f) for f in ("lex_cover", "agree"))


@dataclass
class Calibration:
    """Logistic model over :data:`FEATURES`; ``threshold`` is the suggested cut."""

    weights: list[float]
    bias: float
    threshold: float = 0.5
    # Feature standardisation fitted with the weights (so the weights are comparable).
    mean: list[float] = field(default_factory=lambda: [0.0] * len(FEATURES))
    scale: list[float] = field(default_factory=lambda: [1.0] * len(FEATURES))

    def confidence(self, features: Sequence[float], lexical: bool = True) -> float:
        """Probability that the query is answerable; ``lexical=False`` ignores lexical features.

        A query in another language than the knowledge base (an English question about a
        Korean article) shares no morphemes with it, which says nothing about whether it
        is answerable: its lexical features are then set to their training means, so
        that only the dense features speak.
        """
        x = np.asarray(features, dtype=np.float64).copy()
        if not lexical:
            for i in LEXICAL:
                x[i] = self.mean[i]
        x = (x - self.mean) / self.scale
        z = float(np.dot(self.weights, x) + self.bias)
        return float(1.0 / (1.0 + np.exp(-np.clip(z, -40, 40))))

    def to_dict(self) -> dict:
        return {
            "features": list(FEATURES),
            "weights": list(map(float, self.weights)),
            "bias": float(self.bias),
            "threshold": float(self.threshold),
            "mean": list(map(float, self.mean)),
            "scale": list(map(float, self.scale)),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Calibration:
        if list(d.get("features", FEATURES)) != list(FEATURES):
            return DEFAULT  # saved by another version with other features
        return cls(
            list(d["weights"]),
            float(d["bias"]),
            float(d.get("threshold", 0.5)),
            list(d.get("mean", [0.0] * len(FEATURES))),
            list(d.get("scale", [1.0] * len(FEATURES))),
        )


def fit(
    positive: np.ndarray,
    negative: np.ndarray,
    l2: float = 1e-2,
    iters: int = 50,
    positive_weight: Sequence[float] | None = None,
    negative_weight: Sequence[float] | None = None,
) -> Calibration:
    """Fit a logistic model: ``positive`` rows are features of answerable queries.

    Newton's method on standardised features with a small L2 penalty; a few hundred rows
    of each class are enough. The two classes weigh the same whatever their sizes;
    within a class, rows weigh ``positive_weight`` / ``negative_weight`` (e.g. so that
    90 demo questions count as much as 1,000 welfare ones). The threshold is left at
    0.5; see :func:`choose_threshold`.
    """
    X = np.vstack([positive, negative]).astype(np.float64)
    y = np.concatenate([np.ones(len(positive)), np.zeros(len(negative))])
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Xs = np.hstack([(X - mean) / scale, np.ones((len(X), 1))])
    wp = np.ones(len(positive)) if positive_weight is None else np.asarray(positive_weight, dtype=np.float64)
    wn = np.ones(len(negative)) if negative_weight is None else np.asarray(negative_weight, dtype=np.float64)
    sw = np.concatenate([0.5 * wp / max(wp.sum(), 1e-12), 0.5 * wn / max(wn.sum(), 1e-12)]) * len(y)
    w = np.zeros(Xs.shape[1])
    reg = np.full(Xs.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(Xs @ w, -40, 40)))
        g = Xs.T @ (sw * (p - y)) / len(y) + reg * w
        H = (Xs * (sw * p * (1 - p))[:, None]).T @ Xs / len(y) + np.diag(reg + 1e-9)
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Calibration(list(w[:-1]), float(w[-1]), 0.5, list(mean), list(scale))


def choose_threshold(pos_conf: Sequence[float], neg_conf: Sequence[float], max_false_decline: float = 0.05) -> float:
    """The highest threshold that wrongly declines at most ``max_false_decline`` of answerable queries.

    Declining a real question costs a resident more than answering chit-chat with a
    "closest topics" reply, so the cut favours answering.
    """
    pos = np.sort(np.asarray(pos_conf, dtype=np.float64))
    if len(pos) == 0:
        return 0.5
    i = int(np.floor(max_false_decline * len(pos)))
    return float(pos[min(i, len(pos) - 1)])


# Fitted by `python bench/assistant/calibrate.py`. On questions it never saw, at this
# threshold: 99.7 % of the held-out welfare questions and all 27 demo test questions
# answered; 99.2–100 % of the held-out chit-chat declined (see bench/assistant/README.md).
DEFAULT = Calibration(
    weights=[1.83939, 0.16097, 0.626669, 2.15016],
    bias=2.17267,
    threshold=0.558266,
    mean=[0.885976, 0.514124, 0.26472, 0.0209214],
    scale=[0.0405732, 0.276432, 0.441184, 0.0673103],
)
