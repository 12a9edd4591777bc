"""Small A4 PDF documents in Korean: receipts (접수증), certificates, notices.

Built on fpdf2 with a Hangul-capable OpenType font that ships as a Python
package (Noto Sans CJK, OFL), so an installation needs no system fonts and no
network. Only the glyphs a document uses are embedded (a receipt is a few KB).

    doc = PdfDocument(title="민원 접수증", author="데모시")
    doc.heading("민원 접수증")
    doc.fields([("접수번호", "2025-000001"), ("접수 일시", "2025-10-03 14:30")])
    doc.qr_code("https://city.example/complaints/2025-000001/", size=28, caption="조회")
    pdf_bytes = doc.to_bytes()

The font is found in this order: ``DASAN_PDF_FONT`` (``setting("PDF_FONT")``, a path
to a .ttf/.otf with Hangul), the
``cvttf-NotoSansCJK-Regular`` package, then a few common system locations
(Debian's fonts-nanum and fonts-noto-cjk).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace

from .conf import setting

# fontTools logs every subsetting step at INFO; a receipt download is not worth 40 log lines.
logging.getLogger("fontTools").setLevel(logging.WARNING)

__all__ = ["PdfDocument", "FontNotFound", "font_path", "A4_WIDTH", "A4_HEIGHT"]

A4_WIDTH = 210.0  # mm
A4_HEIGHT = 297.0
MARGIN = 18.0
FONT = "dasan-sans"
INK = (20, 20, 20)
MUTED = (90, 90, 90)
LABEL_FILL = (238, 240, 243)
RULE = (170, 170, 170)

_SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKkr-Regular.otf",
)


class FontNotFound(RuntimeError):
    """No font with Hangul could be found (an installation problem, not a user's)."""


@functools.lru_cache(maxsize=1)
def _packaged_font() -> str | None:
    try:
        import cvttf_NotoSansCJK_Regular as package
    except ImportError:
        return None
    try:
        return package.get_TTF_path()
    except FileNotFoundError:
        return None


def font_path() -> str:
    """The path of the Hangul font documents are set in (see the module docstring)."""
    configured = setting("PDF_FONT")
    if configured:
        if not Path(configured).is_file():
            raise FontNotFound(f"DASAN_PDF_FONT points to {configured!r}, which is not a file")
        return str(configured)
    packaged = _packaged_font()
    if packaged:
        return packaged
    for candidate in _SYSTEM_FONTS:
        if Path(candidate).is_file():
            return candidate
    raise FontNotFound("No Hangul font for PDFs: install the cvttf-NotoSansCJK-Regular package or set DASAN_PDF_FONT")


class PdfDocument:
    """One A4 portrait document with a running cursor, in the house style.

    Methods add blocks top to bottom and return ``self`` so calls can be chained;
    :attr:`pdf` is the underlying ``fpdf.FPDF`` for anything not covered here.
    """

    def __init__(self, *, title: str, author: str = "", subject: str = "", language: str = "ko", footer: str = ""):
        pdf = _Pdf(orientation="P", unit="mm", format="A4")
        pdf.footer_text = footer
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(auto=True, margin=MARGIN)
        pdf.add_font(FONT, "", font_path())
        pdf.set_title(str(title))
        if author:
            pdf.set_author(str(author))
        if subject:
            pdf.set_subject(str(subject))
        pdf.set_creator("Dasan")
        pdf.set_lang(language)
        pdf.add_page()
        pdf.set_font(FONT, size=10)
        pdf.set_text_color(*INK)
        self.pdf = pdf

    # --- blocks ----------------------------------------------------------------------

    @property
    def width(self) -> float:
        """Usable width between the margins, in mm."""
        return self.pdf.epw

    def caption(self, text: str, *, align: str = "L", size: float = 9) -> PdfDocument:
        """A small muted line (the issuer above a title, a note under a block)."""
        pdf = self.pdf
        pdf.set_font(FONT, size=size)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, size * 0.5, str(text), align=Align.coerce(align), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
        return self

    def heading(self, text: str, *, size: float = 20, align: str = "C") -> PdfDocument:
        """The document's title."""
        pdf = self.pdf
        pdf.set_font(FONT, size=size)
        pdf.multi_cell(0, size * 0.55, str(text), align=Align.coerce(align), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        return self

    def subheading(self, text: str, *, size: float = 12.5) -> PdfDocument:
        """A section title with a rule under it."""
        pdf = self.pdf
        pdf.ln(3)
        pdf.set_font(FONT, size=size)
        pdf.multi_cell(0, size * 0.55, str(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.rule()
        return self

    def paragraph(self, text: str, *, size: float = 10, line_height: float | None = None) -> PdfDocument:
        """Body text, wrapped to the page width; newlines start new lines."""
        pdf = self.pdf
        pdf.set_font(FONT, size=size)
        pdf.multi_cell(0, line_height or size * 0.55, str(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)
        return self

    def fields(self, rows: Iterable[tuple[str, str]], *, label_width: float = 38, size: float = 10.5) -> PdfDocument:
        """A two-column table of labels and values; long values wrap."""
        pdf = self.pdf
        pdf.set_font(FONT, size=size)
        label_style = FontFace(fill_color=LABEL_FILL)
        with pdf.table(
            col_widths=(label_width, self.width - label_width),
            width=self.width,
            first_row_as_headings=False,
            line_height=size * 0.52,
            padding=(1.1, 2.2),
            borders_layout="ALL",
            text_align=("LEFT", "LEFT"),
        ) as table:
            for label, value in rows:
                row = table.row()
                row.cell(str(label), style=label_style)
                row.cell(str(value) if value not in (None, "") else "-")
        pdf.ln(2)
        return self

    def boxed(self, text: str, *, size: float = 10) -> PdfDocument:
        """Text in a bordered box (a statement someone signed)."""
        pdf = self.pdf
        pdf.set_font(FONT, size=size)
        pdf.set_draw_color(*RULE)
        pdf.multi_cell(0, size * 0.6, str(text), border=1, padding=3, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
        return self

    def rule(self) -> PdfDocument:
        pdf = self.pdf
        pdf.set_draw_color(*RULE)
        pdf.line(pdf.l_margin, pdf.get_y() + 0.8, pdf.w - pdf.r_margin, pdf.get_y() + 0.8)
        pdf.ln(2.5)
        return self

    def spacer(self, height: float = 4) -> PdfDocument:
        self.pdf.ln(height)
        return self

    def qr_code(
        self, data: str, *, size: float = 30, x: float | None = None, y: float | None = None, caption: str = ""
    ) -> PdfDocument:
        """A QR code for ``data`` (a URL), drawn as vector squares so it prints sharp.

        Without ``x``/``y`` it goes at the cursor, right-aligned, and the cursor moves
        below it (and its caption)."""
        pdf = self.pdf
        cursor = (pdf.get_x(), pdf.get_y())
        qr = segno.make(data, error="m", micro=False)
        matrix = [list(row) for row in qr.matrix]
        count = len(matrix)
        border = 2
        module = size / (count + 2 * border)
        left = x if x is not None else pdf.w - pdf.r_margin - size
        top = y if y is not None else pdf.get_y()
        if y is None and top + size + 8 > pdf.h - pdf.b_margin:
            pdf.add_page()
            top = pdf.get_y()
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(left, top, size, size, style="F")
        pdf.set_fill_color(0, 0, 0)
        for r, row in enumerate(matrix):
            c = 0
            while c < count:
                if row[c]:
                    start = c
                    while c < count and row[c]:
                        c += 1
                    # One rectangle per run of dark modules keeps the file small.
                    pdf.rect(
                        left + (border + start) * module,
                        top + (border + r) * module,
                        (c - start) * module,
                        module,
                        style="F",
                    )
                else:
                    c += 1
        bottom = top + size
        if caption:
            pdf.set_font(FONT, size=8)
            pdf.set_text_color(*MUTED)
            pdf.set_xy(left - 12, bottom + 0.5)
            pdf.multi_cell(size + 24, 3.6, str(caption), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_text_color(*INK)
            bottom = pdf.get_y()
        if x is None and y is None:
            pdf.set_xy(pdf.l_margin, bottom + 2)
        else:
            pdf.set_xy(*cursor)  # placed at a fixed spot: the text flow carries on where it was
        return self

    def to_bytes(self) -> bytes:
        """The finished PDF."""
        return bytes(self.pdf.output())


class _Pdf(FPDF):
    footer_text = ""

    def footer(self):
        self.set_y(-MARGIN + 6)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        text = f"{self.footer_text}    {self.page_no()}/{{nb}}" if self.footer_text else f"{self.page_no()}/{{nb}}"
        self.cell(0, 5, text, align=Align.C)
        self.set_text_color(*INK)


def wrap_rows(rows: Sequence[tuple[str, object]]) -> list[tuple[str, str]]:
    """Rows for :meth:`PdfDocument.fields` with values turned into text."""
    return [(str(label), "" if value is None else str(value)) for label, value in rows]
