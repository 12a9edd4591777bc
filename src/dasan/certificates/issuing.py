"""Documents the city issues itself, at once and online: a 시설 사용 확인서 for a reservation
the resident used, a 민원 처리 결과 통지서 for an answered complaint (「민원 처리에 관한 법률」
제27조).

Each is an A4 PDF (``pdfs.py``) with the city's seal, a 문서확인번호 (16 digits, unguessable,
with a check digit, unique by constraint: ``numbers.py``) and a QR code to 문서 진위확인, signed
with the city's certificate (PAdES, ``signing.py``); its SHA-256 is stored, so a copy can be
checked byte for byte. Asking again for the same source returns the document already issued
while it is valid; without a configured certificate nothing is issued
(``signing_unavailable``, 503). A resident may issue for their own reservations and
complaints only, staff for anyone's. :func:`revoke` withdraws a document: 문서 진위확인
answers "revoked" from then on.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dasan.accounts.permissions import require_staff
from dasan.certificates.errors import Code
from dasan.complaints import selectors as complaints
from dasan.core import audit
from dasan.core.errors import Conflict, DasanError, NotFound
from dasan.core.pii import mask_name
from dasan.core.timefmt import fmt
from dasan.reservations import selectors as reservations

from . import numbers, pdfs, seal, signing
from .models import CertificateSettings, DocumentStatus, Generator, IssuedDocument
from .selectors import city_name, complaint_results, document_not_found, facility_uses, handles_documents, verify_url

ATTEMPTS = 5  # fresh numbers tried before giving up (a clash is one in 10^15)


def _issuer() -> tuple[str, str]:
    conf = CertificateSettings.current()
    return (conf.issuer_title or f"{city_name()}장"), conf.issuer_department


def _valid(generator: str, source_reference: str) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(
        generator=generator, source_reference=source_reference, status=DocumentStatus.VALID
    ).first()


def _signed_pdf(body_for, *, number: str, city: str, issuer: str, department: str, language: str, now: dt.datetime):
    """(the signed PDF, its body) of document ``number``, written in ``language``."""
    with translation.override(language):
        body = body_for()
        unsigned = pdfs.render(
            body,
            number=number,
            city=city,
            issuer=issuer,
            department=department,
            verify_url=verify_url(number),
            seal=seal.seal_png(city),
            issued_at=now,
            language=language,
        )
        return signing.sign_pdf(unsigned, reason=str(body.title), location=city), body


def _issue(
    *,
    generator: str,
    holder,
    source_reference: str,
    body_for,
    department: str,
    issued_by=None,
    now: dt.datetime | None = None,
) -> IssuedDocument:
    """Build, seal, sign and store one document (see the module docstring)."""
    existing = _valid(generator, source_reference)
    if existing is not None:
        return existing
    if not signing.configured():
        raise signing.SigningUnavailable()
    now = now or timezone.now()
    city = city_name()
    issuer, configured_department = _issuer()
    department = configured_department or department
    language = getattr(holder, "language", None) or "ko"
    for _attempt in range(ATTEMPTS):
        number = numbers.new_number()
        if IssuedDocument.objects.filter(number=number).exists():
            continue
        signed, body = _signed_pdf(
            body_for, number=number, city=city, issuer=issuer, department=department, language=language, now=now
        )
        try:
            with transaction.atomic():
                document = IssuedDocument.objects.create(
                    number=number,
                    generator=generator,
                    title=body.title,
                    holder=holder,
                    holder_masked=mask_name(getattr(holder, "name", "")),
                    source_reference=source_reference,
                    department=department,
                    issued_at=now,
                    issued_by=issued_by,
                    pdf=signed,
                    sha256=hashlib.sha256(signed).hexdigest(),
                    signer=signing.signer_name()[:200],
                )
                audit.record(
                    "certificates.issue",
                    actor=issued_by or holder,
                    target=document,
                    data={"generator": generator, "source": source_reference, "sha256": document.sha256},
                )
            return document
        except IntegrityError:
            existing = _valid(generator, source_reference)
            if existing is not None:  # a concurrent request issued it first
                return existing
    raise DasanError(Code.ISSUE_FAILED, _("문서를 발급하지 못했습니다. 잠시 후 다시 시도해 주세요."), status=503)


def _issued_by(actor, owner_pk):
    """The staff member issuing (one who handles documents), or None when the resident
    issues their own; anyone else is told there is nothing to issue from
    (``source_not_found``, 404)."""
    if handles_documents(actor):
        return actor
    if not getattr(actor, "is_authenticated", False) or actor.pk != owner_pk:
        raise NotFound(Code.SOURCE_NOT_FOUND, _("발급할 근거를 찾을 수 없습니다."))
    return None


def issue_facility_use(reservation, *, actor, now: dt.datetime | None = None) -> IssuedDocument:
    """시설 사용 확인서 for a reservation (or its id) that was used (see
    ``selectors.facility_uses``)."""
    reservation = reservations.find_reservation(reservation)
    if reservation is None or reservation.resident_id is None:
        raise NotFound(Code.SOURCE_NOT_FOUND, _("발급할 근거를 찾을 수 없습니다."))
    issued_by = _issued_by(actor, reservation.resident_id)
    if not facility_uses(reservation.resident).filter(pk=reservation.pk).exists():
        raise DasanError(Code.NOT_USED, _("이용을 마친 예약만 사용 확인서를 발급할 수 있습니다."))
    resource = reservation.resource
    when = f"{fmt(reservation.begin)} – {fmt(reservation.end, '%H:%M')}"

    def body():
        return pdfs.Body(
            title=_("시설 사용 확인서"),
            rows=[
                (_("사용자"), reservation.resident.name or "-"),
                (_("시설"), f"{resource.unit.name} {resource.name}"),
                (_("주소"), resource.unit.address),
                (_("사용 일시"), when),
                (_("인원·수량"), str(reservation.party_size)),
                (_("사용 목적"), reservation.purpose or "-"),
                (_("예약번호"), reservation.code),
                (_("사용료"), _("%(amount)s원") % {"amount": f"{reservation.price:,}"}),
            ],
            statement=_("위 사람이 위 시설을 위와 같이 사용하였음을 확인합니다."),
        )

    return _issue(
        generator=Generator.FACILITY_USE,
        holder=reservation.resident,
        source_reference=reservation.code,
        body_for=body,
        department=resource.unit.name,
        issued_by=issued_by,
        now=now,
    )


def issue_complaint_result(complaint, *, actor, now: dt.datetime | None = None) -> IssuedDocument:
    """민원 처리 결과 통지서 for an answered or closed complaint (or its 접수번호)."""
    complaint = complaints.find_by_number(complaint)
    if complaint is None or complaint.resident_id is None:
        raise NotFound(Code.SOURCE_NOT_FOUND, _("발급할 근거를 찾을 수 없습니다."))
    issued_by = _issued_by(actor, complaint.resident_id)
    if not complaint_results(complaint.resident).filter(pk=complaint.pk).exists():
        raise DasanError(Code.NOT_ANSWERED, _("답변을 마친 민원만 처리 결과 통지서를 발급할 수 있습니다."))
    department = complaint.department.name if complaint.department_id else ""

    def body():
        return pdfs.Body(
            title=_("민원 처리 결과 통지서"),
            rows=[
                (_("접수번호"), complaint.number),
                (_("신청인"), complaint.resident.name or "-"),
                (_("접수 일시"), fmt(complaint.received_at)),
                (_("제목"), complaint.title),
                (_("처리 부서"), department or "-"),
                (_("처리 결과"), complaint.answer),
                (_("답변 일시"), fmt(complaint.answered_at) or "-"),
            ],
            statement=_("귀하께서 신청하신 민원의 처리 결과를 위와 같이 알려 드립니다."),
            note=_("「민원 처리에 관한 법률」 제27조에 따른 처리 결과의 통지입니다."),
        )

    return _issue(
        generator=Generator.COMPLAINT_RESULT,
        holder=complaint.resident,
        source_reference=complaint.number,
        body_for=body,
        department=department,
        issued_by=issued_by,
        now=now,
    )


def revoke(doc, *, actor, reason: str, now: dt.datetime | None = None) -> IssuedDocument:
    """효력 상실 (staff who handle documents, with a reason; other staff: ``document_not_found``): 문서 진위확인 answers "revoked" from now on."""
    require_staff(actor, _("담당 공무원만 할 수 있습니다."))
    if not handles_documents(actor):
        raise document_not_found()
    reason = " ".join(str(reason or "").split())[:200]
    if not reason:
        raise DasanError(Code.REASON_REQUIRED, _("사유를 적어 주세요."), field="reason")
    with transaction.atomic():
        doc = IssuedDocument.objects.select_for_update().get(pk=doc.pk if isinstance(doc, IssuedDocument) else doc)
        if doc.status == DocumentStatus.REVOKED:
            raise Conflict(Code.ALREADY_REVOKED, _("이미 효력을 잃은 문서입니다."))
        doc.status = DocumentStatus.REVOKED
        doc.revoked_at = now or timezone.now()
        doc.revoked_reason = reason
        doc.save(update_fields=["status", "revoked_at", "revoked_reason"])
        audit.record("certificates.revoke", actor=actor, target=doc, reason=reason)
    return doc
