"""Automatic routing of complaints (민원 자동 분류): which category, hence which department.

Two scorers, one answer shape (:class:`Suggestion`):

* **model** — a linear classifier trained from the city's own past complaints whose
  category staff confirmed. Features are TF-IDF weights of Korean content morphemes
  (``knowledge.analysis.tokens``: Kiwi, so "무단 투기" and "무단투기" read alike);
  the classifier is a multinomial logistic regression with class-balanced sample
  weights, and its probabilities are temperature-scaled on cross-validated
  predictions so that ``COMPLAINT_AUTO_ASSIGN`` (0.6) means roughly "right at least
  six times in ten" on the city's own history.
* **keywords** — the cold start, before a model exists: ``Category.keywords`` matched
  on morphemes and on substrings, with a confidence that grows with the number of
  distinct keywords found and shrinks when other categories are hit too.

Why this model: with tens to a few thousand labelled complaints, a regularised linear
model over sparse lexical features is the robust choice; it trains in seconds and
scores a text in well under a millisecond after Kiwi. Dense e5 embeddings were tried
on the bench set (bench/complaints/README.md): a little better on the rarest classes,
but embedding long complaint texts on two cores costs seconds per text, far over
budget for filing and for nightly training.

The learning core (:func:`tokenize_many`, :func:`fit`, :class:`Classifier`,
:class:`KeywordScorer`) is pure: lists of texts and labels in, numbers out. The
database glue (:func:`train`, :func:`suggest`, :func:`retrain_if_due`) only gathers
the data and stores the result, so the bench and the tests exercise the same code.

Trust boundary: a trained model is stored in ``RoutingModel.blob`` as a NumPy ``.npz``
archive read with ``allow_pickle=False`` — plain arrays and one JSON header, never
pickled Python objects — so even a tampered row cannot execute code when loaded.
scikit-learn is needed only to train; scoring is NumPy alone.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import random
import threading
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

logger = logging.getLogger(__name__)

#: Changes whenever features or the model change, so that old blobs are not misread.
ALGORITHM = "tfidf-morph-logreg-v1"
BLOB_FORMAT = 1

#: Long texts are cut before analysis: the opening says what a complaint is about, and
#: Kiwi's time grows with length.
MAX_CHARS = 4000
#: Inverse regularisation strength of the logistic regression (chosen on the bench set).
C = 1.0
#: The most recent complaints kept per category for training (bounds training time).
MAX_PER_LABEL = 2000
#: Vocabulary cap (most frequent terms first).
MAX_FEATURES = 60000
#: Trained models kept in the database; older rows are deleted after each training.
KEEP_MODELS = 5
#: Alternatives returned beside the best category.
ALTERNATIVES = 3
#: The nightly retrain runs in these local hours, and at most once in ``RETRAIN_AFTER``.
NIGHT_HOURS = range(1, 6)
RETRAIN_AFTER = timedelta(hours=20)

Progress = Callable[[str, int, int], None]


def _progress(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


# --- text ------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    from dasan.core import pii

    # Personal data never feeds a model (DESIGN); masking also drops numbers that only add noise.
    return pii.mask(unicodedata.normalize("NFKC", text or ""))[:MAX_CHARS]


def tokenize(text: str) -> list[str]:
    """Content morphemes of a complaint's text (title and description joined by a newline)."""
    from dasan.knowledge import analysis

    return analysis.tokens(_clean(text))


def tokenize_many(texts: Sequence[str], progress: Progress | None = None, batch: int = 256) -> list[list[str]]:
    """:func:`tokenize` for many texts, in batches (Kiwi parallelises inside a batch)."""
    from dasan.knowledge import analysis

    out: list[list[str]] = []
    total = len(texts)
    _progress(progress, "tokenise", 0, total)
    for start in range(0, total, batch):
        out.extend(analysis.tokens_many([_clean(t) for t in texts[start : start + batch]]))
        _progress(progress, "tokenise", len(out), total)
    return out


# --- the model ---------------------------------------------------------------------------------------


@dataclass
class Classifier:
    """TF-IDF over morphemes + multinomial logistic regression, scored with NumPy only."""

    labels: list[str]
    terms: list[str]
    idf: np.ndarray  # (n_terms,) float32
    unknown_idf: float  # weight of a term never seen in training (counts towards the norm)
    coef: np.ndarray  # (n_labels, n_terms) float32
    intercept: np.ndarray  # (n_labels,) float32
    temperature: float = 1.0
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = {t: i for i, t in enumerate(self.terms)}

    def vector(self, tokens: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """(term indices, weights) of one document, L2-normalised.

        Terms the model never saw still count towards the norm: a text made mostly of
        unknown words has a short vector, so its scores stay near the prior and its
        confidence low — the honest answer for text unlike anything routed before."""
        counts = Counter(tokens)
        idx, val = [], []
        unknown = 0.0
        for term, n in counts.items():
            w = 1.0 + math.log(n)
            i = self.index.get(term)
            if i is None:
                unknown += (w * self.unknown_idf) ** 2
            else:
                idx.append(i)
                val.append(w * float(self.idf[i]))
        idx_a = np.asarray(idx, dtype=np.int64)
        val_a = np.asarray(val, dtype=np.float32)
        norm = math.sqrt(float(val_a @ val_a) + unknown)
        if norm > 0:
            val_a /= norm
        return idx_a, val_a

    def logits(self, tokens: Iterable[str]) -> np.ndarray:
        idx, val = self.vector(tokens)
        return self.coef[:, idx] @ val + self.intercept

    def proba(self, tokens: Iterable[str]) -> np.ndarray:
        return softmax(self.logits(tokens)[None, :] / self.temperature)[0]

    def rank(self, tokens: Iterable[str]) -> list[tuple[str, float]]:
        """Every label with its calibrated probability, most likely first."""
        p = self.proba(tokens)
        order = np.argsort(-p, kind="stable")
        return [(self.labels[i], float(p[i])) for i in order]

    # -- storage: plain arrays and a JSON header, never pickle --
    def to_bytes(self) -> bytes:
        header = {
            "format": BLOB_FORMAT,
            "algorithm": ALGORITHM,
            "temperature": self.temperature,
            "unknown_idf": self.unknown_idf,
        }
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            header=np.array(json.dumps(header)),
            labels=np.array(self.labels, dtype=str),
            terms=np.array(self.terms, dtype=str),
            idf=self.idf.astype(np.float32),
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> Classifier:
        with np.load(io.BytesIO(bytes(blob)), allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            if header.get("format") != BLOB_FORMAT or header.get("algorithm") != ALGORITHM:
                raise ValueError(f"routing model of another format: {header}")
            return cls(
                labels=[str(x) for x in z["labels"]],
                terms=[str(x) for x in z["terms"]],
                idf=z["idf"],
                unknown_idf=float(header["unknown_idf"]),
                coef=z["coef"],
                intercept=z["intercept"],
                temperature=float(header["temperature"]),
            )


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _vocabulary(docs: Sequence[Sequence[str]]) -> tuple[list[str], np.ndarray, float]:
    n = len(docs)
    df = Counter()
    for d in docs:
        df.update(set(d))
    # Singletons are noise once there is plenty of data; with little, they are the data.
    min_df = 2 if n >= 1000 else 1
    terms = sorted((t for t, c in df.items() if c >= min_df), key=lambda t: (-df[t], t))[:MAX_FEATURES]
    terms.sort()
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in terms], dtype=np.float32)
    return terms, idf, math.log(1 + n) + 1.0


def _matrix(clf: Classifier, docs: Sequence[Sequence[str]]):
    from scipy.sparse import csr_matrix

    indptr, indices, data = [0], [], []
    for d in docs:
        idx, val = clf.vector(d)
        order = np.argsort(idx)
        indices.extend(idx[order].tolist())
        data.extend(val[order].tolist())
        indptr.append(len(indices))
    return csr_matrix(
        (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(docs), len(clf.terms)),
    )


def _sample_weights(labels: Sequence[str]) -> np.ndarray:
    # Class-balanced: a rare category weighs as much in the loss as a common one, so
    # that the model does not send everything to the busiest department.
    counts = Counter(labels)
    k, n = len(counts), len(labels)
    return np.array([n / (k * counts[y]) for y in labels], dtype=np.float64)


def _fit_once(docs: Sequence[Sequence[str]], labels: Sequence[str], c: float) -> Classifier:
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    terms, idf, unknown_idf = _vocabulary(docs)
    names = sorted(set(labels))
    clf = Classifier(
        labels=names,
        terms=terms,
        idf=idf,
        unknown_idf=unknown_idf,
        coef=np.zeros((len(names), len(terms)), np.float32),
        intercept=np.zeros(len(names), np.float32),
    )
    x = _matrix(clf, docs)
    lr = LogisticRegression(C=c, max_iter=2000)
    # One BLAS thread: L-BFGS over a few hundred thousand weights takes many small
    # vector steps, and OpenBLAS threads spinning on each of them made training ten
    # times slower on two busy cores (4.1 s against 0.36 s for the bench set).
    with threadpool_limits(limits=1):
        lr.fit(x, labels, sample_weight=_sample_weights(labels))
    coef, intercept = lr.coef_, lr.intercept_
    if len(names) == 2:  # binary LR keeps one row (for the second class); make it two-sided
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    assert list(lr.classes_) == names
    clf.coef = coef.astype(np.float32)
    clf.intercept = intercept.astype(np.float32)
    return clf


def _folds(labels: Sequence[str], k: int, seed: int) -> list[int]:
    """Stratified fold number per sample: each label's samples dealt round the folds."""
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, y in enumerate(labels):
        by_label[y].append(i)
    fold = [0] * len(labels)
    for y in sorted(by_label):
        ids = by_label[y]
        rng.shuffle(ids)
        start = rng.randrange(k)
        for j, i in enumerate(ids):
            fold[i] = (start + j) % k
    return fold


def fit_temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    """The temperature minimising the cross-entropy of out-of-fold ``logits`` against
    ``truth`` (label indices), with the targets smoothed by ``k / (n + k)``.

    Without smoothing, a small history that the model happens to get all right drives
    the temperature to its floor and every confidence to 1.0. The smoothing acts like
    one extra sample per label that the model could not tell apart from the others:
    it fades as the history grows (17 labels, 480 samples: 3 %)."""
    n, k = logits.shape
    if n == 0:
        return 1.0
    eps = k / (n + k)
    target = np.full((n, k), eps / k)
    target[np.arange(n), truth] += 1 - eps
    best_t, best = 1.0, float("inf")
    for t in np.geomspace(0.05, 20.0, 160):
        p = np.clip(softmax(logits / t), 1e-12, None)
        loss = float(-(target * np.log(p)).sum(axis=1).mean())
        if loss < best:
            best_t, best = float(t), loss
    return best_t


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Macro-averaged F1 over the labels that occur in ``truth`` or ``predicted``."""
    labels = set(truth) | set(predicted)
    scores = []
    for y in labels:
        tp = sum(1 for a, b in zip(truth, predicted) if a == y and b == y)
        fp = sum(1 for a, b in zip(truth, predicted) if a != y and b == y)
        fn = sum(1 for a, b in zip(truth, predicted) if a == y and b != y)
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores) if scores else 0.0


def auto_assign_figures(
    truth: Sequence[str], predicted: Sequence[str], confidence: Sequence[float], threshold: float
) -> dict:
    """Share assigned automatically at ``threshold``, and how many of those were right."""
    auto = [(a, b) for a, b, c in zip(truth, predicted, confidence) if c >= threshold]
    n = len(truth)
    return {
        "threshold": threshold,
        "auto_coverage": len(auto) / n if n else 0.0,
        "auto_precision": (sum(a == b for a, b in auto) / len(auto)) if auto else None,
        "triage_share": 1 - len(auto) / n if n else 1.0,
    }


def fit(
    docs: Sequence[Sequence[str]],
    labels: Sequence[str],
    *,
    pseudo_docs: Sequence[Sequence[str]] = (),
    pseudo_labels: Sequence[str] = (),
    c: float = C,
    folds: int = 5,
    seed: int = 0,
    threshold: float = 0.6,
    progress: Progress | None = None,
) -> tuple[Classifier, dict]:
    """Train on tokenised ``docs`` with their ``labels``; return the classifier and metrics.

    ``pseudo_docs`` (e.g. each category's keywords) are always in the training part
    and never evaluated. When there are enough samples, k-fold cross-validation gives
    out-of-fold predictions: they are the reported accuracy / macro-F1 and they fit the
    temperature that calibrates the final model's probabilities."""
    docs, labels = list(docs), list(labels)
    all_docs = docs + list(pseudo_docs)
    all_labels = labels + list(pseudo_labels)
    if len(set(all_labels)) < 2:
        raise ValueError("at least two labels are needed to train a classifier")
    metrics: dict = {"samples": len(docs), "pseudo_samples": len(pseudo_docs), "labels": len(set(all_labels)), "c": c}
    k = min(folds, len(docs) // 10)
    if k >= 2 and len(set(labels)) >= 2:
        fold = _folds(labels, k, seed)
        names = sorted(set(all_labels))
        pos = {y: i for i, y in enumerate(names)}
        oof = np.full((len(docs), len(names)), -np.inf, dtype=np.float64)
        for f in range(k):
            _progress(progress, "cross-validate", f, k)
            train_idx = [i for i in range(len(docs)) if fold[i] != f]
            test_idx = [i for i in range(len(docs)) if fold[i] == f]
            m = _fit_once(
                [docs[i] for i in train_idx] + list(pseudo_docs),
                [labels[i] for i in train_idx] + list(pseudo_labels),
                c,
            )
            cols = [pos[y] for y in m.labels]
            for i in test_idx:
                oof[i, cols] = m.logits(docs[i])
        _progress(progress, "cross-validate", k, k)
        truth = np.array([pos[y] for y in labels])
        seen = np.isfinite(oof[np.arange(len(docs)), truth])  # a label missing from a fold's training part
        temperature = fit_temperature(oof[seen], truth[seen])
        proba = softmax(np.where(np.isfinite(oof), oof, -1e9) / temperature)
        predicted = [names[i] for i in proba.argmax(axis=1)]
        confidence = proba.max(axis=1).tolist()
        p_true = np.clip(proba[np.arange(len(docs)), truth], 1e-12, None)
        metrics.update(
            folds=k,
            temperature=temperature,
            accuracy=float(np.mean([a == b for a, b in zip(labels, predicted)])),
            macro_f1=macro_f1(labels, predicted),
            log_loss=float(-np.log(p_true).mean()),
            **auto_assign_figures(labels, predicted, confidence, threshold),
        )
    else:
        # Too little to hold anything out: no figures, and a cautious temperature (with
        # no held-out evidence of how often it is right, flatter is safer).
        temperature = 2.0
        metrics.update(folds=0, temperature=temperature)
    _progress(progress, "fit", 0, 1)
    model = _fit_once(all_docs, all_labels, c)
    model.temperature = temperature
    _progress(progress, "fit", 1, 1)
    metrics["features"] = len(model.terms)
    return model, metrics


# --- cold start: keywords --------------------------------------------------------------------------


def _compact(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").lower().split())


class KeywordScorer:
    """Scores categories by the keywords their city staff listed (``Category.keywords``).

    A keyword matches when its morphemes occur in sequence in the text's morphemes, or
    when it occurs as a substring of the text with spaces removed (so compounds that
    Kiwi splits differently still match). A keyword that is part of another matched
    keyword of the same category ("투기" inside "무단투기") is not counted again. The
    category's name, written out in the text, counts as one more keyword.

    Confidence of a category with ``e`` distinct matched keywords, when all
    categories' matches add up to ``total``: ``(e / total) * (1 - 0.5 ** e)``. One
    keyword alone gives at most 0.5 (below the usual auto-assign threshold); two
    uncontested keywords 0.75; matches for other categories divide it."""

    def __init__(self, keywords: dict[str, Sequence[str]], names: dict[str, str] | None = None):
        from dasan.knowledge import analysis

        self.keywords: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for label, words in keywords.items():
            entries = []
            for w in words:
                w = (w or "").strip()
                if not w:
                    continue
                entries.append((_compact(w), tuple(analysis.tokens(w))))
            if entries:
                self.keywords[label] = entries
        self.names = {label: _compact(n) for label, n in (names or {}).items() if len(_compact(n)) >= 2}

    @staticmethod
    def parse(keywords: str) -> list[str]:
        return [w.strip() for w in (keywords or "").replace("\n", ",").split(",") if w.strip()]

    def hits(self, text: str, tokens: Sequence[str]) -> dict[str, int]:
        compact = _compact(text)
        toks = tuple(tokens)
        out: dict[str, int] = {}
        for label in set(self.keywords) | set(self.names):
            matched = set()
            for comp, morphs in self.keywords.get(label, ()):
                if (len(comp) >= 2 and comp in compact) or (morphs and _contains(toks, morphs)):
                    matched.add(comp)
            count = len([m for m in matched if not any(m != o and m in o for o in matched)])
            if label in self.names and self.names[label] in compact:
                count += 1
            if count:
                out[label] = count
        return out

    def rank(self, text: str, tokens: Sequence[str]) -> list[tuple[str, float]]:
        """Categories with at least one keyword, with their confidence, best first."""
        hits = self.hits(text, tokens)
        total = sum(hits.values())
        scored = [(label, (e / total) * (1 - 0.5**e)) for label, e in hits.items()]
        return sorted(scored, key=lambda x: (-x[1], x[0]))


def _contains(seq: tuple[str, ...], sub: tuple[str, ...]) -> bool:
    n = len(sub)
    return any(seq[i : i + n] == sub for i in range(len(seq) - n + 1))


# --- database glue -----------------------------------------------------------------------------------


@dataclass
class Suggestion:
    """What the classifier proposes for a complaint's text."""

    category: object | None  # Category
    department: object | None  # core.Department
    confidence: float  # 0..1; auto-assign at settings.DASAN["COMPLAINT_AUTO_ASSIGN"]
    alternatives: list[tuple[object, float]] = field(default_factory=list)  # next categories, best first
    source: str = "none"  # "model" | "keywords" | "none"


def _active_categories() -> dict:
    from .models import Category

    return {c.code: c for c in Category.objects.filter(is_active=True).select_related("department")}


def _pseudo_text(category) -> str:
    return "\n".join([category.name, " ".join(KeywordScorer.parse(category.keywords)), category.description or ""])


_lock = threading.Lock()
_model_cache: dict = {"id": None, "classifier": None}
_keyword_cache: dict = {"key": None, "scorer": None}


def _current_classifier() -> Classifier | None:
    """The newest active model, loaded once per process and reloaded when a newer row appears."""
    from .models import RoutingModel

    # (id, created_at) rather than the id alone: SQLite may hand a deleted row's id to a new one.
    newest = RoutingModel.objects.filter(is_active=True).values_list("id", "created_at").first()
    if newest is None:
        return None
    if _model_cache["id"] != newest:
        with _lock:
            if _model_cache["id"] != newest:
                blob = RoutingModel.objects.filter(pk=newest[0]).values_list("blob", flat=True).first()
                try:
                    clf = Classifier.from_bytes(blob) if blob is not None else None
                except (ValueError, KeyError, OSError):
                    logger.exception("routing model %s cannot be read; using keywords", newest)
                    clf = None
                _model_cache.update(id=newest, classifier=clf)
    return _model_cache["classifier"]


def _keyword_scorer(categories: dict) -> KeywordScorer:
    key = tuple(sorted((code, c.name, c.keywords) for code, c in categories.items()))
    if _keyword_cache["key"] != key:
        scorer = KeywordScorer(
            {code: KeywordScorer.parse(c.keywords) for code, c in categories.items()},
            names={code: c.name for code, c in categories.items()},
        )
        with _lock:
            _keyword_cache.update(key=key, scorer=scorer)
    return _keyword_cache["scorer"]


def suggest(text: str) -> Suggestion:
    """Propose a category (and its department) for a complaint's text.

    Pass the title and description joined by a newline, as training sees them. Uses
    the newest trained model when there is one, else the categories' keywords; only
    active categories are ever proposed. ``confidence`` is the calibrated probability
    of the proposed category (model) or the keyword confidence (see
    :class:`KeywordScorer`); ``source`` says which. A category added after the last
    training is proposed once the next training has run (its keywords join it as a
    sample)."""
    if not (text or "").strip():
        return Suggestion(None, None, 0.0, [], "none")
    categories = _active_categories()
    if not categories:
        return Suggestion(None, None, 0.0, [], "none")
    tokens = tokenize(text)
    classifier = _current_classifier()
    if classifier is not None:
        # A category made inactive since training keeps its share of the probability
        # instead of handing it to the others: the confidence stays honest.
        ranked = [(categories[label], p) for label, p in classifier.rank(tokens) if label in categories]
        source = "model"
    else:
        ranked = [(categories[label], p) for label, p in _keyword_scorer(categories).rank(text, tokens)]
        source = "keywords"
    if not ranked:
        return Suggestion(None, None, 0.0, [], "none")
    best, confidence = ranked[0]
    return Suggestion(
        category=best,
        department=best.department,
        confidence=round(float(confidence), 4),
        alternatives=[(c, round(float(p), 4)) for c, p in ranked[1 : 1 + ALTERNATIVES]],
        source=source,
    )


@dataclass
class TrainingSet:
    """Complaints whose routing staff confirmed, labelled with a category code."""

    ids: list[int]
    texts: list[str]
    labels: list[str]
    skipped: int = 0  # confirmed, but no single category could be told from the department


def training_set(categories: dict | None = None) -> TrainingSet:
    """The labelled complaints the next model learns from.

    A complaint counts when staff confirmed where it belongs: it was answered or
    closed by its department, or a staff member assigned or reassigned it (including
    from the triage queue). Transferred complaints (이송, not the city's business) do
    not count. The label is the final category; when staff moved the complaint to a
    department that is not its category's (reassignment keeps the category, and a
    complaint from triage has none), the label is that department's category: its only
    active one, or the suggested category if it belongs there, or the one its
    keywords point to; otherwise the complaint is skipped. Newest first, at most
    ``MAX_PER_LABEL`` per category."""
    from django.db.models import Q

    from dasan.accounts.models import Kind as UserKind

    from .models import Complaint, ComplaintEvent, EventKind, Status

    categories = _active_categories() if categories is None else categories
    by_id = {c.pk: c for c in categories.values()}
    by_department: dict[int, list] = defaultdict(list)
    for c in categories.values():
        by_department[c.department_id].append(c)
    scorer = None
    staff_routed = ComplaintEvent.objects.filter(
        kind__in=(EventKind.ASSIGNED, EventKind.REASSIGNED), actor__kind=UserKind.STAFF
    ).values("complaint_id")
    rows = (
        Complaint.objects.filter(Q(status__in=(Status.ANSWERED, Status.CLOSED)) | Q(pk__in=staff_routed))
        .exclude(status=Status.TRANSFERRED)
        .order_by("-received_at", "-id")
        .values_list("pk", "title", "description", "category_id", "department_id", "suggested_category_id")
    )
    out = TrainingSet([], [], [])
    per_label: Counter = Counter()
    for pk, title, description, category_id, department_id, suggested_id in rows.iterator(chunk_size=2000):
        text = f"{title}\n{description}"
        category = by_id.get(category_id)
        label = None
        if category is not None and (department_id is None or category.department_id == department_id):
            label = category.code
        elif department_id is not None and by_department.get(department_id):
            options = by_department[department_id]
            suggested = by_id.get(suggested_id)
            if len(options) == 1:
                label = options[0].code
            elif suggested is not None and suggested.department_id == department_id:
                label = suggested.code
            else:
                scorer = scorer or _keyword_scorer(categories)
                codes = {c.code for c in options}
                ranked = [x for x in scorer.rank(text, tokenize(text)) if x[0] in codes]
                label = ranked[0][0] if ranked else None
        if label is None:
            out.skipped += 1
            continue
        if per_label[label] >= MAX_PER_LABEL:
            continue
        per_label[label] += 1
        out.ids.append(pk)
        out.texts.append(text)
        out.labels.append(label)
    return out


def _fingerprint(data: TrainingSet, pseudo: list[tuple[str, str]]) -> str:
    h = hashlib.sha256(f"{ALGORITHM}|{C}|{MAX_CHARS}".encode())
    for pk, label in sorted(zip(data.ids, data.labels)):
        h.update(f"{pk}:{label};".encode())
    for label, text in sorted(pseudo):
        h.update(f"{label}:{text};".encode())
    return h.hexdigest()


def train(*, progress: Progress | None = None, min_samples: int = 20):
    """Train a new routing model from confirmed complaints and store it as the active one.

    Returns the new :class:`RoutingModel`, the current one when nothing changed since it
    was trained (same complaints, labels and keywords), or ``None`` when there are fewer
    than ``min_samples`` labelled complaints (routing then stays on the current model,
    or on keywords). ``progress(stage, done, total)`` is called as it goes."""
    from django.db import transaction

    from dasan.core.conf import setting

    from .models import RoutingModel

    started = time.perf_counter()
    categories = _active_categories()
    data = training_set(categories)
    pseudo = [(code, _pseudo_text(c)) for code, c in categories.items()]
    if len(data.labels) < min_samples or len(set(data.labels) | {code for code, _ in pseudo}) < 2:
        logger.info("routing: %d labelled complaints, %d needed; not training", len(data.labels), min_samples)
        return None
    fingerprint = _fingerprint(data, pseudo)
    current = RoutingModel.objects.filter(is_active=True).first()
    if current is not None and (current.metrics or {}).get("fingerprint") == fingerprint:
        return current
    tokenise_started = time.perf_counter()
    docs = tokenize_many(data.texts + [text for _, text in pseudo], progress=progress)
    fit_started = time.perf_counter()
    threshold = float(setting("COMPLAINT_AUTO_ASSIGN"))
    classifier, metrics = fit(
        docs[: len(data.texts)],
        data.labels,
        pseudo_docs=docs[len(data.texts) :],
        pseudo_labels=[code for code, _ in pseudo],
        threshold=threshold,
        progress=progress,
    )
    done = time.perf_counter()
    metrics.update(
        fingerprint=fingerprint,
        skipped=data.skipped,
        per_label=dict(Counter(data.labels)),
        train_seconds=round(done - started, 2),
        tokenise_seconds=round(fit_started - tokenise_started, 2),
        fit_seconds=round(done - fit_started, 2),
    )
    with transaction.atomic():
        row = RoutingModel.objects.create(
            algorithm=ALGORITHM,
            samples=len(data.labels),
            labels=len(classifier.labels),
            metrics=metrics,
            blob=classifier.to_bytes(),
            is_active=True,
        )
        old = list(RoutingModel.objects.order_by("-created_at", "-id").values_list("pk", flat=True)[KEEP_MODELS:])
        if old:
            RoutingModel.objects.filter(pk__in=old).delete()
    # Figures as short decimals: long digit runs would be masked as card numbers by the PII log filter.
    logger.info(
        "routing: trained model %s on %d complaints (accuracy %s, macro-F1 %s)",
        row.pk,
        row.samples,
        *(f"{metrics[k]:.3f}" if k in metrics else "-" for k in ("accuracy", "macro_f1")),
    )
    return row


def retrain_if_due(now=None):
    """The scheduled job: train when no model exists yet, or at night when the newest
    model is older than ``RETRAIN_AFTER``. One worker at a time (a cache lock)."""
    from django.core.cache import cache
    from django.utils import timezone

    from .models import RoutingModel

    now = timezone.localtime(now)
    latest = RoutingModel.objects.filter(is_active=True).values_list("created_at", flat=True).first()
    if latest is not None and (now - latest < RETRAIN_AFTER or now.hour not in NIGHT_HOURS):
        return None
    key = "complaints.routing.training"
    if not cache.add(key, 1, timeout=3600):
        return None
    try:
        return train()
    finally:
        cache.delete(key)
