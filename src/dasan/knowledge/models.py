"""Knowledge sources (지식 원문) the city maintains, and the chunks made from them.

The retrieval index under ``var/`` is derived data: it can always be rebuilt from these
rows (``dasan kb rebuild``). :class:`SourceChunk` mirrors what was indexed, so the admin
and the article page can show sections and citations can name them.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ARTICLE = "article", _("게시글")
    FILE = "file", _("파일")
    FAQ = "faq", _("자주 묻는 질문 표")


class Audience(models.TextChoices):
    RESIDENTS = "residents", _("주민")
    STAFF = "staff", _("직원 전용")


class Status(models.TextChoices):
    DRAFT = "draft", _("작성 중")
    PUBLISHED = "published", _("게시")


class Language(models.TextChoices):
    KO = "ko", _("한국어")
    EN = "en", _("영어")
    ZH_HANS = "zh-hans", _("중국어(간체)")
    VI = "vi", _("베트남어")


class Source(models.Model):
    """지식 원문: an article, an uploaded document or an FAQ table."""

    title = models.CharField(_("제목"), max_length=200)
    slug = models.SlugField(
        _("주소 이름"),
        max_length=120,
        allow_unicode=True,
        blank=True,
        help_text=_("게시글 주소 /kb/<주소 이름>/ 에 쓰입니다. 비워 두어도 됩니다."),
    )
    kind = models.CharField(_("종류"), max_length=10, choices=Kind.choices, default=Kind.ARTICLE)
    body = models.TextField(_("본문(마크다운)"), blank=True)
    file = models.FileField(_("파일"), upload_to="kb/", blank=True, max_length=300)
    origin = models.CharField(
        _("원본 경로"),
        max_length=500,
        blank=True,
        help_text=_("명령줄에서 가져온 파일의 경로. 같은 경로를 다시 가져오면 이 원문을 고칩니다."),
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("담당 부서"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="knowledge_sources",
    )
    audience = models.CharField(_("공개 대상"), max_length=10, choices=Audience.choices, default=Audience.RESIDENTS)
    language = models.CharField(_("언어"), max_length=10, choices=Language.choices, default=Language.KO)
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("원문(한국어)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="translations",
        help_text=_("이 글이 다른 글의 번역이면 그 원문. 외국어로 물으면 원문 대신 이 번역으로 답합니다."),
    )
    valid_from = models.DateField(_("게시 시작일"), null=True, blank=True)
    valid_until = models.DateField(_("게시 종료일"), null=True, blank=True)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("만든 때"), auto_now_add=True)
    updated_at = models.DateTimeField(_("고친 때"), auto_now=True)
    content_hash = models.CharField(_("내용 해시"), max_length=64, blank=True, editable=False)
    last_ingested_at = models.DateTimeField(_("마지막 색인"), null=True, blank=True, editable=False)
    ingest_error = models.TextField(_("색인 오류"), blank=True, editable=False)

    class Meta:
        verbose_name = _("지식 원문")
        verbose_name_plural = _("지식 원문")
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], condition=~Q(slug=""), name="kb_source_slug_unique"),
            models.UniqueConstraint(fields=["origin"], condition=~Q(origin=""), name="kb_source_origin_unique"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="kb_source_kind_valid"),
            models.CheckConstraint(condition=Q(audience__in=Audience.values), name="kb_source_audience_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="kb_source_status_valid"),
            models.CheckConstraint(condition=Q(language__in=Language.values), name="kb_source_language_valid"),
            # A translation is in another language than Korean, one per language of an original.
            models.CheckConstraint(
                condition=Q(translation_of__isnull=True) | ~Q(language=Language.KO),
                name="kb_translation_not_korean",
                violation_error_message=_("번역 글의 언어는 한국어가 아니어야 합니다."),
            ),
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                condition=Q(translation_of__isnull=False),
                name="kb_one_translation_per_language",
                violation_error_message=_("이 원문에는 이미 같은 언어의 번역이 있습니다."),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="kb_source_validity_ordered",
                violation_error_message=_("게시 종료일은 시작일보다 앞설 수 없습니다."),
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.ARTICLE) | ~Q(file=""),
                name="kb_source_file_required",
                violation_error_message=_("파일과 FAQ 표 원문에는 파일이 있어야 합니다."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.slug:
            return reverse("knowledge:article_slug", args=[self.slug])
        return reverse("knowledge:article", args=[self.pk])

    def is_valid_on(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    @property
    def is_live(self) -> bool:
        """Published and within its validity dates: what search may show."""
        return self.status == Status.PUBLISHED and self.is_valid_on()


class SourceChunk(models.Model):
    """A passage of a source as it is in the index (검색 단위)."""

    source = models.ForeignKey(Source, verbose_name=_("원문"), on_delete=models.CASCADE, related_name="chunks")
    chunk_id = models.CharField(_("조각 ID"), max_length=40, unique=True)
    position = models.PositiveIntegerField(_("순서"))
    title_path = models.CharField(_("제목 경로"), max_length=1000, blank=True)
    anchor = models.CharField(_("앵커"), max_length=200, blank=True)
    text = models.TextField(_("내용"))
    topic = models.CharField(_("주제"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("원문 조각")
        verbose_name_plural = _("원문 조각")
        ordering = ["source", "position"]
        constraints = [
            models.UniqueConstraint(fields=["source", "position"], name="kb_chunk_position_unique"),
        ]
        indexes = [models.Index(fields=["topic"], name="kb_chunk_topic_idx")]

    def __str__(self) -> str:
        return self.title_path or self.chunk_id
