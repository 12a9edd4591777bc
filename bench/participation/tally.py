"""The 주민참여예산 tally's speed: greedy and Equal Shares (add1 + greedy completion, and a single
MES run) on 10,000 and 100,000 ballots × 50 projects, ours against pabutools 1.2.3.

Elections are synthetic and seeded: 50 projects costing 10–300 million won, a budget of 1 billion
won; each voter picks 1–5 projects, popular ones more often (Dirichlet(0.7) popularity), like a
real "choose up to 5" 주민참여예산 ballot; cumulative voters spread 10 points over their picks.
pabutools runs in a child process on the same election written as a Pabulib file (parsing not
timed), with the same utilities, add1 step, completion and tie-breaking, and is stopped after
``--cap`` seconds; once it misses the cap for a case at 10k ballots, the 100k case is skipped.
Where both finish, the funded sets are compared (``same``).

    .venv/bin/python bench/participation/tally.py [--sizes 10000 100000] [--cap 60]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from dasan.participation.pabulib import dump_pb, load_pb  # noqa: E402
from dasan.participation.tally import (  # noqa: E402
    Ballot,
    Election,
    MesData,
    Project,
    add1_step,
    mes_run,
    tally,
    tie_key,
)

CASES = [
    ("approval_k", "greedy"),
    ("approval_k", "equal_shares"),
    ("approval_k", "mes_single"),
    ("cumulative", "greedy"),
    ("cumulative", "equal_shares"),
    ("cumulative", "mes_single"),
]


def make_election(n: int, kind: str, seed: int = 2026, m: int = 50) -> Election:
    rng = np.random.default_rng(seed)
    costs = (rng.integers(1, 31, size=m) * 10_000_000).tolist()
    projects = tuple(Project(str(i + 1), f"사업 {i + 1}", int(c)) for i, c in enumerate(costs))
    popularity = rng.dirichlet(np.full(m, 0.7))
    sizes = rng.integers(1, 6, size=n)
    ballots = []
    for v in range(n):
        picks = rng.choice(m, size=sizes[v], replace=False, p=popularity)
        if kind == "cumulative":
            points = rng.multinomial(10, np.full(len(picks), 1 / len(picks)))
            choices = {str(p + 1): int(x) for p, x in zip(picks, points, strict=True) if x}
        else:
            choices = {str(p + 1): 1 for p in picks}
        ballots.append(Ballot(f"v{v}", choices))
    return Election(
        "bench",
        1_000_000_000,
        kind,
        "greedy",
        projects,
        tuple(ballots),
        max_choices=5 if kind == "approval_k" else None,
        max_points=10 if kind == "cumulative" else None,
    )


def ours(el: Election, rule: str) -> tuple[float, list[str], str]:
    start = time.perf_counter()
    if rule == "mes_single":
        data = MesData(el)
        from fractions import Fraction

        run = mes_run(data, Fraction(el.budget, len(el.ballots)))
        funded, note = [data.projects[p].id for p in run.funded], f"{len(data.mult):,} distinct ballots"
    else:
        outcome = tally(Election(el.name, el.budget, el.kind, rule, el.projects, el.ballots))
        funded = list(outcome.funded)
        note = f"{outcome.add1_steps} add1 raises" if rule == "equal_shares" else ""
    return time.perf_counter() - start, sorted(funded, key=tie_key), note


def child(path: str, rule: str) -> None:
    """Run pabutools on a Pabulib file and print {"seconds", "funded"} as JSON."""
    from pabutools.election import Additive_Cardinal_Sat, Cost_Sat
    from pabutools.election.pabulib import parse_pabulib
    from pabutools.election.satisfaction import AdditiveSatisfaction
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    def points_times_cost(instance, profile, ballot, project, precomputed):
        return ballot.get(project, 0) * project.cost

    class PointsTimesCost(AdditiveSatisfaction):
        def __init__(self, instance, profile, ballot):
            super().__init__(instance, profile, ballot, points_times_cost)

    by_id = TieBreakingRule(lambda instance, profile, project: tie_key(project.name))
    instance, profile = parse_pabulib(path)
    cumulative = instance.meta["vote_type"] == "cumulative"
    mes_sat, greedy_sat = (Additive_Cardinal_Sat, PointsTimesCost) if cumulative else (Cost_Sat, Cost_Sat)
    start = time.perf_counter()
    if rule == "greedy":
        funded = greedy_utilitarian_welfare(instance, profile, sat_class=greedy_sat, tie_breaking=by_id)
    else:
        step = add1_step(int(instance.budget_limit), profile.num_ballots()) if rule == "equal_shares" else None
        funded = method_of_equal_shares(
            instance, profile, sat_class=mes_sat, tie_breaking=by_id, voter_budget_increment=step
        )
        if rule == "equal_shares":
            funded = greedy_utilitarian_welfare(
                instance, profile, sat_class=greedy_sat, tie_breaking=by_id, initial_budget_allocation=funded
            )
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "funded": sorted((p.name for p in funded), key=tie_key)}))


def theirs(path: str, rule: str, cap: float) -> dict | None:
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", path, rule], capture_output=True, text=True, timeout=cap + 30
        )
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result if result["seconds"] <= cap else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--cap", type=float, default=60.0, help="seconds before pabutools is given up")
    parser.add_argument("--ours-only", action="store_true", help="do not run pabutools")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'ballots':>8} {'kind':<11} {'rule':<13} {'ours s':>8} {'pabutools s':>12} {'same':>5}  note")
    missed: set[tuple[str, str]] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            for kind in ("approval_k", "cumulative"):
                el = make_election(n, kind)
                path = os.path.join(tmp, f"{kind}-{n}.pb")
                Path(path).write_text(dump_pb(el), encoding="utf-8")
                assert load_pb(Path(path).read_text(encoding="utf-8")).ballots == el.ballots
                for case_kind, rule in CASES:
                    if case_kind != kind:
                        continue
                    seconds, funded, note = ours(el, rule)
                    if args.ours_only:
                        other, same = "-", "-"
                    elif (kind, rule) in missed:
                        other, same = "skipped", "-"
                    else:
                        result = theirs(path, rule, args.cap)
                        if result is None:
                            missed.add((kind, rule))
                            other, same = f">{args.cap:.0f}", "-"
                        else:
                            other, same = f"{result['seconds']:.2f}", "yes" if result["funded"] == funded else "NO"
                    print(f"{n:>8,} {kind:<11} {rule:<13} {seconds:>8.2f} {other:>12} {same:>5}  {note}", flush=True)


if __name__ == "__main__":
    main()
