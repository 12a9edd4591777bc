"""민원 접수증 (receipt) as a PDF.

What a resident keeps as proof of filing: who received it (the city), the
접수번호 and time, what it is about, where, which department has it and by when
it must be answered, and a QR code back to the complaint's page. For an
illegal-parking report it also carries the statement the reporter signed, the
signer, the signing time and the content hash that binds them to the report
(see ``parking.verify_parking_report``).

The QR code and the printed address point to the installation's public address
(``DASAN_PUBLIC_URL``); without one the receipt prints the bare path, never another
site's address.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dasan.core import links
from dasan.core.pdf import PdfDocument
from dasan.core.timefmt import fmt

from . import selectors
from .models import Complaint, ParkingReport

__all__ = ["render", "public_link"]

_SECONDS = "%Y-%m-%d %H:%M:%S"


def _city():
    from dasan.core.models import Municipality

    return Municipality.current()


def public_link(complaint: Complaint) -> str:
    """The address of the complaint's page for the QR code: under the configured public
    address, else the bare path (a printed receipt must show something)."""
    path = selectors.complaint_path(complaint)
    return links.public_url(path) or path


def _location(complaint: Complaint) -> str:
    parts = []
    if complaint.address:
        parts.append(complaint.address)
    if complaint.latitude is not None and complaint.longitude is not None:
        parts.append(f"({complaint.latitude:.6f}, {complaint.longitude:.6f})")
    return " ".join(parts)


def _summary(complaint: Complaint, parking: ParkingReport | None) -> list[tuple[str, str]]:
    rows = [
        (_("접수번호"), complaint.number),
        (_("접수 일시"), fmt(complaint.received_at)),
        (_("접수 경로"), complaint.get_channel_display()),
        (_("민원 분류"), complaint.category.name if complaint.category_id else _("분류 중")),
        (_("민원 종류"), complaint.get_kind_display()),
        (_("담당 부서"), complaint.department.name if complaint.department_id else _("배정 중")),
        (_("처리 기한"), fmt(complaint.due_at)),
        (_("상태"), complaint.get_status_display()),
    ]
    if parking is None:  # a parking report shows its plate and place below
        rows += [(_("제목"), complaint.title), (_("위치"), _location(complaint))]
    if complaint.duplicate_of_id:
        rows.append((_("같은 민원"), complaint.duplicate_of.number))
    return rows


def _signed_report(doc: PdfDocument, complaint: Complaint, parking: ParkingReport) -> None:
    doc.subheading(_("신고 내용"))
    doc.fields(
        [
            (_("차량번호"), parking.plate),
            (_("위반 장소"), _location(complaint)),
            (_("위반 일시"), fmt(parking.observed_at)),
            (_("첫 사진 촬영"), fmt(parking.first_photo_at, _SECONDS)),
            (_("둘째 사진 촬영"), fmt(parking.second_photo_at, _SECONDS)),
        ]
    )
    doc.subheading(_("전자 서명한 진술"))
    doc.boxed(parking.consent_text)
    doc.fields(
        [
            (_("서명자"), parking.signer_name),
            (_("서명 일시"), fmt(parking.signed_at, _SECONDS)),
            (_("내용 해시 (SHA-256)"), parking.content_hash),
        ],
        size=9.5,
    )
    doc.caption(
        _(
            "내용 해시는 신고 내용, 사진, 진술, 서명자와 서명 일시로 계산한 값입니다. "
            "접수 뒤 어느 하나라도 바뀌면 값이 달라집니다."
        )
    )


def render(complaint: Complaint) -> bytes:
    """The receipt of ``complaint`` as PDF bytes, in the complaint's language."""
    city = _city()
    city_name = city.name if city else "다산"
    parking = ParkingReport.objects.filter(complaint=complaint).first()
    with translation.override(complaint.language or settings.LANGUAGE_CODE):
        title = _("불법주정차 신고 접수증") if parking else _("민원 접수증")
        doc = PdfDocument(
            title=f"{title} {complaint.number}",
            author=city_name,
            subject=complaint.number,
            language=complaint.language or "ko",
            footer=_("%(city)s · 발급 %(when)s") % {"city": city_name, "when": fmt(timezone.now())},
        )
        link = public_link(complaint)
        # Top right, beside the title, so a parking receipt still fits on one page.
        size = 24
        doc.qr_code(
            link, size=size, x=doc.pdf.w - doc.pdf.r_margin - size, y=doc.pdf.t_margin - 8, caption=_("처리 상황 조회")
        )
        doc.caption(city_name, align="C", size=11)
        doc.heading(title)
        doc.spacer(4)
        doc.fields(_summary(complaint, parking))
        if parking is not None:
            _signed_report(doc, complaint, parking)
        doc.spacer(2)
        doc.caption(_("조회 주소: %(link)s") % {"link": link}, size=8.5)
        doc.caption(
            _(
                "처리 기한은 「민원 처리에 관한 법률」에 따른 처리기간으로 계산했습니다. "
                "처리 상황과 답변은 위 주소나 QR 코드에서 확인할 수 있습니다."
            )
        )
        return doc.to_bytes()
