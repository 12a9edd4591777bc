"""Complaint routing benchmark: how well ``dasan.complaints.routing`` picks the category.

Labelled set: ``shared/data/complaints/petitions_2019-08.jsonl`` — 639 petitions to the
청와대 국민청원 board from August 2019 with their 17 board categories (lovit/petitions_archive,
CC0 as declared by the Korpora project). Each category becomes a department and a
complaint category in a throw-away SQLite database; a stratified quarter (fixed seed) is
held out, the rest are stored as closed complaints, and the real code runs on it:

1. cold start: ``suggest()`` with no model, from keywords written for this bench;
2. ``train()`` (Kiwi, TF-IDF, logistic regression, 5-fold CV for the temperature);
3. ``suggest()`` on every held-out petition.

Printed: accuracy, macro-F1, share assigned automatically at the auto-assign threshold
(and their precision) vs. sent to triage, calibration by confidence band, latency of
``suggest()`` (p50/p95; Kiwi + database + scoring) and training time.

    python bench/complaints/run.py                  # one split (seed 13)
    python bench/complaints/run.py --seeds 13,14,15 # mean over three splits
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

try:  # tqdm comes with kiwipiepy
    from tqdm import tqdm
except ImportError:  # pragma: no cover
    tqdm = None

# Keywords a city might list for each board category (our own choice, for the cold start).
# 기타 (other) has none: nothing names it.
KEYWORDS = {
    "정치개혁": "국회,국회의원,정당,선거,개헌,정치,검찰개혁",
    "외교/통일/국방": "외교,일본,북한,통일,국방,군대,병역,미국,중국,군인",
    "일자리": "일자리,취업,채용,고용,근로자,노동,임금,최저임금,비정규직",
    "미래": "미래,과학,기술,인공지능,우주,연구",
    "성장동력": "산업,기업,창업,투자,규제,혁신,수출",
    "농산어촌": "농업,농민,어민,농촌,어촌,축산,귀농,농산물",
    "보건복지": "병원,의료,건강보험,복지,장애인,환자,의사,간호사",
    "육아/교육": "학교,교육,학생,교사,어린이집,유치원,입시,육아,대학",
    "안전/환경": "안전,환경,미세먼지,사고,화재,오염,방사능,쓰레기",
    "저출산/고령화대책": "저출산,출산,고령화,노인,연금",
    "행정": "공무원,행정,민원,지자체,세금,공공기관",
    "반려동물": "반려동물,동물,강아지,고양이,유기견,동물학대",
    "교통/건축/국토": "교통,도로,버스,지하철,주차,아파트,부동산,건축,철도,택시",
    "경제민주화": "경제,주식,공매도,대기업,금융,은행,소상공인,자영업",
    "인권/성평등": "인권,여성,성범죄,차별,성평등,폭력,피해자,성폭행",
    "문화/예술/체육/언론": "문화,예술,방송,언론,기자,체육,연예인,게임,영화",
    "기타": "",
}


def _data_file() -> Path:
    for p in (ROOT.parent / "shared", ROOT / "shared", Path("/work/shared")):
        f = p / "data" / "complaints" / "petitions_2019-08.jsonl"
        if f.exists():
            return f
    sys.exit("shared/data/complaints/petitions_2019-08.jsonl not found next to the repository")


def build_progress():
    bars: dict = {}

    def cb(stage: str, done: int, total: int) -> None:
        if tqdm is None:
            print(f"\r{stage}: {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)
            return
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, file=sys.stderr, leave=False)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()
            bars.pop(stage, None)

    return cb


def stratified_split(labels: list[str], seed: int, test_share: float = 0.25) -> tuple[list[int], list[int]]:
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, y in enumerate(labels):
        by_label[y].append(i)
    test: set[int] = set()
    for y in sorted(by_label):
        ids = by_label[y]
        rng.shuffle(ids)
        test.update(ids[: max(1, round(len(ids) * test_share))])
    return [i for i in range(len(labels)) if i not in test], sorted(test)


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def evaluate(routing, texts: list[str], truth: list[str], threshold: float) -> dict:
    predicted, confidence, latency, sources = [], [], [], []
    bar = tqdm(total=len(texts), desc="suggest", file=sys.stderr, leave=False) if tqdm else None
    for text in texts:
        t = time.perf_counter()
        s = routing.suggest(text)
        latency.append((time.perf_counter() - t) * 1000)
        predicted.append(s.category.name if s.category is not None else None)
        confidence.append(s.confidence)
        sources.append(s.source)
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.close()
    pred = [p if p is not None else "(none)" for p in predicted]
    auto = routing.auto_assign_figures(truth, pred, confidence, threshold)
    bands = []
    for lo, hi in ((0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01)):
        idx = [i for i, c in enumerate(confidence) if lo <= c < hi]
        bands.append(
            {
                "band": f"{lo:.1f}-{min(hi, 1):.1f}",
                "n": len(idx),
                "mean_confidence": statistics.fmean(confidence[i] for i in idx) if idx else None,
                "accuracy": statistics.fmean(pred[i] == truth[i] for i in idx) if idx else None,
            }
        )
    return {
        "accuracy": statistics.fmean(p == t for p, t in zip(pred, truth)),
        "macro_f1": routing.macro_f1(truth, pred),
        "answered": sum(p is not None for p in predicted) / len(predicted),
        **auto,
        "p50_ms": percentile(latency, 50),
        "p95_ms": percentile(latency, 95),
        "sources": {s: sources.count(s) for s in sorted(set(sources))},
        "bands": bands,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="13", help="comma-separated split seeds (one training per seed)")
    ap.add_argument("--test-share", type=float, default=0.25)
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]

    tmp = tempfile.TemporaryDirectory(prefix="dasan-bench-complaints-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dasan.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from dasan.complaints import routing
    from dasan.complaints.models import Category, Complaint, Kind, RoutingModel, Status
    from dasan.core.models import Department
    from dasan.knowledge import analysis

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    analysis.warm()
    warm_s = time.perf_counter() - t0

    rows = [json.loads(line) for line in _data_file().read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [f"{r['title']}\n{r['content']}" for r in rows]
    labels = [r["category"] for r in rows]
    names = sorted(set(labels))
    categories = {}
    for n, name in enumerate(names):
        dept = Department.objects.create(code=f"{2000 + n}", name=f"{name} 담당")
        categories[name] = Category.objects.create(
            code=f"petition-{n:02d}", name=name, department=dept, kind=Kind.SUGGESTION, keywords=KEYWORDS.get(name, "")
        )
    threshold = float(settings.DASAN.get("COMPLAINT_AUTO_ASSIGN", 0.6))

    results = []
    for seed in seeds:
        train_idx, test_idx = stratified_split(labels, seed, args.test_share)
        test_texts, test_truth = [texts[i] for i in test_idx], [labels[i] for i in test_idx]
        Complaint.objects.all().delete()
        RoutingModel.objects.all().delete()
        cold = evaluate(routing, test_texts, test_truth, threshold)
        now = timezone.now()
        Complaint.objects.bulk_create(
            [
                Complaint(
                    number=f"B{seed}-{j:06d}",
                    kind=Kind.SUGGESTION,
                    title=rows[i]["title"][:200],
                    description=rows[i]["content"],
                    category=categories[labels[i]],
                    department=categories[labels[i]].department,
                    status=Status.CLOSED,
                    received_at=now - timedelta(days=30),
                    due_at=now,
                )
                for j, i in enumerate(train_idx)
            ]
        )
        t0 = time.perf_counter()
        model = routing.train(progress=build_progress())
        train_s = time.perf_counter() - t0
        trained = evaluate(routing, test_texts, test_truth, threshold)
        results.append(
            {
                "seed": seed,
                "train": len(train_idx),
                "test": len(test_idx),
                "cold": cold,
                "model": trained,
                "train_s": train_s,
                "cv": model.metrics,
            }
        )

    def row(label: str, f: dict) -> str:
        prec = "-" if f["auto_precision"] is None else f"{f['auto_precision']:.3f}"
        return (
            f"| {label} | {f['accuracy']:.3f} | {f['macro_f1']:.3f} | {f['auto_coverage']:.3f} | {prec} "
            f"| {f['triage_share']:.3f} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} |"
        )

    print()
    print(
        f"petitions_2019-08: {len(rows)} petitions, {len(names)} categories; held out {args.test_share:.0%} "
        f"per category; auto-assign threshold {threshold}"
    )
    head = (
        "run",
        "accuracy",
        "macro-F1",
        f"auto-assigned (conf >= {threshold})",
        "precision of auto",
        "to triage",
        "p50 ms",
        "p95 ms",
    )
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in results:
        print(row(f"seed {r['seed']} keywords (cold start)", r["cold"]))
        print(row(f"seed {r['seed']} model ({r['train']} training)", r["model"]))
    if len(results) > 1:
        for kind in ("cold", "model"):
            mean = {
                k: statistics.fmean(r[kind][k] for r in results if r[kind][k] is not None)
                for k in ("accuracy", "macro_f1", "auto_coverage", "triage_share", "p50_ms", "p95_ms")
            }
            precs = [r[kind]["auto_precision"] for r in results if r[kind]["auto_precision"] is not None]
            mean["auto_precision"] = statistics.fmean(precs) if precs else None
            print(row(f"mean {kind}", mean))
    print()
    print("calibration of the trained model on the held-out petitions (all seeds pooled):")
    print("| confidence | n | mean confidence | accuracy |")
    print("|---|---|---|---|")
    pooled: dict = defaultdict(lambda: [0, 0.0, 0.0])
    for r in results:
        for b in r["model"]["bands"]:
            if b["n"]:
                acc = pooled[b["band"]]
                acc[0] += b["n"]
                acc[1] += b["mean_confidence"] * b["n"]
                acc[2] += b["accuracy"] * b["n"]
    for band in sorted(pooled):
        n, conf, acc = pooled[band]
        print(f"| {band} | {n} | {conf / n:.3f} | {acc / n:.3f} |")
    print()
    for r in results:
        cv = r["cv"]
        print(
            f"seed {r['seed']}: train() {r['train_s']:.1f} s (Kiwi {cv['tokenise_seconds']:.1f} s, "
            f"CV + fit {cv['fit_seconds']:.1f} s) for {cv['samples']} complaints "
            f"(+{cv['pseudo_samples']} keyword samples, {cv['features']} features, {cv['folds']}-fold CV: "
            f"accuracy {cv.get('accuracy', float('nan')):.3f}, macro-F1 {cv.get('macro_f1', float('nan')):.3f}, "
            f"temperature {cv['temperature']:.3f})"
        )
    lengths = sorted(len(t) for t in texts)
    print(
        f"texts: median {lengths[len(lengths) // 2]} characters (cut at {routing.MAX_CHARS}); "
        f"latency = suggest() end to end (mask, Kiwi, category query, model check, scoring)"
    )
    print(f"start-up: migrate {migrate_s:.1f} s, Kiwi warm {warm_s:.1f} s")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"results": results, "migrate_s": migrate_s, "warm_s": warm_s},
                ensure_ascii=False,
                indent=1,
                default=str,
            )
        )
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
