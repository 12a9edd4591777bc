"""Retrieval benchmark for the assistant's knowledge base.

Indexes the welfare FAQ (``shared/data/welfare_faq/kb.csv``, one chunk per row, topic =
programme) and asks it the development questions (``dev_questions.csv``, never indexed)
and off-topic chit-chat (``shared/data/chitchat/dev_offtopic.csv``). Prints, per ranking
mode: hit@1, hit@3 and MRR for the right programme; the confidence model is fitted and
its threshold chosen on one half of the dev questions and off-topic lines, and the
declines are reported on the other half; search latency p50/p95; index build time and
peak memory.

    python bench/assistant/run.py              # full run (first build embeds ~4.7k rows)
    python bench/assistant/run.py --limit 200  # quick: 200 dev questions, 100 off-topic

The index is kept under ``var/bench/welfare-index`` and updated incrementally, so a
second run embeds nothing; ``--rebuild`` starts from scratch to time a cold build.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from dasan.knowledge import analysis  # noqa: E402
from dasan.knowledge import calibration as cal  # noqa: E402
from dasan.knowledge.chunking import chunk_faq  # noqa: E402
from dasan.knowledge.embedding import default_embedder  # noqa: E402
from dasan.knowledge.index import HybridIndex  # noqa: E402


def _shared() -> Path:
    for p in (ROOT.parent / "shared", ROOT / "shared", Path("/work/shared")):
        if (p / "data" / "welfare_faq" / "kb.csv").exists():
            return p
    sys.exit("shared/data/welfare_faq/kb.csv not found next to the repository")


try:  # tqdm comes with kiwipiepy
    from tqdm import tqdm
except ImportError:  # pragma: no cover
    tqdm = None


class Progress:
    """A progress bar on stderr: tqdm when installed, else a plain counter."""

    def __init__(self, desc: str, total: int):
        self.desc, self.total, self.done = desc, total, 0
        self.bar = tqdm(total=total, desc=desc, file=sys.stderr, leave=False) if tqdm else None

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.done == self.total or self.done % max(1, self.total // 20) == 0:
            print(f"\r{self.desc}: {self.done}/{self.total}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        else:
            print(file=sys.stderr)


def build_progress():
    bars: dict[str, Progress] = {}

    def cb(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = Progress(stage, total)
        bar.update(done - bar.done)
        if done >= total:
            bar.close()

    return cb


class CachedQueries:
    """Wraps the embedder so that the modes after the first reuse its query vectors."""

    def __init__(self, inner):
        self.inner, self.name, self.dim, self.cache = inner, inner.name, inner.dim, {}

    def passages(self, texts):
        return self.inner.passages(texts)

    def query(self, text):
        v = self.cache.get(text)
        if v is None:
            v = self.cache[text] = self.inner.query(text)
        return v


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def halves(rows: list, seed: int = 13) -> tuple[list, list]:
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    mid = len(rows) // 2
    return rows[:mid], rows[mid:]


def retrieval(index: HybridIndex, questions: list[dict], group: bool, desc: str):
    """(hit@1, hit@3, MRR@10, latencies ms, confidences)."""
    hits1 = hits3 = 0
    rr = 0.0
    lat: list[float] = []
    conf: list[float] = []
    feats: list[list[float]] = []
    bar = Progress(desc, len(questions))
    for q in questions:
        t = time.perf_counter()
        res = index.search(q["question"], k=10, group_by="topic" if group else None)
        lat.append((time.perf_counter() - t) * 1000)
        topics = [h.chunk.metadata.get("topic") for h in res.hits]
        want = q.get("programme")
        if want is not None:
            if topics[:1] == [want]:
                hits1 += 1
            if want in topics[:3]:
                hits3 += 1
            if want in topics:
                rr += 1.0 / (topics.index(want) + 1)
        conf.append(res.confidence)
        feats.append([res.features.get(f, 0.0) for f in cal.FEATURES])
        bar.update()
    bar.close()
    n = max(len(questions), 1)
    return hits1 / n, hits3 / n, rr / n, lat, conf, np.array(feats)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="use only N dev questions (and N/2 off-topic lines)")
    ap.add_argument("--index-dir", default=str(ROOT / "var" / "bench" / "welfare-index"))
    ap.add_argument("--rebuild", action="store_true", help="delete the saved index and build from scratch")
    ap.add_argument("--modes", default="hybrid,lexical,dense,hybrid-dense2",
                    help="comma-separated: hybrid, lexical, dense, hybrid-dense2 (dense weighted twice); "
                         "the first one embeds the queries and is the one whose latency counts")
    ap.add_argument("--max-false-decline", type=float, default=0.05,
                    help="threshold: decline at most this share of the calibration half's real questions")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)

    data = _shared() / "data"
    kb = read_csv(data / "welfare_faq" / "kb.csv")
    dev = read_csv(data / "welfare_faq" / "dev_questions.csv")
    off = [{"question": r["question"]} for r in read_csv(data / "chitchat" / "dev_offtopic.csv")]
    if args.limit:
        dev = random.Random(1).sample(dev, min(args.limit, len(dev)))
        off = random.Random(2).sample(off, min(max(args.limit // 2, 2), len(off)))
    dev_cal, dev_test = halves(dev)
    off_cal, off_test = halves(off)

    # --- build (incremental: a saved index is loaded and only new rows are embedded) ---
    index_dir = Path(args.index_dir)
    if args.rebuild and index_dir.exists():
        shutil.rmtree(index_dir)
    build_file = index_dir.parent / (index_dir.name + ".build.json")
    t0 = time.perf_counter()
    analysis.warm()
    embedder = default_embedder()
    embedder.warm()
    warm_s = time.perf_counter() - t0
    chunks = chunk_faq("welfare_faq", ({"question": r["question"], "answer": r["answer"], "topic": r["programme"]}
                                       for r in kb), metadata={"audience": "public", "language": "ko"})
    t0 = time.perf_counter()
    try:
        index = HybridIndex.load(index_dir, embedder=embedder)
        load_s = time.perf_counter() - t0
    except FileNotFoundError:
        index, load_s = HybridIndex(embedder=embedder), None
    t1 = time.perf_counter()
    stats = index.update(chunks, progress=build_progress())
    index.save(index_dir)
    update_s = time.perf_counter() - t1
    if stats.embedded == len(chunks):  # a cold build: remember its cost for later runs
        build = {"chunks": len(chunks), "seconds": round(update_s, 1),
                 "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
        build_file.write_text(json.dumps(build))
    build = json.loads(build_file.read_text()) if build_file.exists() else {}
    disk_mb = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file()) / 2**20

    # --- rank ---
    cached = CachedQueries(embedder)
    weights = {"lexical": (1.0, 0.0), "dense": (0.0, 1.0), "hybrid": (1.0, 1.0), "hybrid-dense2": (1.0, 2.0)}
    rows = []
    figures: dict = {"chunks": len(chunks), "dev_questions": len(dev), "offtopic": len(off)}
    chosen = None
    for n_mode, mode in enumerate(m.strip() for m in args.modes.split(",") if m.strip()):
        index.weights = weights[mode]
        index._embedder = cached  # the first mode fills the cache: its latency includes embedding
        for group in (False, True):
            label = f"{mode}{' +topic' if group else ''}"
            h1, h3, mrr, lat, _, feats = retrieval(index, dev, group, label)
            _, _, _, lat_off, _, feats_off = retrieval(index, off, group, label + " offtopic")
            idx_cal = {id(q) for q in dev_cal}
            mask_cal = np.array([id(q) in idx_cal for q in dev])
            idx_offcal = {id(q) for q in off_cal}
            mask_offcal = np.array([id(q) in idx_offcal for q in off])
            # Confidence: fit on the calibration halves, threshold there, report on the others.
            model = cal.fit(feats[mask_cal], feats_off[mask_offcal])
            pos_c = [model.confidence(f) for f in feats[mask_cal]]
            model.threshold = cal.choose_threshold(pos_c, [], args.max_false_decline)
            pos_t = np.array([model.confidence(f) for f in feats[~mask_cal]])
            neg_t = np.array([model.confidence(f) for f in feats_off[~mask_offcal]])
            all_lat = np.array(lat + lat_off)
            row = {
                "mode": label, "hit@1": h1, "hit@3": h3, "mrr": mrr,
                "offtopic_declined": float((neg_t < model.threshold).mean()) if len(neg_t) else float("nan"),
                "welfare_wrongly_declined": float((pos_t < model.threshold).mean()) if len(pos_t) else float("nan"),
                "threshold": model.threshold,
                "p50_ms": float(np.percentile(all_lat, 50)), "p95_ms": float(np.percentile(all_lat, 95)),
            }
            rows.append(row)
            row["embeds_query"] = n_mode == 0 and not group
            if mode == "hybrid" and group:
                chosen = model
    figures["rows"] = rows

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"welfare FAQ: {len(chunks)} chunks; {len(dev)} dev questions, {len(off)} off-topic lines "
          f"(declines on the held-out half: {len(dev_test)} / {len(off_test)})")
    head = ("mode", "hit@1", "hit@3", "MRR", "off-topic declined", "welfare wrongly declined", "p50 ms", "p95 ms")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print(f"| {r['mode']} | {r['hit@1']:.3f} | {r['hit@3']:.3f} | {r['mrr']:.3f} | {r['offtopic_declined']:.3f} "
              f"| {r['welfare_wrongly_declined']:.3f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} |")
    print()
    print("latency: only the first row embeds each query (Kiwi + e5 + BM25 + fusion); "
          "the other rows reuse its query vectors")
    print(f"start-up (Kiwi + e5 warm): {warm_s:.1f} s; load saved index: "
          f"{'-' if load_s is None else f'{load_s:.2f} s'}; this run's update: {stats.embedded} embedded, "
          f"{stats.removed} removed, {update_s:.1f} s")
    if build:
        print(f"cold build ({build['chunks']} chunks, tokenise + embed + BM25 + save): {build['seconds']} s, "
              f"peak RSS then {build['peak_rss_mb']} MB")
    print(f"index on disk: {disk_mb:.1f} MB; peak RSS this run: {peak_mb:.0f} MB")
    if chosen is not None:
        print("calibration (hybrid +topic, fitted on the calibration half):")
        print(json.dumps(chosen.to_dict()))
    figures.update(build=build, warm_s=warm_s, load_s=load_s, disk_mb=disk_mb, peak_rss_mb=peak_mb,
                   calibration=chosen.to_dict() if chosen else None)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
