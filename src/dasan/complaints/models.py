"""민원 (civil complaints): what residents raise, where it goes, and when it is due.

The kinds and processing periods follow the 민원 처리에 관한 법률 and its
enforcement decree; categories are city data maintained in the admin. Every
state change happens in ``services.py`` and leaves a :class:`ComplaintEvent`.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """민원의 종류 (민원 처리에 관한 법률 제2조, 시행령 제2조)."""

    STATUTORY = "statutory", _("법정민원")
    INQUIRY_LAW = "inquiry_law", _("질의민원(법령)")
    INQUIRY_PROCEDURE = "inquiry_procedure", _("질의민원(제도·절차)")
    SUGGESTION = "suggestion", _("건의민원")
    GRIEVANCE = "grievance", _("고충민원")
    OTHER = "other", _("기타민원")


class PeriodUnit(models.TextChoices):
    """How a processing period is counted (법 제19조; "즉시" = 3 working hours, 시행령 제19조; see deadlines.py)."""

    IMMEDIATE = "immediate", _("즉시")
    DAYS = "days", _("일")
    WEEKS = "weeks", _("주")
    MONTHS = "months", _("월")
    YEARS = "years", _("년")


class FormKind(models.TextChoices):
    GENERAL = "general", _("일반 민원")
    ILLEGAL_PARKING = "illegal_parking", _("불법주정차 신고")


class Category(models.Model):
    """민원 분류 / 서비스 유형: city data, each with its default department and period.

    ``service_code`` is the Open311 service code this category is published under."""

    code = models.SlugField(_("코드"), max_length=40, unique=True)
    name = models.CharField(_("이름"), max_length=100)
    description = models.TextField(_("설명"), blank=True)
    group = models.CharField(_("묶음"), max_length=60, blank=True, help_text=_("Open311 group (예: 교통, 환경)"))
    kind = models.CharField(_("민원 종류"), max_length=20, choices=Kind.choices, default=Kind.GRIEVANCE)
    form = models.CharField(_("신청 양식"), max_length=20, choices=FormKind.choices, default=FormKind.GENERAL)
    department = models.ForeignKey(
        "core.Department", verbose_name=_("담당 부서"), on_delete=models.PROTECT, related_name="complaint_categories"
    )
    # Null period = the default of the kind (deadlines.default_period).
    period_value = models.PositiveSmallIntegerField(_("처리기간"), null=True, blank=True)
    period_unit = models.CharField(_("처리기간 단위"), max_length=10, choices=PeriodUnit.choices, blank=True)
    allows_anonymous = models.BooleanField(_("익명 신청 허용"), default=False)
    requires_location = models.BooleanField(_("위치 필수"), default=False)
    keywords = models.TextField(
        _("분류 키워드"), blank=True, help_text=_("자동 분류를 처음 시작할 때 쓰는 낱말, 쉼표로 구분")
    )
    is_active = models.BooleanField(_("사용"), default=True)
    order = models.PositiveSmallIntegerField(_("순서"), default=100)

    class Meta:
        verbose_name = _("민원 분류")
        verbose_name_plural = _("민원 분류")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(period_value__isnull=True, period_unit="")
                    | models.Q(period_value__isnull=False) & ~models.Q(period_unit="")
                ),
                name="category_period_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def service_code(self) -> str:
        return self.code


class Channel(models.TextChoices):
    WEB = "web", _("누리집")
    ASSISTANT = "assistant", _("AI 도우미")
    KAKAO = "kakao", _("카카오톡")
    OPEN311 = "open311", _("Open311")
    COUNTER = "counter", _("방문 접수")
    API = "api", _("API")


class Status(models.TextChoices):
    RECEIVED = "received", _("접수")
    ASSIGNED = "assigned", _("담당 배정")
    IN_PROGRESS = "in_progress", _("처리 중")
    EXTENDED = "extended", _("기간 연장")
    ANSWERED = "answered", _("답변 완료")
    CLOSED = "closed", _("종결")
    TRANSFERRED = "transferred", _("이송")
    WITHDRAWN = "withdrawn", _("취하")


#: Statuses in which a complaint still waits for the city (counts against its deadline).
OPEN_STATUSES = (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.EXTENDED)


class Routing(models.TextChoices):
    """How the department was chosen."""

    CATEGORY = "category", _("분류 기본 부서")
    AUTO = "auto", _("자동 분류")
    TRIAGE = "triage", _("분류 대기")
    STAFF = "staff", _("담당자 지정")


class ContactPreference(models.TextChoices):
    SMS = "sms", _("문자")
    EMAIL = "email", _("이메일")
    KAKAO = "kakao", _("카카오 알림톡")
    NONE = "none", _("받지 않음")


class TranslationState(models.TextChoices):
    """How a text in one language reaches a reader of another (complaints written in
    English, Chinese or Vietnamese; the department's Korean answer going back)."""

    NOT_NEEDED = "", _("필요 없음")
    NEEDED = "needed", _("번역 필요")
    MACHINE = "machine", _("기계 번역")
    STAFF = "staff", _("직원 번역")


class Complaint(models.Model):
    """민원 (a civil complaint), whichever channel it came through."""

    number = models.CharField(_("접수번호"), max_length=20, unique=True, editable=False)
    channel = models.CharField(_("접수 경로"), max_length=12, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(_("작성 언어"), max_length=10, default="ko")
    kind = models.CharField(_("민원 종류"), max_length=20, choices=Kind.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("분류"), null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    # Null while it waits in the triage queue.
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("담당 부서"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("담당자"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_complaints",
    )
    routing = models.CharField(_("배정 방식"), max_length=10, choices=Routing.choices, default=Routing.CATEGORY)
    suggested_category = models.ForeignKey(
        Category, verbose_name=_("자동 분류 제안"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggestion_confidence = models.FloatField(_("자동 분류 신뢰도"), null=True, blank=True)

    # Who raised it. ``resident`` is null for Open311 and counter filings by people
    # without an account; then the contact fields hold only what they gave. An
    # anonymous complaint keeps its resident (so they can follow, rate and withdraw
    # it) but its contact fields are empty and staff pages never show who it is.
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("신청인"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    is_anonymous = models.BooleanField(_("익명"), default=False)
    contact_name = models.CharField(_("신청인 이름"), max_length=60, blank=True)
    contact_phone = models.CharField(_("연락처"), max_length=16, blank=True)
    contact_email = models.EmailField(_("이메일"), blank=True)
    contact_preference = models.CharField(
        _("알림 받는 방법"), max_length=8, choices=ContactPreference.choices, default=ContactPreference.SMS
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("대리 접수 직원"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    title = models.CharField(_("제목"), max_length=200)
    description = models.TextField(_("내용"))
    latitude = models.DecimalField(_("위도"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("경도"), max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("주소"), max_length=200, blank=True)
    is_public = models.BooleanField(_("공개"), default=False)

    status = models.CharField(_("상태"), max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    received_at = models.DateTimeField(_("접수 일시"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("처리 기한"), db_index=True)
    extended_count = models.PositiveSmallIntegerField(_("연장 횟수"), default=0)
    # A complaint written in another language is stored as written; for staff, its Korean
    # translation (the city's engine, or a member of staff) and how it was made.
    title_ko = models.CharField(_("제목 번역(한국어)"), max_length=200, blank=True)
    description_ko = models.TextField(_("내용 번역(한국어)"), blank=True)
    translation = models.CharField(
        _("내용 번역"), max_length=10, choices=TranslationState.choices, blank=True, default=TranslationState.NOT_NEEDED
    )
    answer = models.TextField(_("답변"), blank=True)
    # The answer in the resident's language (when the complaint's language is not Korean).
    answer_translated = models.TextField(_("답변 번역"), blank=True)
    answer_translation = models.CharField(
        _("답변 번역 상태"),
        max_length=10,
        choices=TranslationState.choices,
        blank=True,
        default=TranslationState.NOT_NEEDED,
    )
    answered_at = models.DateTimeField(_("답변 일시"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("답변자"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("종결 일시"), null=True, blank=True)
    transferred_to = models.CharField(_("이송 기관"), max_length=100, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("같은 민원"), null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    satisfaction = models.PositiveSmallIntegerField(_("만족도"), null=True, blank=True)
    satisfaction_comment = models.CharField(_("만족도 의견"), max_length=500, blank=True)
    # The assistant conversation it came from (a public id, not a foreign key, so that
    # complaints does not depend on the assistant's tables).
    source_reference = models.CharField(_("연계 출처"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("민원")
        verbose_name_plural = _("민원")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["department", "status", "due_at"]),
            models.Index(fields=["category", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True) | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="complaint_satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(latitude__isnull=True, longitude__isnull=True)
                    | models.Q(latitude__isnull=False, longitude__isnull=False)
                ),
                name="complaint_lat_lng_together",
            ),
            models.CheckConstraint(
                condition=models.Q(due_at__gte=models.F("received_at")), name="complaint_due_after_receipt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def photo_path(instance: ComplaintPhoto, filename: str) -> str:
    # The stored name never carries what the uploader called the file.
    return f"complaints/{instance.complaint.received_at:%Y/%m}/{instance.sha256[:32]}.jpg"


class ComplaintPhoto(models.Model):
    """A photo attached to a complaint: re-encoded as JPEG, resized, EXIF removed."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("사진"), upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, editable=False)
    # From the original's EXIF, read before it was stripped.
    taken_at = models.DateTimeField(_("촬영 일시"), null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_by_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("민원 사진")
        verbose_name_plural = _("민원 사진")
        ordering = ["complaint", "position", "id"]


class ParkingReport(models.Model):
    """불법주정차 신고: the vehicle, two photos a minute or more apart, and the signed statement."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="parking")
    plate = models.CharField(_("차량번호"), max_length=16)
    observed_at = models.DateTimeField(_("위반 일시"))
    first_photo_at = models.DateTimeField(_("첫 사진 촬영"))
    second_photo_at = models.DateTimeField(_("둘째 사진 촬영"))
    place = models.CharField(_("위반 장소"), max_length=200)
    # 전자 서명된 진술: what was shown, who agreed, when, and a hash binding them to the report.
    consent_text = models.TextField(_("동의 문구"))
    signer_name = models.CharField(_("서명자"), max_length=60)
    signed_at = models.DateTimeField(_("서명 일시"))
    content_hash = models.CharField(_("내용 해시"), max_length=64)

    class Meta:
        verbose_name = _("불법주정차 신고")
        verbose_name_plural = _("불법주정차 신고")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(second_photo_at__gte=models.F("first_photo_at") + timedelta(minutes=1)),
                name="parking_photos_one_minute_apart",
            ),
        ]


class EventKind(models.TextChoices):
    FILED = "filed", _("접수")
    STATUS = "status", _("상태 변경")
    ASSIGNED = "assigned", _("부서 배정")
    REASSIGNED = "reassigned", _("재배정")
    EXTENDED = "extended", _("처리기간 연장")
    TRANSFERRED = "transferred", _("이송")
    NOTE = "note", _("내부 메모")
    ANSWERED = "answered", _("답변")
    RATED = "rated", _("만족도 평가")
    LINKED = "linked", _("같은 민원 연결")
    WITHDRAWN = "withdrawn", _("취하")


class ComplaintEvent(models.Model):
    """One step in a complaint's history (the timeline residents and staff see)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    from_department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    # Internal events (notes, routing details) are never shown to the resident.
    internal = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("민원 처리 이력")
        verbose_name_plural = _("민원 처리 이력")
        ordering = ["complaint", "created_at", "id"]


class AnswerTemplate(models.Model):
    """자주 쓰는 답변: reusable answer text, per department or city-wide."""

    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("부서"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("비우면 모든 부서가 씁니다"),
    )
    title = models.CharField(_("제목"), max_length=100)
    body = models.TextField(_("답변 내용"))
    is_active = models.BooleanField(_("사용"), default=True)

    class Meta:
        verbose_name = _("답변 서식")
        verbose_name_plural = _("답변 서식")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class NumberSequence(models.Model):
    """The last 접수번호 used in a year; incremented under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class RoutingModel(models.Model):
    """A trained complaint classifier (category from text). The newest active one is used."""

    created_at = models.DateTimeField(auto_now_add=True)
    algorithm = models.CharField(max_length=40)
    samples = models.PositiveIntegerField(default=0)
    labels = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    blob = models.BinaryField()
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("자동 분류 모델")
        verbose_name_plural = _("자동 분류 모델")
        ordering = ["-created_at", "-id"]
