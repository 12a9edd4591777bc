"""불법주정차 신고: plate formats, two photos at least a minute apart by their EXIF
times, the reporter's consent and signature, and a content hash that shows any
later change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dasan.complaints import parking
from dasan.complaints.models import ParkingReport, Status
from dasan.core.errors import DasanError, PermissionDenied

from .test_photos import CITY_HALL, jpeg_bytes, upload


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _photos(gap: dt.timedelta = dt.timedelta(seconds=75), *, gps=None, first_at=None):
    first_at = first_at or timezone.now() - dt.timedelta(minutes=10)
    return [
        upload(jpeg_bytes(taken_at=first_at, gps=gps), name="first.jpg"),
        upload(jpeg_bytes(taken_at=first_at + gap, gps=gps, color=(40, 160, 40)), name="second.jpg"),
    ]


def _report(resident, **extra):
    values = dict(
        resident=resident,
        plate="12가 3456",
        place="데모시 중앙로 15 앞 횡단보도",
        latitude="37.566500",
        longitude="126.978000",
        photos=_photos(),
        signer_name="김주민",
        consent=True,
    )
    values.update(extra)
    return parking.file_parking_report(**values)


@pytest.mark.parametrize(
    "written, normal",
    [
        ("12가3456", "12가3456"),
        ("123가 4567", "123가4567"),
        ("서울12가3456", "서울12가3456"),
        ("서울 1 가 1234", "서울1가1234"),
        ("경기 80 바 1234", "경기80바1234"),  # commercial (영업용)
        ("45배1234", "45배1234"),  # parcel delivery
        ("101허-1234", "101허1234"),  # rental
        ("33호5678", "33호5678"),
    ],
)
def test_real_plate_formats_are_accepted(written, normal):
    assert parking.normalize_plate(written) == normal


@pytest.mark.parametrize(
    "written",
    [
        "",
        "1234",
        "12345678",
        "12A3456",
        "12가345",
        "1가3456",
        "1234가5678",
        "뉴욕12가3456",
        "12각3456",
        "12가0000",
        "00가1234",
        "서울123가4567",
        "12가3456가",
        "ABC-123",
    ],
)
def test_garbage_plates_are_refused(written):
    with pytest.raises(DasanError) as caught:
        parking.normalize_plate(written)
    assert caught.value.code == "plate_invalid"
    assert "12가3456" in str(caught.value.message)  # the message shows how to write one


@pytest.mark.django_db
def test_a_report_is_filed_signed_and_verifiable(city, categories, resident):
    complaint = _report(resident)
    assert complaint.category == categories["parking"]
    assert complaint.department == categories["parking"].department
    assert complaint.status == Status.RECEIVED
    assert complaint.title == "불법주정차 신고 12가3456"
    report = ParkingReport.objects.get(complaint=complaint)
    assert report.plate == "12가3456"
    assert report.signer_name == "김주민"
    assert report.consent_text == parking.consent_text("ko")
    assert "사실" in report.consent_text
    assert report.second_photo_at - report.first_photo_at == dt.timedelta(seconds=75)
    assert report.observed_at == report.first_photo_at
    assert len(report.content_hash) == 64
    assert parking.verify_parking_report(report)
    assert complaint.photos.count() == 2
    assert [p.taken_at for p in complaint.photos.order_by("position")] == [
        report.first_photo_at,
        report.second_photo_at,
    ]


@pytest.mark.django_db
def test_any_later_change_breaks_the_hash(categories, resident):
    complaint = _report(resident)
    report = complaint.parking
    ParkingReport.objects.filter(pk=report.pk).update(plate="12가3457")
    assert not parking.verify_parking_report(report)
    ParkingReport.objects.filter(pk=report.pk).update(plate="12가3456")
    assert parking.verify_parking_report(report)
    ParkingReport.objects.filter(pk=report.pk).update(signed_at=report.signed_at + dt.timedelta(seconds=1))
    assert not parking.verify_parking_report(report)


@pytest.mark.django_db
def test_a_replaced_photo_file_breaks_the_check(categories, resident):
    complaint = _report(resident)
    photo = complaint.photos.order_by("position").first()
    with open(photo.image.path, "wb") as handle:
        handle.write(jpeg_bytes(color=(0, 0, 0)))
    assert not parking.verify_parking_report(complaint.parking)


@pytest.mark.django_db
def test_photos_given_in_either_order_are_sorted_by_time(categories, resident):
    first, second = _photos(dt.timedelta(minutes=2))
    complaint = _report(resident, photos=[second, first])
    report = complaint.parking
    assert report.second_photo_at - report.first_photo_at == dt.timedelta(minutes=2)
    assert parking.verify_parking_report(report)


@pytest.mark.django_db
def test_photos_less_than_a_minute_apart_are_refused(categories, resident):
    with pytest.raises(DasanError) as caught:
        _report(resident, photos=_photos(dt.timedelta(seconds=59)))
    assert caught.value.code == "parking_photos_too_close"
    assert "1분" in str(caught.value.message)
    assert not ParkingReport.objects.exists()


@pytest.mark.django_db
def test_photos_without_a_capture_time_are_refused_with_an_explanation(categories, resident):
    with pytest.raises(DasanError) as caught:
        _report(resident, photos=[upload(jpeg_bytes()), upload(jpeg_bytes(color=(0, 200, 0)))])
    assert caught.value.code == "parking_photo_time_missing"
    assert "촬영 시각" in str(caught.value.message)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [0, 1, 3])
def test_exactly_two_photos(categories, resident, count):
    photos = (_photos() + _photos())[:count]
    with pytest.raises(DasanError) as caught:
        _report(resident, photos=photos)
    assert caught.value.code == "parking_two_photos"


@pytest.mark.django_db
def test_old_photos_are_refused(categories, resident):
    with pytest.raises(DasanError) as caught:
        _report(resident, photos=_photos(first_at=timezone.now() - dt.timedelta(days=10)))
    assert caught.value.code == "parking_photo_too_old"


@pytest.mark.django_db
def test_the_reporter_must_consent_and_sign(categories, resident):
    with pytest.raises(DasanError) as caught:
        _report(resident, consent=False)
    assert caught.value.code == "consent_required"
    with pytest.raises(DasanError) as caught:
        _report(resident, signer_name=" ")
    assert caught.value.code == "signer_name_required"


@pytest.mark.django_db
def test_only_signed_in_residents_report(categories):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        _report(AnonymousUser())


@pytest.mark.django_db
def test_location_may_come_from_the_photos(categories, resident):
    complaint = _report(resident, latitude=None, longitude=None, photos=_photos(gps=CITY_HALL))
    assert complaint.latitude is not None
    with pytest.raises(DasanError) as caught:
        _report(resident, latitude=None, longitude=None)
    assert caught.value.code == "location_required"


@pytest.mark.django_db
def test_no_parking_category_means_no_reports(categories, resident):
    categories["parking"].is_active = False
    categories["parking"].save()
    with pytest.raises(DasanError) as caught:
        _report(resident)
    assert caught.value.code == "parking_unavailable"
