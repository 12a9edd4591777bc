"""Complaint photos: only real pictures are taken, their time and place are read,
and what is stored carries no metadata at all.

The photos here are real JPEGs written by Pillow with EXIF (camera, orientation,
DateTimeOriginal and a GPS IFD), as a phone would send them.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from dasan.complaints import intake, photos
from dasan.complaints.models import ComplaintPhoto
from dasan.core.errors import DasanError

SEOUL = dt.timezone(dt.timedelta(hours=9))
# 서울시청 앞: 37.5665 N, 126.9780 E
CITY_HALL = (Decimal("37.566500"), Decimal("126.978000"))


def _dms(value: Decimal):
    value = abs(float(value))
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 100)
    return (IFDRational(degrees), IFDRational(minutes), IFDRational(seconds, 100))


def jpeg_bytes(
    *,
    size=(640, 480),
    taken_at: dt.datetime | None = None,
    gps=None,
    orientation: int | None = None,
    fmt: str = "JPEG",
    color=(180, 40, 40),
) -> bytes:
    """A photo as a phone writes it: left half ``color``, right half blue, with EXIF."""
    image = Image.new("RGB", size, color)
    image.paste((20, 40, 200), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[0x010F] = "DasanTestCam"  # Make
    exif[0x0110] = "Model 7"  # Model
    if orientation:
        exif[0x0112] = orientation
    if taken_at is not None:
        exif.get_ifd(0x8769)[0x9003] = taken_at.astimezone(SEOUL).strftime("%Y:%m:%d %H:%M:%S")
    if gps is not None:
        lat, lng = gps
        ifd = exif.get_ifd(0x8825)
        ifd[1] = "N" if lat >= 0 else "S"
        ifd[2] = _dms(lat)
        ifd[3] = "E" if lng >= 0 else "W"
        ifd[4] = _dms(lng)
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def upload(data: bytes, name: str = "IMG_0001.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels in a few bytes (a decompression bomb's shape)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


# --- prepare() on its own -----------------------------------------------------------------------


def test_time_and_place_are_read_before_everything_is_stripped():
    taken = dt.datetime(2025, 10, 3, 14, 30, 5, tzinfo=SEOUL)
    prepared = photos.prepare(io.BytesIO(jpeg_bytes(taken_at=taken, gps=CITY_HALL)))
    assert prepared.taken_at == taken
    assert abs(prepared.latitude - CITY_HALL[0]) < Decimal("0.0001")
    assert abs(prepared.longitude - CITY_HALL[1]) < Decimal("0.0001")
    clean = Image.open(io.BytesIO(prepared.content))
    assert clean.format == "JPEG"
    assert len(clean.getexif()) == 0
    assert "exif" not in clean.info and "icc_profile" not in clean.info and "xmp" not in clean.info
    assert b"DasanTestCam" not in prepared.content and b"Exif" not in prepared.content


def test_southern_and_western_coordinates_keep_their_sign():
    prepared = photos.prepare(io.BytesIO(jpeg_bytes(gps=(Decimal("-33.8688"), Decimal("-70.6693")))))
    assert prepared.latitude < 0 and prepared.longitude < 0


def test_photo_is_turned_upright_and_resized(settings):
    settings.DASAN = {**settings.DASAN, "COMPLAINT_PHOTO_MAX_SIDE": 200}
    # Orientation 6: the camera was turned; the picture must be rotated 90° to stand up.
    prepared = photos.prepare(io.BytesIO(jpeg_bytes(size=(800, 400), orientation=6)))
    assert (prepared.width, prepared.height) == (100, 200)
    clean = Image.open(io.BytesIO(prepared.content)).convert("RGB")
    # The left (red) half of the sensor is now on top.
    top = clean.getpixel((50, 20))
    bottom = clean.getpixel((50, 180))
    assert top[0] > 120 and top[2] < 100
    assert bottom[2] > 120 and bottom[0] < 100


def test_png_with_transparency_becomes_a_white_backed_jpeg():
    image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    prepared = photos.prepare(io.BytesIO(buffer.getvalue()))
    pixel = Image.open(io.BytesIO(prepared.content)).convert("RGB").getpixel((25, 25))
    assert min(pixel) > 240


@pytest.mark.parametrize(
    "data",
    [b"", b"this is not a picture at all", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", jpeg_bytes()[:200]],
    ids=["empty", "text", "pdf", "truncated-jpeg"],
)
def test_things_that_are_not_photos_are_refused(data):
    with pytest.raises(DasanError) as caught:
        photos.prepare(io.BytesIO(data))
    assert caught.value.code == "photo_invalid"
    assert "사진" in str(caught.value.message)


def test_gif_is_not_an_accepted_format():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    with pytest.raises(DasanError) as caught:
        photos.prepare(io.BytesIO(buffer.getvalue()))
    assert caught.value.code == "photo_invalid"


def test_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(DasanError) as caught:
        photos.prepare(io.BytesIO(_png_header_only(30_000, 30_000)))
    assert caught.value.code == "photo_too_many_pixels"


def test_oversize_upload_is_refused(settings):
    settings.DASAN = {**settings.DASAN, "COMPLAINT_PHOTO_MAX_BYTES": 2000}
    with pytest.raises(DasanError) as caught:
        photos.prepare(upload(jpeg_bytes(size=(800, 600))))
    assert caught.value.code == "photo_too_large"
    assert caught.value.status == 413


# --- through file_complaint ---------------------------------------------------------------------


@pytest.mark.django_db
def test_filed_photo_is_stored_clean_and_lends_the_complaint_its_place(categories, resident):
    taken = dt.datetime(2025, 10, 3, 9, 15, tzinfo=SEOUL)
    complaint = intake.file_complaint(
        title="골목 쓰레기 무단투기",
        description="전봇대 아래에 쓰레기봉투가 쌓여 있습니다.",
        channel="web",
        category=categories["waste"],
        resident=resident,
        photos=[upload(jpeg_bytes(taken_at=taken, gps=CITY_HALL))],
    )
    assert abs(complaint.latitude - CITY_HALL[0]) < Decimal("0.0001")
    assert abs(complaint.longitude - CITY_HALL[1]) < Decimal("0.0001")
    photo = ComplaintPhoto.objects.get(complaint=complaint)
    assert photo.taken_at == taken
    assert photo.latitude is not None
    assert "IMG_0001" not in photo.image.name  # the uploader's file name is not kept
    with photo.image.open("rb") as handle:
        stored = handle.read()
    assert b"DasanTestCam" not in stored
    assert len(Image.open(io.BytesIO(stored)).getexif()) == 0
    import hashlib

    assert hashlib.sha256(stored).hexdigest() == photo.sha256


@pytest.mark.django_db
def test_location_given_by_the_resident_wins_over_the_photo(categories, resident):
    complaint = intake.file_complaint(
        title="도로가 파였어요",
        description="횡단보도 앞 도로가 크게 파였습니다.",
        channel="web",
        category=categories["pothole"],
        resident=resident,
        latitude="35.1796",
        longitude="129.0756",
        photos=[upload(jpeg_bytes(gps=CITY_HALL))],
    )
    assert complaint.latitude == Decimal("35.179600")


@pytest.mark.django_db
def test_a_photo_with_gps_satisfies_a_category_that_needs_a_location(categories, resident):
    with pytest.raises(DasanError) as caught:
        intake.file_complaint(
            title="도로가 파였어요",
            description="횡단보도 앞 도로가 크게 파였습니다.",
            channel="web",
            category=categories["pothole"],
            resident=resident,
            photos=[upload(jpeg_bytes())],
        )
    assert caught.value.code == "location_required"
    complaint = intake.file_complaint(
        title="도로가 파였어요",
        description="횡단보도 앞 도로가 크게 파였습니다.",
        channel="web",
        category=categories["pothole"],
        resident=resident,
        photos=[upload(jpeg_bytes(gps=CITY_HALL))],
    )
    assert complaint.latitude is not None


@pytest.mark.django_db
def test_too_many_photos_are_refused_and_nothing_is_filed(settings, categories, resident):
    settings.DASAN = {**settings.DASAN, "COMPLAINT_PHOTO_MAX_COUNT": 2}
    with pytest.raises(DasanError) as caught:
        intake.file_complaint(
            title="쓰레기",
            description="쓰레기가 많이 버려져 있어요.",
            channel="web",
            category=categories["waste"],
            resident=resident,
            latitude=37.5,
            longitude=127.0,
            photos=[upload(jpeg_bytes()) for _ in range(3)],
        )
    assert caught.value.code == "too_many_photos"
    assert "2장" in str(caught.value.message)
    assert not ComplaintPhoto.objects.exists()


@pytest.mark.django_db
def test_a_bad_photo_among_good_ones_files_nothing(categories, resident):
    from dasan.complaints.models import Complaint

    with pytest.raises(DasanError):
        intake.file_complaint(
            title="쓰레기",
            description="쓰레기가 많이 버려져 있어요.",
            channel="web",
            category=categories["waste"],
            resident=resident,
            latitude=37.5,
            longitude=127.0,
            photos=[upload(jpeg_bytes()), upload(b"MZ\x90\x00 not a photo", name="virus.jpg")],
        )
    assert not Complaint.objects.exists()
