"""Retrieval benchmark for the assistant's knowledge base.

Indexes the welfare FAQ (``shared/data/welfare_faq/kb.csv``, one chunk per row, topic =
programme) and asks it the development questions (``dev_questions.csv``, never indexed)
and off-topic chit-chat (``shared/data/chitchat/dev_offtopic.csv``). Prints, per ranking
mode: hit@1, hit@3 and MRR for the right programme, over all questions and over the
tuning and held-out halves (seed 13; the group ranker and the confidence model were
fitted on tuning halves only, by fit_ranker.py and calibrate.py); the shipped confidence
model's declines on the held-out halves; search latency p50/p95; index build time and
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
import random
import resource
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from dasan.knowledge import (
    analysis,  # noqa: E402
    chatter,  # noqa: E402
)
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
    """Per question: (rank of the right programme or None, latency ms, confidence)."""
    out = []
    bar = Progress(desc, len(questions))
    for q in questions:
        t = time.perf_counter()
        res = index.search(q["question"], k=10, group_by="topic" if group else None)
        ms = (time.perf_counter() - t) * 1000
        topics = [h.chunk.metadata.get("topic") for h in res.hits]
        want = q.get("programme")
        rank = topics.index(want) + 1 if want is not None and want in topics else None
        out.append((rank, ms, res.confidence))
        bar.update()
    bar.close()
    return out


def hits(results, subset=None) -> dict:
    """hit@1, hit@3 and MRR@10 over ``results`` (or the positions in ``subset``)."""
    rows = results if subset is None else [results[i] for i in subset]
    n = max(len(rows), 1)
    ranks = [r for r, _, _ in rows]
    return {
        "hit@1": sum(r == 1 for r in ranks if r) / n,
        "hit@3": sum(r <= 3 for r in ranks if r) / n,
        "mrr": sum(1.0 / r for r in ranks if r) / n,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="use only N dev questions (and N/2 off-topic lines)")
    ap.add_argument("--index-dir", default=str(ROOT / "var" / "bench" / "welfare-index"))
    ap.add_argument("--rebuild", action="store_true", help="delete the saved index and build from scratch")
    ap.add_argument(
        "--modes",
        default="hybrid,lexical,dense,hybrid-dense2",
        help="comma-separated: hybrid, lexical, dense, hybrid-dense2 (dense weighted twice); "
        "the first one embeds the queries and is the one whose latency counts",
    )
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)

    data = _shared() / "data"
    kb = read_csv(data / "welfare_faq" / "kb.csv")
    dev = read_csv(data / "welfare_faq" / "dev_questions.csv")
    off = [{"question": r["question"]} for r in read_csv(data / "chitchat" / "dev_offtopic.csv")]
    # The halves are always those of the full sets (what the fits saw), also with --limit.
    dev_cal, dev_test = halves(dev)
    off_cal, off_test = halves(off)
    if args.limit:
        dev = random.Random(1).sample(dev, min(args.limit, len(dev)))
        off = random.Random(2).sample(off, min(max(args.limit // 2, 2), len(off)))
        dev_cal, dev_test = [q for q in dev_cal if q in dev], [q for q in dev_test if q in dev]
        off_cal, off_test = [q for q in off_cal if q in off], [q for q in off_test if q in off]

    # --- build (incremental: a saved index is loaded and only new rows are embedded) ---
    index_dir = Path(args.index_dir)
    if args.rebuild and index_dir.exists():
        shutil.rmtree(index_dir)
    build_file = index_dir.parent / (index_dir.name + ".build.json")
    t0 = time.perf_counter()
    analysis.warm()
    embedder = default_embedder()
    embedder.warm()
    chatter.vectors(embedder)  # the confidence compares each query with these (embedded once)
    warm_s = time.perf_counter() - t0
    chunks = chunk_faq(
        "welfare_faq",
        ({"question": r["question"], "answer": r["answer"], "topic": r["programme"]} for r in kb),
        metadata={"audience": "public", "language": "ko"},
    )
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
        build = {
            "chunks": len(chunks),
            "seconds": round(update_s, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
        build_file.write_text(json.dumps(build))
    build = json.loads(build_file.read_text()) if build_file.exists() else {}
    disk_mb = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file()) / 2**20

    # --- rank ---
    cached = CachedQueries(embedder)
    weights = {"lexical": (1.0, 0.0), "dense": (0.0, 1.0), "hybrid": (1.0, 1.0), "hybrid-dense2": (1.0, 2.0)}
    pos_tune = {id(q) for q in dev_cal}
    tune_idx = [i for i, q in enumerate(dev) if id(q) in pos_tune]
    held_idx = [i for i, q in enumerate(dev) if id(q) not in pos_tune]
    off_held_ids = {id(q) for q in off_test}
    off_held_idx = [i for i, q in enumerate(off) if id(q) in off_held_ids]
    threshold = index.calibration.threshold
    rows = []
    figures: dict = {"chunks": len(chunks), "dev_questions": len(dev), "offtopic": len(off)}
    ranker = index.ranker
    variants = []
    for _n_mode, mode in enumerate(m.strip() for m in args.modes.split(",") if m.strip()):
        # The grouped search is what the assistant runs, so it goes first and is the one
        # that embeds each query (its latency is the real one); later rows reuse the vectors.
        # The group ranker reads both rankers' scores, so a one-ranker mode groups by its
        # aggregated RRF alone (otherwise "lexical +topic" would quietly use the dense scores).
        both = weights[mode][0] > 0 and weights[mode][1] > 0
        variants += [(mode, True, ranker if both else None, "" if both else " (RRF only)"), (mode, False, ranker, "")]
        if mode == "hybrid":
            variants.append((mode, True, None, " (RRF only)"))
    for n, (mode, group, rk, suffix) in enumerate(variants):
        index.weights = weights[mode]
        index.ranker = rk
        index._embedder = cached  # the first row fills the cache: its latency includes embedding
        label = f"{mode}{' +topic' if group else ''}{suffix}"
        res = retrieval(index, dev, group, label)
        res_off = retrieval(index, off, group, label + " offtopic")
        conf = np.array([c for _, _, c in res])
        conf_off = np.array([c for _, _, c in res_off])
        lat = np.array([ms for _, ms, _ in res + res_off])
        row = {
            "mode": label,
            **hits(res),
            "hit@3_tune": hits(res, tune_idx)["hit@3"],
            "hit@3_held_out": hits(res, held_idx)["hit@3"],
            "offtopic_declined": float((conf_off[off_held_idx] < threshold).mean()) if off_held_idx else float("nan"),
            "welfare_wrongly_declined": float((conf[held_idx] < threshold).mean()) if held_idx else float("nan"),
            "p50_ms": float(np.percentile(lat, 50)),
            "p95_ms": float(np.percentile(lat, 95)),
            "embeds_query": n == 0,
        }
        rows.append(row)
    index.ranker = ranker
    figures["rows"] = rows
    figures["threshold"] = threshold

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(
        f"welfare FAQ: {len(chunks)} chunks; {len(dev)} dev questions, {len(off)} off-topic lines; "
        f"tuning / held-out halves: {len(dev_cal)} / {len(dev_test)} questions, {len(off_cal)} / {len(off_test)} lines"
    )
    head = (
        "mode",
        "hit@1",
        "hit@3",
        "MRR",
        "hit@3 tuning half",
        "hit@3 held-out half",
        "off-topic declined",
        "welfare wrongly declined",
        "p50 ms",
        "p95 ms",
    )
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print(
            f"| {r['mode']} | {r['hit@1']:.3f} | {r['hit@3']:.3f} | {r['mrr']:.3f} | {r['hit@3_tune']:.3f} "
            f"| {r['hit@3_held_out']:.3f} | {r['offtopic_declined']:.3f} | {r['welfare_wrongly_declined']:.3f} "
            f"| {r['p50_ms']:.1f} | {r['p95_ms']:.1f} |"
        )
    print()
    print(
        "latency: only the first row embeds each query (Kiwi + e5 + BM25 + fusion + group ranking + confidence); "
        "the other rows reuse its query vectors"
    )
    print(f"declines: the shipped confidence model (threshold {threshold:.3f}) on the held-out halves")
    print(
        f"start-up (Kiwi + e5 + chatter examples warm): {warm_s:.1f} s; load saved index: "
        f"{'-' if load_s is None else f'{load_s:.2f} s'}; this run's update: {stats.embedded} embedded, "
        f"{stats.removed} removed, {update_s:.1f} s"
    )
    if build:
        print(
            f"cold build ({build['chunks']} chunks, tokenise + embed + BM25 + save): {build['seconds']} s, "
            f"peak RSS then {build['peak_rss_mb']} MB"
        )
    print(f"index on disk: {disk_mb:.1f} MB; peak RSS this run: {peak_mb:.0f} MB")
    figures.update(build=build, warm_s=warm_s, load_s=load_s, disk_mb=disk_mb, peak_rss_mb=peak_mb)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
