"""City-issued documents as PDF: the body, the seal, the 문서확인번호 and a QR code.

Drawn with :mod:`dasan.core.pdf` (fpdf2, Hangul font from a wheel), then signed by
``issuing`` with :mod:`.signing`. Everything a verifier needs to find the record is
printed: the number in groups of four, the verification address, and a QR code that
opens the verification page with the number filled in.
"""

from __future__ import annotations

import dataclasses
import io

from django.utils.translation import gettext as _

from dasan.core.pdf import PdfDocument
from dasan.core.timefmt import local

from . import numbers

__all__ = ["Body", "render"]


@dataclasses.dataclass(frozen=True)
class Body:
    """What a document says, apart from the frame every document shares."""

    title: str
    rows: list[tuple[str, str]]
    statement: str
    note: str = ""


def render(
    body: Body,
    *,
    number: str,
    city: str,
    issuer: str,
    department: str,
    verify_url: str,
    seal: bytes,
    issued_at,
    language: str = "ko",
) -> bytes:
    """The unsigned PDF."""
    doc = PdfDocument(
        title=f"{body.title} {numbers.display(number)}",
        author=city,
        subject=number,
        language=language,
        footer=_("%(city)s · 문서확인번호 %(number)s") % {"city": city, "number": numbers.display(number)},
    )
    doc.caption(city, align="C", size=11)
    doc.heading(body.title)
    doc.spacer(4)
    doc.fields(body.rows)
    doc.spacer(4)
    doc.paragraph(body.statement, size=11.5, line_height=7)
    if body.note:
        doc.caption(body.note)
    doc.spacer(8)
    doc.paragraph(local(issued_at).strftime("%Y. %m. %d."), size=12)
    _issuer_and_seal(doc, issuer=issuer, department=department, seal=seal)
    doc.spacer(6)
    _verification_block(doc, number=number, verify_url=verify_url)
    return doc.to_bytes()


def _issuer_and_seal(doc: PdfDocument, *, issuer: str, department: str, seal: bytes) -> None:
    """The issuer's name centred, the seal over its right end, as on paper."""
    pdf = doc.pdf
    pdf.set_font("dasan-sans", size=20)
    y = pdf.get_y() + 6
    pdf.set_xy(pdf.l_margin, y)
    pdf.cell(0, 12, issuer, align="C")
    name_width = pdf.get_string_width(issuer)
    seal_size = 24
    seal_x = pdf.w / 2 + name_width / 2 - seal_size / 2 + 4
    pdf.image(io.BytesIO(seal), x=seal_x, y=y - 6, w=seal_size, h=seal_size)
    pdf.set_xy(pdf.l_margin, y + 22)
    if department:
        doc.caption(_("발급 부서: %(department)s") % {"department": department}, align="C")


def _verification_block(doc: PdfDocument, *, number: str, verify_url: str) -> None:
    """The box at the bottom of the page: the number, how to verify, the QR code."""
    pdf = doc.pdf
    size = 30
    top = max(pdf.get_y() + 4, pdf.h - pdf.b_margin - size - 14)
    if top + size > pdf.h - pdf.b_margin:
        pdf.add_page()
        top = pdf.h - pdf.b_margin - size - 14
    pdf.set_draw_color(120, 120, 120)
    pdf.rect(pdf.l_margin, top - 3, pdf.epw, size + 6)
    doc.qr_code(verify_url, size=size, x=pdf.w - pdf.r_margin - size - 2, y=top)
    pdf.set_xy(pdf.l_margin + 4, top + 1)
    pdf.set_font("dasan-sans", size=10)
    pdf.cell(0, 6, _("문서확인번호"))
    pdf.set_xy(pdf.l_margin + 4, top + 7)
    pdf.set_font("dasan-sans", size=16)
    pdf.cell(0, 9, numbers.display(number))
    pdf.set_xy(pdf.l_margin + 4, top + 17)
    pdf.set_font("dasan-sans", size=8.5)
    pdf.multi_cell(
        pdf.epw - size - 12,
        4.2,
        _(
            "이 문서는 전자 서명되어 있습니다. 진위는 %(url)s 에서 문서확인번호로, "
            "또는 QR 코드로 확인할 수 있으며, 받은 PDF 파일을 올려 바뀌지 않았는지도 확인할 수 있습니다."
        )
        % {"url": verify_url.split("?")[0]},
    )
