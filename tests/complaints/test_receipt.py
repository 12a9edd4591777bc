"""접수증 PDF: a valid PDF whose text carries the city, the number, what was filed,
the due date and — for an illegal-parking report — the signed statement, the
signer and the content hash; a QR code points back to the complaint."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from dasan.complaints import intake, receipts
from dasan.core.pdf import PdfDocument, font_path

from .test_parking import _report


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    raw = "".join(page.extract_text() for page in reader.pages)
    # The font is a CID-keyed OpenType (CFF) font whose codes map to CIDs through an
    # embedded encoding CMap. pypdf does not read such CMaps and splits each two-byte
    # code into a NUL and the character (PDFium, the engine of Chrome's viewer,
    # extracts the same file cleanly). Compare the characters and their order, without
    # NULs or white space.
    return "".join(raw.replace("\x00", "").split())


def _squeeze(value: str) -> str:
    return "".join(value.split())


@pytest.mark.django_db
def test_receipt_of_a_complaint(city, categories, resident, settings):
    settings.DASAN = {**settings.DASAN, "PUBLIC_URL": "https://minwon.test.go.kr"}
    complaint = intake.file_complaint(
        title="가로등이 꺼져 있습니다",
        description="중앙공원 북문 앞 가로등이 일주일째 꺼져 있습니다.",
        channel="web",
        category=categories["question"],
        resident=resident,
        address="테스트시 중앙로 1",
    )
    pdf = receipts.render(complaint)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert reader.metadata.title == f"민원 접수증 {complaint.number}"
    text = _text(pdf)
    for expected in (
        "테스트시",
        "민원접수증",
        complaint.number,
        "가로등이꺼져있습니다",
        "제도·절차문의",
        "테스트시중앙로1",
        timezone.localtime(complaint.due_at).strftime("%Y-%m-%d"),
        "접수",
    ):
        assert _squeeze(expected) in text, expected
    assert f"https://minwon.test.go.kr/complaints/{complaint.number}/" in text
    # Only the glyphs used are embedded: a receipt stays small.
    assert len(pdf) < 150_000


@pytest.mark.django_db
def test_without_a_public_address_the_receipt_shows_the_path_not_the_citys_website(
    city, categories, resident, settings
):
    # The city's homepage is another site: its paths are not ours.
    settings.DASAN = {**settings.DASAN, "PUBLIC_URL": ""}
    city.website = "https://www.test.go.kr"
    city.save()
    complaint = intake.file_complaint(
        title="가로등이 꺼져 있습니다",
        description="중앙공원 북문 앞 가로등이 일주일째 꺼져 있습니다.",
        channel="web",
        category=categories["question"],
        resident=resident,
    )
    assert receipts.public_link(complaint) == f"/complaints/{complaint.number}/"
    assert "www.test.go.kr" not in _text(receipts.render(complaint))


@pytest.mark.django_db
def test_receipt_of_a_triage_complaint_says_it_is_being_classified(city, categories, resident, settings):
    settings.DASAN = {**settings.DASAN, "COMPLAINT_AUTO_ASSIGN": 1.01}
    complaint = intake.file_complaint(
        title="건의합니다",
        description="민원실 의자를 늘려 주세요. 기다리기 힘듭니다.",
        channel="web",
        resident=resident,
    )
    text = _text(receipts.render(complaint))
    assert complaint.number in text and "분류중" in text and "배정중" in text


@pytest.mark.django_db
def test_parking_receipt_carries_the_signed_statement(city, categories, resident):
    complaint = _report(resident, signer_name="홍길동")
    report = complaint.parking
    text = _text(receipts.render(complaint))
    assert "불법주정차신고접수증" in text
    assert complaint.number in text
    assert "홍길동" in text
    assert report.content_hash in text
    assert "12가3456" in text
    assert _squeeze(report.consent_text)[:40] in text


@pytest.mark.django_db
def test_receipt_follows_the_complaints_language_for_names_it_cannot_translate(city, categories, make_resident):
    resident = make_resident(name="Nguyễn Văn An", language="vi")
    complaint = _report(resident, signer_name="Nguyễn Văn An")
    text = _text(receipts.render(complaint))
    # Vietnamese letters are in the embedded font too.
    assert "NguyễnVănAn" in text


def test_pdf_helper_draws_a_document_with_hangul_and_a_qr_code():
    doc = PdfDocument(title="시험 문서", author="테스트시", footer="테스트시")
    doc.caption("테스트시").heading("증명서").fields([("번호", "A-1"), ("이름", "김다산")])
    doc.paragraph("한글 문단입니다. " * 30)
    doc.qr_code("https://example.test/v/ABC", caption="확인")
    pdf = doc.to_bytes()
    text = _text(pdf)
    assert "증명서" in text and "김다산" in text and "한글문단입니다" in text
    assert font_path().endswith((".otf", ".ttf", ".ttc"))
