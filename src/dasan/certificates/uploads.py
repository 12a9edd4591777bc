"""PDF files that come in: the national system's document a clerk attaches to a request, and
the file anyone uploads on 문서 진위확인.

A file counts as a PDF when it starts with the ``%PDF-`` header *and* pyHanko can read its
trailer and catalogue; a renamed picture or a truncated download is refused before anything
is stored or checked. The size limit (``CERTIFICATES_PDF_MAX_BYTES``, 10 MB) is checked on
the declared size and again while reading, so a client that lies about it gains nothing.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from dasan.certificates.errors import Code
from dasan.core.errors import DasanError

from .selectors import pdf_max_bytes


def _too_large(max_bytes: int) -> DasanError:
    return DasanError(
        Code.FILE_TOO_LARGE,
        _("파일이 너무 큽니다 (최대 %(mb)d MB).") % {"mb": max_bytes // (1024 * 1024)},
        field="file",
    )


def _read(upload, max_bytes: int) -> bytes:
    if isinstance(upload, (bytes, bytearray)):
        return bytes(upload)
    chunks, total = [], 0
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def read_pdf_upload(upload, *, max_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded PDF (an uploaded file or bytes) after checking it is one and
    not too large (see the module docstring)."""
    max_bytes = max_bytes or pdf_max_bytes()
    if upload is None:
        raise DasanError(Code.FILE_REQUIRED, _("PDF 파일을 골라 주세요."), field="file")
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _too_large(max_bytes)
    data = _read(upload, max_bytes)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not data.lstrip()[:5] == b"%PDF-":
        raise DasanError(Code.NOT_PDF, _("PDF 파일만 올릴 수 있습니다."), field="file")
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        PdfFileReader(io.BytesIO(data), strict=False).root  # noqa: B018 - parses the trailer and catalogue
    except Exception:  # noqa: BLE001 - whatever is wrong with it, it is not a usable PDF
        raise DasanError(Code.NOT_PDF, _("PDF 파일로 읽을 수 없습니다."), field="file") from None
    return data
