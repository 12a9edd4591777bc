"""`dasan participation tally FILE.pb [--rule greedy|equal_shares] [--json]`: recount a
주민참여예산 vote from its published Pabulib file, and say for each project whether it is funded
and why; `dasan participation tally --process SLUG [--heading ID] [--write FILE.pb]`: the same
from the database (each heading of the process, or one), optionally writing the Pabulib file."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dasan.core.errors import DasanError

REASONS = {
    "funded_by_votes": "funded: next by votes and it fitted in the budget left",
    "over_remaining_budget": "not funded: it cost more than the budget left when its turn came",
    "funded_equal_shares": "funded by equal shares: its supporters paid for it",
    "funded_in_completion": "funded in completion: it fitted in the money equal shares left",
    "not_affordable_by_supporters": "not funded: its supporters' shares could not pay for it",
    "no_votes": "not funded: nobody voted for it",
}


class Command(BaseCommand):
    requires_system_checks = []  # recounting a file needs no URLs, models or database
    help = "주민참여예산: recount a vote (greedy or Method of Equal Shares) from a Pabulib file or the database."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        t = sub.add_parser("tally", help="Recount a vote and explain each project.")
        t.add_argument("path", nargs="?", help="a Pabulib .pb file")
        t.add_argument("--rule", choices=["greedy", "equal_shares"], help="recount under this rule instead")
        t.add_argument("--json", action="store_true", help="print the outcome as JSON")
        t.add_argument("--process", help="recount this process (its slug) from the database")
        t.add_argument("--heading", type=int, help="only this heading (its id)")
        t.add_argument("--write", help="also write the Pabulib file here (with --process and one heading)")

    def handle(self, *args, **opts):
        return getattr(self, "do_" + opts["action"])(opts)

    def do_tally(self, opts):
        from ... import tally

        elections = self._elections(opts)
        for election in elections:
            if opts["rule"]:
                election = dataclasses.replace(election, rule=opts["rule"])
            try:
                outcome = tally.tally(election)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            if opts["write"]:
                from ...pabulib import dump_pb

                Path(opts["write"]).expanduser().write_text(dump_pb(election, outcome), encoding="utf-8")
            self.stdout.write(as_json(outcome) if opts["json"] else as_text(election, outcome))

    def _elections(self, opts):
        if bool(opts["path"]) == bool(opts["process"]):
            raise CommandError("give either a .pb file or --process SLUG")
        if opts["path"]:
            from ...pabulib import load_pb

            path = Path(opts["path"]).expanduser()
            if not path.is_file():
                raise CommandError(f"no such file: {path}")
            try:
                return [load_pb(path.read_text(encoding="utf-8-sig"))]
            except (ValueError, UnicodeDecodeError) as exc:
                raise CommandError(f"{path}: {exc}") from None
        return self._from_database(opts)

    def _from_database(self, opts):  # pragma: no cover - needs the participation data
        from ... import selectors

        try:
            process = selectors.process(opts["process"])
        except DasanError:
            raise CommandError(f"no process {opts['process']!r}") from None
        headings = [h for h in process.headings.all() if opts["heading"] in (None, h.pk)]
        if not headings:
            raise CommandError(f"no heading {opts['heading']} in {process.slug}")
        if opts["write"] and len(headings) > 1:
            raise CommandError("--write needs --heading: one file per heading")
        return [selectors.election_for(h) for h in headings]


def as_text(election, outcome) -> str:
    lines = [
        f"{election.name}: budget {outcome.budget:,} won, {len(election.ballots):,} ballots, "
        f"{election.kind}, rule {outcome.rule}",
    ]
    if outcome.rule == "equal_shares":
        lines.append(
            f"equal shares with {outcome.utility} utilities; each voter's share {float(outcome.voter_share):,.2f} won "
            f"after {outcome.add1_steps} add1 raise(s) of {outcome.step:,} won, then greedy completion"
        )
    for r in outcome.rounds:
        lines.append(
            f"  round {r.number}: {r.project} bought by {r.payers:,} supporters "
            f"({r.paid_all:,} paying all they had left), at most {float(r.max_payment):,.2f} won each"
        )
    for p in sorted(outcome.projects, key=lambda r: (not r.funded, r.round or 10**9)):
        mark = "FUNDED " if p.funded else "-      "
        lines.append(
            f"{mark}{p.id:>6}  {p.cost:>15,} won  votes {p.votes:>7,}  score {p.score:>8,}  {p.name}\n"
            f"         {REASONS[p.reason]} ({_detail(p.detail)})"
        )
    lines.append(f"spent {outcome.spent:,} of {outcome.budget:,} won on {len(outcome.funded)} project(s)")
    return "\n".join(lines)


def _detail(detail) -> str:
    return ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in detail.items())


def as_json(outcome) -> str:
    def plain(value):
        if dataclasses.is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (int, str, bool)) or value is None:
            return value
        return str(value)  # Fraction: exact, e.g. "1/3"

    return json.dumps(plain(outcome), ensure_ascii=False, indent=2)
