"""문서 진위확인: is this a document the city issued, and is this file that document?

Anyone may ask, on the page or through the API, rate-limited per client address
(``CERTIFICATES_VERIFY_LIMIT`` checks per 10 minutes). The answer is one of ``genuine``,
``revoked``, ``not_found`` or ``not_genuine``, with the reasons in words; what may be shown
publicly is the title, date, department and the masked holder only.

* A number alone: genuine or revoked when the city issued a document with it.
* With the PDF file, three checks, each with its own reason: the signature is intact and
  chains to the city's root, and covers the *whole* file (an update appended after signing
  fails) — both in ``signing.verify_signature`` — and the file's SHA-256 is the one stored
  at issue. A file without a number is looked up by its hash.
"""

from __future__ import annotations

import dataclasses
import hashlib

from django.utils.translation import gettext as _

from dasan.certificates.errors import Code
from dasan.core import ratelimit
from dasan.core.conf import setting
from dasan.core.errors import DasanError, RateLimited

from . import numbers, signing
from .models import DocumentStatus, IssuedDocument

WINDOW_SECONDS = 600


@dataclasses.dataclass(frozen=True)
class Verification:
    """``state``: ``genuine``, ``revoked``, ``not_found`` or ``not_genuine`` (a file was
    given and it is not the issued one); ``reasons`` say why in words."""

    state: str
    document: IssuedDocument | None
    reasons: list[str]
    file_checked: bool = False

    @property
    def genuine(self) -> bool:
        return self.state == "genuine"


def check_rate(client: str) -> None:
    """Rate limit of the verification page and API, per client address."""
    limit = int(setting("CERTIFICATES_VERIFY_LIMIT"))
    result = ratelimit.hit(f"certificates.verify:{client or 'unknown'}", limit=limit, window=WINDOW_SECONDS)
    if not result.allowed:
        raise RateLimited(result.retry_after)


def _by_number(document: IssuedDocument | None) -> Verification:
    if document is None:
        raise DasanError(Code.NUMBER_REQUIRED, _("문서확인번호를 입력하거나 PDF 파일을 올려 주세요."), field="number")
    if document.status == DocumentStatus.REVOKED:
        return Verification("revoked", document, [_("발급한 문서이지만 효력을 잃었습니다.")])
    return Verification("genuine", document, [_("이 시에서 발급한 문서입니다.")])


def _by_file(document: IssuedDocument | None, pdf: bytes) -> Verification:
    check = signing.verify_signature(pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    if document is None:
        document = IssuedDocument.objects.filter(sha256=digest).first()
    ok = check.ok
    reasons = [check.reason]
    if document is None:
        reasons.append(_("이 파일과 같은 문서를 발급한 기록이 없습니다."))
        return Verification("not_found" if not check.ok else "not_genuine", None, reasons, file_checked=True)
    if digest != document.sha256:
        ok = False
        reasons.append(_("파일이 발급한 문서와 다릅니다 (SHA-256 불일치)."))
    if not ok:
        return Verification("not_genuine", document, reasons, file_checked=True)
    if document.status == DocumentStatus.REVOKED:
        return Verification(
            "revoked", document, reasons + [_("발급한 문서이지만 효력을 잃었습니다.")], file_checked=True
        )
    reasons.append(_("발급한 문서와 파일이 같습니다."))
    return Verification("genuine", document, reasons, file_checked=True)


def verify(number: str = "", pdf: bytes | None = None) -> Verification:
    """Is ``number`` (and, if given, the file ``pdf``) a document this city issued? (See the
    module docstring.) ``number_required`` when there is neither."""
    digits = numbers.normalise(number)
    document = None
    if digits:
        if not numbers.is_well_formed(digits):
            return Verification(
                "not_found", None, [_("문서확인번호가 맞지 않습니다. 16자리 숫자를 다시 확인해 주세요.")]
            )
        document = IssuedDocument.objects.filter(number=digits).first()
        if document is None:
            return Verification("not_found", None, [_("이 번호로 발급한 문서가 없습니다.")])
    if pdf is None:
        return _by_number(document)
    return _by_file(document, pdf)
