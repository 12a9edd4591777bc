"""Fee tables in the national standard layout: import report, export round trip, effective dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from dasan.core.errors import DasanError
from dasan.waste import selectors
from dasan.waste.demo import DEMO_FEES
from dasan.waste.fees import COLUMNS, export_fees, import_fees, read_rows
from dasan.waste.models import FeeTable, Variant

HEADER = ",".join(COLUMNS)
DONGNAE = Path(__file__).parent / "data" / "dongnae_fees.csv"  # CP949, as the 구 publishes it


def _row(name, spec, paid, fee, sigungu="데모시", kind="가구류"):
    return f"데모도,{sigungu},{name},{kind},{spec},{paid},{fee},데모시청,2026-01-01,9999999,데모도 데모시,설명"


def test_import_reports_imported_and_rejected_rows_with_reasons(db):
    text = "\n".join(
        [
            HEADER,
            _row("소파", "2인용", "유료", '"7,000"'),
            _row("소파", "3인용", "유료", "10000"),
            _row("유모차", "모든 규격", "무료", "0"),
            _row("소파", "4인용", "유료", "만원"),  # not a number
            _row("식탁", "4인용", "무료", "5000"),  # free with a fee
            _row("책상", "대형", "유료", "0"),  # paid without a fee
            _row("의자", "모든 규격", "반값", "1000"),  # neither 유료 nor 무료
            _row("소파", "2인용", "유료", "8000"),  # the same item and size with another fee
            _row("장롱", "1쪽", "유료", "9000", sigungu="다른시"),
            ",,,,,,,,,,,",  # blank line: skipped
            "데모도,데모시,,가구류,1인용,유료,3000,,,,,",  # no name
            _row("침대", "1인용", "유료", "12,000"),  # unquoted comma: one value too many
        ]
    )
    report = import_fees(text.encode("utf-8"), effective_from=dt.date(2026, 1, 1))
    assert (report.imported, report.updated, report.unchanged) == (3, 0, 0)
    reasons = {r.line: r.reason for r in report.rejected}
    assert sorted(reasons) == [5, 6, 7, 8, 9, 10, 12, 13]
    assert "정수" in reasons[5]
    assert "무료 항목" in reasons[6]
    assert "0원" in reasons[7]
    assert "유무료여부" in reasons[8]
    assert "수수료가 다릅니다" in reasons[9] and "2번째 줄 7,000원" in reasons[9] and "9번째 줄 8,000원" in reasons[9]
    assert next(r for r in report.rejected if r.line == 9).other_line == 2
    assert "다른시" in reasons[10]
    assert "대형폐기물명" in reasons[12]
    assert "큰따옴표" in reasons[13]
    assert Variant.objects.get(item__name="소파", spec="2인용").fee == 7000
    assert Variant.objects.get(item__name="유모차").free is True


def test_reimport_updates_changed_fees(db):
    first = "\n".join([HEADER, _row("소파", "2인용", "유료", "7000"), _row("소파", "3인용", "유료", "10000")])
    import_fees(first, effective_from=dt.date(2026, 1, 1))
    second = "\n".join(
        [
            HEADER,
            _row("소파", "2인용", "유료", "8000"),
            _row("소파", "3인용", "유료", "10000"),
            _row("소파", "1인용", "유료", "5000"),
        ]
    )
    report = import_fees(second.encode("cp949"), effective_from=dt.date(2026, 1, 1))
    assert (report.imported, report.updated, report.unchanged, len(report.rejected)) == (1, 1, 1, 0)
    assert Variant.objects.get(item__name="소파", spec="2인용").fee == 8000
    assert FeeTable.objects.count() == 1


def test_one_city_out_of_a_nationwide_file(db):
    text = "\n".join(
        [HEADER, _row("장롱", "1쪽", "유료", "9000", sigungu="다른시"), _row("소파", "2인용", "유료", "7000")]
    )
    report = import_fees(text, effective_from=dt.date(2026, 1, 1), sigungu="데모시")
    assert (report.imported, report.skipped, report.rejected) == (1, 1, [])
    assert report.table.sigungu == "데모시"


def test_a_file_without_the_standard_columns_is_refused(db):
    with pytest.raises(DasanError) as caught:
        import_fees("품목,가격\n소파,7000\n")
    assert caught.value.code == "invalid_file"
    assert "필수 열" in str(caught.value.message)


def test_export_round_trip_keeps_every_row(db):
    report = import_fees(DEMO_FEES.read_bytes())
    assert report.table.effective_from == dt.date(2026, 1, 1)  # the file's 데이터기준일자
    assert report.imported == 26 and not report.rejected
    exported = export_fees(report.table)
    header, rows = read_rows(exported)
    assert header == COLUMNS
    _h, original = read_rows(DEMO_FEES.read_bytes())
    key = lambda r: (r["대형폐기물명"], r["대형폐기물규격"], r["유무료여부"], r["수수료"], r["대형폐기물특징"])  # noqa: E731
    assert sorted(map(key, rows)) == sorted(map(key, original))
    again = import_fees(exported, effective_from=dt.date(2027, 1, 1))
    assert again.imported == 26 and export_fees(again.table).replace("2026-01-01", "X") == exported.replace(
        "2026-01-01", "X"
    )


def test_the_table_in_force_is_the_latest_started(db):
    import_fees("\n".join([HEADER, _row("소파", "2인용", "유료", "7000")]), effective_from=dt.date(2020, 1, 1))
    import_fees("\n".join([HEADER, _row("소파", "2인용", "유료", "9000")]), effective_from=dt.date(2099, 1, 1))
    assert selectors.current_table().effective_from == dt.date(2020, 1, 1)
    assert selectors.current_table(dt.date(2099, 1, 1)).effective_from == dt.date(2099, 1, 1)


def test_a_booking_keeps_its_quoted_fee_when_a_new_table_starts(book, variant, resident, open_day):
    booking = book(items={variant("소파", "2인용").pk: 2})
    assert booking.total_fee == 14000
    # A new table with dearer sofas takes effect today.
    text = "\n".join([HEADER, _row("소파", "2인용", "유료", "9000")])
    new = import_fees(text, effective_from=timezone.localdate())
    booking.refresh_from_db()
    assert booking.total_fee == 14000 and booking.lines.get().unit_fee == 7000
    assert selectors.order_for(booking).total_amount == 14000
    newer = book(items={Variant.objects.get(item__table=new.table, item__name="소파").pk: 2})
    assert newer.total_fee == 18000


def test_import_command_prints_the_report(db, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "fees.csv"
    path.write_text(
        "\n".join([HEADER, _row("소파", "2인용", "유료", "7000"), _row("소파", "2인용", "무료", "7000")]),
        encoding="utf-8",
    )
    out = StringIO()
    call_command("waste", "import-fees", str(path), stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "imported 1" in text and "rejected 1" in text and "line 3" in text


# --- a 구's own file (issue 15, item 13): sizes left empty, full-width spaces, repeated rows ---


def test_a_gu_file_with_empty_sizes_imports_them_named_by_fee_and_flagged(db):
    report = import_fees(DONGNAE.read_bytes())
    assert (report.imported, report.updated, report.unchanged, report.duplicates) == (11, 0, 0, 2)
    assert [r.line for r in report.rejected] == [10]  # 침대 2인용 again, 15,000원 instead of 12,000원
    assert report.total == 14
    table = report.table
    assert (table.sido, table.sigungu, table.effective_from) == ("부산광역시", "동래구", dt.date(2025, 6, 30))
    sofas = list(Variant.objects.filter(item__table=table, item__name="소파"))  # in their order
    assert [(v.spec, v.fee, v.needs_name) for v in sofas] == [
        ("규격 1 (4,000원)", 4000, True),
        ("규격 2 (7,000원)", 7000, True),
        ("규격 3 (11,000원)", 11000, True),
        ("규격 4 (14,000원)", 14000, True),
    ]
    fridges = Variant.objects.filter(item__table=table, item__name="냉장고")  # listed dearer first in the file
    assert [(v.spec, v.needs_name) for v in fridges] == [("규격 1 (5,000원)", True), ("규격 2 (10,000원)", True)]
    # An item's one row without a size is its only size, as the national files name it.
    only = {v.item.name: v for v in Variant.objects.filter(item__table=table, spec="모든 규격").select_related("item")}
    assert sorted(only) == ["식탁", "유모차", "전기 장판"] and not any(v.needs_name for v in only.values())
    assert only["유모차"].free and only["식탁"].fee == 6000
    # The report lists every variant staff must name, with the line it came from.
    assert [(u.item, u.spec, u.line) for u in report.unnamed] == [
        ("소파", "규격 1 (4,000원)", 2),
        ("소파", "규격 2 (7,000원)", 3),
        ("소파", "규격 3 (11,000원)", 4),
        ("소파", "규격 4 (14,000원)", 5),
        ("냉장고", "규격 1 (5,000원)", 12),
        ("냉장고", "규격 2 (10,000원)", 11),
    ]
    assert "규격이 비어 있는 행 6개" in report.summary() and "중복 행 2" in report.summary()


def test_full_width_spaces_are_folded_and_exact_repeats_are_duplicates(db):
    report = import_fees(DONGNAE.read_bytes())
    names = set(report.table.items.values_list("name", flat=True))
    assert "전기 장판" in names and not any("\u3000" in n for n in names)
    beds = Variant.objects.filter(item__table=report.table, item__name="침대")
    assert [(v.spec, v.fee) for v in beds] == [("1인용", 9000), ("2인용", 12000)]  # "1인용\u3000" is 1인용
    assert not Variant.objects.filter(spec__contains="\u3000").exists()
    assert not [r for r in report.rejected if r.line in (6, 7, 8)]  # the repeats are not rejected


def test_a_conflicting_repeat_is_rejected_with_both_lines(db):
    report = import_fees(DONGNAE.read_bytes())
    (conflict,) = report.rejected
    assert (conflict.line, conflict.other_line) == (10, 9)
    assert "침대 2인용" in conflict.reason and "9번째 줄 12,000원" in conflict.reason
    assert "10번째 줄 15,000원" in conflict.reason


def test_reimporting_keeps_names_staff_gave(db):
    first = import_fees(DONGNAE.read_bytes())
    sofa = Variant.objects.get(item__table=first.table, item__name="소파", fee=7000)
    sofa.spec, sofa.needs_name = "2인용", False
    sofa.save()
    again = import_fees(DONGNAE.read_bytes())
    assert (again.imported, again.updated, again.unchanged, again.duplicates) == (0, 0, 11, 2)
    assert [u.spec for u in again.unnamed if u.item == "소파"] == [
        "규격 1 (4,000원)",
        "규격 3 (11,000원)",
        "규격 4 (14,000원)",
    ]
    assert Variant.objects.filter(item__table=first.table, item__name="소파").count() == 4


def test_export_leaves_unnamed_sizes_empty_so_they_stay_flagged(db):
    report = import_fees(DONGNAE.read_bytes())
    exported = export_fees(report.table)
    _header, rows = read_rows(exported)
    assert sorted(int(r["수수료"]) for r in rows if r["대형폐기물명"] == "소파" and not r["대형폐기물규격"]) == [
        4000,
        7000,
        11000,
        14000,
    ]
    again = import_fees(exported, effective_from=dt.date(2026, 1, 1))
    assert again.imported == 11 and len(again.unnamed) == 6 and not again.rejected


def test_import_command_lists_the_sizes_to_name(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("waste", "import-fees", str(DONGNAE), stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "imported 11" in text and "duplicates 2" in text and "rejected 1" in text
    assert "line 10" in text and "needs a name" in text and "규격 3 (11,000원)" in text


def test_naming_a_flagged_size_in_the_admin_clears_the_flag(db):
    from django.forms import modelform_factory

    from dasan.waste.admin import VariantForm

    report = import_fees(DONGNAE.read_bytes())
    variant = Variant.objects.get(item__table=report.table, item__name="소파", fee=4000)
    form_class = modelform_factory(Variant, form=VariantForm, fields="__all__")
    data = {"item": variant.item_id, "spec": "1인용", "fee": 4000, "position": variant.position, "needs_name": "on"}
    form = form_class(data=data, instance=variant)
    assert form.is_valid(), form.errors
    form.save()
    variant.refresh_from_db()
    assert (variant.spec, variant.needs_name) == ("1인용", False)
