"""Where an address lies: a road-name address (도로명주소, e.g. "중앙로 12" or
"중앙로12번길 5-3") is read for its road and building number, and the city's road
table (:class:`~dasan.waste.models.Street`) gives the 행정동.

The city loads the table from a CSV it extracts from the road-name address data it
already keeps (columns 도로명, 시작건물번호, 끝건물번호, 행정동코드; empty numbers
mean the whole road): ``dasan waste import-streets PATH``."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from dasan.core.errors import DasanError
from dasan.waste.errors import Code

from .models import District, Street

# A road name ends in 대로/로/길 and is followed by the building's main number
# (and maybe a sub-number): "중앙로 12", "중앙로12번길 5-3", "세종대로 110".
COLUMNS = ("도로명", "시작건물번호", "끝건물번호", "행정동코드")
_ROAD = re.compile(r"([가-힣A-Za-z0-9·]+(?:로|길))\s*(\d+)(?:-(\d+))?")


def parse(address: str) -> tuple[str, int] | None:
    """(road, building number) of a road-name address, or None when there is none."""
    match = _ROAD.search(str(address or ""))
    if not match:
        return None
    return match.group(1), int(match.group(2))


def loaded() -> bool:
    return Street.objects.exists()


def resolve(address: str) -> District | None:
    """The 행정동 of ``address`` by the road table; None when the road or number is not in it."""
    parsed = parse(address)
    if parsed is None:
        return None
    road, number = parsed
    for street in Street.objects.filter(name=road).select_related("district"):
        if street.first_number is None or street.first_number <= number <= street.last_number:
            return street.district
    return None


@dataclass
class StreetReport:
    imported: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def import_streets(data: bytes) -> StreetReport:
    """Replace the road table with the rows of a CSV (UTF-8 or CP949). Rows naming an
    unknown 행정동 code, or with numbers that are not whole or not in order, are
    rejected with their line; the rest replace the table in one transaction."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp949")
        except UnicodeDecodeError:
            raise DasanError(
                Code.INVALID_FILE, _("파일의 글자 인코딩을 알 수 없습니다. UTF-8 또는 CP949로 저장해 주세요.")
            ) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DasanError(Code.INVALID_FILE, _("필수 열이 없습니다: %(columns)s") % {"columns": ", ".join(missing)})
    report = StreetReport()
    districts = {d.code: d for d in District.objects.all()}
    rows = []
    for line, row in enumerate(reader, start=2):
        name = (row.get("도로명") or "").strip()
        code = (row.get("행정동코드") or "").strip()
        first, last = (row.get("시작건물번호") or "").strip(), (row.get("끝건물번호") or "").strip()
        if not name or not _ROAD.fullmatch(name + " 1"):
            report.rejected.append((line, _("도로명 형식이 아닙니다: %(value)s") % {"value": name or "-"}))
            continue
        if code not in districts:
            report.rejected.append((line, _("등록되지 않은 행정동코드입니다: %(value)s") % {"value": code or "-"}))
            continue
        if bool(first) != bool(last) or (first and not (first.isdigit() and last.isdigit())):
            report.rejected.append((line, _("시작·끝 건물번호는 둘 다 비우거나 둘 다 정수로 적어 주세요.")))
            continue
        if first and int(first) > int(last):
            report.rejected.append((line, _("시작 건물번호가 끝 건물번호보다 큽니다.")))
            continue
        rows.append(
            (
                line,
                Street(
                    name=name,
                    district=districts[code],
                    first_number=int(first) if first else None,
                    last_number=int(last) if last else None,
                ),
            )
        )
    seen = set()
    unique = []
    for line, street in rows:
        key = (street.name, street.first_number)
        if key in seen:
            report.rejected.append((line, _("같은 구간이 앞에 있습니다: %(street)s") % {"street": str(street)}))
            continue
        seen.add(key)
        unique.append(street)
    with transaction.atomic():
        Street.objects.all().delete()
        Street.objects.bulk_create(unique)
    report.imported = len(unique)
    report.rejected.sort()
    return report
