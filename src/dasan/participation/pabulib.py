"""Pabulib files (.pb): the open format of participatory-budgeting data (pabulib.org; Faliszewski
et al., "Participatory Budgeting: Data, Tools, and Analysis", IJCAI 2023).

A file has three sections, each a line with its name and then ``;``-separated rows under a
header: ``META`` (key;value: description, country, unit, instance, num_projects, num_votes,
budget, vote_type, rule, min_length/max_length, max_sum_cost, max_sum_points…), ``PROJECTS``
(project_id;cost;votes;name;… and ``selected`` when the outcome is known) and ``VOTES``
(voter_id;vote and, for cumulative ballots, points; ``vote`` lists project ids separated by
commas). We publish every 주민참여예산 vote in this format so that anyone can recount it
(``dasan participation tally FILE.pb``) with our code, with pabutools or with their own.

How our ballot kinds map: ``approval`` (choose projects within the budget) is vote_type approval
with max_sum_cost = budget; ``approval_k`` (choose at most k) is approval with max_length = k
(``choose-1`` files read as approval_k with k = 1); ``cumulative`` is vote_type cumulative with
max_sum_points. Rule: ``greedy`` or ``equalshares/add1`` (Equal Shares, add1 then greedy
completion, see tally.py); reading, any rule naming equal shares means ours, anything else greedy.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from .tally import Ballot, Election, Outcome, Project, scores, tie_key

RULE_NAMES = {"greedy": "greedy", "equal_shares": "equalshares/add1"}


class PabulibError(ValueError):
    """A .pb file we cannot read; the message starts with the line number."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line


# --- writing --------------------------------------------------------------------------------------


def dump_pb(election: Election, outcome: Outcome | None = None) -> str:
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    votes, score = scores(election)
    cumulative = election.kind == "cumulative"
    w.writerow(["META"])
    w.writerow(["key", "value"])
    for key, value in _meta(election).items():
        w.writerow([key, value])
    w.writerow(["PROJECTS"])
    header = ["project_id", "cost", "votes"] + (["score"] if cumulative else []) + ["name"]
    w.writerow(header + (["selected"] if outcome else []))
    funded = set(outcome.funded) if outcome else set()
    for p in election.projects:
        row = [p.id, p.cost, votes[p.id]] + ([score[p.id]] if cumulative else []) + [p.name]
        w.writerow(row + ([int(p.id in funded)] if outcome else []))
    w.writerow(["VOTES"])
    w.writerow(["voter_id", "vote"] + (["points"] if cumulative else []))
    for b in election.ballots:
        ids = sorted(b.choices, key=tie_key)
        row = [b.voter, ",".join(ids)]
        w.writerow(row + ([",".join(str(b.choices[i]) for i in ids)] if cumulative else []))
    return out.getvalue()


def _meta(election: Election) -> dict[str, object]:
    own = dict(election.meta)
    meta: dict[str, object] = {
        "description": own.pop("description", election.name),
        "country": own.pop("country", "South Korea"),
        "unit": own.pop("unit", ""),
        "instance": own.pop("instance", election.name),
        "num_projects": len(election.projects),
        "num_votes": len(election.ballots),
        "budget": election.budget,
        "vote_type": "cumulative" if election.kind == "cumulative" else "approval",
        "rule": RULE_NAMES[election.rule],
        "currency": own.pop("currency", "KRW"),
    }
    if election.kind == "approval":
        meta["max_sum_cost"] = election.budget
    if election.kind == "approval_k" and election.max_choices:
        meta["max_length"] = election.max_choices
    if election.kind == "cumulative" and election.max_points:
        meta["max_sum_points"] = election.max_points
    for key in ("num_projects", "num_votes", "budget", "vote_type", "rule", "max_sum_cost"):
        own.pop(key, None)
    for key in ("max_length", "max_sum_points"):
        if key in meta:
            own.pop(key, None)
    meta.update(own)
    return meta


# --- reading --------------------------------------------------------------------------------------


def load_pb(text: str) -> Election:
    text = text.lstrip("\ufeff")
    sections: dict[str, tuple[int, list[str], list[tuple[int, list[str]]]]] = {}
    current = None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    try:
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            name = row[0].strip().lower()
            if len(row) == 1 and name in ("meta", "projects", "votes"):
                if name in sections:
                    raise PabulibError(line, f"section {name.upper()} appears twice")
                current = name
                sections[name] = (line, [], [])
            elif current is None:
                raise PabulibError(line, "expected the META section first")
            elif not sections[current][1]:
                sections[current][1].extend(c.strip() for c in row)
            else:
                sections[current][2].append((line, [c.strip() for c in row]))
    except csv.Error as exc:
        raise PabulibError(reader.line_num, f"not a valid ;-separated line ({exc})") from None
    for name in ("meta", "projects", "votes"):
        if name not in sections:
            raise PabulibError(reader.line_num or 1, f"the file has no {name.upper()} section")
    meta = _read_meta(sections["meta"])
    projects = _read_projects(sections["projects"])
    kind, max_choices, max_points = _kind(meta, len(projects), sections["meta"][0])
    ballots = _read_votes(sections["votes"], {p.id for p in projects}, kind == "cumulative")
    rule = "equal_shares" if "equalshares" in meta.get("rule", "").replace("_", "").lower() else "greedy"
    budget = _whole(meta.get("budget", ""), "budget", _meta_line(sections["meta"], "budget"))
    return Election(
        name=meta.get("instance") or meta.get("description", ""),
        budget=budget,
        kind=kind,
        rule=rule,
        projects=tuple(projects),
        ballots=tuple(ballots),
        max_choices=max_choices,
        max_points=max_points,
        meta=meta,
    )


def _whole(value: str, what: str, line: int) -> int:
    raw = value.replace(" ", "")
    try:
        number = Decimal(raw.replace(",", ".")) if raw else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != int(number) or number <= 0:
        raise PabulibError(line, f"{what} must be a positive whole number of won, not {value!r}")
    return int(number)


def _meta_line(section, key: str) -> int:
    for line, row in section[2]:
        if row and row[0] == key:
            return line
    return section[0]


def _read_meta(section) -> dict[str, str]:
    start, header, rows = section
    meta = {}
    for line, row in rows:
        if len(row) < 2:
            raise PabulibError(line, "a META line needs a key and a value separated by ';'")
        meta[row[0]] = row[1]
    for key in ("budget", "vote_type"):
        if key not in meta:
            raise PabulibError(start, f"META has no {key!r}")
    return meta


def _columns(section, needed: tuple[str, ...], what: str) -> dict[str, int]:
    start, header, _ = section
    cols = {name: i for i, name in enumerate(header)}
    missing = [n for n in needed if n not in cols]
    if missing:
        raise PabulibError(start + 1, f"the {what} header lacks {', '.join(missing)}")
    return cols


def _read_projects(section) -> list[Project]:
    cols = _columns(section, ("cost",), "PROJECTS")
    cols.setdefault("project_id", 0)  # some hand-made files name the id column otherwise
    projects, seen = [], set()
    for line, row in section[2]:
        if len(row) != len(section[1]):
            raise PabulibError(line, f"expected {len(section[1])} fields, found {len(row)}")
        pid = row[cols["project_id"]]
        if not pid or pid in seen:
            raise PabulibError(line, f"project id {pid!r} is empty or repeated")
        seen.add(pid)
        name = row[cols["name"]] if "name" in cols else pid
        projects.append(Project(pid, name, _whole(row[cols["cost"]], f"cost of project {pid}", line)))
    return projects


def _kind(meta, num_projects: int, line: int) -> tuple[str, int | None, int | None]:
    vote_type = meta["vote_type"].lower()
    try:
        if vote_type == "choose-1":
            return "approval_k", 1, None
        if vote_type == "approval":
            k = int(meta["max_length"]) if meta.get("max_length") else None
            return ("approval_k", k, None) if k and k < num_projects else ("approval", None, None)
        if vote_type == "cumulative":
            total = meta.get("max_sum_points")
            return "cumulative", None, int(total) if total else None
    except ValueError as exc:
        raise PabulibError(line, f"META limits are not whole numbers ({exc})") from None
    raise PabulibError(line, f"vote_type {vote_type!r} is not supported (approval, choose-1, cumulative)")


def _read_votes(section, ids: set[str], cumulative: bool) -> list[Ballot]:
    cols = _columns(section, ("vote",) + (("points",) if cumulative else ()), "VOTES")
    ballots = []
    for line, row in section[2]:
        if len(row) != len(section[1]):
            raise PabulibError(line, f"expected {len(section[1])} fields, found {len(row)}")
        chosen = [c.strip() for c in row[cols["vote"]].split(",") if c.strip()]
        unknown = [c for c in chosen if c not in ids]
        if unknown:
            raise PabulibError(line, f"vote names unknown project {unknown[0]!r}")
        if len(set(chosen)) != len(chosen):
            raise PabulibError(line, "vote names a project twice")
        points = [1] * len(chosen)
        if cumulative:
            raw = [c.strip() for c in row[cols["points"]].split(",") if c.strip()]
            if len(raw) != len(chosen) or not all(x.isdigit() and int(x) > 0 for x in raw):
                raise PabulibError(line, "points must be one positive whole number per project in vote")
            points = [int(x) for x in raw]
        voter = row[cols["voter_id"]] if "voter_id" in cols else f"line {line}"
        ballots.append(Ballot(voter, dict(zip(chosen, points, strict=True))))
    return ballots
