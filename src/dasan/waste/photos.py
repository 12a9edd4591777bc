"""The optional photo of the items: checked to be a real picture, then kept only as a
clean copy (re-encoded JPEG, turned upright, at most ``WASTE_PHOTO_MAX_SIDE`` pixels on
the long side, no EXIF — phone photos carry the exact place and time).

Decoding happens in :func:`prepare`, before the booking's transaction."""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from dasan.core.errors import DasanError
from dasan.waste.errors import Code

MAX_PIXELS = 60_000_000  # refuse "decompression bombs" before decoding them
ACCEPTED = {"JPEG", "PNG", "WEBP", "MPO"}


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, "DASAN", {}).get(name, default))


def prepare(upload) -> bytes | None:
    """JPEG bytes of a clean copy of ``upload`` (a file or bytes), or None when empty.
    Raises ``photo_too_large`` (413) or ``photo_invalid``."""
    if upload is None:
        return None
    data = upload if isinstance(upload, bytes) else upload.read()
    if not data:
        return None
    limit = _setting("WASTE_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
    if len(data) > limit:
        raise DasanError(
            Code.PHOTO_TOO_LARGE,
            _("사진은 %(mb)dMB 이하로 올려 주세요.") % {"mb": limit // (1024 * 1024)},
            status=413,
            field="photo",
        )
    invalid = DasanError(Code.PHOTO_INVALID, _("사진 파일(JPEG, PNG, WebP)만 올릴 수 있습니다."), field="photo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED or image.width * image.height > MAX_PIXELS:
                raise invalid
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        SyntaxError,
    ):
        raise invalid from None
    image = ImageOps.exif_transpose(image).convert("RGB")
    side = _setting("WASTE_PHOTO_MAX_SIDE", 1600)
    image.thumbnail((side, side))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)  # no exif= argument: nothing carried over
    return out.getvalue()
