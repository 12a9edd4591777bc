"""Fit the shipped answer/decline model (``dasan.knowledge.calibration.DEFAULT``).

    python bench/assistant/calibrate.py      # after run.py has built the welfare index

A confidence threshold has to work for the knowledge bases a city really has, so the
model is fitted on three of them at once, with tuning questions only:

* ``welfare``: the welfare FAQ alone (the bench's index, ``var/bench/welfare-index``);
* ``demo-articles``: the demo city's nine articles (what a fresh demo answers from, and
  what the tests use);
* ``demo-full``: the articles plus the welfare FAQ, as the demo city ships.

Real questions: the tuning half of ``dev_questions.csv`` (seed 13, as in run.py) on
``welfare``, and ``demo_tuning_questions.csv`` (written for the demo articles) on both
demo indexes. Chatter: the tuning half of the chit-chat set on all three. Each of these
groups weighs the same in the fit. The threshold is the highest that declines at most
``--max-false-decline`` (10 %) of every group of real tuning questions.

Reported, never fitted on: the other half of the welfare questions and of the chit-chat,
and the demo questions of ``tests/assistant/demo_questions.csv`` (the ones the tests
assert). Prints the ``DEFAULT = Calibration(...)`` to paste into calibration.py.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_ranker import DiskCachedQueries  # noqa: E402
from run import ROOT, _shared, build_progress, halves, read_csv  # noqa: E402

from dasan.knowledge import analysis  # noqa: E402
from dasan.knowledge import calibration as cal  # noqa: E402
from dasan.knowledge.chunking import Chunk, chunk_faq, chunk_markdown  # noqa: E402
from dasan.knowledge.demo import ARTICLES, HERE, WELFARE_FAQ  # noqa: E402
from dasan.knowledge.embedding import default_embedder  # noqa: E402
from dasan.knowledge.index import HybridIndex  # noqa: E402

HERE_BENCH = Path(__file__).resolve().parent


def _with_topic(chunks: list[Chunk], title: str) -> list[Chunk]:
    # As knowledge.services.chunks_for: an FAQ row's topic, else the section under the title.
    out = []
    for c in chunks:
        topic = c.metadata.get("topic") or (c.title_path[1] if len(c.title_path) > 1 else title)
        out.append(Chunk(c.id, c.source_id, c.title_path, c.text, {**c.metadata, "topic": topic}, c.position))
    return out


def demo_chunks(with_faq: bool) -> list[Chunk]:
    """The demo city's sources chunked as the knowledge service chunks them."""
    meta = {"audience": "residents", "language": "ko"}
    chunks: list[Chunk] = []
    for filename, slug, _dept in ARTICLES:
        body = (HERE / "articles" / filename).read_text(encoding="utf-8")
        title = next((line[2:].strip() for line in body.splitlines() if line.startswith("# ")), slug)
        chunks += _with_topic(chunk_markdown(slug, body, title=title, metadata={**meta, "kind": "article"}), title)
    if with_faq:
        path, slug, _dept, title = WELFARE_FAQ
        with open(HERE / path, encoding="utf-8", newline="") as f:
            rows = [
                {"question": r["question"], "answer": r["answer"], "topic": r["programme"]} for r in csv.DictReader(f)
            ]
        chunks += _with_topic(chunk_faq(slug, rows, metadata={**meta, "kind": "faq"}, title=title), title)
    return chunks


def load_or_build(path: Path, chunks: list[Chunk], embedder) -> HybridIndex:
    try:
        index = HybridIndex.load(path, embedder=embedder)
    except FileNotFoundError:
        index = HybridIndex(embedder=embedder)
    stats = index.update(chunks, progress=build_progress())
    if stats.added or stats.removed:
        index.save(path)
    return index


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--max-false-decline", type=float, default=0.10)
    ap.add_argument("--json", help="also write the figures and the model to this file")
    args = ap.parse_args(argv)

    data = _shared() / "data"
    dev_tune, dev_held = halves(read_csv(data / "welfare_faq" / "dev_questions.csv"))
    off_tune, off_held = halves([{"question": r["question"]} for r in read_csv(data / "chitchat" / "dev_offtopic.csv")])
    demo_tune = read_csv(HERE_BENCH / "demo_tuning_questions.csv")
    demo_eval = read_csv(ROOT / "tests" / "assistant" / "demo_questions.csv")
    overlap = {r["question"] for r in demo_tune} & {r["question"] for r in demo_eval}
    if overlap:
        sys.exit(f"tuning and evaluation questions overlap: {sorted(overlap)}")

    analysis.warm()
    bench = ROOT / "var" / "bench"
    embedder = DiskCachedQueries(default_embedder(), bench / "query-vectors.npz")
    indexes = {
        "welfare": HybridIndex.load(bench / "welfare-index", embedder=embedder),
        "demo-articles": load_or_build(bench / "demo-articles", demo_chunks(False), embedder),
        "demo-full": load_or_build(bench / "demo-full", demo_chunks(True), embedder),
    }

    def features(corpus: str, rows: list[dict]) -> np.ndarray:
        index = indexes[corpus]
        out = []
        for r in rows:
            res = index.search(r["question"], k=3, group_by="topic")
            out.append(
                [res.features.get(f, 0.0) for f in cal.FEATURES]
                + [float(any("\uac00" <= ch <= "\ud7a3" for ch in r["question"]))]
            )
        return np.array(out)

    real_tune = {
        ("welfare", "dev tuning half"): features("welfare", dev_tune),
        ("demo-articles", "demo tuning"): features("demo-articles", demo_tune),
        ("demo-full", "demo tuning"): features("demo-full", demo_tune),
    }
    chat_tune = {(c, "chit-chat tuning half"): features(c, off_tune) for c in indexes}
    real_held = {
        ("welfare", "dev held-out half"): features("welfare", dev_held),
        ("demo-articles", "demo test questions"): features("demo-articles", demo_eval),
        ("demo-full", "demo test questions"): features("demo-full", demo_eval),
    }
    chat_held = {(c, "chit-chat held-out half"): features(c, off_held) for c in indexes}
    embedder.save()

    def weights(groups):  # every group weighs the same
        return np.concatenate([np.full(len(v), 1.0 / len(v)) for v in groups.values()])

    pos = np.vstack(list(real_tune.values()))
    neg = np.vstack(list(chat_tune.values()))
    model = cal.fit(pos[:, :-1], neg[:, :-1], positive_weight=weights(real_tune), negative_weight=weights(chat_tune))

    def confidences(F):
        return np.array([model.confidence(f[:-1], bool(f[-1])) for f in F])

    cut = min(
        float(np.sort(confidences(F))[int(np.floor(args.max_false_decline * len(F)))]) for F in real_tune.values()
    )
    model.threshold = cut

    rows = []
    print(
        f"threshold {cut:.4f} (declines at most {args.max_false_decline:.0%} of each group of real tuning questions)\n"
    )
    print("| knowledge base | questions | n | answered | declined |")
    print("|---|---|---|---|---|")
    for groups in (real_tune, chat_tune, real_held, chat_held):
        for (corpus, name), F in groups.items():
            answered = float((confidences(F) >= cut).mean())
            rows.append({"corpus": corpus, "questions": name, "n": len(F), "answered": answered})
            print(f"| {corpus} | {name} | {len(F)} | {answered:.3f} | {1 - answered:.3f} |")
    d = model.to_dict()
    print("\nDEFAULT = Calibration(")
    print(f"    weights={[round(float(w), 6) for w in d['weights']]},")
    print(f"    bias={d['bias']:.6f},")
    print(f"    threshold={d['threshold']:.6f},")
    print(f"    mean={[round(m, 6) for m in d['mean']]},")
    print(f"    scale={[round(s, 6) for s in d['scale']]},\n)")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "calibration": d}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
