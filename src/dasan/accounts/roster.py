"""주민 명부 (the resident list): importing the city's list of residents, and what follows.

The city extracts its residents from the 주민등록 system as a CSV with the columns ``name``,
``birth_date`` (``YYYY-MM-DD`` or ``YYYYMMDD``), ``phone``, ``dong_code``, ``dong_name``
(Korean headers 성명/이름, 생년월일, 휴대전화, 행정동코드, 행정동명 work too), in UTF-8 or CP949
(what Excel saves in Korea). :func:`import_roster`:

1. reads every line and reports each bad one by its line number (an unreadable date, a number
   that is not a mobile number, a 행정동 code with two names, the same person twice in two
   행정동); with any bad line nothing is imported, unless ``skip_invalid``;
2. keeps of each person only ``HMAC-SHA256(SECRET_KEY, phone|birth date)`` and their 행정동
   (:func:`dasan.accounts.selectors.roster_key`): never the name, never the number;
3. replaces the whole list (a snapshot, in one transaction) and the city's 행정동 list;
4. reconciles residency (:mod:`dasan.accounts.residency`): waiting declarations that the new
   list confirms are confirmed (``method=roster``); roster confirmations that it no longer
   confirms go back to waiting with the reason. Staff confirmations (proof, visit) stand.

A list without one good row is refused: it would withdraw every roster confirmation.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dasan.accounts.errors import Code
from dasan.core import audit
from dasan.core.errors import Conflict, DasanError
from dasan.core.progress import Progress

from . import residency, selectors
from .models import Dong, Residency, ResidencyMethod, ResidencyStatus, RosterEntry, RosterImport
from .permissions import ROSTER_PERMISSION, require_holds

COLUMNS = {
    "name": ("name", "성명", "이름"),
    "birth_date": ("birth_date", "생년월일"),
    "phone": ("phone", "휴대전화", "휴대폰", "전화번호"),
    "dong_code": ("dong_code", "행정동코드", "행정동 코드"),
    "dong_name": ("dong_name", "행정동명", "행정동"),
}
REQUIRED = ("birth_date", "phone", "dong_code", "dong_name")
_CODE = re.compile(r"[0-9A-Za-z-]{1,20}")
#: How many bad lines a report lists (it counts them all).
MAX_PROBLEMS = 1000
BATCH = 2000


@dataclasses.dataclass
class Problem:
    line: int
    field: str
    message: str


@dataclasses.dataclass
class RosterReport:
    rows: int = 0
    kept: int = 0
    duplicates: int = 0
    refused: int = 0
    problems: list[Problem] = dataclasses.field(default_factory=list)
    imported: RosterImport | None = None
    verified: int = 0
    reverted: int = 0
    dongs: int = 0

    def refuse(self, line: int, field: str, message) -> None:
        self.refused += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(line, field, str(message)))


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DasanError(
        Code.ROSTER_INVALID, _("파일의 글자 인코딩을 알 수 없습니다. UTF-8 또는 CP949로 저장해 주세요."), field="file"
    )


def _header(row: list[str]) -> dict[str, int]:
    names = [cell.strip().lower() for cell in row]
    found = {}
    for column, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in names:
                found[column] = names.index(alias)
                break
    missing = [column for column in REQUIRED if column not in found]
    if missing:
        raise DasanError(
            Code.ROSTER_INVALID,
            _("첫 줄에 필요한 열 이름이 없습니다: %(columns)s") % {"columns": ", ".join(missing)},
            field="file",
        )
    return found


@dataclasses.dataclass
class _Parsed:
    entries: dict[str, tuple[str, str, int]]  # key -> (dong code, dong name, line)
    dongs: dict[str, str]


def _row(cells: list[str], columns: dict[str, int], line: int, report: RosterReport, today: date):
    def cell(name: str) -> str:
        index = columns[name]
        return cells[index].strip() if index < len(cells) else ""

    try:
        phone = selectors.normalize_phone(cell("phone"))
    except DasanError as error:
        return report.refuse(line, "phone", error.message)
    try:
        birth = residency.parse_birth_date(cell("birth_date"), today=today)
    except DasanError as error:
        return report.refuse(line, "birth_date", error.message)
    code, name = cell("dong_code"), " ".join(cell("dong_name").split())
    if not _CODE.fullmatch(code):
        return report.refuse(line, "dong_code", _("행정동 코드는 20자 이내의 숫자나 영문으로 적어 주세요."))
    if not name or len(name) > 40:
        return report.refuse(line, "dong_name", _("행정동 이름을 40자 이내로 적어 주세요."))
    return selectors.roster_key(phone, birth), code, name


def parse(data: bytes, *, today: date | None = None, progress: Progress | None = None):
    """Read a resident list: (:class:`_Parsed`, :class:`RosterReport`) with every bad line."""
    text = decode(data)
    today = today or timezone.localdate()
    total = max(1, text.count("\n"))
    reader = csv.reader(io.StringIO(text))
    report = RosterReport()
    first = next(reader, None)
    if first is None:
        raise DasanError(Code.ROSTER_INVALID, _("파일이 비어 있습니다."), field="file")
    columns = _header(first)
    parsed = _Parsed(entries={}, dongs={})
    for cells in reader:
        line = reader.line_num
        if progress and line % 5000 == 0:
            progress(gettext("명부 읽기"), min(line, total), total)
        if not any(cell.strip() for cell in cells):
            continue
        report.rows += 1
        row = _row(cells, columns, line, report, today)
        if row is not None:
            _keep(parsed, report, line, *row)
    if progress:
        progress(gettext("명부 읽기"), total, total)
    report.kept = len(parsed.entries)
    report.dongs = len(parsed.dongs)
    return parsed, report


def _keep(parsed: _Parsed, report: RosterReport, line: int, key: str, code: str, name: str) -> None:
    known = parsed.dongs.setdefault(code, name)
    if known != name:
        message = _("행정동 코드 %(code)s의 이름이 앞에서는 '%(known)s'입니다.") % {"code": code, "known": known}
        return report.refuse(line, "dong_name", message)
    earlier = parsed.entries.get(key)
    if earlier is None:
        parsed.entries[key] = (code, name, line)
    elif earlier[0] == code:
        report.duplicates += 1
    else:
        message = _("같은 휴대전화·생년월일이 %(line)d행에 다른 행정동으로 있습니다.") % {"line": earlier[2]}
        report.refuse(line, "dong_code", message)


def import_roster(
    data: bytes,
    *,
    actor=None,
    file_name: str = "",
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> RosterReport:
    """Check a resident list and, unless ``dry_run`` or it has bad lines (and not
    ``skip_invalid``), replace the city's list with it and reconcile residency. ``actor`` is
    the member of staff who uploaded it (they need ``accounts.add_rosterimport``), or None for
    the command line. ``report.imported`` is the new :class:`RosterImport`, or None."""
    if actor is not None:
        require_holds(actor, ROSTER_PERMISSION)
    parsed, report = parse(data, progress=progress)
    if dry_run or (report.refused and not skip_invalid):
        return report
    if not parsed.entries:
        raise DasanError(Code.ROSTER_HAS_ERRORS, _("반영할 수 있는 행이 하나도 없습니다."), field="file")
    with transaction.atomic():
        _replace(parsed, progress)
        record = RosterImport.objects.create(
            imported_by=actor, file_name=file_name[:200], rows=report.rows, kept=report.kept, refused=report.refused
        )
        report.verified, report.reverted = reconcile(progress=progress)
        record.verified, record.reverted = report.verified, report.reverted
        record.save(update_fields=["verified", "reverted"])
        audit.record(
            "residency.roster_imported",
            actor=actor,
            target=record,
            data={"rows": report.rows, "kept": report.kept, "refused": report.refused, "reverted": report.reverted},
        )
    report.imported = record
    return report


def _replace(parsed: _Parsed, progress: Progress | None) -> None:
    RosterEntry.objects.all().delete()
    items = list(parsed.entries.items())
    for start in range(0, len(items), BATCH):
        chunk = items[start : start + BATCH]
        RosterEntry.objects.bulk_create(
            [RosterEntry(key=key, dong_code=code, dong_name=name) for key, (code, name, _line) in chunk]
        )
        if progress:
            progress(gettext("명부 저장"), start + len(chunk), len(items))
    Dong.objects.all().delete()
    Dong.objects.bulk_create([Dong(code=code, name=name) for code, name in sorted(parsed.dongs.items())])


def reconcile(*, progress: Progress | None = None) -> tuple[int, int]:
    """Bring residency in line with the current list: (confirmed, withdrawn)."""
    candidates = Residency.objects.filter(
        Q(status=ResidencyStatus.DECLARED) | Q(status=ResidencyStatus.VERIFIED, method=ResidencyMethod.ROSTER)
    ).select_related("user")
    total = candidates.count()
    confirm, withdraw = [], []
    rows = list(candidates.order_by("pk"))
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        keys = {r.pk: selectors.roster_key(r.user.phone, r.birth_date) for r in chunk if r.user.phone}
        places = selectors.roster_places(keys.values())
        for r in chunk:
            place = places.get(keys.get(r.pk, ""))
            matches = place is not None and selectors.place_matches(*place, r.dong_code, r.dong_name)
            if r.status == ResidencyStatus.DECLARED and matches:
                confirm.append(r)
            elif r.status == ResidencyStatus.VERIFIED and not matches:
                withdraw.append(r)
        if progress:
            progress(gettext("거주 확인 대조"), start + len(chunk), total)
    confirmed = 0
    for r in confirm:
        try:
            residency.verify(r, actor=None, method=ResidencyMethod.ROSTER)
            confirmed += 1
        except Conflict:  # a clerk confirmed it meanwhile
            continue
    with translation.override(settings.LANGUAGE_CODE):
        reason = gettext("새 주민 명부에서 신고한 행정동 거주가 확인되지 않습니다(전출 또는 이사).")
    withdrawn = [r for r in withdraw if residency.withdraw_roster_confirmation(r, reason=reason)]
    return confirmed, len(withdrawn)
