"""민원서류 사전발급 and city-issued documents with 문서확인번호.

Two kinds of document live here:

* :class:`DocumentType` with ``source = national``: documents the national systems
  issue (주민등록표 등·초본 from 주민등록전산정보, 가족관계증명서 from 가족관계등록시스템,
  토지대장 from 부동산종합공부시스템, 납세증명서 from 세외수입·지방세 시스템). Dasan
  never produces these: a resident asks for one to be prepared before a visit
  (:class:`DocumentRequest`), staff print it from the national system, attach the
  PDF it produced (kept only until pickup) and mark it ready; identity is checked at
  the counter with an ID card, and only who checked and which kind of ID is stored.
* :class:`IssuedDocument`: documents the city itself issues (시설 사용 확인서,
  민원 처리 결과 통지서), generated as PDF with the city's seal, a 문서확인번호 and a
  QR code, signed with the city's certificate; anyone can check them on the public
  verification page (문서 진위확인).

Every change goes through ``services.py`` (requests) or ``issuing.py`` (issued documents).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    NATIONAL = "national", _("국가 시스템 발급 (방문 수령)")
    CITY = "city", _("시 발급 (온라인 즉시 발급)")


class Generator(models.TextChoices):
    """The city-issued documents Dasan knows how to build."""

    FACILITY_USE = "facility_use", _("시설 사용 확인서")
    COMPLAINT_RESULT = "complaint_result", _("민원 처리 결과 통지서")


class DocumentType(models.Model):
    """발급 서류: one entry of the catalogue the city maintains in the admin.

    ``options`` are the yes/no choices the resident makes when asking (등본: 과거
    주소 변동 포함? 세대원 포함?), as ``[{"key": "past_addresses", "label": "..."}]``;
    they are printed on the staff queue so the clerk prints the right variant."""

    code = models.SlugField(_("코드"), max_length=40, unique=True)
    name = models.CharField(_("서류명"), max_length=100)
    source = models.CharField(_("발급 방식"), max_length=10, choices=Source.choices, default=Source.NATIONAL)
    generator = models.CharField(
        _("생성 양식"),
        max_length=20,
        choices=Generator.choices,
        blank=True,
        help_text=_("시 발급 서류만: 어떤 양식으로 만들지"),
    )
    description = models.TextField(_("설명"), blank=True)
    fee = models.PositiveIntegerField(_("수수료(원, 1통)"), default=0)
    fee_note = models.CharField(_("수수료 안내"), max_length=200, blank=True)
    legal_basis = models.CharField(_("근거 법령"), max_length=200, blank=True)
    required_info = models.TextField(
        _("필요한 정보"), blank=True, help_text=_("신청할 때 알아야 할 것 (예: 토지 소재지와 지번)")
    )
    options = models.JSONField(
        _("선택 항목"),
        default=list,
        blank=True,
        help_text=_('[{"key": "past_addresses", "label": "과거 주소 변동 사항 포함"}]'),
    )
    identity_check = models.BooleanField(_("수령 시 신분 확인"), default=True)
    processing_hours = models.PositiveIntegerField(
        _("처리 시간(근무시간)"), default=2, help_text=_("신청부터 수령 가능까지 걸리는 근무시간 (8시간 = 1근무일)")
    )
    max_copies = models.PositiveSmallIntegerField(_("최대 부수"), default=5)
    active = models.BooleanField(_("사용"), default=True)
    position = models.PositiveSmallIntegerField(_("순서"), default=0)

    class Meta:
        verbose_name = _("발급 서류")
        verbose_name_plural = _("발급 서류")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_copies__gte=1) & Q(max_copies__lte=50), name="certificates_type_max_copies"
            ),
            models.CheckConstraint(
                condition=Q(source="national") | ~Q(generator=""), name="certificates_city_type_has_generator"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_city_issued(self) -> bool:
        return self.source == Source.CITY


class CertificateSettings(models.Model):
    """직인 and issuer of city-issued documents (one row; see :meth:`current`)."""

    seal = models.ImageField(
        _("직인 이미지"),
        upload_to="certificates/seal/",
        blank=True,
        help_text=_("배경이 투명한 PNG를 권장합니다. 없으면 시 이름으로 만든 예시 직인을 씁니다."),
    )
    issuer_title = models.CharField(
        _("발급자 표기"), max_length=60, blank=True, help_text=_("예: 데모시장. 비우면 '시 이름 + 장'")
    )
    issuer_department = models.CharField(_("발급 부서"), max_length=100, blank=True)
    ready_keep_days = models.PositiveSmallIntegerField(
        _("보관 기간(일)"), default=7, help_text=_("준비된 서류를 찾아가지 않으면 수령일 며칠 뒤 만료할지")
    )
    pickup_days_ahead = models.PositiveSmallIntegerField(_("수령일 선택 범위(근무일)"), default=10)

    class Meta:
        verbose_name = _("발급 설정")
        verbose_name_plural = _("발급 설정")

    def __str__(self) -> str:
        return str(_("발급 설정"))

    @classmethod
    def current(cls) -> CertificateSettings:
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls()


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("신청")
    PREPARING = "preparing", _("준비 중")
    READY = "ready", _("수령 대기")
    COLLECTED = "collected", _("수령 완료")
    CANCELLED = "cancelled", _("취소")
    EXPIRED = "expired", _("기간 만료")


OPEN_REQUEST = (RequestStatus.REQUESTED, RequestStatus.PREPARING, RequestStatus.READY)


class IdKind(models.TextChoices):
    """The kind of ID shown at the counter — never its number."""

    RESIDENT_CARD = "resident_card", _("주민등록증")
    DRIVER_LICENSE = "driver_license", _("운전면허증")
    PASSPORT = "passport", _("여권")
    MOBILE_ID = "mobile_id", _("모바일 신분증")
    DISABILITY_CARD = "disability_card", _("장애인등록증")
    VETERAN_CARD = "veteran_card", _("국가유공자증")
    ALIEN_CARD = "alien_card", _("외국인등록증")


class DocumentRequest(models.Model):
    """사전발급 신청: a resident's request to have a document ready at an office."""

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("신청인"), on_delete=models.PROTECT, related_name="document_requests"
    )
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("서류"), on_delete=models.PROTECT, related_name="requests"
    )
    office = models.ForeignKey(
        "queueing.Office", verbose_name=_("수령 장소"), on_delete=models.PROTECT, related_name="document_requests"
    )
    pickup_at = models.DateTimeField(_("수령 예정 일시"))
    copies = models.PositiveSmallIntegerField(_("부수"), default=1)
    options = models.JSONField(_("선택 항목"), default=dict, blank=True)
    purpose = models.CharField(_("용도"), max_length=100, blank=True)
    fee = models.PositiveIntegerField(_("수수료(원)"), default=0)
    status = models.CharField(
        _("상태"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.REQUESTED, db_index=True
    )
    created_at = models.DateTimeField(_("신청 일시"), default=timezone.now)
    # The file the national system produced; emptied once collected or expired.
    file = models.BinaryField(_("준비한 파일"), null=True, blank=True, editable=False)
    file_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ready_at = models.DateTimeField(_("준비 완료 일시"), null=True, blank=True)
    ticket_number = models.CharField(_("번호표"), max_length=20, blank=True)
    ticket_url = models.CharField(max_length=200, blank=True)
    id_kind = models.CharField(_("확인한 신분증"), max_length=20, choices=IdKind.choices, blank=True)
    id_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("신분 확인자"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    collected_at = models.DateTimeField(_("수령 일시"), null=True, blank=True)
    fee_paid = models.BooleanField(_("수수료 수납"), default=False)
    closed_at = models.DateTimeField(_("종료 일시"), null=True, blank=True)
    reason = models.CharField(_("사유"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("사전발급 신청")
        verbose_name_plural = _("사전발급 신청")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["office", "pickup_at"], name="certificates_office_pickup")]
        constraints = [
            models.CheckConstraint(condition=Q(copies__gte=1) & Q(copies__lte=50), name="certificates_request_copies"),
            models.CheckConstraint(
                condition=~Q(status="ready") | Q(ready_at__isnull=False), name="certificates_ready_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="collected") | Q(collected_at__isnull=False), name="certificates_collected_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """신청번호 shown to residents and staff (and the queue ticket's reference)."""
        return f"D{self.pk:06d}" if self.pk else "D-"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST

    @property
    def total_fee(self) -> int:
        return self.fee * self.copies


class DocumentStatus(models.TextChoices):
    VALID = "valid", _("유효")
    REVOKED = "revoked", _("효력 상실")


class IssuedDocument(models.Model):
    """시 발급 문서: a signed PDF with its 문서확인번호, kept for verification.

    What the public verification page may show is stored apart from the holder:
    ``holder_masked`` (김*수), the title, issue time and department."""

    number = models.CharField(_("문서확인번호"), max_length=16, unique=True, editable=False)
    generator = models.CharField(_("양식"), max_length=20, choices=Generator.choices)
    title = models.CharField(_("문서명"), max_length=100)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("발급 대상"), on_delete=models.PROTECT, related_name="issued_documents"
    )
    holder_masked = models.CharField(_("발급 대상(가림)"), max_length=60)
    source_reference = models.CharField(_("근거 번호"), max_length=40, help_text=_("예약번호나 민원 접수번호"))
    department = models.CharField(_("발급 부서"), max_length=100, blank=True)
    issued_at = models.DateTimeField(_("발급 일시"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("발급 직원"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pdf = models.BinaryField(_("PDF"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    signer = models.CharField(_("서명 인증서"), max_length=200, blank=True)
    status = models.CharField(_("상태"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.VALID)
    revoked_at = models.DateTimeField(_("효력 상실 일시"), null=True, blank=True)
    revoked_reason = models.CharField(_("효력 상실 사유"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("발급 문서")
        verbose_name_plural = _("발급 문서")
        ordering = ["-issued_at", "-id"]
        constraints = [
            # One valid document per source: asking twice returns the one already issued.
            models.UniqueConstraint(
                fields=["generator", "source_reference"],
                condition=Q(status="valid"),
                name="certificates_one_valid_per_source",
            ),
            models.CheckConstraint(condition=Q(number__regex=r"^[0-9]{16}$"), name="certificates_number_16_digits"),
            models.CheckConstraint(
                condition=~Q(status="revoked") | Q(revoked_at__isnull=False), name="certificates_revoked_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.display_number}"

    @property
    def display_number(self) -> str:
        """1234-5678-9012-3456"""
        return "-".join(self.number[i : i + 4] for i in range(0, 16, 4))
