"""Extraction from every supported format, made in the test itself."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from dasan.knowledge import extract
from dasan.knowledge.extract import Document, ExtractionError, FaqTable


def test_markdown_keeps_headings_and_title():
    doc = extract.extract("# 대형폐기물\n\n## 수수료\n\n소파 5,000원".encode(), "a.md")
    assert isinstance(doc, Document)
    assert doc.title == "대형폐기물"
    assert "## 수수료" in doc.markdown


def test_html_headings_become_markdown_and_scripts_vanish():
    html = (
        "<html><head><title>주차 안내</title><script>alert(1)</script></head><body>"
        "<h1>주차</h1><p>공영주차장 요금은 <b>30분 1,000원</b>입니다.</p>"
        "<h2>불법 주정차 신고</h2><ul><li>안전신문고 앱</li><li>사진 두 장</li></ul></body></html>"
    )
    doc = extract.extract(html.encode(), "parking.html")
    assert doc.title == "주차"
    assert "# 주차" in doc.markdown and "## 불법 주정차 신고" in doc.markdown
    assert "30분 1,000원" in doc.markdown and "alert" not in doc.markdown
    assert "안전신문고 앱\n\n사진 두 장" in doc.markdown


def _docx(paragraphs, styles_xml=None):
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    def ppr(style):
        return f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""

    body = "".join(f"<w:p>{ppr(style)}<w:r><w:t>{text}</w:t></w:r></w:p>" for style, text in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>')
        if styles_xml:
            z.writestr("word/styles.xml", f'<w:styles xmlns:w="{w}">{styles_xml}</w:styles>')
    return buf.getvalue()


def test_docx_headings_by_style_id_and_by_korean_style_name():
    styles = '<w:style w:styleId="1"><w:name w:val="제목 2"/></w:style>'
    data = _docx([("Heading1", "층간소음"), ("1", "상담 방법"), (None, "이웃사이센터 1661-2642에 전화하세요.")], styles)
    doc = extract.extract(data, "noise.docx")
    assert doc.markdown.splitlines()[0] == "# 층간소음"
    assert "## 상담 방법" in doc.markdown
    assert "1661-2642" in doc.markdown


def test_hwpx_paragraphs_and_outline_headings():
    hp = "http://www.hancom.co.kr/hwpml/2011/paragraph"
    hh = "http://www.hancom.co.kr/hwpml/2011/head"
    header = f'<hh:head xmlns:hh="{hh}"><hh:styles><hh:style id="2" name="개요 1"/></hh:styles></hh:head>'
    section = (
        f'<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" xmlns:hp="{hp}">'
        '<hp:p styleIDRef="2"><hp:run><hp:t>재산세</hp:t></hp:run></hp:p>'
        '<hp:p styleIDRef="0"><hp:run><hp:t>7월과 9월에 </hp:t></hp:run><hp:run><hp:t>나누어 냅니다.</hp:t></hp:run></hp:p>'
        "</hs:sec>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/hwp+zip")
        z.writestr("Contents/header.xml", header)
        z.writestr("Contents/section0.xml", section)
    doc = extract.extract(buf.getvalue(), "tax.hwpx")
    assert doc.markdown == "# 재산세\n\n7월과 9월에 나누어 냅니다."


def test_pdf_text_is_extracted():
    pypdf = pytest.importorskip("pypdf")
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(width=300, height=200)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf 20 100 Td (Bulky waste fee 5000 won) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(stream)
    buf = io.BytesIO()
    writer.write(buf)
    doc = extract.extract(buf.getvalue(), "fees.pdf")
    assert "Bulky waste fee 5000 won" in doc.markdown


def _record(tag, payload, level=0):
    size = len(payload)
    if size >= 0xFFF:
        return struct.pack("<II", tag | (level << 10) | (0xFFF << 20), size) + payload
    return struct.pack("<I", tag | (level << 10) | (size << 20)) + payload


def test_hwp_record_parser_reads_para_text_and_strips_controls():
    # A PARA_TEXT with an inline control (8 units: code, 6 units of data, code), a tab-like
    # extended control, text, and the paragraph end (13).
    inline = struct.pack("<8H", 9, 0, 0, 0, 0, 0, 0, 9)
    text = "대형폐기물 수수료".encode("utf-16-le")
    payload = inline + text + struct.pack("<H", 13)
    stream = _record(66, b"\x00" * 22) + _record(67, payload) + _record(68, b"\x00" * 12)
    long_text = ("긴 문단 " * 600).encode("utf-16-le")  # > 4095 bytes: the extended size form
    stream += _record(67, long_text)
    paras = extract.hwp_section_text(zlib.compress(stream)[2:-4], compressed=True)
    assert paras[0].strip() == "대형폐기물 수수료"
    assert paras[1].startswith("긴 문단") and len(paras[1]) > 2000


def test_hwp_that_is_not_ole_is_refused_politely():
    with pytest.raises(ExtractionError) as exc:
        extract.extract(b"HWP Document File V3.00", "old.hwp")
    assert "HWP 5.0" in exc.value.message


def test_faq_csv_with_korean_headers():
    data = "질문,답변,주제\n기초연금은 누가 받나요?,만 65세 이상,기초연금\n,빈 질문,x\n".encode("utf-8-sig")
    table = extract.extract(data, "faq.csv")
    assert isinstance(table, FaqTable)
    assert table.rows == [{"question": "기초연금은 누가 받나요?", "answer": "만 65세 이상", "topic": "기초연금"}]


def test_faq_csv_programme_column_is_the_topic():
    table = extract.extract(b"question,answer,programme\nQ,A,P\n", "kb.csv")
    assert table.rows[0]["topic"] == "P"


def test_faq_xlsx():
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["question", "answer", "topic"])
    ws.append(["아동수당은 언제 나오나요?", "매월 25일", "아동수당"])
    buf = io.BytesIO()
    wb.save(buf)
    table = extract.extract(buf.getvalue(), "faq.xlsx")
    assert table.rows[0]["topic"] == "아동수당"


@pytest.mark.parametrize(
    "name,data",
    [
        ("x.pdf", b"not a pdf"),
        ("x.docx", b"PK not a zip"),
        ("x.hwpx", b"garbage"),
        ("x.xlsx", b"garbage"),
        ("x.csv", b"a,b\n1,2\n"),
        ("x.exe", b"MZ"),
    ],
)
def test_corrupt_or_unknown_files_raise_a_korean_error(name, data):
    with pytest.raises(ExtractionError) as exc:
        extract.extract(data, name)
    assert exc.value.code == "kb_extract_failed"
    assert any("\uac00" <= ch <= "\ud7a3" for ch in exc.value.message)


def test_hwp5_file_compressed_and_not():
    from .hwp_fixture import make_hwp

    paras = ["층간소음 상담 안내", "이웃사이센터 1661-2642에 전화하세요."]
    for compressed in (True, False):
        doc = extract.extract(make_hwp(paras, compressed=compressed), "noise.hwp")
        assert doc.markdown == "층간소음 상담 안내\n\n이웃사이센터 1661-2642에 전화하세요."


def test_hwp5_password_and_distribution_documents_are_refused():
    from .hwp_fixture import make_hwp

    with pytest.raises(ExtractionError, match="암호"):
        extract.extract(make_hwp(["x"], flags=0x2), "secret.hwp")
    with pytest.raises(ExtractionError, match="배포용"):
        extract.extract(make_hwp(["x"], flags=0x4), "dist.hwp")


def test_errors_are_translated():
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(ExtractionError) as exc:
            extract.extract(b"", "x.csv")
    assert exc.value.message == "The CSV file is empty."
