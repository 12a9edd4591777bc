"""The city's digital signature on the PDFs it issues, and checking it.

Configuration (``settings.DASAN``, read from the environment in ``settings.py``):

* ``SIGNING_P12`` (``DASAN_SIGNING_P12``) — path of a PKCS#12 file holding the
  signing key, its certificate and the chain up to the root.
* ``SIGNING_P12_PASSWORD`` (``DASAN_SIGNING_P12_PASSWORD``) — its password.
* ``SIGNING_TRUST_ROOTS`` (``DASAN_SIGNING_TRUST_ROOTS``) — optional: PEM or DER
  files (separated by ``os.pathsep``) of the root certificates a signature must
  chain to. Without it the self-signed certificates inside the PKCS#12 are the
  roots (right for the demo CA of ``make_signing_cert``; in production point it
  at the 행정전자서명(GPKI) root the city's certificate comes from).

Signing makes a PAdES baseline signature (``ETSI.CAdES.detached``) with pyHanko over
the whole file. Verification (:func:`verify_signature`) asks three things, each
failing with its own reason: the signature is cryptographically intact and its
certificate chains to a trusted root, the signed byte range covers the entire file
(nothing was appended after signing, e.g. an incremental update that changes the
text), and — done by the caller, who knows what was issued — the file's SHA-256 is
the one stored at issue.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import logging
import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from dasan.certificates.errors import Code
from dasan.core.conf import setting
from dasan.core.errors import DasanError

logger = logging.getLogger("dasan.certificates")
# pyHanko logs a traceback for every modified file it analyses; for us that is an answer, not an error.
logging.getLogger("pyhanko.sign.validation").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko.sign.diff_analysis").setLevel(logging.CRITICAL)

__all__ = ["SigningUnavailable", "Check", "configured", "sign_pdf", "verify_signature", "signer_name"]


class SigningUnavailable(DasanError):
    status = 503

    def __init__(self, detail: str = ""):
        super().__init__(
            Code.SIGNING_UNAVAILABLE,
            _("전자 서명용 인증서가 설정되지 않아 지금은 문서를 발급할 수 없습니다. 담당 부서에 문의해 주세요."),
        )
        self.detail = detail


def _conf(name: str) -> str:
    return str(setting(name) or "")


def configured() -> bool:
    path = _conf("SIGNING_P12")
    return bool(path) and Path(path).is_file()


def _settings_key() -> tuple[str, str, str, float]:
    path = _conf("SIGNING_P12")
    mtime = Path(path).stat().st_mtime if path and Path(path).is_file() else 0.0
    return path, _conf("SIGNING_P12_PASSWORD"), _conf("SIGNING_TRUST_ROOTS"), mtime


@functools.lru_cache(maxsize=4)
def _load(key: tuple[str, str, str, float]):
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign import signers

    path, password, roots_conf, _mtime = key
    if not path or not Path(path).is_file():
        raise SigningUnavailable("DASAN_SIGNING_P12 is not set or not a file")
    data = Path(path).read_bytes()
    passphrase = password.encode() if password else None
    try:
        signer = signers.SimpleSigner.load_pkcs12(path, passphrase=passphrase)
        _key, _cert, extra = pkcs12.load_key_and_certificates(data, passphrase)
    except Exception as error:  # noqa: BLE001 - wrong password or a broken file: an operator's problem
        logger.error("cannot load the signing certificate %s: %s", path, error)
        raise SigningUnavailable(str(error)) from None
    if signer is None:
        raise SigningUnavailable("the PKCS#12 file could not be read")
    roots = []
    if roots_conf:
        from pyhanko.keys import load_cert_from_pemder

        roots = [load_cert_from_pemder(p) for p in roots_conf.split(os.pathsep) if p]
    else:
        from asn1crypto import x509 as asn1_x509
        from cryptography.hazmat.primitives.serialization import Encoding

        for cert in extra or []:
            if cert.issuer == cert.subject:
                roots.append(asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)))
    return signer, roots


def _signer_and_roots():
    return _load(_settings_key())


def signer_name() -> str:
    """The subject of the signing certificate (shown on the verification page)."""
    signer, _roots = _signer_and_roots()
    return signer.signing_cert.subject.human_friendly


def sign_pdf(pdf: bytes, *, reason: str = "", location: str = "") -> bytes:
    """``pdf`` with the city's PAdES signature over the whole file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer, _roots = _signer_and_roots()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="CitySeal",
        reason=reason or None,
        location=location or None,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


@dataclasses.dataclass(frozen=True)
class Check:
    """Outcome of :func:`verify_signature`: ``ok``, a stable ``code`` and a reason in words."""

    ok: bool
    code: str
    reason: str
    signer: str = ""


def verify_signature(pdf: bytes) -> Check:
    """Check the city's signature on ``pdf`` (see the module docstring). Never raises
    for a bad file: a file that is not a PDF is an answer too."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    _signer, roots = _signer_and_roots()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - any parse failure means "not our PDF"
        return Check(False, "not_pdf", str(_("PDF 파일로 읽을 수 없습니다.")))
    if not signatures:
        return Check(False, "unsigned", str(_("전자 서명이 없는 파일입니다.")))
    embedded = signatures[0]
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception as error:  # noqa: BLE001 - a mangled signature dictionary
        logger.info("signature check failed: %s", error)
        return Check(
            False, "signature_broken", str(_("전자 서명을 확인할 수 없습니다. 파일이 손상되었거나 바뀌었습니다."))
        )
    signer = ""
    try:
        signer = status.signing_cert.subject.human_friendly
    except Exception:  # noqa: BLE001
        pass
    if not status.intact or not status.valid:
        return Check(
            False,
            "content_changed",
            str(_("서명한 뒤 파일 내용이 바뀌었습니다 (서명 값이 내용과 맞지 않습니다).")),
            signer,
        )
    if not status.trusted:
        return Check(False, "untrusted", str(_("이 시의 인증서로 서명한 파일이 아닙니다.")), signer)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or len(signatures) != 1:
        return Check(
            False, "modified_after_signing", str(_("서명한 뒤 파일에 내용이 덧붙여졌습니다 (증분 수정).")), signer
        )
    return Check(True, "signature_valid", str(_("이 시의 인증서로 서명되었고, 서명 뒤 바뀌지 않았습니다.")), signer)
