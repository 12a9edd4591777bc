"""City-issued documents: a signed PDF with a 문서확인번호 that verifies, and copies that do
not — a byte changed inside the signed range, an update appended after signing, a file the
city never issued, a revoked document."""

from __future__ import annotations

import io

import pytest

from dasan.certificates import issuing, numbers, verification
from dasan.certificates import signing as signatures
from dasan.certificates.models import DocumentStatus
from dasan.core.errors import DasanError

from .conftest import grant


def test_a_facility_use_certificate_is_signed_and_verifies(signing, used_booking, resident):
    doc = issuing.issue_facility_use(used_booking, actor=resident)
    pdf = bytes(doc.pdf)
    assert pdf.startswith(b"%PDF") and numbers.is_well_formed(doc.number)
    assert issuing.issue_facility_use(used_booking, actor=resident).pk == doc.pk  # asked again: the same document
    result = verification.verify(doc.number, pdf)
    assert result.state == "genuine" and result.file_checked, result.reasons
    by_number = verification.verify(doc.number)
    assert by_number.genuine and by_number.document.holder_masked != resident.name
    assert verification.verify("", pdf).genuine  # the file alone is found by its hash


def test_a_tampered_copy_fails(signing, used_booking, resident):
    doc = issuing.issue_facility_use(used_booking, actor=resident)
    pdf = bytearray(doc.pdf)
    # 1. a byte changed inside the signed content
    position = pdf.index(b"stream") + 40
    pdf[position] = (pdf[position] + 1) % 256
    changed = verification.verify(doc.number, bytes(pdf))
    assert changed.state == "not_genuine", changed.reasons
    # 2. an incremental update appended after signing (the signature no longer covers the file)
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(bytes(doc.pdf)))
    writer.root["/Lang"] = generic.TextStringObject("en")  # any change appended after the signature
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert len(out.getvalue()) > len(doc.pdf)
    appended = verification.verify(doc.number, out.getvalue())
    assert appended.state == "not_genuine", appended.reasons
    assert signatures.verify_signature(out.getvalue()).code == "modified_after_signing"


def test_unknown_numbers_and_revoked_documents(signing, used_booking, resident, make_staff, departments):
    assert verification.verify("1234-5678-9012-3456").state == "not_found"
    with pytest.raises(DasanError) as caught:
        verification.verify("")
    assert caught.value.code == "number_required"
    doc = issuing.issue_facility_use(used_booking, actor=resident)
    staff = grant(make_staff("doc-officer", department=departments["root"]), "view_issueddocument")
    issuing.revoke(doc, actor=staff, reason="잘못 발급")
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.REVOKED and verification.verify(doc.number).state == "revoked"


def test_without_a_certificate_nothing_is_issued(settings, used_booking, resident):
    settings.DASAN = {**settings.DASAN, "SIGNING_P12": ""}
    with pytest.raises(DasanError) as caught:
        issuing.issue_facility_use(used_booking, actor=resident)
    assert caught.value.code == "signing_unavailable"
