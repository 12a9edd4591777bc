"""Turning retrieval scores into a confidence in [0, 1] that a caller can threshold.

Raw scores do not say "I know this": e5 cosines of unrelated texts sit in a narrow band
(0.75–0.85) and BM25 scores grow with query length. So a search computes a few
scale-free *features* of its result and a logistic model maps them to a probability
that the question is answerable from the knowledge base. The model is fitted on
labelled queries (questions the KB answers vs. off-topic chatter) with
:func:`fit`; the shipped :data:`DEFAULT` was fitted on half of the welfare FAQ
development questions and the chit-chat set (see ``bench/assistant``). A city can refit
on its own logged questions and store the result with its index.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

#: Names of the features, in the order of the weight vector.
FEATURES = (
    "dense_top",      # best cosine between the query and a passage
    "dense_z",        # how far that cosine stands above the corpus's mean, in std devs
    "dense_margin",   # best cosine minus the 10th best: a real match stands out
    "lex_cover",      # share of the query's content morphemes found in the best hit
    "lex_known",      # share of the query's content morphemes present anywhere in the KB
    "agree",          # 1 when the best dense and the best BM25 passages are the same
)

#: Indices of the features that need the query and the passages to share a language.
LEXICAL = tuple(FEATURES.index(f) for f in ("lex_cover", "lex_known", "agree"))


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
        return {"features": list(FEATURES), "weights": list(map(float, self.weights)), "bias": float(self.bias),
                "threshold": float(self.threshold), "mean": list(map(float, self.mean)),
                "scale": list(map(float, self.scale))}

    @classmethod
    def from_dict(cls, d: dict) -> Calibration:
        if list(d.get("features", FEATURES)) != list(FEATURES):
            return DEFAULT  # saved by another version with other features
        return cls(list(d["weights"]), float(d["bias"]), float(d.get("threshold", 0.5)),
                   list(d.get("mean", [0.0] * len(FEATURES))), list(d.get("scale", [1.0] * len(FEATURES))))


def fit(positive: np.ndarray, negative: np.ndarray, l2: float = 1e-2, iters: int = 50) -> Calibration:
    """Fit a logistic model: ``positive`` rows are features of answerable queries.

    Newton's method on standardised features with a small L2 penalty; a few hundred rows
    of each class are enough. The threshold is left at 0.5; see :func:`choose_threshold`.
    """
    X = np.vstack([positive, negative]).astype(np.float64)
    y = np.concatenate([np.ones(len(positive)), np.zeros(len(negative))])
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Xs = np.hstack([(X - mean) / scale, np.ones((len(X), 1))])
    # Weight classes equally, whatever their sizes.
    sw = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1)) * len(y)
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


# Fitted by `python bench/assistant/run.py` (hybrid +topic row) on the calibration half of
# the welfare dev questions and the chit-chat lines; on the other halves it declined 100 %
# of chit-chat and 4.4 % of real questions at this threshold.
DEFAULT = Calibration(
    weights=[2.7192416855047425, 0.007202408579231228, 0.17346466625429524, -0.019995848144707413,
             0.7697933552035123, 0.27799221718670036],
    bias=2.5223987277736764,
    threshold=0.7202020790967826,
    mean=[0.9026226906424469, 5.143767063044698, 0.025513705714870803, 0.5784619643133425, 0.9093107301521755,
          0.29737402413058905],
    scale=[0.033811846699548606, 1.218751515568072, 0.014195354117416592, 0.22938310757746813, 0.22961018865538116,
           0.4571025201231954],
)
