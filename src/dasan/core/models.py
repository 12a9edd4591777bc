"""Core data every other app stands on: the city, its departments, its calendar,
the audit trail and idempotency records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    """지방자치단체 (the city running this installation). Exactly one row."""

    name = models.CharField(_("이름"), max_length=100)
    name_en = models.CharField(_("영문 이름"), max_length=100, blank=True)
    region_code = models.CharField(
        _("행정구역코드"), max_length=10, help_text=_("행정표준코드 시군구 코드 (예: 11680 강남구)")
    )
    time_zone = models.CharField(_("시간대"), max_length=64, default="Asia/Seoul")
    phone = models.CharField(_("대표 전화"), max_length=20, blank=True)
    email = models.EmailField(_("대표 이메일"), blank=True)
    address = models.CharField(_("청사 주소"), max_length=200, blank=True)
    website = models.URLField(_("누리집"), blank=True)
    # Working hours for business-hour arithmetic (민원 처리기간 counts 8 hours a day).
    work_start = models.TimeField(_("업무 시작"), default="09:00")
    work_end = models.TimeField(_("업무 종료"), default="18:00")
    lunch_start = models.TimeField(_("점심 시작"), default="12:00", null=True, blank=True)
    lunch_end = models.TimeField(_("점심 종료"), default="13:00", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("지자체 정보")
        verbose_name_plural = _("지자체 정보")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(work_start__lt=models.F("work_end")), name="municipality_work_hours_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Municipality | None:
        """The one profile row of this installation, or None before set-up."""
        return cls.objects.order_by("id").first()


class Department(models.Model):
    """부서 (a department of the city, e.g. 청소행정과)."""

    code = models.CharField(_("부서 코드"), max_length=20, unique=True)
    name = models.CharField(_("부서명"), max_length=100)
    phone = models.CharField(_("전화"), max_length=20, blank=True)
    email = models.EmailField(_("이메일"), blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("상위 부서"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(_("사용"), default=True)

    class Meta:
        verbose_name = _("부서")
        verbose_name_plural = _("부서")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class TemporaryHoliday(models.Model):
    """임시공휴일 또는 시 자체 휴무일 declared by the city in the admin."""

    date = models.DateField(_("날짜"), unique=True)
    name = models.CharField(_("이름"), max_length=100)
    reason = models.CharField(_("근거"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("임시 휴일")
        verbose_name_plural = _("임시 휴일")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    # Bulk paths bypass Model.save()/delete(); refuse them here too, before the
    # database triggers (migration 0002) would.
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be updated")

    def delete(self):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    def bulk_update(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be updated")


class AuditEvent(models.Model):
    """감사 기록: who did what to which record, when, from where and why. Append-only.

    Write through :func:`dasan.core.audit.record`. Rows can be neither updated
    nor deleted: ``save()`` on an existing row, ``delete()``, queryset
    ``update()``/``delete()`` raise :class:`AuditLogIsAppendOnly`, and database
    triggers refuse UPDATE and DELETE from any other client.
    """

    at = models.DateTimeField(_("일시"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("행위자"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("행위자 표시"), max_length=100, blank=True)
    action = models.CharField(_("행위"), max_length=64, db_index=True)
    target_type = models.CharField(_("대상 종류"), max_length=100, blank=True, db_index=True)
    target_id = models.CharField(_("대상 ID"), max_length=64, blank=True, db_index=True)
    target_label = models.CharField(_("대상 표시"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    user_agent = models.CharField(_("브라우저"), max_length=200, blank=True)
    reason = models.CharField(_("사유"), max_length=300, blank=True)
    data = models.JSONField(_("내용"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("감사 기록")
        verbose_name_plural = _("감사 기록")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        at = f"{self.at:%Y-%m-%d %H:%M}" if self.at else "-"
        return f"{at} {self.actor_label} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update"):
            raise AuditLogIsAppendOnly("audit events cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


class IdempotencyRecord(models.Model):
    """The first response to a creating request, replayed on retries with the same key."""

    key = models.CharField(max_length=200)
    scope = models.CharField(max_length=100)
    owner = models.CharField(max_length=100, help_text="user id or 'anon:<session>' that used the key")
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.TextField(blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "scope", "key"], name="idempotency_unique_key")]
