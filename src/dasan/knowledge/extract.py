"""Text and heading structure out of the files a city uploads (본문 추출).

Every format is turned into one of two shapes the chunkers understand:

* :class:`Document` — Markdown text (headings as ``#``), for articles, HTML, PDF,
  DOCX, HWPX and HWP 5.0;
* :class:`FaqTable` — rows of ``question``/``answer``/``topic`` from CSV or XLSX.

Only the standard library and small pure-Python packages are used (``pypdf`` for PDF,
``openpyxl`` for XLSX, ``olefile`` for HWP 5.0); DOCX and HWPX are ZIP files of XML.
A file that cannot be read raises :class:`ExtractionError` (a :class:`DasanError` with
a Korean message) and never anything else.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

from django.utils.translation import gettext as _

from dasan.core.errors import DasanError
from dasan.knowledge.errors import Code

#: File extensions and what reads them.
EXTENSIONS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".hwpx": "hwpx",
    ".hwp": "hwp",
    ".csv": "csv",
    ".xlsx": "xlsx",
}
FAQ_FORMATS = {"csv", "xlsx"}
MAX_BYTES = 50 * 1024 * 1024

# Header names accepted in FAQ tables (lower-cased, stripped).
FAQ_COLUMNS = {
    "question": ("question", "질문", "문의", "q"),
    "answer": ("answer", "답변", "답", "a"),
    "topic": ("topic", "주제", "분류", "programme", "program", "사업", "category"),
}


class ExtractionError(DasanError):
    """The file could not be read; the message says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(Code.KB_EXTRACT_FAILED, message, status=400)


@dataclass
class Document:
    """Markdown text (headings as ``#``) and the title found in the file, if any."""

    markdown: str
    title: str = ""


@dataclass
class FaqTable:
    rows: list[dict[str, str]] = field(default_factory=list)


def format_of(filename: str) -> str:
    """The reader for a file name; :class:`ExtractionError` for an unknown kind."""
    fmt = EXTENSIONS.get(Path(filename).suffix.lower())
    if fmt is None:
        raise ExtractionError(
            _(
                "지원하지 않는 파일 형식입니다: %(name)s. 마크다운, HTML, PDF, DOCX, HWP, HWPX, CSV, XLSX 파일을 올려 주세요."
            )
            % {"name": Path(filename).name}
        )
    return fmt


def is_faq_file(filename: str) -> bool:
    return EXTENSIONS.get(Path(filename).suffix.lower()) in FAQ_FORMATS


def extract(data: bytes, filename: str) -> Document | FaqTable:
    """Read ``data`` (the bytes of a file called ``filename``)."""
    fmt = format_of(filename)
    if len(data) > MAX_BYTES:
        raise ExtractionError(_("파일이 너무 큽니다(50MB 이하만 올릴 수 있습니다)."))
    reader = _READERS[fmt]
    try:
        return reader(data)
    except ExtractionError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is a damaged file to the user
        raise ExtractionError(
            _("파일을 읽을 수 없습니다(%(format)s 형식이 아니거나 손상된 파일입니다).") % {"format": fmt.upper()}
        ) from exc


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _from_blocks(blocks: list[tuple[int, str]]) -> Document:
    """``(level, text)`` blocks (level 0 = paragraph) to Markdown."""
    out: list[str] = []
    title = ""
    for level, text in blocks:
        text = " ".join(text.split()) if level else _clean(text)
        if not text:
            continue
        if level:
            if level == 1 and not title:
                title = text
            out.append("#" * min(level, 6) + " " + text)
        else:
            out.append(text)
    return Document("\n\n".join(out), title)


# --- Markdown ------------------------------------------------------------------------


def read_markdown(data: bytes) -> Document:
    text = _decode(data)
    m = re.search(r"^#\s+(.+?)\s*#*\s*$", text, re.M)
    return Document(text.replace("\r\n", "\n"), m.group(1) if m else "")


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "cp949"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ExtractionError(_("글자 인코딩을 알 수 없습니다. UTF-8로 저장해 주세요."))


# --- HTML ----------------------------------------------------------------------------


class _HtmlText(HTMLParser):
    BLOCK = {"p", "div", "li", "tr", "br", "section", "article", "table", "ul", "ol", "dd", "dt", "blockquote", "pre"}
    SKIP = {"script", "style", "noscript", "template", "nav", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[int, str]] = []
        self.buf: list[str] = []
        self.level = 0
        self.skip = 0
        self.doc_title = ""
        self._in_title = False

    def flush(self):
        text = "".join(self.buf)
        self.buf = []
        if text.strip():
            self.blocks.append((self.level, text))
        self.level = 0

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        if tag in self.SKIP:
            self.skip += 1
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.flush()
            self.level = min(int(tag[1]), 4)
        elif tag in self.BLOCK:
            self.flush()
        elif tag in ("td", "th"):
            self.buf.append(" ")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6") or tag in self.BLOCK:
            self.flush()

    def handle_data(self, data):
        if self._in_title:
            self.doc_title += data
        elif not self.skip:
            self.buf.append(data)


def read_html(data: bytes) -> Document:
    text = _decode(data)
    if "<" not in text:
        raise ExtractionError(_("HTML 문서가 아닙니다."))
    p = _HtmlText()
    p.feed(text)
    p.close()
    p.flush()
    doc = _from_blocks(p.blocks)
    doc.title = doc.title or " ".join(p.doc_title.split())
    return doc


# --- PDF -----------------------------------------------------------------------------


def read_pdf(data: bytes) -> Document:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise ExtractionError(_("암호가 걸린 PDF는 읽을 수 없습니다. 암호를 풀고 올려 주세요."))
    pages = [_clean(page.extract_text() or "") for page in reader.pages]
    text = "\n\n".join(p for p in pages if p)
    if not text:
        raise ExtractionError(_("PDF에서 글자를 찾지 못했습니다(스캔한 이미지 PDF일 수 있습니다)."))
    title = ""
    try:
        title = (reader.metadata.title or "") if reader.metadata else ""
    except Exception:  # noqa: BLE001 - a broken info dictionary is not worth failing for
        title = ""
    # A PDF has no heading markup; its lines are kept as paragraphs.
    return Document(text, str(title).strip())


# --- DOCX ----------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_NAME = re.compile(r"^(?:heading|제목)\s*(\d)$", re.I)


def read_docx(data: bytes) -> Document:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        if "word/document.xml" not in z.namelist():
            raise ExtractionError(_("DOCX 문서가 아닙니다(word/document.xml이 없습니다)."))
        root = ET.fromstring(z.read("word/document.xml"))
        styles: dict[str, str] = {}
        if "word/styles.xml" in z.namelist():
            for st in ET.fromstring(z.read("word/styles.xml")).iter(_W + "style"):
                name = st.find(_W + "name")
                styles[st.get(_W + "styleId", "")] = name.get(_W + "val", "") if name is not None else ""
    blocks: list[tuple[int, str]] = []
    for p in root.iter(_W + "p"):
        level = 0
        style = p.find(f"{_W}pPr/{_W}pStyle")
        if style is not None:
            sid = style.get(_W + "val", "")
            level = _docx_level(sid) or _docx_level(styles.get(sid, ""))
        parts = []
        for el in p.iter():
            if el.tag == _W + "t" and el.text:
                parts.append(el.text)
            elif el.tag == _W + "tab":
                parts.append(" ")
            elif el.tag in (_W + "br", _W + "cr"):
                parts.append("\n")
        blocks.append((level, "".join(parts)))
    return _from_blocks(blocks)


def _docx_level(name: str) -> int:
    if not name:
        return 0
    if name.lower() == "title":
        return 1
    m = _HEADING_NAME.match(name.strip()) or re.match(r"^(?:Heading)(\d)$", name.strip(), re.I)
    return int(m.group(1)) if m else 0


# --- HWPX (OWPML) ---------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_hwpx(data: bytes) -> Document:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        sections = sorted(
            (n for n in names if re.match(r"Contents/section\d+\.xml$", n)),
            key=lambda n: int(re.search(r"(\d+)", n.rsplit("/", 1)[-1]).group(1)),
        )
        if not sections:
            raise ExtractionError(_("HWPX 문서가 아닙니다(본문 구역이 없습니다)."))
        outline: dict[str, int] = {}
        if "Contents/header.xml" in names:
            for st in ET.fromstring(z.read("Contents/header.xml")).iter():
                if _local(st.tag) == "style":
                    m = re.match(r"^(?:개요|Outline)\s*(\d)$", st.get("name", "") or st.get("engName", ""))
                    if m:
                        outline[st.get("id", "")] = int(m.group(1))
        blocks: list[tuple[int, str]] = []
        for name in sections:
            root = ET.fromstring(z.read(name))
            for p in root.iter():
                if _local(p.tag) != "p":
                    continue
                # Nested paragraphs (tables, text boxes) are visited on their own.
                parts = []
                for run in p:
                    if _local(run.tag) != "run":
                        continue
                    for t in run:
                        if _local(t.tag) == "t":
                            parts.append("".join(t.itertext()))
                blocks.append((outline.get(p.get("styleIDRef", ""), 0), "".join(parts)))
    return _from_blocks(blocks)


# --- HWP 5.0 (OLE compound file) -------------------------------------------------------

HWPTAG_BEGIN = 16
HWPTAG_PARA_TEXT = HWPTAG_BEGIN + 51  # 67
# Control characters that occupy 8 UTF-16 units (the code, 12 bytes of data, the code again).
_HWP_WIDE_CONTROLS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}


def hwp_records(data: bytes):
    """Yield ``(tag, level, payload)`` of the records in a decompressed HWP stream."""
    pos, n = 0, len(data)
    while pos + 4 <= n:
        (header,) = struct.unpack_from("<I", data, pos)
        pos += 4
        tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, (header >> 20) & 0xFFF
        if size == 0xFFF:
            if pos + 4 > n:
                break
            (size,) = struct.unpack_from("<I", data, pos)
            pos += 4
        yield tag, level, data[pos : pos + size]
        pos += size


def hwp_para_text(payload: bytes) -> str:
    """The text of a PARA_TEXT record, control characters removed."""
    units = struct.unpack(f"<{len(payload) // 2}H", payload[: len(payload) // 2 * 2])
    out: list[str] = []
    i = 0
    while i < len(units):
        c = units[i]
        if c >= 32:
            out.append(chr(c))
            i += 1
        elif c in _HWP_WIDE_CONTROLS:
            i += 8
        else:
            if c == 10:
                out.append("\n")
            elif c in (30, 31):
                out.append(" ")
            i += 1
    # Surrogate pairs come through as two units: join them back.
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def hwp_section_text(stream: bytes, compressed: bool) -> list[str]:
    """Paragraph texts of one BodyText/Section stream."""
    if compressed:
        stream = zlib.decompress(stream, -15)
    return [hwp_para_text(payload) for tag, _level, payload in hwp_records(stream) if tag == HWPTAG_PARA_TEXT]


def read_hwp(data: bytes) -> Document:
    import olefile

    if not olefile.isOleFile(io.BytesIO(data)):
        raise ExtractionError(_("HWP 5.0 문서가 아닙니다(HWP 3.0 이하 문서는 HWP 5.0 이상으로 다시 저장해 주세요)."))
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        if not ole.exists("FileHeader"):
            raise ExtractionError(_("HWP 문서가 아닙니다(FileHeader가 없습니다)."))
        header = ole.openstream("FileHeader").read()
        if not header.startswith(b"HWP Document File"):
            raise ExtractionError(_("HWP 문서가 아닙니다."))
        (props,) = struct.unpack_from("<I", header, 36)
        if props & 0x2:
            raise ExtractionError(_("암호가 걸린 HWP 문서는 읽을 수 없습니다."))
        if props & 0x4:
            raise ExtractionError(_("배포용 HWP 문서는 읽을 수 없습니다. 일반 문서로 저장해 올려 주세요."))
        compressed = bool(props & 0x1)
        sections = sorted(
            (e for e in ole.listdir() if len(e) == 2 and e[0] == "BodyText" and e[1].startswith("Section")),
            key=lambda e: int(e[1][7:] or 0),
        )
        paras: list[str] = []
        for entry in sections:
            paras.extend(hwp_section_text(ole.openstream(entry).read(), compressed))
    text = "\n\n".join(t for t in (_clean(p) for p in paras) if t)
    return Document(text, "")


# --- FAQ tables ------------------------------------------------------------------------


def _faq_rows(header: list, rows) -> FaqTable:
    names = [str(h or "").strip().lower().lstrip("\ufeff") for h in header]
    cols: dict[str, int] = {}
    for key, aliases in FAQ_COLUMNS.items():
        for i, name in enumerate(names):
            if name in aliases:
                cols[key] = i
                break
    if "question" not in cols or "answer" not in cols:
        raise ExtractionError(_("FAQ 표의 첫 줄에 question(질문)과 answer(답변) 열이 있어야 합니다."))
    out = []
    for row in rows:
        row = list(row)

        def cell(key):  # noqa: B023 - called within this iteration only
            i = cols.get(key)
            v = row[i] if i is not None and i < len(row) else None  # noqa: B023
            return "" if v is None else str(v).strip()

        if cell("question") and cell("answer"):
            out.append({"question": cell("question"), "answer": cell("answer"), "topic": cell("topic")})
    if not out:
        raise ExtractionError(_("FAQ 표에 질문과 답변이 있는 줄이 없습니다."))
    return FaqTable(out)


def read_csv(data: bytes) -> FaqTable:
    reader = csv.reader(io.StringIO(_decode(data)))
    header = next(reader, None)
    if not header:
        raise ExtractionError(_("CSV 파일이 비어 있습니다."))
    return _faq_rows(header, reader)


def read_xlsx(data: bytes) -> FaqTable:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            raise ExtractionError(_("XLSX 파일의 첫 시트가 비어 있습니다."))
        return _faq_rows(list(header), rows)
    finally:
        wb.close()


_READERS = {
    "markdown": read_markdown,
    "html": read_html,
    "pdf": read_pdf,
    "docx": read_docx,
    "hwpx": read_hwpx,
    "hwp": read_hwp,
    "csv": read_csv,
    "xlsx": read_xlsx,
}
