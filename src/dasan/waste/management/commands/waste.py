"""`dasan waste import-fees PATH`, `dasan waste export-fees [PATH]`: fee tables in the
national standard layout (전국대형폐기물수거수수료정보표준데이터); `dasan waste
import-streets PATH`: the road table that places an address in its 행정동."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dasan.core.errors import DasanError
from dasan.core.progress import stage_bars


class Command(BaseCommand):
    help = "Bulky waste: import or export fee tables in the national standard CSV layout."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-fees", help="Import a national-standard CSV (UTF-8 or CP949).")
        imp.add_argument("path")
        imp.add_argument("--effective-from", help="YYYY-MM-DD the table takes effect (default: 데이터기준일자)")
        imp.add_argument("--sigungu", default="", help="read only this 시군구's rows of a nationwide file")
        streets = sub.add_parser(
            "import-streets", help="Replace the road table (도로명,시작건물번호,끝건물번호,행정동코드)."
        )
        streets.add_argument("path")
        exp = sub.add_parser("export-fees", help="Export the table in force (or --effective-from) as CSV.")
        exp.add_argument("path", nargs="?", help="output file (default: stdout)")
        exp.add_argument("--effective-from", help="YYYY-MM-DD of the table to export")

    def handle(self, *args, **opts):
        return getattr(self, "do_" + opts["action"].replace("-", "_"))(opts)

    @staticmethod
    def _date(value):
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"not a date (YYYY-MM-DD): {value}") from None

    def do_import_fees(self, opts):
        from ...fees import import_fees

        path = Path(opts["path"]).expanduser()
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            report = import_fees(
                path.read_bytes(),
                effective_from=self._date(opts["effective_from"]),
                sigungu=opts["sigungu"],
                progress=stage_bars(),
            )
        except DasanError as exc:
            raise CommandError(str(exc.message)) from None
        table = report.table
        self.stdout.write(
            f"table {table.sigungu} from {table.effective_from} ({'new' if report.created_table else 'existing'})"
        )
        self.stdout.write(
            f"rows {report.total}: imported {report.imported}, updated {report.updated}, "
            f"unchanged {report.unchanged}, duplicates {report.duplicates}, rejected {len(report.rejected)}, "
            f"other places skipped {report.skipped}"
        )
        for rejected in report.rejected:
            self.stdout.write(f"  line {rejected.line}: {rejected.reason}")
        if report.unnamed:
            self.stdout.write(
                f"sizes without a name, named by fee order ({len(report.unnamed)}; name them in the admin):"
            )
        for unnamed in report.unnamed:
            self.stdout.write(f"  line {unnamed.line}: {unnamed.item} {unnamed.spec} needs a name")

    def do_import_streets(self, opts):
        from ...streets import import_streets

        path = Path(opts["path"]).expanduser()
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            report = import_streets(path.read_bytes())
        except DasanError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"road segments imported {report.imported}, rejected {len(report.rejected)}")
        for line, reason in report.rejected:
            self.stdout.write(f"  line {line}: {reason}")

    def do_export_fees(self, opts):
        from ...fees import export_fees
        from ...models import FeeTable
        from ...selectors import current_table

        day = self._date(opts["effective_from"])
        table = FeeTable.objects.filter(effective_from=day).first() if day else current_table()
        if table is None:
            raise CommandError("no fee table")
        text = export_fees(table)
        if opts["path"]:
            Path(opts["path"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {opts['path']}")
        else:
            sys.stdout.write(text)
