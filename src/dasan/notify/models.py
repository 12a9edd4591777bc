"""Outbox of notifications: versioned templates, messages and their delivery attempts.

The shape follows GOV.UK Notify: a message is rendered from a template version when
it is enqueued, then moves created → sending → sent → delivered, or to
temporary-failure (retried with backoff) / permanent-failure. Promotional messages
wait as "held" during quiet hours.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    TRANSACTIONAL = "transactional", _("업무 알림")
    PROMOTIONAL = "promotional", _("소식·홍보")


class Status(models.TextChoices):
    CREATED = "created", _("접수")
    HELD = "held", _("보류(야간 발송 제한)")
    SENDING = "sending", _("발송 중")
    SENT = "sent", _("발송됨")
    DELIVERED = "delivered", _("전달됨")
    TEMPORARY_FAILURE = "temporary-failure", _("일시 실패")
    PERMANENT_FAILURE = "permanent-failure", _("발송 실패")
    CANCELLED = "cancelled", _("취소됨")


FINAL_STATUSES = {Status.DELIVERED, Status.PERMANENT_FAILURE, Status.CANCELLED}


class Template(models.Model):
    """알림 문구 (a notification template) in one language, one version.

    A version that messages point to is never changed: the admin saves an edit as
    a new version and makes it the active one.
    """

    class Origin(models.TextChoices):
        CODE = "code", _("프로그램 등록")
        ADMIN = "admin", _("관리자 수정")

    key = models.CharField(_("키"), max_length=100, db_index=True)
    language = models.CharField(_("언어"), max_length=10)
    version = models.PositiveIntegerField(_("버전"))
    subject = models.CharField(_("제목"), max_length=200, blank=True)
    body = models.TextField(_("본문"))
    category = models.CharField(_("분류"), max_length=16, choices=Category.choices, default=Category.TRANSACTIONAL)
    origin = models.CharField(_("출처"), max_length=8, choices=Origin.choices, default=Origin.CODE)
    active = models.BooleanField(_("사용 중"), default=True)
    created_at = models.DateTimeField(_("만든 때"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("만든 사람"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("알림 문구")
        verbose_name_plural = _("알림 문구")
        ordering = ["key", "language", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language", "version"], name="notify_template_version_unique"),
            models.UniqueConstraint(
                fields=["key", "language"], condition=models.Q(active=True), name="notify_template_one_active"
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="notify_template_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.key} [{self.language}] v{self.version}"


class Message(models.Model):
    """보낼 알림 한 건 (one notification in the outbox), rendered when it was enqueued."""

    reference = models.UUIDField(
        _("참조 번호"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("공급자에게 함께 보내는 고유 번호. 중복 발송을 막는 데 씁니다."),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("받는 사람"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    to = models.CharField(_("수신 주소"), max_length=254)
    channel = models.CharField(_("채널"), max_length=16, db_index=True)
    template_key = models.CharField(_("문구 키"), max_length=100, db_index=True)
    template_version = models.PositiveIntegerField(_("문구 버전"))
    language = models.CharField(_("언어"), max_length=10)
    subject = models.CharField(_("제목"), max_length=300, blank=True)
    body = models.TextField(_("본문"))
    html_body = models.TextField(_("HTML 본문"), blank=True)
    category = models.CharField(_("분류"), max_length=16, choices=Category.choices, default=Category.TRANSACTIONAL)
    department = models.ForeignKey(
        "core.Department", verbose_name=_("부서"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("상태"), max_length=20, choices=Status.choices, default=Status.CREATED, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("시도 횟수"), default=0)
    next_attempt_at = models.DateTimeField(_("다음 시도"), null=True, blank=True, db_index=True)
    sending_started_at = models.DateTimeField(_("발송 시작"), null=True, blank=True)
    sent_at = models.DateTimeField(_("발송 시각"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("전달 시각"), null=True, blank=True)
    provider_ref = models.CharField(_("공급자 번호"), max_length=200, blank=True)
    last_error = models.CharField(_("마지막 오류"), max_length=500, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("원래 알림"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text=_("이 알림이 다시 보내거나 대체 발송한 원래 알림"),
    )
    created_at = models.DateTimeField(_("접수 시각"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("알림")
        verbose_name_plural = _("알림")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notify_msg_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "created",
                        "held",
                        "sending",
                        "sent",
                        "delivered",
                        "temporary-failure",
                        "permanent-failure",
                        "cancelled",
                    ]
                ),
                name="notify_message_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sending") | models.Q(sending_started_at__isnull=False),
                name="notify_message_sending_has_lease",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_key} → {self.channel} ({self.get_status_display()})"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class DeliveryAttempt(models.Model):
    """발송 시도 기록: one try to hand a message to its channel's provider."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("발송됨")
        TEMPORARY_FAILURE = "temporary-failure", _("일시 실패")
        PERMANENT_FAILURE = "permanent-failure", _("발송 실패")
        RECOVERED = "recovered", _("공급자 확인(재발송 안 함)")
        RATE_LIMITED = "rate-limited", _("발송량 제한으로 연기")

    message = models.ForeignKey(
        Message, verbose_name=_("알림"), on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    at = models.DateTimeField(_("시각"), auto_now_add=True)
    outcome = models.CharField(_("결과"), max_length=20, choices=Outcome.choices)
    error = models.CharField(_("오류"), max_length=500, blank=True)
    duration = models.DurationField(_("걸린 시간"), null=True, blank=True)

    class Meta:
        verbose_name = _("발송 시도")
        verbose_name_plural = _("발송 시도")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.outcome}"
