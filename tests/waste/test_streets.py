"""Addresses inside the city: once the road table is loaded, an address must be a
road-name address on one of the city's roads, in the district chosen."""

from __future__ import annotations

import pytest

from dasan.core.errors import DasanError
from dasan.waste import selectors, services, streets
from dasan.waste.models import Booking, District, Street

CSV = (
    "도로명,시작건물번호,끝건물번호,행정동코드\n"
    "중앙로,1,99,9999951000\n"
    "중앙로,100,299,9999952000\n"
    "시청길,,,9999951000\n"
    "중앙로12번길,,,9999951000\n"
    "없는동길,,,0000000000\n"
    "중앙로,300,200,9999951000\n"
    "중앙로,1,50,9999951000\n"
    "주소아님,,,9999951000\n"
)


@pytest.fixture
def roads(district):
    District.objects.create(code="9999952000", name="동부동", weekdays="0123456", daily_capacity=10)
    return streets.import_streets(CSV.encode("cp949"))


def test_import_reports_rejected_rows_with_their_line(roads):
    assert roads.imported == 4
    assert [line for line, _reason in roads.rejected] == [6, 7, 8, 9]
    reasons = dict(roads.rejected)
    assert "0000000000" in reasons[6] and "큽니다" in reasons[7] and "앞에 있습니다" in reasons[8]
    assert Street.objects.count() == 4


def test_import_refuses_a_file_without_the_columns(db):
    with pytest.raises(DasanError) as caught:
        streets.import_streets(b"road,from,to\n")
    assert caught.value.code == "invalid_file" and "도로명" in str(caught.value.message)


@pytest.mark.parametrize(
    "address, expected",
    [
        ("중앙로 12, 101동 1203호", "중앙동"),
        ("데모시 중앙로 150", "동부동"),
        ("중앙로12번길 5-3", "중앙동"),
        ("시청길 7 (별관)", "중앙동"),
        ("중앙로 300", None),
        ("세종대로 110", None),
    ],
)
def test_an_address_is_placed_by_road_and_building_number(roads, address, expected):
    found = streets.resolve(address)
    assert (found.name if found else None) == expected


@pytest.mark.parametrize(
    "address, code",
    [
        ("세종대로 110", "outside_city"),
        ("중앙로 300", "outside_city"),
        ("우리 집 앞", "address_unrecognised"),
        ("중앙로 150", "wrong_district"),
    ],
)
def test_booking_refuses_addresses_outside_the_city_or_its_district(roads, book, address, code):
    with pytest.raises(DasanError) as caught:
        book(address=address)
    assert caught.value.code == code
    if code == "wrong_district":
        assert (
            "동부동" in str(caught.value.message)
            and caught.value.details["district"] == District.objects.get(name="동부동").pk
        )
    assert not Booking.objects.exists()


def test_booking_on_a_known_road_of_the_district_goes_through(roads, book):
    assert book(address="중앙로 12, 101동 1203호").district.name == "중앙동"


def test_without_a_road_table_the_district_list_is_the_check(book):
    assert book(address="아무 주소").pk


def test_changing_the_address_is_checked_too(roads, book, staff, resident):
    from dasan.payments import services as payments

    booking = book()
    payments.mark_paid_at_office(selectors.order_for(booking), actor=staff)
    with pytest.raises(DasanError) as caught:
        services.change_booking(booking, address="세종대로 110", actor=resident)
    assert caught.value.code == "outside_city"
    assert services.change_booking(booking, address="시청길 3", actor=resident).address == "시청길 3"


def test_cli_imports_the_road_table(roads, tmp_path):
    import io

    from django.core.management import call_command

    path = tmp_path / "roads.csv"
    path.write_text("도로명,시작건물번호,끝건물번호,행정동코드\n북문로,,,9999951000\n", encoding="utf-8")
    out = io.StringIO()
    call_command("waste", "import-streets", str(path), stdout=out)
    assert "imported 1, rejected 0" in out.getvalue()
    assert list(Street.objects.values_list("name", flat=True)) == ["북문로"]
