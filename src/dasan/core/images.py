"""Uploaded pictures: check that an upload is a real picture, then keep only a clean copy.

Phone photos carry EXIF: the camera, often the exact place (GPS) and time. Every app that
accepts a picture (complaints, bulky-waste items, …) stores only what :func:`sanitise`
returns: a re-encoded JPEG with no metadata at all (no EXIF, ICC profile, XMP or comment),
turned upright, transparent parts on white, no larger than ``max_side`` on the long side.

Decoding is guarded twice against "decompression bombs" (a small file that claims a huge
picture to exhaust memory): the declared size is checked before any pixel is decoded, and
Pillow's own bomb warning is an error. The heavy work belongs outside database
transactions: call :func:`sanitise` first, then store its bytes.

An app that needs something from the original (complaints read the time and place the
photo was taken) passes ``keep_original=True`` and reads ``CleanImage.original`` before it
is dropped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import warnings

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from dasan.core.errors import CoreCode

from .errors import DasanError

__all__ = ["ACCEPTED_FORMATS", "CleanImage", "MAX_PIXELS", "read_upload", "sanitise"]

#: Largest picture decoded (width × height). Phone cameras reach ~50 MP.
MAX_PIXELS = 60_000_000
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "MPO"})  # MPO: the multi-picture JPEG some phones write
JPEG_QUALITY = 85


@dataclasses.dataclass(frozen=True)
class CleanImage:
    """A validated picture, re-encoded without metadata."""

    content: bytes  # JPEG
    width: int
    height: int
    sha256: str  # of ``content``
    original: Image.Image | None = None  # the decoded upload, only with keep_original=True


def _error(code: str, message, field: str | None, **kwargs) -> DasanError:
    details = {"field": field} if field else {}
    return DasanError(code, message, **kwargs, **details)


def too_large(max_bytes: int, field: str | None = None) -> DasanError:
    megabytes = max(1, max_bytes // (1024 * 1024))
    return _error(
        CoreCode.PHOTO_TOO_LARGE, _("사진 한 장은 %(mb)sMB 이하여야 합니다.") % {"mb": megabytes}, field, status=413
    )


def not_an_image(field: str | None = None) -> DasanError:
    return _error(
        CoreCode.PHOTO_INVALID, _("사진 파일이 아니거나 손상된 파일입니다. JPEG, PNG, WebP 사진을 올려 주세요."), field
    )


def too_many_pixels(field: str | None = None) -> DasanError:
    return _error(
        CoreCode.PHOTO_TOO_MANY_PIXELS,
        _("사진의 해상도가 너무 큽니다(최대 %(mp)s백만 화소).") % {"mp": MAX_PIXELS // 1_000_000},
        field,
    )


def read_upload(upload, max_bytes: int, *, field: str | None = None) -> bytes:
    """The bytes of ``upload`` (a Django ``UploadedFile``, a binary file or ``bytes``), refusing
    more than ``max_bytes`` without reading further than that."""
    if isinstance(upload, (bytes, bytearray)):
        if len(upload) > max_bytes:
            raise too_large(max_bytes, field)
        return bytes(upload)
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise too_large(max_bytes, field)
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
                raise too_large(max_bytes, field)
        return bytes(data)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large(max_bytes, field)
    return data


def open_checked(data: bytes, *, field: str | None = None) -> Image.Image:
    """``data`` decoded as a picture we accept; bombs are refused before pixels are decoded."""
    if not data:
        raise not_an_image(field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise not_an_image(field)
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise too_many_pixels(field)
            probe.verify()  # structure check; the object cannot be used afterwards
            image = Image.open(io.BytesIO(data))
            image.load()
    except DasanError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels(field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, EOFError) as exc:
        raise not_an_image(field) from exc
    return image


def _rgb_on_white(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def sanitise(
    upload, *, max_bytes: int, max_side: int, field: str | None = None, keep_original: bool = False
) -> CleanImage:
    """Validate ``upload`` and return its clean JPEG (see the module docstring).

    Raises :class:`DasanError` ``photo_too_large`` (413), ``photo_invalid`` or
    ``photo_too_many_pixels``, with ``field`` in the details when given."""
    image = open_checked(read_upload(upload, max_bytes, field=field), field=field)
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - a broken orientation tag: keep the pixels as they are
        upright = image
    rgb = _rgb_on_white(upright)
    rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A fresh image carries no info dict (EXIF, ICC profile, XMP, comments) at all.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    content = out.getvalue()
    return CleanImage(
        content=content,
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(content).hexdigest(),
        original=image if keep_original else None,
    )
