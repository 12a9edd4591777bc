"""Conversations with the assistant (AI 민원 도우미) and their turns."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("웹")
    KAKAO = "kakao", _("카카오톡")
    CLI = "cli", _("명령줄")
    API = "api", _("API")


class TurnKind(models.TextChoices):
    ANSWER = "answer", _("답변")
    SMALLTALK = "smalltalk", _("인사·잡담")
    UNKNOWN = "unknown", _("모름")
    HANDOFF = "handoff", _("상담 연결")


class Feedback(models.TextChoices):
    HELPFUL = "helpful", _("도움이 됨")
    NOT_HELPFUL = "not_helpful", _("도움이 안 됨")


class Conversation(models.Model):
    """대화: one resident's (or anonymous visitor's) exchange with the assistant on one channel."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("사용자"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assistant_conversations",
    )
    channel = models.CharField(_("채널"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    # Kakao's per-channel user id, salted and hashed: enough to keep one
    # conversation per Kakao user without storing the raw identifier.
    external_user = models.CharField(_("외부 사용자(해시)"), max_length=64, blank=True, db_index=True)
    language = models.CharField(_("언어"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("시작"), auto_now_add=True)
    updated_at = models.DateTimeField(_("최근 대화"), auto_now=True)

    class Meta:
        verbose_name = _("대화")
        verbose_name_plural = _("대화")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["channel", "external_user"], name="assistant_conv_ext_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=[c.value for c in Channel]), name="assistant_conversation_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"


class Turn(models.Model):
    """One question and the answer given to it."""

    conversation = models.ForeignKey(
        Conversation, verbose_name=_("대화"), on_delete=models.CASCADE, related_name="turns"
    )
    question = models.TextField(_("질문(개인정보 가림)"))
    answer = models.TextField(_("답변"), blank=True)
    kind = models.CharField(_("종류"), max_length=10, choices=TurnKind.choices)
    citations = models.JSONField(_("출처"), default=list, blank=True)
    confidence = models.FloatField(_("신뢰도"), default=0.0)
    topic = models.CharField(_("주제"), max_length=200, blank=True)
    quick_replies = models.JSONField(_("추천 질문"), default=list, blank=True)
    handoff = models.JSONField(_("연결 안내"), null=True, blank=True)
    # How the answer was made: extractive, generative, or why generation fell back.
    mode = models.CharField(_("생성 방식"), max_length=40, blank=True)
    latency_ms = models.PositiveIntegerField(_("응답 시간(ms)"), default=0)
    feedback = models.CharField(_("평가"), max_length=12, choices=Feedback.choices, null=True, blank=True)
    feedback_comment = models.TextField(_("평가 의견"), blank=True)
    created_at = models.DateTimeField(_("시각"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("대화 턴")
        verbose_name_plural = _("대화 턴")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in TurnKind]), name="assistant_turn_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(feedback__isnull=True) | models.Q(feedback__in=[f.value for f in Feedback]),
                name="assistant_turn_feedback_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0) & models.Q(confidence__lte=1),
                name="assistant_turn_confidence_range",
            ),
        ]

    def __str__(self) -> str:
        return self.question[:50]
