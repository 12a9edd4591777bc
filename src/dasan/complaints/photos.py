"""민원 사진: check that an upload is a real picture, read where and when it was
taken, then keep only a clean copy.

Residents' phone photos carry EXIF: the camera model, often the exact place
(GPS) and time. We read the two things the complaint needs (the time it was
taken and its position) from the original, then store a re-encoded JPEG with no
metadata at all, turned upright, no larger than ``COMPLAINT_PHOTO_MAX_SIDE``.

The heavy work (decoding, resizing) happens in :func:`prepare`, outside any
database transaction; services store the prepared bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import warnings
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from dasan.complaints.errors import Code
from dasan.core.errors import DasanError

__all__ = ["PreparedPhoto", "prepare", "prepare_many", "read_exif", "MAX_PIXELS"]

#: Largest picture we decode (width × height). Phone cameras reach ~50 MP; a
#: "decompression bomb" claims far more in a small file to exhaust memory.
MAX_PIXELS = 60_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: the multi-picture JPEG some phones write
JPEG_QUALITY = 85

# EXIF tags (Exif 2.3, CIPA DC-008).
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME_ORIGINAL = 0x9003
_OFFSET_TIME_ORIGINAL = 0x9011
_DATETIME = 0x0132
_GPS_LAT_REF, _GPS_LAT, _GPS_LNG_REF, _GPS_LNG = 1, 2, 3, 4

SEOUL = ZoneInfo("Asia/Seoul")
_SIX_PLACES = Decimal("0.000001")


@dataclasses.dataclass(frozen=True)
class PreparedPhoto:
    """A validated, cleaned photo ready to store."""

    content: bytes  # JPEG without metadata
    width: int
    height: int
    sha256: str  # of ``content``
    taken_at: dt.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None


def _limits() -> tuple[int, int, int]:
    conf = settings.DASAN
    return (
        int(conf.get("COMPLAINT_PHOTO_MAX_BYTES", 10 * 1024 * 1024)),
        int(conf.get("COMPLAINT_PHOTO_MAX_COUNT", 5)),
        int(conf.get("COMPLAINT_PHOTO_MAX_SIDE", 1600)),
    )


def _read_bytes(upload, max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _too_big(max_bytes)
    if hasattr(upload, "seek"):
        try:
            upload.seek(0)
        except (OSError, ValueError):
            pass
    if hasattr(upload, "chunks"):
        data = bytearray()
        for chunk in upload.chunks():
            data.extend(chunk)
            if len(data) > max_bytes:
                raise _too_big(max_bytes)
        return bytes(data)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(max_bytes)
    return data


def _too_big(max_bytes: int) -> DasanError:
    megabytes = max(1, max_bytes // (1024 * 1024))
    return DasanError(
        Code.PHOTO_TOO_LARGE,
        _("사진 한 장은 %(mb)sMB 이하여야 합니다.") % {"mb": megabytes},
        status=413,
    )


def _not_an_image() -> DasanError:
    return DasanError(
        Code.PHOTO_INVALID, _("사진 파일이 아니거나 손상된 파일입니다. JPEG, PNG, WebP 사진을 올려 주세요.")
    )


def _open_checked(data: bytes) -> Image.Image:
    """Open ``data`` as an image we accept, refusing bombs before decoding pixels."""
    if not data:
        raise _not_an_image()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise _not_an_image()
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise _bomb()
            probe.verify()  # structure check; the object cannot be used afterwards
            image = Image.open(io.BytesIO(data))
            image.load()
    except DasanError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, EOFError) as exc:
        raise _not_an_image() from exc
    return image


def _bomb() -> DasanError:
    return DasanError(
        Code.PHOTO_TOO_MANY_PIXELS,
        _("사진의 해상도가 너무 큽니다(최대 %(mp)s백만 화소).") % {"mp": MAX_PIXELS // 1_000_000},
    )


def _rational(value) -> float:
    if isinstance(value, tuple) and len(value) == 2:  # (numerator, denominator)
        num, den = value
        return float(num) / float(den) if den else 0.0
    return float(value)


def _degrees(dms, ref) -> Decimal | None:
    try:
        parts = [_rational(v) for v in dms]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not parts:
        return None
    while len(parts) < 3:
        parts.append(0.0)
    value = parts[0] + parts[1] / 60 + parts[2] / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if str(ref).strip().upper() in ("S", "W"):
        value = -value
    return Decimal(str(value)).quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)


def _exif_time(raw, offset) -> dt.datetime | None:
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "ignore")
    if not raw or not isinstance(raw, str):
        return None
    raw = raw.strip().rstrip("\x00")
    try:
        naive = dt.datetime.strptime(raw[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    zone = SEOUL  # cameras write local time; ours are in Korea unless the photo says otherwise
    if isinstance(offset, bytes):
        offset = offset.decode("ascii", "ignore")
    if isinstance(offset, str) and len(offset.strip()) >= 6:
        try:
            sign = -1 if offset.strip()[0] == "-" else 1
            hours, minutes = offset.strip()[1:6].split(":")
            zone = dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))
        except ValueError:
            zone = SEOUL
    return naive.replace(tzinfo=zone)


def read_exif(image: Image.Image) -> tuple[dt.datetime | None, Decimal | None, Decimal | None]:
    """(taken_at, latitude, longitude) from ``image``'s EXIF, each None when absent or unreadable."""
    try:
        exif = image.getexif()
    except Exception:  # noqa: BLE001 - malformed EXIF must not reject a good photo
        return None, None, None
    taken_at = None
    try:
        sub = exif.get_ifd(_EXIF_IFD)
        taken_at = _exif_time(sub.get(_DATETIME_ORIGINAL), sub.get(_OFFSET_TIME_ORIGINAL))
    except Exception:  # noqa: BLE001
        taken_at = None
    if taken_at is None:
        taken_at = _exif_time(exif.get(_DATETIME), None)
    latitude = longitude = None
    try:
        gps = exif.get_ifd(_GPS_IFD)
        if gps and _GPS_LAT in gps and _GPS_LNG in gps:
            latitude = _degrees(gps[_GPS_LAT], gps.get(_GPS_LAT_REF, "N"))
            longitude = _degrees(gps[_GPS_LNG], gps.get(_GPS_LNG_REF, "E"))
    except Exception:  # noqa: BLE001
        latitude = longitude = None
    if latitude is None or longitude is None or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        latitude = longitude = None
    elif latitude == 0 and longitude == 0:  # "no fix" written as zeros
        latitude = longitude = None
    return taken_at, latitude, longitude


def _clean_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def prepare(upload, *, max_side: int | None = None) -> PreparedPhoto:
    """Validate one upload (a Django ``UploadedFile`` or a binary file object) and
    return its clean JPEG. Raises :class:`DasanError` for anything that is not an
    acceptable photo."""
    max_bytes, _count, default_side = _limits()
    side = max_side or default_side
    data = _read_bytes(upload, max_bytes)
    image = _open_checked(data)
    # Read before anything else: transposing and re-encoding drop the metadata.
    taken_at, latitude, longitude = read_exif(image)
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - a broken orientation tag: keep the pixels as they are
        upright = image
    rgb = _clean_rgb(upright)
    rgb.thumbnail((side, side), Image.Resampling.LANCZOS)
    # A fresh image carries no info dict (EXIF, ICC profile, XMP, comments) at all.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    content = out.getvalue()
    return PreparedPhoto(
        content=content,
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(content).hexdigest(),
        taken_at=taken_at,
        latitude=latitude,
        longitude=longitude,
    )


def prepare_many(uploads, *, already: int = 0) -> list[PreparedPhoto]:
    """Prepare several uploads, refusing more than ``COMPLAINT_PHOTO_MAX_COUNT`` in all
    (``already`` counts photos the complaint has)."""
    uploads = [u for u in (uploads or ()) if u is not None]
    _bytes, max_count, _side = _limits()
    if len(uploads) + already > max_count:
        raise DasanError(Code.TOO_MANY_PHOTOS, _("사진은 %(count)s장까지 올릴 수 있습니다.") % {"count": max_count})
    return [prepare(u) for u in uploads]
