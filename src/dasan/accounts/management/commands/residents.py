"""`dasan residents import FILE.csv`: replace the city's resident list (주민 명부) and reconcile
residency; see :mod:`dasan.accounts.roster`. Bad lines are listed by number and nothing is
imported while there are any, unless ``--skip-invalid``; ``--dry-run`` only checks the file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dasan.core.errors import DasanError
from dasan.core.progress import stage_bars

#: Bad lines printed (the report counts them all).
SHOWN = 200


class Command(BaseCommand):
    help = "Resident list (주민 명부): import a CSV (name,birth_date,phone,dong_code,dong_name; UTF-8 or CP949)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Replace the resident list with FILE.csv and reconcile residency.")
        imp.add_argument("path")
        imp.add_argument("--dry-run", action="store_true", help="check the file; change nothing")
        imp.add_argument("--skip-invalid", action="store_true", help="import the good lines even if some are bad")
        imp.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args, **opts):
        from dasan.accounts.roster import import_roster

        path = Path(opts["path"]).expanduser()
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            report = import_roster(
                path.read_bytes(),
                file_name=path.name,
                dry_run=opts["dry_run"],
                skip_invalid=opts["skip_invalid"],
                progress=None if opts["no_progress"] else stage_bars(),
            )
        except DasanError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(
            f"rows {report.rows}: kept {report.kept}, duplicates {report.duplicates}, refused {report.refused}, "
            f"행정동 {report.dongs}"
        )
        for problem in report.problems[:SHOWN]:
            self.stdout.write(f"  line {problem.line} [{problem.field}]: {problem.message}")
        if report.refused > SHOWN:
            self.stdout.write(f"  … {report.refused - SHOWN} more")
        if report.imported is not None:
            self.stdout.write(f"imported: confirmed {report.verified}, withdrawn {report.reverted}")
        elif opts["dry_run"]:
            self.stdout.write("dry run: nothing changed")
        else:
            raise CommandError("nothing imported: fix the lines above, or use --skip-invalid")
