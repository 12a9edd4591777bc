"""Fit the group ranker (``dasan.knowledge.ranking``) on the tuning half of the welfare
development questions, and say how it does on the other half.

    python bench/assistant/fit_ranker.py          # needs the index that run.py builds

The split is run.py's: ``dev_questions.csv`` shuffled with seed 13, the first half is
the tuning half. The ranker is fitted there and evaluated on the held-out half; it is
also fitted the other way round (held-out half → tuning half) so that the two
held-out scores give a two-fold cross-validated estimate of hit@k that no fitted
weight has seen. Prints the ``DEFAULT = GroupRanker(...)`` to paste into ranking.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ROOT, _shared, halves, read_csv  # noqa: E402

from dasan.knowledge import (
    analysis,  # noqa: E402
    ranking,  # noqa: E402
)
from dasan.knowledge.embedding import default_embedder  # noqa: E402
from dasan.knowledge.index import HybridIndex  # noqa: E402


class DiskCachedQueries:
    """The embedder, remembering query vectors in a file between runs (fitting asks the same questions)."""

    def __init__(self, inner, path: Path):
        self.inner, self.name, self.dim, self.path = inner, inner.name, inner.dim, path
        self.cache: dict[str, np.ndarray] = {}
        if path.exists():
            data = np.load(path, allow_pickle=False)
            if str(data["model"]) == inner.name:
                self.cache = dict(zip(data["texts"].tolist(), data["vectors"]))

    def passages(self, texts):
        return self.inner.passages(texts)

    def query(self, text):
        v = self.cache.get(text)
        if v is None:
            v = self.cache[text] = self.inner.query(text)
        return v

    def save(self):
        texts = list(self.cache)
        np.savez(
            self.path,
            model=self.inner.name,
            texts=np.array(texts),
            vectors=np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, self.dim)),
        )


def evaluate(model: ranking.GroupRanker, data: list[tuple[list, np.ndarray, str]]) -> dict:
    h1 = h3 = rr = 0.0
    for values, X, want in data:
        order = [values[i] for i in np.argsort(-model.scores(X), kind="stable")] if len(values) else []
        if want in order:
            r = order.index(want) + 1
            h1 += r == 1
            h3 += r <= 3
            rr += 1.0 / r if r <= 10 else 0.0
    n = max(len(data), 1)
    return {"hit@1": h1 / n, "hit@3": h3 / n, "mrr": rr / n}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", default=str(ROOT / "var" / "bench" / "welfare-index"))
    ap.add_argument("--l2", type=float, default=1e-2)
    ap.add_argument("--json", help="also write the figures and weights to this file")
    args = ap.parse_args(argv)

    dev = read_csv(_shared() / "data" / "welfare_faq" / "dev_questions.csv")
    tune, held = halves(dev)
    analysis.warm()
    embedder = DiskCachedQueries(default_embedder(), Path(args.index_dir).parent / "query-vectors.npz")
    index = HybridIndex.load(args.index_dir, embedder=embedder)

    def features(rows):
        out = []
        for n, r in enumerate(rows, 1):
            values, X = index.group_features(r["question"], "topic")
            out.append((values, X, r["programme"]))
            if n % 200 == 0:
                print(f"\rfeatures {n}/{len(rows)}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        return out

    f_tune, f_held = features(tune), features(held)
    embedder.save()

    def fit(data):
        return ranking.fit(
            [X for _, X, _ in data], [np.array([v == w for v in values]) for values, _, w in data], l2=args.l2
        )

    model = fit(f_tune)
    reverse = fit(f_held)
    rrf_only = ranking.GroupRanker([1.0] + [0.0] * (len(ranking.GROUP_FEATURES) - 1))
    figures = {
        "rrf_only": {
            "tune": evaluate(rrf_only, f_tune),
            "held_out": evaluate(rrf_only, f_held),
            "all": evaluate(rrf_only, f_tune + f_held),
        },
        "fitted_on_tune": {
            "tune": evaluate(model, f_tune),
            "held_out": evaluate(model, f_held),
            "all": evaluate(model, f_tune + f_held),
        },
        "fitted_on_held_out": {"tune": evaluate(reverse, f_tune)},
        "ranker": model.to_dict(),
    }
    a, b = figures["fitted_on_tune"]["held_out"], figures["fitted_on_held_out"]["tune"]
    figures["two_fold"] = {k: (a[k] * len(f_held) + b[k] * len(f_tune)) / (len(f_held) + len(f_tune)) for k in a}
    for name in ("rrf_only", "fitted_on_tune"):
        for part, v in figures[name].items():
            print(f"{name:16} {part:9} hit@1 {v['hit@1']:.3f}  hit@3 {v['hit@3']:.3f}  MRR {v['mrr']:.3f}")
    v = figures["two_fold"]
    print(
        f"two-fold cross-validated (each half scored by the model fitted on the other): "
        f"hit@1 {v['hit@1']:.3f}  hit@3 {v['hit@3']:.3f}  MRR {v['mrr']:.3f}"
    )
    print("\nDEFAULT = GroupRanker(")
    print(f"    weights={[round(float(w), 6) for w in model.weights]},")
    print(f"    mean={[round(float(m), 6) for m in model.mean]},")
    print(f"    scale={[round(float(s), 6) for s in model.scale]},\n)")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
