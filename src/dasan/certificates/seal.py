"""직인 (the city's seal) for city-issued documents.

The city uploads its real seal image in the admin (:class:`CertificateSettings`).
Until it does — and in the demo — :func:`demo_seal` draws a stand-in: a red ring
with the city's name and "직인", clearly a drawing, not a copy of any real seal.
"""

from __future__ import annotations

import functools
import io

from PIL import Image, ImageDraw, ImageFont

from dasan.core.pdf import font_path

RED = (200, 30, 30, 255)
SIZE = 400


def _font(size: int):
    return ImageFont.truetype(font_path(), size)


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, start: int):
    size = start
    while size > 20:
        font = _font(size)
        left, _top, right, _bottom = draw.textbbox((0, 0), text, font=font)
        if right - left <= width:
            return font
        size -= 6
    return _font(20)


@functools.lru_cache(maxsize=8)
def demo_seal(city: str) -> bytes:
    """A PNG (transparent background) of a round red seal reading ``city`` over "직인"."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((14, 14, SIZE - 14, SIZE - 14), outline=RED, width=22)
    draw.ellipse((46, 46, SIZE - 46, SIZE - 46), outline=RED, width=6)
    name = (city or "다산시") + "장"
    top = _fit(draw, name, 250, 110)
    draw.text((SIZE / 2, SIZE / 2 - 50), name, font=top, fill=RED, anchor="mm")
    draw.text((SIZE / 2, SIZE / 2 + 65), "직인", font=_font(100), fill=RED, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def seal_png(city: str) -> bytes:
    """The uploaded seal, or the demo seal for ``city``."""
    from .models import CertificateSettings

    conf = CertificateSettings.current()
    if conf.pk and conf.seal:
        try:
            with conf.seal.open("rb") as handle:
                return handle.read()
        except OSError:
            pass
    return demo_seal(city)
