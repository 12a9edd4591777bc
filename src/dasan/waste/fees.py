"""Fee tables in the national standard layout (전국대형폐기물수거수수료정보표준데이터).

The Ministry of the Interior and Safety publishes every city's bulky-waste fees on
data.go.kr in one column layout (시도명, 시군구명, 대형폐기물명, 대형폐기물구분명,
대형폐기물규격, 유무료여부, 수수료, 관리기관명, 데이터기준일자, 제공기관코드,
제공기관명, 대형폐기물특징). A city exports its table from its own system in that
layout; :func:`import_fees` reads it into the table in force from a date, reporting
each row imported, updated or rejected (with the reason), and :func:`export_fees`
writes a table back in the same layout.

Cities' own files are less tidy than the layout: 부산 동래구's leaves 대형폐기물규격 empty
where an item has several prices (소파 4,000 / 7,000 / 11,000 / 14,000원), pads values
with full-width spaces (U+3000) and repeats rows. Values are read with every kind of
space folded to one ASCII space; an item's rows without a 규격 become size variants named
by fee order ("규격 1 (4,000원)", "규격 2 (7,000원)", ...) flagged ``needs_name`` for staff
to name (a single such row is the item's only size, "모든 규격"); a row repeating an
item, size and fee is counted once as a duplicate, and the same item and size with
another fee is a conflict, rejected with both line numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from dasan.core import audit
from dasan.core.errors import DasanError
from dasan.waste.errors import Code

from .models import FeeTable, Item, Variant

COLUMNS = [
    "시도명",
    "시군구명",
    "대형폐기물명",
    "대형폐기물구분명",
    "대형폐기물규격",
    "유무료여부",
    "수수료",
    "관리기관명",
    "데이터기준일자",
    "제공기관코드",
    "제공기관명",
    "대형폐기물특징",
]
# Older files and the portal's description name some columns differently.
HEADER_ALIASES = {"대형폐기물구분": "대형폐기물구분명", "유료무료여부": "유무료여부", "수수료(원)": "수수료"}
REQUIRED = ["시도명", "시군구명", "대형폐기물명", "대형폐기물구분명", "대형폐기물규격", "유무료여부", "수수료"]
# 대형폐기물규격 is a required column but may be empty in a row (see the module docstring).
REQUIRED_VALUES = [c for c in REQUIRED if c != "대형폐기물규격"]
ONLY_SIZE = "모든 규격"  # the national files' name for an item's only size
MAX_FEE = 10_000_000
EXTRA = "_extra_values"


@dataclass
class Rejected:
    line: int
    reason: str
    values: dict
    other_line: int | None = None  # the earlier row it conflicts with


@dataclass
class Unnamed:
    """A variant imported from rows without a 규격, named by fee order for staff to rename."""

    line: int
    item: str
    spec: str
    fee: int


@dataclass
class ImportReport:
    """What an import did: counts, and each rejected row with its line number and reason."""

    table: FeeTable | None = None
    created_table: bool = False
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows of other 시군구 when importing one city out of the national file
    duplicates: int = 0  # rows repeating an item, size and fee seen earlier in the file
    rejected: list[Rejected] = field(default_factory=list)
    unnamed: list[Unnamed] = field(default_factory=list)  # imported or kept; each needs a name

    @property
    def total(self) -> int:
        return self.imported + self.updated + self.unchanged + self.duplicates + len(self.rejected)

    def summary(self) -> str:
        text = _("새 항목 %(imported)d, 변경 %(updated)d, 그대로 %(unchanged)d, 거부 %(rejected)d") % {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
        }
        if self.duplicates:
            text += " · " + _("중복 행 %(count)d") % {"count": self.duplicates}
        if self.unnamed:
            text += " · " + self.unnamed_note()
        return text

    def unnamed_note(self) -> str:
        return _(
            "규격이 비어 있는 행 %(count)d개를 수수료 순서로 이름 붙여 가져왔습니다. 관리 화면에서 규격 이름을 정해 주세요."
        ) % {"count": len(self.unnamed)}


def _decode(data: bytes) -> str:
    # data.go.kr files come in UTF-8 (often with a BOM) or in CP949.
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DasanError(Code.INVALID_FILE, _("파일의 글자 인코딩을 알 수 없습니다. UTF-8 또는 CP949로 저장해 주세요."))


def _parse_date(value: str) -> dt.date | None:
    value = (value or "").strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y.%m.%d", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _clean(value: str) -> str:
    """A value with every run of spaces (full-width U+3000 and no-break spaces included)
    folded to one ASCII space and none at either end."""
    return " ".join(value.split())


def _unnamed_spec(index: int, fee: int, free: bool) -> str:
    return f"규격 {index} ({'무료' if free else f'{fee:,}원'})"


def _parse_fee(value: str) -> int | None:
    text = (value or "").replace(",", "").replace("원", "").strip()
    if not text.isdigit():
        return None
    return int(text)


def read_rows(data: bytes | str) -> tuple[list[str], list[dict]]:
    """Header and rows (dicts keyed by the standard column names) of a CSV file."""
    header, numbered = _read(data)
    return header, [row for _line, row in numbered]


def _read(data: bytes | str) -> tuple[list[str], list[tuple[int, dict]]]:
    text = _decode(data) if isinstance(data, bytes) else data
    reader = csv.reader(io.StringIO(text))
    try:
        header = [HEADER_ALIASES.get(_clean(h), _clean(h)) for h in next(reader)]
    except StopIteration:
        raise DasanError(Code.INVALID_FILE, _("빈 파일입니다.")) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DasanError(Code.INVALID_FILE, _("필수 열이 없습니다: %(columns)s") % {"columns": ", ".join(missing)})
    rows = []
    for values in reader:
        values = [_clean(v) for v in values]
        if not any(values):
            continue
        row = {name: (values[i] if i < len(values) else "") for i, name in enumerate(header)}
        if any(values[len(header) :]):
            row[EXTRA] = "1"  # more values than columns: an unquoted comma shifted the row
        rows.append((reader.line_num, row))
    return header, rows


def import_fees(
    data: bytes | str,
    *,
    effective_from: dt.date | None = None,
    sigungu: str = "",
    actor=None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    """Read a national-standard CSV into the fee table in force from ``effective_from``
    (default: the file's 데이터기준일자), creating it if needed, and report each row.

    A row is rejected (with its reason) when a required value is missing, the fee is
    not a whole number of won, 유무료여부 is neither 유료 nor 무료, a free row has a fee
    or a paid row none, it names another 시군구 than the table, or it gives an item and
    size seen earlier in the file another fee (the reason names both lines); a row
    repeating an earlier one's item, size and fee is counted once, as a duplicate. Rows
    without a 규격 become variants named by fee order and flagged for staff to name
    (listed in ``report.unnamed``). With ``sigungu`` (e.g. "강릉시") only that city's rows
    of a nationwide file are read; the others are counted as skipped. Rows already in
    the table with another fee or description are updated; the rest are imported."""
    _header, numbered = _read(data)
    report = ImportReport()
    sigungu = _clean(sigungu or "")
    if sigungu:
        kept = [(line, row) for line, row in numbered if row.get("시군구명") == sigungu]
        report.skipped = len(numbered) - len(kept)
        numbered = kept
    if not numbered:
        raise DasanError(Code.INVALID_FILE, _("가져올 행이 없습니다."))
    first = next((r for _l, r in numbered if r.get("시군구명")), numbered[0][1])
    if effective_from is None:
        effective_from = _parse_date(first.get("데이터기준일자", ""))
        if effective_from is None:
            raise DasanError(Code.INVALID_FILE, _("시행일을 정해 주세요. 파일에 데이터기준일자가 없습니다."))
    with transaction.atomic():
        table, created = FeeTable.objects.select_for_update().get_or_create(
            effective_from=effective_from,
            defaults={
                "sido": first.get("시도명", ""),
                "sigungu": first.get("시군구명", ""),
                "agency": first.get("관리기관명", "")[:80],
                "provider_code": first.get("제공기관코드", "")[:20],
                "provider_name": first.get("제공기관명", "")[:80],
                "data_date": _parse_date(first.get("데이터기준일자", "")),
            },
        )
        report.table, report.created_table = table, created
        accepted = _check_rows(numbered, table, report, progress)
        _write_rows(accepted, table, report)
        audit.record(
            "waste.fees.import",
            actor=actor,
            target=table,
            data={
                "imported": report.imported,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "duplicates": report.duplicates,
                "rejected": len(report.rejected),
                "unnamed": len(report.unnamed),
            },
        )
    return report


@dataclass
class _Row:
    line: int
    name: str
    category: str
    spec: str  # "" when the file gave none
    fee: int
    free: bool
    description: str


def _check_rows(numbered, table: FeeTable, report: ImportReport, progress) -> list[_Row]:
    """The rows fit to import, in file order; the others rejected or counted as duplicates."""
    accepted: list[_Row] = []
    named: dict[tuple[str, str], _Row] = {}  # (item, 규격) -> its first row
    unnamed: dict[tuple[str, int, bool], _Row] = {}  # (item, fee, free) -> its first row without a 규격
    for index, (line, row) in enumerate(numbered):
        if progress and ((index + 1) % 50 == 0 or index + 1 == len(numbered)):
            progress("수수료 가져오기", index + 1, len(numbered))

        def reject(reason: str, other_line: int | None = None) -> None:
            report.rejected.append(Rejected(line, reason, row, other_line))  # noqa: B023 - called within this iteration

        if row.pop(EXTRA, None):
            reject(_("값이 열보다 많습니다. 쉼표가 든 값은 큰따옴표로 묶어 주세요."))
            continue
        empty = [c for c in REQUIRED_VALUES if not row.get(c)]
        if empty:
            reject(_("빈 값: %(columns)s") % {"columns": ", ".join(empty)})
            continue
        if row["시군구명"] != table.sigungu or row["시도명"] != table.sido:
            reject(_("다른 지역의 행입니다: %(place)s") % {"place": f"{row['시도명']} {row['시군구명']}"})
            continue
        fee = _parse_fee(row["수수료"])
        if fee is None:
            reject(_("수수료가 원 단위 정수가 아닙니다: %(value)s") % {"value": row["수수료"]})
            continue
        if fee > MAX_FEE:
            reject(_("수수료가 너무 큽니다: %(value)s") % {"value": row["수수료"]})
            continue
        paid = row["유무료여부"].replace(" ", "")
        if paid not in ("유료", "무료"):
            reject(_("유무료여부는 '유료' 또는 '무료'여야 합니다: %(value)s") % {"value": row["유무료여부"]})
            continue
        free = paid == "무료"
        if free and fee:
            reject(_("무료 항목에 수수료가 있습니다."))
            continue
        if not free and not fee:
            reject(_("유료 항목의 수수료가 0원입니다."))
            continue
        current = _Row(
            line=line,
            name=row["대형폐기물명"][:100],
            category=row["대형폐기물구분명"][:40],
            spec=row.get("대형폐기물규격", "")[:120],
            fee=fee,
            free=free,
            description=row.get("대형폐기물특징", "")[:300],
        )
        if not current.spec:
            if (current.name, fee, free) in unnamed:
                report.duplicates += 1
                continue
            unnamed[(current.name, fee, free)] = current
        elif (earlier := named.get((current.name, current.spec))) is not None:
            if (earlier.fee, earlier.free) == (fee, free):
                report.duplicates += 1
            else:
                reject(
                    _(
                        "같은 품목과 규격에 수수료가 다릅니다: %(name)s %(spec)s — "
                        "%(first_line)d번째 줄 %(first_fee)s원, %(line)d번째 줄 %(fee)s원"
                    )
                    % {
                        "name": current.name,
                        "spec": current.spec,
                        "first_line": earlier.line,
                        "first_fee": f"{earlier.fee:,}",
                        "line": line,
                        "fee": f"{fee:,}",
                    },
                    earlier.line,
                )
            continue
        else:
            named[(current.name, current.spec)] = current
        accepted.append(current)
    return accepted


def _write_rows(accepted: list[_Row], table: FeeTable, report: ImportReport) -> None:
    """Create or update the items and variants of the checked rows. An item's rows
    without a 규격 come after its named ones, cheapest first, named by that order."""
    by_item: dict[str, list[_Row]] = {}
    for row in accepted:
        by_item.setdefault(row.name, []).append(row)
    items = {item.name: item for item in table.items.all()}
    variants = {(v.item.name, v.spec): v for v in Variant.objects.filter(item__table=table).select_related("item")}
    for name, rows in by_item.items():
        item = items.get(name)
        for row in rows:
            if item is None:
                item = items[name] = Item.objects.create(
                    table=table, name=name, category=row.category, description=row.description
                )
            elif (item.category, item.description) != (row.category, row.description or item.description):
                item.category, item.description = row.category, row.description or item.description
                item.save(update_fields=["category", "description"])
        named = [row for row in rows if row.spec]
        without = sorted((row for row in rows if not row.spec), key=lambda r: (r.fee, r.line))
        if len(rows) == 1 and without:
            without[0].spec, without = ONLY_SIZE, []  # the item's only size
            named = rows
        written = {
            _write_variant(item, row.spec, row, position, variants, report).pk for position, row in enumerate(named)
        }
        existing = [v for (item_name, _spec), v in variants.items() if item_name == name and v.pk not in written]
        for index, row in enumerate(without, start=1):
            # Staff may have named an earlier import's variant: the same fee is the same size.
            same = next((v for v in existing if (v.fee, v.free) == (row.fee, row.free)), None)
            spec = same.spec if same is not None else _unnamed_spec(index, row.fee, row.free)
            variant = _write_variant(item, spec, row, len(named) + index - 1, variants, report, needs_name=True)
            if variant.needs_name:
                report.unnamed.append(Unnamed(row.line, name, variant.spec, row.fee))


def _write_variant(item, spec, row: _Row, position, variants, report: ImportReport, *, needs_name=False) -> Variant:
    variant = variants.get((item.name, spec))
    if variant is None:
        variant = variants[(item.name, spec)] = Variant.objects.create(
            item=item, spec=spec, fee=row.fee, free=row.free, position=position, needs_name=needs_name
        )
        report.imported += 1
    elif (variant.fee, variant.free) != (row.fee, row.free):
        variant.fee, variant.free = row.fee, row.free
        variant.save(update_fields=["fee", "free"])
        report.updated += 1
    else:
        report.unchanged += 1
    return variant


def export_fees(table: FeeTable) -> str:
    """The table as national-standard CSV text (UTF-8, the published column order).
    A variant still waiting for its name goes out with 규격 empty, as it came in."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    data_date = (table.data_date or table.effective_from).strftime("%Y-%m-%d")
    for variant in (
        Variant.objects.filter(item__table=table)
        .select_related("item")
        .order_by("item__category", "item__name", "position", "id")
    ):
        item = variant.item
        writer.writerow(
            [
                table.sido,
                table.sigungu,
                item.name,
                item.category,
                "" if variant.needs_name else variant.spec,  # as the city's file had it
                "무료" if variant.free else "유료",
                variant.fee,
                table.agency,
                data_date,
                table.provider_code,
                table.provider_name,
                item.description,
            ]
        )
    return out.getvalue()
