"""The tally of 주민참여예산: greedy and the Method of Equal Shares on hand-worked elections, each
ballot kind, ties, completion, the explanations a results page shows, and the grouped engine
against a voter-by-voter reference written straight from the paper's definition."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from dasan.participation.tally import (
    Ballot,
    Election,
    InvalidElection,
    Project,
    add1_step,
    tally,
    tie_key,
)


def election(rule, projects, ballots, *, budget=100, kind="approval"):
    return Election(
        name="test",
        budget=budget,
        kind=kind,
        rule=rule,
        projects=tuple(Project(pid, f"P{pid}", cost) for pid, cost in projects),
        ballots=tuple(Ballot(f"v{i}", choices) for i, choices in enumerate(ballots)),
    )


def by_id(outcome):
    return {p.id: p for p in outcome.projects}


# Ten voters, a budget of 100. Six like projects 1 and 2 (50 each), four like project 3 (50).
#
# Greedy: 1 and 2 have 6 votes, 3 has 4; 1 and 2 are funded and the money is gone.
#
# Equal Shares (cost utilities): each voter holds 100/10 = 10 won.
#   share 10: round 1: 1 and 2 tie at rho = (50/6)/50 = 1/6; the tie goes to the smaller id, 1.
#             Its 6 supporters pay 25/3 each and keep 5/3 — 10 won together, not enough for 2;
#             project 3's 4 supporters hold 40 < 50. Spent 50: not exhaustive (2 or 3 still fit).
#   add1 (step max(1, 100 // (100 × 10)) = 1 won): shares 11 and 12 give the same (3's
#             supporters hold 44, then 48); share 13: round 1 buys 1 (rho 1/6), round 2 buys 3
#             (its 4 supporters hold 52; each pays 12.5: rho = 12.5/50 = 1/4); 2 is out of reach
#             (its 6 supporters keep 13 − 25/3 = 14/3 each: 28 < 50). Spent 100: exhaustive, kept after 3 raises.
# So MES funds 1 and 3: the four-voter minority gets its project, as proportionality asks.
MINORITY = [({"1": 1, "2": 1})] * 6 + [{"3": 1}] * 4
COSTS = [("1", 50), ("2", 50), ("3", 50)]


def test_greedy_funds_the_majoritys_two_projects():
    outcome = tally(election("greedy", COSTS, MINORITY))
    assert outcome.funded == ("1", "2")
    assert outcome.spent == 100
    three = by_id(outcome)["3"]
    assert (three.reason, three.remaining_before, three.detail["shortfall"]) == ("over_remaining_budget", 0, 50)


def test_equal_shares_gives_the_minority_its_project_with_the_rounds_worked_by_hand():
    outcome = tally(election("equal_shares", COSTS, MINORITY))
    assert outcome.funded == ("1", "3")
    assert (outcome.voter_share, outcome.add1_steps, outcome.step, outcome.utility) == (13, 3, 1, "cost")
    first, second = outcome.rounds
    assert (first.project, first.rho, first.payers, first.paid_all, first.max_payment) == (
        "1",
        Fraction(1, 6),
        6,
        0,
        Fraction(25, 3),
    )
    assert (second.project, second.rho, second.payers, second.max_payment, second.remaining_before) == (
        "3",
        Fraction(1, 4),
        4,
        Fraction(25, 2),
        50,
    )
    results = by_id(outcome)
    assert results["3"].reason == "funded_equal_shares" and results["3"].round == 2
    assert results["3"].detail["max_payment"] == 13 and results["3"].detail["payers"] == 4
    two = results["2"]
    assert (two.funded, two.reason, two.detail["supporters_money"], two.detail["remaining_before"]) == (
        False,
        "not_affordable_by_supporters",
        28,
        0,
    )


def test_money_equal_shares_leaves_goes_to_greedy_completion():
    # 3 voters, 100 won: 1 (50) by a and b, 2 (50) by a and b, 3 (50) by c alone. Shares rise
    # until c could buy 3 (50 each) — but then 1, 2 and 3 together cost 150, so the run at 49⅓
    # is kept: it buys only 1; completion then funds 2 (more votes than 3).
    outcome = tally(election("equal_shares", COSTS, [{"1": 1, "2": 1}, {"1": 1, "2": 1}, {"3": 1}]))
    results = by_id(outcome)
    assert outcome.funded == ("1", "2")
    assert results["1"].reason == "funded_equal_shares"
    assert results["2"].reason == "funded_in_completion" and results["2"].remaining_before == 50
    assert results["3"].reason == "not_affordable_by_supporters" and results["3"].detail["supporters_money"] == 49
    assert outcome.voter_share == Fraction(148, 3)


@pytest.mark.parametrize("kind", ["approval", "cumulative"])
def test_an_empty_ballot_still_takes_its_share_and_add1_raises_it(kind):
    # 2 ballots, one empty: 50 won each. The supporter alone cannot pay 60, so add1 raises the
    # share by max(1, 100 // 200) = 1 won at a time; at 60 she can: 10 raises, bought in round 1.
    outcome = tally(election("equal_shares", [("1", 60)], [{"1": 2 if kind == "cumulative" else 1}, {}], kind=kind))
    assert outcome.funded == ("1",)
    assert (outcome.voter_share, outcome.add1_steps, outcome.step) == (60, 10, 1)
    assert outcome.projects[0].reason == "funded_equal_shares"
    assert outcome.rounds[0].max_payment == 60


def test_greedy_skips_what_does_not_fit_and_goes_on_down_the_list():
    ballots = [{"1": 1, "2": 1, "3": 1}] * 3 + [{"1": 1, "2": 1}] * 2 + [{"1": 1}]
    outcome = tally(election("greedy", [("1", 60), ("2", 50), ("3", 30)], ballots))
    results = by_id(outcome)
    assert outcome.funded == ("1", "3") and outcome.spent == 90
    assert [results[i].round for i in "123"] == [1, 2, 3]
    assert results["2"].reason == "over_remaining_budget" and results["2"].remaining_before == 40


def test_ties_go_to_the_smaller_id_numbers_compared_as_numbers():
    ballots = [{"10": 1, "9": 1}] * 2
    for rule in ("greedy", "equal_shares"):
        outcome = tally(election(rule, [("10", 60), ("9", 60)], ballots))
        assert outcome.funded == ("9",), rule
    assert sorted(["10", "9", "a", "2"], key=tie_key) == ["2", "9", "10", "a"]


def test_projects_nobody_chose_are_never_funded_even_with_money_left():
    outcome = tally(election("greedy", [("1", 10), ("2", 10)], [{"1": 1}]))
    assert outcome.funded == ("1",)
    assert by_id(outcome)["2"].reason == "no_votes"
    mes = tally(election("equal_shares", [("1", 10), ("2", 10)], [{"1": 1}]))
    assert mes.funded == ("1",) and by_id(mes)["2"].reason == "no_votes"


def test_no_ballots_at_all_funds_nothing():
    for rule in ("greedy", "equal_shares"):
        outcome = tally(election(rule, [("1", 10)], []))
        assert outcome.funded == () and outcome.projects[0].reason == "no_votes"


def test_cumulative_points_are_the_scores_and_the_utilities():
    # Greedy ranks by points: 2 has 5 points from one voter, 1 has 4 from two voters.
    ballots = [{"1": 2}, {"1": 2}, {"2": 5}]
    greedy = tally(election("greedy", [("1", 60), ("2", 60)], ballots, kind="cumulative"))
    assert greedy.funded == ("2",)
    assert [(p.votes, p.score) for p in greedy.projects] == [(2, 4), (1, 5)]
    # Equal shares with points as utilities: a voter who gave 3 points pays 3 times as much as
    # one who gave 1, until her money runs out. 4 voters hold 25 each; 1 costs 40.
    ballots = [{"1": 3}, {"1": 1}, {"1": 1}, {"2": 1}]
    mes = tally(election("equal_shares", [("1", 40), ("2", 90)], ballots, kind="cumulative"))
    first = mes.rounds[0]
    # rho × (3 + 1 + 1) = 40 → rho = 8 won per point: 24, 8 and 8 won, all within 25.
    assert (first.project, first.rho, first.max_payment, first.payers, first.paid_all) == ("1", 8, 24, 3, 0)
    assert mes.utility == "points"


def test_approval_k_counts_like_approval():
    ballots = [{"1": 1, "2": 1}, {"2": 1}, {"3": 1}]
    el = election("greedy", [("1", 30), ("2", 30), ("3", 30)], ballots, kind="approval_k")
    assert tally(el).funded == ("2", "1", "3")  # in the order the money went
    assert [p.votes for p in tally(el).projects] == [1, 2, 1]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"kind": "ranked"}, "unknown ballot kind"),
        ({"rule": "borda"}, "unknown rule"),
        ({"budget": 0}, "budget"),
        ({"projects": (Project("1", "a", 0),)}, "cost"),
        ({"projects": (Project("1", "a", 5), Project("1", "b", 5))}, "twice"),
        ({"ballots": (Ballot("x", {"9": 1}),)}, "unknown project"),
        ({"ballots": (Ballot("x", {"1": 2}),)}, "invalid points"),
    ],
)
def test_elections_that_cannot_be_tallied_say_why(change, message):
    base = election("greedy", [("1", 5)], [{"1": 1}])
    fields = {f: getattr(base, f) for f in ("name", "budget", "kind", "rule", "projects", "ballots")} | change
    with pytest.raises(InvalidElection, match=message):
        tally(Election(**fields))


# --- the grouped engine against a voter-by-voter reference ----------------------------------------


def reference_mes(el, share):
    """MES straight from the definition: every voter separately, in Fractions."""
    cumulative = el.kind == "cumulative"
    money = [Fraction(share)] * len(el.ballots)
    costs = {p.id: p.cost for p in el.projects}
    util = [{pid: (pts if cumulative else costs[pid]) for pid, pts in b.choices.items()} for b in el.ballots]
    left, bought = {p.id for p in el.projects}, []
    while True:
        best = None
        for pid in sorted(left, key=tie_key):
            fans = sorted((i for i in range(len(money)) if pid in util[i]), key=lambda i: money[i] / util[i][pid])
            if sum(money[i] for i in fans) < costs[pid] or not fans:
                continue
            paid, total = Fraction(0), sum(util[i][pid] for i in fans)
            for i in fans:
                rho = (costs[pid] - paid) / total
                if rho * util[i][pid] <= money[i]:
                    break
                paid, total = paid + money[i], total - util[i][pid]
            if best is None or rho < best[0]:
                best = (rho, pid)
        if best is None:
            return bought
        rho, pid = best
        for i in range(len(money)):
            if pid in util[i]:
                money[i] -= min(money[i], rho * util[i][pid])
        bought.append((pid, rho))
        left.discard(pid)


def reference_add1(el):
    n = len(el.ballots)
    step, share = add1_step(el.budget, n), Fraction(el.budget, n)
    costs = {p.id: p.cost for p in el.projects}
    run = reference_mes(el, share)
    while True:
        spent = sum(costs[p] for p, _ in run)
        voted = {pid for b in el.ballots for pid in b.choices}
        if all(costs[p] > el.budget - spent for p in voted - {p for p, _ in run}):
            return run, share
        nxt = reference_mes(el, share + step)
        if sum(costs[p] for p, _ in nxt) > el.budget:
            return run, share
        run, share = nxt, share + step


@pytest.mark.parametrize("kind", ["approval", "cumulative"])
def test_grouped_ballots_give_exactly_the_voter_by_voter_rounds(kind):
    rng = random.Random(7)
    for _ in range(12):
        m = rng.randint(3, 7)
        # few distinct ballots, many copies: the grouped engine merges them, the reference does not
        kinds = [
            {str(p): (rng.randint(1, 3) if kind == "cumulative" else 1) for p in range(1, m + 1) if rng.random() < 0.4}
            or {"1": 1}
            for _ in range(4)
        ]
        ballots = [rng.choice(kinds) for _ in range(rng.randint(5, 40))]
        el = election(
            "equal_shares",
            [(str(p), rng.choice([20, 30, 50, 70])) for p in range(1, m + 1)],
            ballots,
            budget=150,
            kind=kind,
        )
        outcome = tally(el)
        run, share = reference_add1(el)
        assert [(r.project, r.rho) for r in outcome.rounds] == run
        assert outcome.voter_share == share
