"""Grouped search: topics ranked on all their passages (dasan.knowledge.ranking)."""

import json

import numpy as np

from dasan.knowledge import calibration as cal
from dasan.knowledge import ranking
from dasan.knowledge.chunking import Chunk, chunk_faq, chunk_markdown
from dasan.knowledge.index import HybridIndex

from .conftest import BULKY_WASTE, STAFF_MANUAL, WELFARE_FAQ

PUBLIC = {"audience": "public"}


def _with_topic(chunks, topic=None):
    out = []
    for c in chunks:
        t = topic or c.metadata.get("topic") or (c.title_path[1] if len(c.title_path) > 1 else c.title_path[0])
        out.append(Chunk(c.id, c.source_id, c.title_path, c.text, {**c.metadata, "topic": t}, c.position))
    return out


def test_fit_learns_which_feature_marks_the_right_group():
    rng = np.random.default_rng(1)
    n = len(ranking.GROUP_FEATURES)
    groups, labels = [], []
    for _ in range(200):
        X = rng.normal(0, 1, size=(8, n))
        right = rng.integers(8)
        X[right, 3] += 2.5  # only feature 3 tells the right group apart
        groups.append(X)
        labels.append(np.arange(8) == right)
    model = ranking.fit(groups, labels)
    assert np.argmax(np.abs(model.weights)) == 3
    top1 = np.mean([np.argmax(model.scores(X)) == np.argmax(y) for X, y in zip(groups, labels)])
    assert top1 > 0.8


def test_ranker_round_trips_and_ignores_foreign_feature_sets():
    again = ranking.GroupRanker.from_dict(json.loads(json.dumps(ranking.DEFAULT.to_dict())))
    assert again.to_dict() == ranking.DEFAULT.to_dict()
    assert ranking.GroupRanker.from_dict({**ranking.DEFAULT.to_dict(), "features": ["x"]}) is ranking.DEFAULT
    assert ranking.GroupRanker.from_dict(None) is ranking.DEFAULT


def test_grouped_search_returns_one_passage_per_topic_in_ranker_order(built_index):
    res = built_index.search("기초연금 신청 자격", k=5, filters=PUBLIC, group_by="topic")
    assert res.hits[0].chunk.metadata["topic"] == "기초연금"
    scores = [h.group_score for h in res.hits]
    assert scores == sorted(scores, reverse=True)
    values, X = built_index.group_features("기초연금 신청 자격", "topic", filters=PUBLIC)
    assert values[0] is not None and X.shape == (len(values), len(ranking.GROUP_FEATURES))
    assert np.isfinite(X).all()


def test_staff_only_passages_do_not_shape_residents_ranking(e5):
    """A staff-only passage filed under a public topic changes nothing for residents:
    the same index with that passage under a topic of its own ranks alike."""
    public = _with_topic(chunk_markdown("article:bulky-waste", BULKY_WASTE, metadata={"audience": "public"}))
    public += _with_topic(chunk_faq("faq:welfare", WELFARE_FAQ, metadata={"audience": "public"}))
    manual = chunk_markdown("manual:fees", STAFF_MANUAL, metadata={"audience": "staff"})
    shared = HybridIndex(embedder=e5)
    shared.update(public + _with_topic(manual, topic="수수료"))  # the bulky-waste fee section's topic
    apart = HybridIndex(embedder=e5)
    apart.update(public + _with_topic(manual, topic="내부 지침"))
    for query in ("대형폐기물 수수료 감면 승인", "소파 버리는 비용", "기초연금"):
        a = shared.search(query, k=5, filters=PUBLIC, group_by="topic")
        b = apart.search(query, k=5, filters=PUBLIC, group_by="topic")
        assert [h.chunk.id for h in a.hits] == [h.chunk.id for h in b.hits]
        assert np.allclose([h.group_score for h in a.hits], [h.group_score for h in b.hits])
        assert all(h.chunk.metadata["audience"] == "public" for h in a.hits)
    staff_view = shared.search("대형폐기물 수수료 감면 승인", k=5, group_by="topic")
    assert staff_view.hits[0].chunk.source_id == "manual:fees"


def test_saved_index_follows_the_shipped_defaults_and_keeps_a_citys_own(tmp_path, built_index, e5):
    path = tmp_path / "idx"
    built_index.save(path)
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["calibration"] is None and manifest["ranker"] is None
    loaded = HybridIndex.load(path, embedder=e5)
    assert loaded.calibration is cal.DEFAULT and loaded.ranker is ranking.DEFAULT

    # An index saved by an earlier version wrote its then default down: it follows today's.
    old = {
        "features": list(cal.FEATURES),
        "weights": [1, 1, 1, 1],
        "bias": 2.5223987277736764,
        "threshold": 0.72,
        "mean": [0, 0, 0, 0],
        "scale": [1, 1, 1, 1],
    }
    (path / "manifest.json").write_text(json.dumps({**manifest, "calibration": old}))
    assert HybridIndex.load(path, embedder=e5).calibration is cal.DEFAULT

    own = cal.Calibration([0.5, 0.5, 0.5, 0.5], -1.0, 0.4)
    loaded.calibrate(own)
    loaded.save(path)
    again = HybridIndex.load(path, embedder=e5)
    assert again.calibration.to_dict() == own.to_dict()
