"""민원 사진: the time and place a photo was taken, read before its metadata is dropped.

Residents' phone photos carry EXIF: the camera model, often the exact place (GPS) and
time. ``core.images.sanitise`` checks that an upload is a real picture and keeps only a
clean, upright JPEG without any metadata, no larger than ``COMPLAINT_PHOTO_MAX_SIDE``;
from the original it decoded we read the two things a complaint needs: when the photo
was taken (EXIF ``DateTimeOriginal`` with its ``OffsetTimeOriginal``, camera local time
— Korea's unless the photo says otherwise) and where (the GPS position, which lends a
complaint without a location its place). An illegal-parking report's two photos prove
the minute between them with these times. A filing holds at most
``COMPLAINT_PHOTO_MAX_COUNT`` photos.

The heavy work (decoding, resizing) happens in :func:`prepare`, outside any database
transaction; the services store the prepared bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _
from PIL import Image

from dasan.complaints.errors import Code
from dasan.core import images
from dasan.core.conf import setting
from dasan.core.errors import DasanError

__all__ = ["PreparedPhoto", "prepare", "prepare_many", "read_exif"]

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


def prepare(upload, *, max_side: int | None = None) -> PreparedPhoto:
    """Validate one upload (a Django ``UploadedFile`` or a binary file object) and
    return its clean JPEG with the time and place it was taken. Raises
    :class:`DasanError` (``photo_invalid``, ``photo_too_large``, ``photo_too_many_pixels``)
    for anything that is not an acceptable photo."""
    clean = images.sanitise(
        upload,
        max_bytes=int(setting("COMPLAINT_PHOTO_MAX_BYTES")),
        max_side=max_side or int(setting("COMPLAINT_PHOTO_MAX_SIDE")),
        keep_original=True,
    )
    taken_at, latitude, longitude = read_exif(clean.original)
    return PreparedPhoto(
        content=clean.content,
        width=clean.width,
        height=clean.height,
        sha256=clean.sha256,
        taken_at=taken_at,
        latitude=latitude,
        longitude=longitude,
    )


def prepare_many(uploads, *, already: int = 0) -> list[PreparedPhoto]:
    """Prepare several uploads, refusing more than ``COMPLAINT_PHOTO_MAX_COUNT`` in all
    (``already`` counts photos the complaint has)."""
    uploads = [u for u in (uploads or ()) if u is not None]
    max_count = int(setting("COMPLAINT_PHOTO_MAX_COUNT"))
    if len(uploads) + already > max_count:
        raise DasanError(Code.TOO_MANY_PHOTOS, _("사진은 %(count)s장까지 올릴 수 있습니다.") % {"count": max_count})
    return [prepare(u) for u in uploads]
