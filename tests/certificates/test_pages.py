"""The pages: a resident gets a 시설 사용 확인서 as a signed PDF; anyone checks it on
문서 진위확인 by number and by file (a tampered file is refused); staff revoke one."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dasan.certificates.demo import load_demo
from dasan.certificates.models import DocumentStatus, IssuedDocument

from .conftest import grant


def test_resident_issues_downloads_and_anyone_verifies(signing, used_booking, resident, client):
    load_demo()
    client.force_login(resident)
    page = client.get("/documents/issue/").content.decode()
    assert used_booking.code in page and "확인서 발급" in page
    response = client.post(f"/documents/issue/facility/{used_booking.pk}/")
    doc = IssuedDocument.objects.get()
    assert response["Location"] == f"/documents/d/{doc.pk}/"
    pdf = client.get(f"/documents/d/{doc.pk}/document.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == bytes(doc.pdf)

    public = Client()
    by_number = public.get("/documents/verify/", {"number": doc.display_number}).content.decode()
    assert "진본입니다" in by_number and "번호만 확인했습니다" in by_number and resident.name not in by_number
    with_file = public.post(
        "/documents/verify/",
        {"number": doc.number, "file": SimpleUploadedFile("a.pdf", pdf.content, "application/pdf")},
    )
    assert "진본입니다" in with_file.content.decode()
    tampered = bytearray(pdf.content)
    tampered[tampered.index(b"stream") + 40] ^= 0x01
    refused = public.post(
        "/documents/verify/",
        {"number": doc.number, "file": SimpleUploadedFile("b.pdf", bytes(tampered), "application/pdf")},
    )
    assert "진본이 아닙니다" in refused.content.decode()
    other = Client()
    assert other.get(f"/documents/d/{doc.pk}/document.pdf").status_code == 302  # sign-in first, and only the holder's


def test_verification_answers_clearly_on_bad_input(client, city):
    page = client.get("/documents/verify/", {"number": "1234"}).content.decode()
    assert "16자리" in page
    not_pdf = client.post("/documents/verify/", {"file": SimpleUploadedFile("x.pdf", b"hello", "application/pdf")})
    assert not_pdf.status_code == 400 and "PDF 파일만 올릴 수 있습니다" in not_pdf.content.decode()


def test_staff_revoke_and_the_number_then_reads_revoked(signing, used_booking, resident, make_staff, departments):
    from dasan.certificates import issuing

    doc = issuing.issue_facility_use(used_booking, actor=resident)
    staff = grant(make_staff("doc-clerk", department=departments["root"]), "view_issueddocument")
    desk = Client()
    desk.force_login(staff)
    assert doc.display_number in desk.get("/staff/documents/issued/").content.decode()
    desk.post(f"/staff/documents/issued/{doc.pk}/revoke/", {"reason": "예약 정보 오류"})
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.REVOKED
    assert "효력을 잃은 문서입니다" in Client().get("/documents/verify/", {"number": doc.number}).content.decode()
