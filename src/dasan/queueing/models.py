"""모바일 번호표: offices (민원실, 행정복지센터), the counters in them and the service types each
counter serves, and the day's tickets. Numbers are allocated from a locked per-office,
per-day, per-type sequence row and are unique by constraint; a counter calls one ticket at
a time (a partial unique constraint), and a ticket is called once."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PICKUP = "document_pickup"  # 서류 수령: every office serves it (documents prepared in advance)


class Office(models.Model):
    """민원 창구가 있는 곳: 시청 민원실, 동 행정복지센터."""

    code = models.SlugField(_("코드"), max_length=40, unique=True)
    name = models.CharField(_("이름"), max_length=100)
    address = models.CharField(_("주소"), max_length=200, blank=True)
    phone = models.CharField(_("전화"), max_length=20, blank=True)
    is_active = models.BooleanField(_("운영"), default=True)
    opens = models.TimeField(_("업무 시작"), default=dt.time(9, 0))
    closes = models.TimeField(_("업무 종료"), default=dt.time(18, 0))
    cutoff = models.TimeField(
        _("번호표 마감"), default=dt.time(17, 30), help_text=_("이 시각 뒤에는 번호표를 발급하지 않습니다.")
    )
    open_every_day = models.BooleanField(
        _("주말·공휴일에도 운영"),
        default=False,
        help_text=_("켜면 토·일요일과 공휴일에도 번호표를 발급합니다 (연중무휴 민원실)."),
    )
    notify_ahead = models.PositiveSmallIntegerField(
        _("알림 기준(앞 대기 인원)"),
        default=3,
        help_text=_("앞에 이만큼 남으면 문자로 알려 드립니다. 0이면 보내지 않습니다."),
    )

    class Meta:
        verbose_name = _("민원실")
        verbose_name_plural = _("민원실")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes"))
                & Q(cutoff__lte=models.F("closes"))
                & Q(cutoff__gt=models.F("opens")),
                name="queueing_office_hours",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceType(models.Model):
    """업무 종류 (전입신고, 인감, 여권, 제증명, 서류 수령): the letter is the number's prefix."""

    code = models.SlugField(_("코드"), max_length=40, unique=True)
    name = models.CharField(_("이름"), max_length=60)
    prefix = models.CharField(_("번호 앞 글자"), max_length=2, unique=True)
    default_minutes = models.PositiveSmallIntegerField(
        _("기본 처리 시간(분)"), default=8, help_text=_("처리 기록이 쌓이기 전에 예상 대기 시간에 씁니다.")
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("업무 종류")
        verbose_name_plural = _("업무 종류")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """창구: a numbered desk of an office that serves some service types."""

    office = models.ForeignKey(Office, verbose_name=_("민원실"), on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField(_("창구 번호"))
    name = models.CharField(_("이름"), max_length=60, blank=True)
    service_types = models.ManyToManyField(ServiceType, verbose_name=_("처리 업무"), related_name="counters")
    is_open = models.BooleanField(_("운영 중"), default=True)

    class Meta:
        verbose_name = _("창구")
        verbose_name_plural = _("창구")
        ordering = ["office", "number"]
        constraints = [models.UniqueConstraint(fields=["office", "number"], name="queueing_counter_unique_number")]

    def __str__(self) -> str:
        return f"{self.office.name} {self.number}"


class TicketSequence(models.Model):
    """The last number given today per office and service type; locked while allocating."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    service_type = models.ForeignKey(ServiceType, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "service_type", "day"], name="queueing_sequence_unique")
        ]


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("대기 중")
    CALLED = "called", _("호출됨")
    SERVED = "served", _("처리 완료")
    NO_SHOW = "no_show", _("부재")
    CANCELLED = "cancelled", _("취소")
    CLOSED = "closed", _("업무 종료")


class Channel(models.TextChoices):
    WEB = "web", _("모바일")
    KIOSK = "kiosk", _("현장 발급기")
    PICKUP = "pickup", _("사전발급 서류 수령")


LIVE = (TicketStatus.WAITING, TicketStatus.CALLED)


def _token() -> str:
    return secrets.token_urlsafe(16)


class Ticket(models.Model):
    """번호표. ``priority`` tickets (appointments, documents prepared in advance, residents
    who need assistance) are called before the others of the same service."""

    office = models.ForeignKey(Office, verbose_name=_("민원실"), on_delete=models.PROTECT, related_name="tickets")
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("업무"), on_delete=models.PROTECT, related_name="tickets"
    )
    issued_on = models.DateField(_("발급일"))
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("번호"), max_length=8)
    status = models.CharField(_("상태"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    priority = models.BooleanField(_("우선 호출"), default=False)
    needs_assistance = models.BooleanField(_("도움 필요"), default=False)
    channel = models.CharField(_("발급 경로"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="queue_tickets"
    )
    phone = models.CharField(_("알림 받을 번호"), max_length=20, blank=True)
    reference = models.CharField(_("참조"), max_length=60, blank=True)
    token = models.CharField(max_length=40, unique=True, default=_token, editable=False)
    issued_at = models.DateTimeField(_("발급 시각"), default=timezone.now)
    called_at = models.DateTimeField(_("호출 시각"), null=True, blank=True)
    recalled_at = models.DateTimeField(_("재호출 시각"), null=True, blank=True)
    finished_at = models.DateTimeField(_("종료 시각"), null=True, blank=True)
    counter = models.ForeignKey(
        Counter, verbose_name=_("창구"), on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    target_counter = models.ForeignKey(
        Counter, verbose_name=_("지정 창구"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    near_notified = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("번호표")
        verbose_name_plural = _("번호표")
        ordering = ["-issued_on", "-priority", "issued_at", "id"]
        indexes = [models.Index(fields=["office", "issued_on", "status"], name="queueing_ticket_day_status")]
        constraints = [
            models.UniqueConstraint(fields=["office", "issued_on", "number"], name="queueing_ticket_unique_number"),
            models.UniqueConstraint(
                fields=["office", "service_type", "issued_on", "sequence"], name="queueing_ticket_unique_sequence"
            ),
            # A counter serves one ticket at a time.
            models.UniqueConstraint(
                fields=["counter"], condition=Q(status="called"), name="queueing_one_call_per_counter"
            ),
            models.CheckConstraint(
                condition=~Q(status="called") | Q(counter__isnull=False, called_at__isnull=False),
                name="queueing_called_has_counter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office.code} {self.issued_on} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("queueing:ticket", args=[self.token])

    @property
    def is_live(self) -> bool:
        return self.status in LIVE
