"""The tally of 주민참여예산 (participatory budgeting): which projects a vote funds, and why.

Two rules, both written here from their published descriptions (no solver, no pabutools at
run time; pabutools is only used by the tests and the bench to cross-check us):

**Greedy (득표순).** Projects are ranked by score (approval: number of voters who chose them;
cumulative: total points), highest first; ties go to the smaller project id (ids that are whole
numbers compare as numbers, ``tie_key``). Walking down the list, a project is funded when its
cost fits in what is left of the budget, and skipped (``over_remaining_budget``) when it does not;
the walk goes on, so a cheaper project further down may still be funded.

**Method of Equal Shares** (Peters, Pierczyński, Skowron, "Proportional Participatory Budgeting
with Additive Utilities", NeurIPS 2021; equalshares.net). The budget is split equally among all
voters (empty ballots included). A project may only be paid for by its supporters. In each round,
for every project still in play, we look for the smallest price ``rho`` per unit of utility such
that, if each supporter pays ``min(money left, rho × utility)``, the cost is covered; the project
with the smallest ``rho`` is bought and its supporters pay. A project whose supporters together
have less money than its cost leaves the race (``not_affordable_by_supporters``). Utilities:

* approval ballots: **cost utilities** (a supporter's utility is the project's cost) — the model
  equalshares.net uses for participatory budgeting. Every supporter who still has the money pays
  the same amount ``rho × cost``, so ``rho`` reads as "each supporter pays this share of the cost
  per won", and cheap projects are not favoured merely for being cheap;
* cumulative ballots: **points as utilities** — a voter who gave 3 points to a project pays three
  times as much per point as one who gave 1, up to the money they have left.

MES on its own usually leaves money unspent, so Dasan completes it the way equalshares.net
recommends: **add1** — re-run MES with every voter's share raised step by step (by ``step`` won, 1%
of the first share, at least 1 won) and keep the last outcome that still fits in the real budget
(stop early when an outcome is exhaustive: no project with votes fits in the money left) — then
**greedy completion**: the money still left goes down the greedy list (``funded_in_completion``).
The step is coarser than equalshares.net's 1 currency unit because a 원 is tiny; see
docs/dev/participation-tally.md.

Arithmetic is exact: money is kept in integers of a common unit (1 won = ``scale`` units, the scale
grows so that every payment stays whole). Identical ballots are grouped, and voters whose money
left is the same (a "level") are handled together, so the cost of a round grows with the number of
different ballots, not with the number of voters. Ties in ``rho`` also go to the smaller id.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

KINDS = ("approval", "approval_k", "cumulative")
RULES = ("greedy", "equal_shares")
UTILITIES = {"approval": "cost", "approval_k": "cost", "cumulative": "points"}
MAX_ADD1_STEPS = 500  # a safety bound on add1 re-runs; real elections need tens


class InvalidElection(ValueError):
    """The election cannot be tallied (unknown kind, bad costs, ballots naming unknown projects…)."""


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    cost: int


@dataclass(frozen=True)
class Ballot:
    voter: str
    choices: Mapping[str, int]  # project id -> points (1 for approval)


@dataclass(frozen=True)
class Election:
    name: str
    budget: int
    kind: str  # "approval" (within budget), "approval_k" (at most max_choices), "cumulative"
    rule: str  # "greedy" | "equal_shares"
    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...]
    max_choices: int | None = None
    max_points: int | None = None
    meta: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProjectResult:
    id: str
    name: str
    votes: int
    score: int
    cost: int
    funded: bool
    reason: str
    round: int | None
    remaining_before: int | None
    detail: Mapping[str, object]


@dataclass(frozen=True)
class Round:
    """One purchase of MES: ``payers`` supporters paid, ``paid_all`` of them everything they had
    left; the others paid ``rho × utility`` each (approval: ``max_payment`` won, the same for all)."""

    number: int
    project: str
    rho: Fraction
    payers: int
    paid_all: int
    max_payment: Fraction
    cost: int
    remaining_before: int


@dataclass(frozen=True)
class Outcome:
    rule: str
    budget: int
    funded: tuple[str, ...]
    spent: int
    projects: tuple[ProjectResult, ...]
    rounds: tuple[Round, ...] = ()
    utility: str = ""  # MES: "cost" or "points"
    voter_share: Fraction | None = None  # MES: each voter's money in the run that was kept
    add1_steps: int = 0  # MES: how many times the share was raised
    step: int = 0  # MES: by how many won per voter each time


def tie_key(project_id: str) -> tuple:
    """Order used to break every tie: whole-number ids as numbers first, then other ids as text."""
    return (0, int(project_id), "") if project_id.isdigit() else (1, 0, project_id)


# --- validation and scores ------------------------------------------------------------------------


def validate(election: Election) -> None:
    if election.kind not in KINDS:
        raise InvalidElection(f"unknown ballot kind {election.kind!r} (expected one of {', '.join(KINDS)})")
    if election.rule not in RULES:
        raise InvalidElection(f"unknown rule {election.rule!r} (expected one of {', '.join(RULES)})")
    if not isinstance(election.budget, int) or election.budget <= 0:
        raise InvalidElection(f"the budget must be a positive whole number of won, not {election.budget!r}")
    ids = set()
    for project in election.projects:
        if project.id in ids:
            raise InvalidElection(f"project id {project.id!r} appears twice")
        if not isinstance(project.cost, int) or project.cost <= 0:
            raise InvalidElection(f"project {project.id!r}: the cost must be a positive whole number of won")
        ids.add(project.id)
    approval = election.kind != "cumulative"
    for ballot in election.ballots:
        for pid, points in ballot.choices.items():
            if pid not in ids:
                raise InvalidElection(f"ballot of {ballot.voter!r} names unknown project {pid!r}")
            if not isinstance(points, int) or points <= 0 or (approval and points != 1):
                raise InvalidElection(f"ballot of {ballot.voter!r}: invalid points {points!r} for project {pid!r}")


def scores(election: Election) -> tuple[dict[str, int], dict[str, int]]:
    """(votes, score) per project id: voters who chose it, and their total points."""
    votes = {p.id: 0 for p in election.projects}
    score = dict(votes)
    for ballot in election.ballots:
        for pid, points in ballot.choices.items():
            votes[pid] += 1
            score[pid] += points
    return votes, score


def tally(election: Election) -> Outcome:
    validate(election)
    if election.rule == "greedy":
        return _greedy(election)
    return _equal_shares(election)


# --- greedy ---------------------------------------------------------------------------------------


def greedy_order(election: Election, score: Mapping[str, int]) -> list[Project]:
    return sorted(election.projects, key=lambda p: (-score[p.id], tie_key(p.id)))


def _greedy(election: Election) -> Outcome:
    votes, score = scores(election)
    remaining = election.budget
    results = []
    for rank, p in enumerate(greedy_order(election, score), start=1):
        detail = {"rank": rank, "cost": p.cost, "remaining_before": remaining, "score": score[p.id]}
        if score[p.id] == 0:
            results.append(_result(p, votes, score, False, "no_votes", None, None, detail))
        elif p.cost <= remaining:
            results.append(_result(p, votes, score, True, "funded_by_votes", rank, remaining, detail))
            remaining -= p.cost
        else:
            detail["shortfall"] = p.cost - remaining
            results.append(_result(p, votes, score, False, "over_remaining_budget", rank, remaining, detail))
    return _outcome(election, results)


def _result(p, votes, score, funded, reason, rnd, remaining_before, detail) -> ProjectResult:
    return ProjectResult(
        id=p.id,
        name=p.name,
        votes=votes[p.id],
        score=score[p.id],
        cost=p.cost,
        funded=funded,
        reason=reason,
        round=rnd,
        remaining_before=remaining_before,
        detail=detail,
    )


def _outcome(election, results, **extra) -> Outcome:
    """``projects`` in the election's order; ``funded`` in the order the money went (the budget
    left before each purchase only shrinks)."""
    bought = sorted((r for r in results if r.funded), key=lambda r: -r.remaining_before)
    order = {p.id: i for i, p in enumerate(election.projects)}
    return Outcome(
        rule=election.rule,
        budget=election.budget,
        funded=tuple(r.id for r in bought),
        spent=sum(r.cost for r in bought),
        projects=tuple(sorted(results, key=lambda r: order[r.id])),
        **extra,
    )


# --- Method of Equal Shares -----------------------------------------------------------------------


class MesData:
    """The election prepared for MES: projects with votes (index order = tie order), identical
    ballots grouped (``mult``), and for each project the groups that support it with their utility.
    For approval ballots the engine's utility is 1 and ``scale_u[p]`` (the cost) turns the price per
    supporter into ``rho`` per unit of cost utility; for cumulative ballots utilities are points."""

    def __init__(self, election: Election):
        votes, _ = scores(election)
        ordered = sorted((p for p in election.projects if votes[p.id] > 0), key=lambda p: tie_key(p.id))
        self.projects = ordered
        index = {p.id: i for i, p in enumerate(ordered)}
        self.n = len(election.ballots)
        self.budget = election.budget
        cumulative = election.kind == "cumulative"
        self.scale_u = [1 if cumulative else p.cost for p in ordered]
        groups = Counter(frozenset(ballot.choices.items()) for ballot in election.ballots)
        self.mult = np.fromiter(groups.values(), dtype=np.int64, count=len(groups))
        per_project: list[tuple[list[int], list[int]]] = [([], []) for _ in ordered]
        umax = 1
        for g, key in enumerate(groups):
            for pid, pts in key:
                gs, us = per_project[index[pid]]
                gs.append(g)
                us.append(pts if cumulative else 1)
            if cumulative:
                umax = max([umax, *(pts for _, pts in key)])
        self.umax = umax
        self.lcm_u = math.lcm(*range(1, umax + 1)) if umax <= 64 else None
        self.groups = [np.array(gs, dtype=np.int64) for gs, _ in per_project]
        self.utils = [np.array(us, dtype=np.int64) for _, us in per_project]
        self.weights = [self.mult[gs] for gs in self.groups]


@dataclass
class MesRun:
    funded: list[int]
    rounds: list[tuple]  # (p, rho, payers, paid_all, max_payment) per round
    levels: _Levels  # everyone's money at the end

    def money_left(self, p: int) -> Fraction:
        """What the supporters of project ``p`` had left when the run ended."""
        return self.levels.money(p)


class _Levels:
    """Voters' money in exact integer units (1 won = ``scale`` units), by level: every group sits
    on one level, and voters on a level have the same money left."""

    def __init__(self, data: MesData, share_units: int, scale: int):
        self.data = data
        self.scale = scale
        self.values = [share_units]
        self.level = np.zeros(len(data.mult), dtype=np.int64)

    def entries(self, p: int):
        """The supporters of project ``p`` as (level, utility, count) rows, with ``inv`` mapping
        each supporting group to its row."""
        d = self.data
        width = d.umax + 1
        key = self.level[d.groups[p]] * width + d.utils[p]
        counts = np.bincount(key, weights=d.weights[p], minlength=len(self.values) * width)
        present = counts > 0
        row_of = np.cumsum(present) - 1  # key -> row number (bincount: no sort needed)
        uniq = np.flatnonzero(present)
        return (uniq // width).tolist(), (uniq % width).tolist(), counts[uniq].astype(np.int64).tolist(), row_of[key]

    def price(self, p: int, levels, utils, counts):
        """The smallest price that pays for ``p``, as ``(numerator, util_left, rows, poor)``: each
        supporter row from ``rows[poor]`` on pays ``numerator × u / util_left`` units, the rows
        before it (sorted by money per utility) pay all they have. None when the supporters'
        money together is short of the cost (they can never buy it: money only shrinks)."""
        values = self.values
        rows = [(values[lv], u, c) for lv, u, c in zip(levels, utils, counts, strict=True) if values[lv]]
        need = self.data.projects[p].cost * self.scale
        if sum([v * c for v, _, c in rows]) < need:
            return None
        lcm = self.data.lcm_u
        if self.data.umax == 1:
            rows.sort()  # every utility is 1: by money left
        elif lcm is None:
            rows.sort(key=lambda r: Fraction(r[0], r[1]))
        else:
            rows.sort(key=lambda r: r[0] * (lcm // r[1]))  # by money per point, exactly
        paid, util_left = 0, sum(u * c for _, u, c in rows)
        for poor, (v, u, c) in enumerate(rows):
            if (need - paid) * u <= v * util_left:
                return need - paid, util_left, rows, poor
            paid += v * c
            util_left -= u * c
        raise AssertionError("unreachable: the money suffices")  # pragma: no cover

    def pay(self, p, levels, utils, inv, numerator, util_left):
        """Charge ``p``'s supporters ``min(money, numerator × u / util_left)`` each, exactly: the
        unit shrinks by ``f`` so that every payment is whole; emptied levels are dropped."""
        f = util_left // math.gcd(numerator, util_left)
        numerator *= f
        values, base = self.values, len(self.values)
        fresh = [max(0, values[lv] * f - numerator * u // util_left) for lv, u in zip(levels, utils, strict=True)]
        self.level[self.data.groups[p]] = base + inv
        used = np.bincount(self.level, minlength=base + len(fresh)) > 0
        self.level = (np.cumsum(used) - 1)[self.level]
        self.values = [values[i] * f if i < base else fresh[i - base] for i in np.flatnonzero(used).tolist()]
        self.scale *= f

    def money(self, p) -> Fraction:
        levels, _, counts, _ = self.entries(p)
        return Fraction(sum(self.values[lv] * c for lv, c in zip(levels, counts, strict=True)), self.scale)


def mes_run(data: MesData, share: Fraction) -> MesRun:
    """One run of MES with every voter holding ``share`` won (exact)."""
    levels = _Levels(data, share.numerator, share.denominator)
    active = set(range(len(data.projects)))
    lower = {p: Fraction(0) for p in active}  # rho only grows from round to round
    funded, rounds = [], []
    while (best := _cheapest(data, levels, active, lower)) is not None:
        rho, p, lv, us, inv, numerator, util_left, rows, poor = best
        payers = sum(c for _, _, c in rows)
        paid_all = sum(c for _, _, c in rows[:poor])
        max_u = max(u for _, u, _ in rows[poor:])
        max_payment = Fraction(numerator * max_u, util_left * levels.scale)
        rounds.append((p, rho, payers, paid_all, max_payment))
        funded.append(p)
        active.discard(p)
        levels.pay(p, lv, us, inv, numerator, util_left)
    return MesRun(funded, rounds, levels)


def _cheapest(data: MesData, levels: _Levels, active: set[int], lower: dict[int, Fraction]):
    """The project with the smallest rho this round (ties: smaller id), or None. Projects are
    priced in order of their last rho, which can only have grown; we stop once that lower bound
    exceeds the best price found. Projects their supporters cannot pay for leave ``active``."""
    best = None
    for p in sorted(active, key=lambda q: (lower[q], q)):
        if best is not None and lower[p] > best[0]:
            break
        lv, us, cs, inv = levels.entries(p)
        found = levels.price(p, lv, us, cs)
        if found is None:
            active.discard(p)
            continue
        numerator, util_left, rows, poor = found
        rho = Fraction(numerator, util_left * levels.scale * data.scale_u[p])
        lower[p] = rho
        if best is None or rho < best[0] or (rho == best[0] and p < best[1]):
            best = (rho, p, lv, us, inv, numerator, util_left, rows, poor)
    return best


def add1_step(budget: int, voters: int) -> int:
    """How many won each voter's share rises per add1 step: 1% of the first share, at least 1."""
    return max(1, budget // (100 * max(voters, 1)))


def equal_shares_with_add1(data: MesData) -> tuple[MesRun, Fraction, int, int]:
    """add1: raise the share until an outcome is exhaustive (keep it) or over budget (keep the one
    before). Returns the run kept, its share, the number of raises and the step."""
    step = add1_step(data.budget, data.n)
    share = Fraction(data.budget, data.n)
    run = mes_run(data, share)
    steps = 0
    while steps < MAX_ADD1_STEPS and not _exhaustive(data, run.funded):
        nxt = mes_run(data, share + step)
        if sum(data.projects[p].cost for p in nxt.funded) > data.budget:
            break
        run, share, steps = nxt, share + step, steps + 1
    return run, share, steps, step


def _exhaustive(data: MesData, funded: list[int]) -> bool:
    left = data.budget - sum(data.projects[p].cost for p in funded)
    chosen = set(funded)
    return all(p.cost > left for i, p in enumerate(data.projects) if i not in chosen)


def _equal_shares(election: Election) -> Outcome:
    votes, score = scores(election)
    if not election.ballots:
        results = [_result(p, votes, score, False, "no_votes", None, None, {"cost": p.cost}) for p in election.projects]
        return _outcome(election, results, utility=UTILITIES[election.kind])
    data = MesData(election)
    run, share, steps, step = equal_shares_with_add1(data)
    rounds, by_id = _bought(data, run, share, votes, score)
    remaining = election.budget - sum(r.cost for r in rounds)
    for rank, proj in enumerate(greedy_order(election, score), start=1):
        if proj.id in by_id:
            continue
        if score[proj.id] == 0:
            by_id[proj.id] = _result(proj, votes, score, False, "no_votes", None, None, {"cost": proj.cost})
            continue
        detail = {
            "rank": rank,
            "cost": proj.cost,
            "remaining_before": remaining,
            "voter_share": math.floor(share),
            "supporters_money": math.floor(run.money_left(data.projects.index(proj))),
        }
        fits = proj.cost <= remaining
        reason = "funded_in_completion" if fits else "not_affordable_by_supporters"
        by_id[proj.id] = _result(proj, votes, score, fits, reason, None, remaining, detail)
        remaining -= proj.cost if fits else 0
    extra = {"utility": UTILITIES[election.kind], "voter_share": share, "add1_steps": steps, "step": step}
    return _outcome(election, list(by_id.values()), rounds=tuple(rounds), **extra)


def _bought(data: MesData, run: MesRun, share: Fraction, votes, score):
    """The rounds of the run kept, and the results of the projects they bought."""
    by_id: dict[str, ProjectResult] = {}
    rounds = []
    remaining = data.budget
    for number, (p, rho, payers, paid_all, max_payment) in enumerate(run.rounds, start=1):
        proj = data.projects[p]
        rounds.append(Round(number, proj.id, rho, payers, paid_all, max_payment, proj.cost, remaining))
        detail = {
            "rho": str(rho),
            "payers": payers,
            "paid_all": paid_all,
            "max_payment": math.ceil(max_payment),
            "cost": proj.cost,
            "voter_share": math.floor(share),
            "remaining_before": remaining,
        }
        by_id[proj.id] = _result(proj, votes, score, True, "funded_equal_shares", number, remaining, detail)
        remaining -= proj.cost
    return rounds, by_id
