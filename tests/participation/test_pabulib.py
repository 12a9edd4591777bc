"""Pabulib files: what we publish parses with pabutools' own parser (and pabutools' outcome on
it equals ours), reads back to the same election, real-world files read, broken files fail with
the line at fault; and ``dasan participation tally FILE.pb`` recounts a published file."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from pabutools.election.pabulib import parse_pabulib_from_string

from dasan.participation.pabulib import PabulibError, dump_pb, load_pb
from dasan.participation.tally import Ballot, Election, Project, tally

from .test_tally_crosscheck import pabutools_funded

PROJECTS = (
    Project("1", "놀이터; 그늘막", 50_000_000),
    Project("2", "작은 도서관", 30_000_000),
    Project("3", "벤치", 40_000_000),
)


def make(kind="approval", rule="equal_shares", **extra):
    points = (lambda n: n) if kind == "cumulative" else (lambda n: 1)
    ballots = (
        [Ballot(f"v{i}", {"1": points(2), "2": points(1)}) for i in range(6)]
        + [Ballot(f"w{i}", {"3": points(3)}) for i in range(4)]
        + [Ballot("x", {"2": points(1)})]
    )
    return Election("2026 역삼1동", 100_000_000, kind, rule, PROJECTS, tuple(ballots), meta={"unit": "강남구"}, **extra)


@pytest.mark.parametrize(
    "kind, extra", [("approval", {}), ("approval_k", {"max_choices": 2}), ("cumulative", {"max_points": 5})]
)
@pytest.mark.parametrize("rule", ["greedy", "equal_shares"])
def test_published_file_round_trips_and_pabutools_reads_it_and_agrees(kind, rule, extra):
    el = make(kind, rule, **extra)
    outcome = tally(el)
    text = dump_pb(el, outcome)
    back = load_pb(text)
    assert (back.budget, back.kind, back.rule, back.projects, back.ballots) == (
        el.budget,
        el.kind,
        el.rule,
        el.projects,
        el.ballots,
    )
    assert (back.max_choices, back.max_points) == (el.max_choices, el.max_points)
    assert tally(back).funded == outcome.funded
    instance, profile = parse_pabulib_from_string(text)
    assert instance.budget_limit == el.budget and len(profile) == len(el.ballots)
    assert {p.name for p in instance} == {"1", "2", "3"}
    selected = {p.name for p in instance if instance.project_meta[p]["selected"] == "1"}
    assert selected == set(outcome.funded)
    assert pabutools_funded(back) == sorted(outcome.funded)


def test_meta_says_where_and_how():
    text = dump_pb(make("approval_k", "equal_shares", max_choices=2))
    meta = dict(line.split(";", 1) for line in text.split("PROJECTS")[0].splitlines()[2:])
    assert meta["country"] == "South Korea" and meta["unit"] == "강남구" and meta["currency"] == "KRW"
    assert (meta["budget"], meta["vote_type"], meta["rule"], meta["max_length"]) == (
        "100000000",
        "approval",
        "equalshares/add1",
        "2",
    )
    assert (meta["num_projects"], meta["num_votes"]) == ("3", "11")


# A real Pabulib file's shape (Poland, Warszawa 2023 style): extra columns, BOM, CRLF, categories.
REAL = (
    "\ufeffMETA\r\nkey;value\r\ndescription;District budget\r\ncountry;Poland\r\nunit;Warszawa\r\n"
    "instance;2023\r\nnum_projects;3\r\nnum_votes;4\r\nbudget;200000.00\r\nvote_type;approval\r\n"
    "rule;greedy\r\nmin_length;1\r\nmax_length;2\r\n"
    "PROJECTS\r\nproject_id;cost;votes;name;category;target;selected\r\n"
    "101;100000;3;Zieleń;environment,education;children;1\r\n"
    "102;150000;2;Ścieżka;transport;adults;0\r\n103;90000;1;Ławki;public space;seniors;1\r\n"
    "VOTES\r\nvoter_id;age;sex;voting_method;vote\r\n1;34;F;internet;101,102\r\n2;71;M;paper;101\r\n"
    "3;;F;internet;102,101\r\n4;22;M;internet;103\r\n"
)


def test_reads_a_real_world_file_with_extra_columns():
    el = load_pb(REAL)
    assert (el.budget, el.kind, el.max_choices, el.rule) == (200_000, "approval_k", 2, "greedy")
    assert [p.name for p in el.projects] == ["Zieleń", "Ścieżka", "Ławki"]
    assert el.ballots[2].choices == {"102": 1, "101": 1}
    assert tally(el).funded == ("101", "103")


def test_reads_a_minimal_hand_made_file_without_id_columns():
    # the shape of pabutools' own test files: lower-case sections, no project_id or voter_id
    text = "meta\nkey;value\nvote_type;approval\nbudget;100000\n\nprojects\nname;cost\np1;50000\np2;60000\n\nvotes\nvote\np1\np2\np2\n"
    el = load_pb(text)
    assert [(p.id, p.cost) for p in el.projects] == [("p1", 50_000), ("p2", 60_000)]
    assert [b.voter for b in el.ballots] == ["line 13", "line 14", "line 15"]
    assert tally(el).funded == ("p2",)


@pytest.mark.parametrize(
    "broken, line, message",
    [
        (REAL.replace("budget;200000.00", "budget;lots"), 9, "budget must be a positive whole number"),
        (REAL.replace("102;150000;2", "102;15x;2"), 17, "cost of project 102"),
        (REAL.replace("4;22;M;internet;103", "4;22;M;internet;109"), 24, "unknown project '109'"),
        (REAL.replace("2;71;M;paper;101", "2;71;paper;101"), 22, "expected 5 fields, found 4"),
        (REAL.replace("vote_type;approval", "vote_type;ordinal"), 1, "'ordinal' is not supported"),
        (
            REAL.replace("voter_id;age;sex;voting_method;vote", "voter_id;age;sex;voting_method;ballot"),
            20,
            "lacks vote",
        ),
        (REAL.replace("103;90000", "101;90000"), 18, "repeated"),
        (REAL.split("VOTES")[0], 18, "no VOTES section"),
        ("hello;world\n", 1, "META section first"),
    ],
)
def test_broken_files_name_the_line(broken, line, message):
    with pytest.raises(PabulibError, match=message) as info:
        load_pb(broken)
    assert info.value.line == line
    assert str(info.value).startswith(f"line {line}: ")


def test_cumulative_points_must_match_the_projects():
    text = dump_pb(make("cumulative", "greedy", max_points=5)).replace("1,2;2,1", "1,2;2", 1)
    with pytest.raises(PabulibError, match="one positive whole number per project"):
        load_pb(text)


def test_command_recounts_a_published_file(tmp_path, capsys):
    path = tmp_path / "vote.pb"
    path.write_text(dump_pb(make("approval", "greedy")), encoding="utf-8")
    call_command("participation", "tally", str(path))
    text = capsys.readouterr().out
    assert "FUNDED      1" in text and "not funded: it cost more than the budget left" in text
    call_command("participation", "tally", str(path), "--rule", "equal_shares", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["rule"] == "equal_shares"
    assert data["funded"] == list(tally(make("approval", "equal_shares")).funded)
    assert {p["id"]: p["reason"] for p in data["projects"]}["3"] == "funded_equal_shares"
    assert data["rounds"][0]["rho"]  # exact fraction as text


def test_command_refuses_a_missing_or_broken_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("participation", "tally", str(tmp_path / "none.pb"))
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;1\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 1: META has no 'vote_type'"):
        call_command("participation", "tally", str(bad))
