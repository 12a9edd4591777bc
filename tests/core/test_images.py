"""Uploaded pictures keep only a clean copy: no place, no camera, no colour profile, and
nothing that is not a real picture of a sane size gets in (dasan.core.images)."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms

from dasan.core.errors import DasanError
from dasan.core.images import sanitise

LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_side": 1600}


def _png_with_transparency() -> bytes:
    image = Image.new("RGBA", (40, 20), (255, 0, 0, 255))
    image.paste((0, 0, 0, 0), (20, 0, 40, 20))  # the right half is transparent
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, format="PNG", icc_profile=profile)
    return out.getvalue()


def _jpeg_with_gps(size=(64, 48)) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (37.0, 33.0, 59.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (126.0, 58.0, 40.0),
    }
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes whose header claims a huge picture (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def _code(excinfo) -> str:
    return excinfo.value.code


def test_a_transparent_png_comes_back_as_a_jpeg_on_white_without_metadata():
    clean = sanitise(SimpleUploadedFile("sign.png", _png_with_transparency()), **LIMITS)
    result = Image.open(io.BytesIO(clean.content))
    assert result.format == "JPEG" and result.mode == "RGB"
    assert (clean.width, clean.height) == result.size == (40, 20)
    red, white = result.getpixel((5, 10)), result.getpixel((35, 10))
    assert red[0] > 200 and red[1] < 60
    assert min(white) > 240
    assert not result.getexif()
    assert "icc_profile" not in result.info and "exif" not in result.info


def test_a_phone_photo_loses_where_it_was_taken():
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the upload has it
    clean = sanitise(original, **LIMITS)
    result = Image.open(io.BytesIO(clean.content))
    assert not result.getexif()
    assert b"Exif" not in clean.content and b"PhoneMaker" not in clean.content


def test_a_large_photo_is_scaled_down():
    out = io.BytesIO()
    Image.new("RGB", (3200, 1200), (0, 0, 0)).save(out, format="JPEG")
    clean = sanitise(out.getvalue(), max_bytes=LIMITS["max_bytes"], max_side=1600)
    assert (clean.width, clean.height) == (1600, 600)


def test_a_text_file_is_not_a_picture():
    with pytest.raises(DasanError) as excinfo:
        sanitise(SimpleUploadedFile("photo.jpg", b"not a picture at all"), **LIMITS)
    assert _code(excinfo) == "photo_invalid"


def test_an_upload_over_the_limit_is_refused_with_the_field():
    upload = SimpleUploadedFile("big.jpg", _jpeg_with_gps())
    with pytest.raises(DasanError) as excinfo:
        sanitise(upload, max_bytes=100, max_side=1600, field="photo")
    assert _code(excinfo) == "photo_too_large"
    assert excinfo.value.status == 413
    assert excinfo.value.as_dict()["error"]["details"] == {"field": "photo"}


def test_a_picture_claiming_70_megapixels_is_refused_before_decoding():
    bomb = _png_claiming(10_000, 7_000)
    assert len(bomb) < 1000
    with pytest.raises(DasanError) as excinfo:
        sanitise(bomb, **LIMITS)
    assert _code(excinfo) == "photo_too_many_pixels"


def test_keep_original_hands_over_the_upload_as_it_came():
    clean = sanitise(_jpeg_with_gps(size=(2000, 1000)), keep_original=True, **LIMITS)
    assert clean.original is not None
    assert clean.original.size == (2000, 1000)
    assert clean.original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # what complaints read the place from
    assert (clean.width, clean.height) == (1600, 800)
    assert sanitise(_jpeg_with_gps(), **LIMITS).original is None
