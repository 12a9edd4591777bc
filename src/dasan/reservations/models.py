"""공공서비스 통합예약 (one reservation desk for the city's public facilities).

A :class:`Unit` is a place (시민체육관, 시청 별관); a :class:`Resource` is what a
resident books there (a badminton court, a meeting room, 5 electric drills, the 20
seats of a class). Each resource carries its own rules (slot size, durations, buffers,
booking window, limits, approval) — the shape of Helsinki's Respa and
tilavarauspalvelu. Opening hours come by period (:class:`OpeningPeriod` with
:class:`OpeningHours` per weekday), with closed dates and the business calendar's
holidays. Prices (:class:`PriceRule`) take effect on a date, with the discounts a
Korean city grants (:class:`PriceDiscount`).

A :class:`Reservation` stores its buffered span (``blocked_from``/``blocked_until``)
so that one rule — "no two active buffered spans of an exclusive resource overlap" —
can be held both by the booking service (which locks the resource row) and, on
PostgreSQL, by an exclusion constraint created in migration 0002. Seat and quantity
resources are guarded by the service's lock (a sum over time is beyond a constraint).
Staff maintenance blocks are reservations of kind ``block``. Every change goes
through ``services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ResourceType(models.TextChoices):
    SPORTS = "sports", _("체육시설")
    MEETING_ROOM = "meeting_room", _("회의실")
    CAMPSITE = "campsite", _("캠핑장")
    HALL = "hall", _("강당·홀")
    EQUIPMENT = "equipment", _("대여 물품")
    CLASS = "class", _("강좌")


class Discount(models.TextChoices):
    """감면 대상: declared by the resident, verified by staff at check-in."""

    RESIDENT = "resident", _("관내 거주자")
    DISABLED = "disabled", _("장애인")
    VETERAN = "veteran", _("국가유공자")
    SENIOR = "senior", _("65세 이상")
    MULTI_CHILD = "multi_child", _("다자녀 가정")


class Unit(models.Model):
    """시설: a place of the city with one address (e.g. 시민체육관)."""

    name = models.CharField(_("시설명"), max_length=100, unique=True)
    address = models.CharField(_("주소"), max_length=200)
    phone = models.CharField(_("문의 전화"), max_length=20, blank=True)
    description = models.TextField(_("소개"), blank=True)
    accessibility = models.TextField(
        _("접근성 안내"), blank=True, help_text=_("경사로, 승강기, 장애인 화장실, 주차 등")
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("담당 부서"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("이 부서의 직원이 결제를 받고 환불합니다. 비워 두면 시 전체 관리자와 세입 담당만 처리합니다."),
    )
    active = models.BooleanField(_("사용"), default=True)

    class Meta:
        verbose_name = _("시설")
        verbose_name_plural = _("시설")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StayUnit(models.TextChoices):
    """How a resource is booked: by time slots within a day, or by whole nights or days."""

    SLOTS = "", _("시간 단위")
    NIGHT = "night", _("박 단위 (숙박)")
    DAY = "day", _("일 단위 (대여)")


class Resource(models.Model):
    """예약 대상: a court, a room, a campsite, a hall, lendable equipment or a class.

    ``exclusive`` resources take one reservation at a time (``capacity`` is the most
    people allowed in); the others share ``capacity`` seats or items between
    reservations that overlap (``party_size`` is people or pieces)."""

    unit = models.ForeignKey(Unit, verbose_name=_("시설"), on_delete=models.PROTECT, related_name="resources")
    type = models.CharField(_("종류"), max_length=20, choices=ResourceType.choices)
    name = models.CharField(_("이름"), max_length=100)
    description = models.TextField(_("소개"), blank=True)
    accessibility = models.TextField(_("접근성 안내"), blank=True)
    capacity = models.PositiveIntegerField(_("정원·수량"), default=1, help_text=_("사람 수(좌석) 또는 대여 물품 수량"))
    exclusive = models.BooleanField(
        _("단독 사용"),
        default=True,
        help_text=_("켜면 한 번에 한 예약만 받습니다. 끄면 정원·수량을 여러 예약이 나눠 씁니다."),
    )
    active = models.BooleanField(_("사용"), default=True)
    # Rules (예약 규칙)
    slot_minutes = models.PositiveIntegerField(_("예약 단위(분)"), default=60)
    min_minutes = models.PositiveIntegerField(_("최소 이용 시간(분)"), default=60)
    max_minutes = models.PositiveIntegerField(_("최대 이용 시간(분)"), default=120)
    buffer_before_minutes = models.PositiveIntegerField(_("이용 전 준비 시간(분)"), default=0)
    buffer_after_minutes = models.PositiveIntegerField(_("이용 후 정리 시간(분)"), default=0)
    opens_days_ahead = models.PositiveIntegerField(_("예약 시작(며칠 전부터)"), default=30)
    closes_hours_before = models.PositiveIntegerField(_("예약 마감(몇 시간 전까지)"), default=1)
    max_active_per_resident = models.PositiveIntegerField(_("1인 최대 예약 수"), default=2)
    residents_only = models.BooleanField(_("관내 거주자만"), default=False)
    needs_approval = models.BooleanField(_("담당자 승인 후 확정"), default=False)
    open_on_holidays = models.BooleanField(_("공휴일에도 운영"), default=False)
    groups_only = models.BooleanField(
        _("등록 단체만"),
        default=False,
        help_text=_("켜면 시가 승인한 단체(동호회·주민 모임 등)의 대표자만 예약할 수 있습니다."),
    )
    # Stays (숙박·대여): a campsite night runs from check-in on day D to check-out on D+1;
    # an equipment loan of N days from pick-up on D to return on D+N-1. Slot rules
    # (slot_minutes, min/max minutes) do not apply to these.
    stay_unit = models.CharField(
        _("예약 방식"), max_length=10, choices=StayUnit.choices, default=StayUnit.SLOTS, blank=True
    )
    check_in_time = models.TimeField(_("입실·대여 시각"), null=True, blank=True)
    check_out_time = models.TimeField(_("퇴실·반납 시각"), null=True, blank=True)
    min_stay = models.PositiveSmallIntegerField(_("최소 박·일"), default=1)
    max_stay = models.PositiveSmallIntegerField(_("최대 박·일"), default=1)
    # [[hours before the start, percent refunded], ...]; empty = the city's default.
    refund_rules = models.JSONField(
        _("환불 기준"),
        default=list,
        blank=True,
        help_text=_("[[168, 100], [24, 50]]: 7일 전까지 100%, 1일 전까지 50%, 그 뒤 0%"),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("예약 대상")
        verbose_name_plural = _("예약 대상")
        ordering = ["unit__name", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="reservations_resource_unique_name"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="reservations_resource_capacity"),
            models.CheckConstraint(condition=Q(slot_minutes__gt=0), name="reservations_resource_slot"),
            models.CheckConstraint(
                condition=Q(min_minutes__gt=0) & Q(max_minutes__gte=F("min_minutes")),
                name="reservations_resource_durations",
            ),
            models.CheckConstraint(
                condition=Q(stay_unit="") | (Q(check_in_time__isnull=False) & Q(check_out_time__isnull=False)),
                name="reservations_resource_stay_times",
            ),
            models.CheckConstraint(
                condition=~Q(stay_unit="day") | Q(check_out_time__gt=F("check_in_time")),
                name="reservations_resource_day_loan_times",
            ),
            models.CheckConstraint(
                condition=Q(min_stay__gt=0) & Q(max_stay__gte=F("min_stay")), name="reservations_resource_stay_lengths"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.name}"


class OpeningPeriod(models.Model):
    """운영 기간: the weekly hours in force from ``valid_from`` to ``valid_until``
    (inclusive). Where periods overlap on a day, the one that started last wins (a
    summer timetable inside the all-year one)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="periods")
    name = models.CharField(_("이름"), max_length=60, blank=True)
    valid_from = models.DateField(_("시작일"))
    valid_until = models.DateField(_("종료일"), null=True, blank=True)

    class Meta:
        verbose_name = _("운영 기간")
        verbose_name_plural = _("운영 기간")
        ordering = ["resource", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="reservations_period_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.valid_from}~{self.valid_until or ''}"


class Weekday(models.IntegerChoices):
    MON = 0, _("월")
    TUE = 1, _("화")
    WED = 2, _("수")
    THU = 3, _("목")
    FRI = 4, _("금")
    SAT = 5, _("토")
    SUN = 6, _("일")


class OpeningHours(models.Model):
    """One weekday's opening span in a period (several per day make a lunch break)."""

    period = models.ForeignKey(OpeningPeriod, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("요일"), choices=Weekday.choices)
    opens = models.TimeField(_("여는 시각"))
    closes = models.TimeField(_("닫는 시각"))

    class Meta:
        verbose_name = _("운영 시간")
        verbose_name_plural = _("운영 시간")
        ordering = ["period", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="reservations_hours_order"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="reservations_hours_weekday"),
        ]


class ClosedDate(models.Model):
    """휴관일: a day the resource does not open (maintenance, events)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="closed_dates")
    date = models.DateField(_("날짜"))
    reason = models.CharField(_("사유"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("휴관일")
        verbose_name_plural = _("휴관일")
        ordering = ["resource", "date"]
        constraints = [models.UniqueConstraint(fields=["resource", "date"], name="reservations_closed_unique")]


class PriceKind(models.TextChoices):
    HOURLY = "hourly", _("시간당")
    FIXED = "fixed", _("1회")
    DAILY = "daily", _("1박·1일당")


class PriceRule(models.Model):
    """이용료: in force for uses on or after ``effective_from`` (the latest that has
    started wins). ``per_person`` multiplies by the party size (seats, items)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="prices")
    effective_from = models.DateField(_("시행일"))
    kind = models.CharField(_("요금 방식"), max_length=10, choices=PriceKind.choices, default=PriceKind.HOURLY)
    amount = models.PositiveIntegerField(_("금액(원)"))
    per_person = models.BooleanField(_("1인·1개당"), default=False)
    # 보증금: paid with the fee, never discounted, returned after the use once staff have
    # checked the place or the item (less what they withhold, with a reason).
    deposit = models.PositiveIntegerField(
        _("보증금(원)"), default=0, help_text=_("이용료와 함께 받고 이용 뒤 확인을 거쳐 돌려줍니다. 감면하지 않습니다.")
    )

    class Meta:
        verbose_name = _("이용료")
        verbose_name_plural = _("이용료")
        ordering = ["resource", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "effective_from"], name="reservations_price_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.effective_from} {self.amount}"


class PriceDiscount(models.Model):
    """감면율 of a price rule for one category."""

    rule = models.ForeignKey(PriceRule, on_delete=models.CASCADE, related_name="discounts")
    category = models.CharField(_("감면 대상"), max_length=20, choices=Discount.choices)
    percent = models.PositiveSmallIntegerField(_("감면율(%)"))

    class Meta:
        verbose_name = _("감면")
        verbose_name_plural = _("감면")
        ordering = ["rule", "-percent"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "category"], name="reservations_discount_unique"),
            models.CheckConstraint(condition=Q(percent__gte=1, percent__lte=100), name="reservations_discount_range"),
        ]


class Status(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("결제 대기")
    REQUESTED = "requested", _("승인 대기")
    CONFIRMED = "confirmed", _("예약 확정")
    CANCELLED = "cancelled", _("취소")
    DENIED = "denied", _("반려")
    EXPIRED = "expired", _("기한 만료")
    NO_SHOW = "no_show", _("노쇼")
    CHECKED_IN = "checked_in", _("이용 확인")


# Reservations that hold their time: the overlap rules count only these.
ACTIVE = (Status.PENDING_PAYMENT, Status.REQUESTED, Status.CONFIRMED, Status.CHECKED_IN)


class Kind(models.TextChoices):
    BOOKING = "booking", _("예약")
    BLOCK = "block", _("사용 중지")


class GroupStatus(models.TextChoices):
    PENDING = "pending", _("심사 중")
    APPROVED = "approved", _("승인")
    REJECTED = "rejected", _("반려")
    WITHDRAWN = "withdrawn", _("해지")


class Group(models.Model):
    """이용 단체 (a club, a residents' association, a school class): registered by its
    representative (대표자), approved by staff; only the representative books for it."""

    name = models.CharField(_("단체 이름"), max_length=100)
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("대표자"), on_delete=models.PROTECT, related_name="reservation_groups"
    )
    members = models.PositiveIntegerField(_("회원 수"), default=2)
    description = models.CharField(_("활동 내용"), max_length=300, blank=True)
    status = models.CharField(_("상태"), max_length=20, choices=GroupStatus.choices, default=GroupStatus.PENDING)
    reason = models.CharField(_("사유"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("신청 일시"), default=timezone.now)
    decided_at = models.DateTimeField(_("처리 일시"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("이용 단체")
        verbose_name_plural = _("이용 단체")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["representative", "name"],
                condition=~Q(status="withdrawn"),
                name="reservations_group_unique_name",
            ),
            models.CheckConstraint(condition=Q(members__gte=2), name="reservations_group_members"),
        ]

    def __str__(self) -> str:
        return self.name


class Reservation(models.Model):
    """예약: one resident's use of a resource from ``begin`` to ``end`` — or a staff
    block (사용 중지) for maintenance, which holds the whole resource."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("예약 대상"), on_delete=models.PROTECT, related_name="reservations"
    )
    kind = models.CharField(_("구분"), max_length=10, choices=Kind.choices, default=Kind.BOOKING)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("예약자"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reservations",
    )
    status = models.CharField(_("상태"), max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT)
    begin = models.DateTimeField(_("시작"))
    end = models.DateTimeField(_("종료"))
    # The span the reservation keeps from others: begin - buffer before, end + buffer after.
    blocked_from = models.DateTimeField(editable=False)
    blocked_until = models.DateTimeField(editable=False)
    exclusive = models.BooleanField(editable=False, default=True)  # copied from the resource when booked
    party_size = models.PositiveIntegerField(_("인원·수량"), default=1)
    purpose = models.CharField(_("이용 목적"), max_length=200, blank=True)
    group = models.ForeignKey(
        Group, verbose_name=_("이용 단체"), on_delete=models.PROTECT, null=True, blank=True, related_name="reservations"
    )
    declared_resident = models.BooleanField(_("관내 거주 신고"), default=False)
    discount = models.CharField(_("감면 대상"), max_length=20, choices=Discount.choices, blank=True)
    discount_percent = models.PositiveSmallIntegerField(_("감면율(%)"), default=0)
    subtotal = models.PositiveIntegerField(_("이용료(원)"), default=0)
    price = models.PositiveIntegerField(_("결제 금액(원)"), default=0)
    order_id = models.CharField(_("주문번호"), max_length=40, blank=True)
    refunded_amount = models.PositiveIntegerField(_("환불된 금액(원)"), default=0)
    # 보증금 (deposit), charged on top of ``price``; of it, ``deposit_returned`` went back
    # to the resident and ``deposit_withheld`` was kept for damage or loss.
    deposit = models.PositiveIntegerField(_("보증금(원)"), default=0)
    deposit_returned = models.PositiveIntegerField(_("반환된 보증금(원)"), default=0)
    deposit_withheld = models.PositiveIntegerField(_("공제한 보증금(원)"), default=0)
    deposit_settled_at = models.DateTimeField(_("보증금 정산 일시"), null=True, blank=True)
    deposit_note = models.CharField(_("보증금 공제 사유"), max_length=300, blank=True)
    reason = models.CharField(_("사유"), max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("신청 일시"), default=timezone.now)
    decided_at = models.DateTimeField(_("처리 일시"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("확정 일시"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("취소 일시"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("이용 확인 일시"), null=True, blank=True)

    class Meta:
        verbose_name = _("예약")
        verbose_name_plural = _("예약")
        ordering = ["-begin", "-id"]
        indexes = [models.Index(fields=["resource", "begin"], name="reservations_resource_begin")]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="reservations_idempotency",
            ),
            models.CheckConstraint(condition=Q(end__gt=F("begin")), name="reservations_end_after_begin"),
            models.CheckConstraint(
                condition=Q(blocked_from__lte=F("begin")) & Q(blocked_until__gte=F("end")),
                name="reservations_buffers_cover",
            ),
            models.CheckConstraint(condition=Q(party_size__gt=0), name="reservations_party_positive"),
            models.CheckConstraint(condition=Q(price__lte=F("subtotal")), name="reservations_price_le_subtotal"),
            models.CheckConstraint(
                condition=Q(kind="block") | Q(resident__isnull=False), name="reservations_booking_has_resident"
            ),
            models.CheckConstraint(condition=Q(discount_percent__lte=100), name="reservations_discount_percent"),
            models.CheckConstraint(
                condition=Q(deposit__gte=F("deposit_returned") + F("deposit_withheld")),
                name="reservations_deposit_settled_within",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """예약번호 shown to residents and staff."""
        return f"R{self.pk:06d}" if self.pk else "R-"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def discount_amount(self) -> int:
        return self.subtotal - self.price

    @property
    def payable(self) -> int:
        """What the resident pays: the fee after discount plus the deposit."""
        return self.price + self.deposit

    @property
    def deposit_open(self) -> bool:
        """A deposit was paid and has not been settled (returned or withheld) yet."""
        return self.deposit > 0 and self.deposit_settled_at is None and self.confirmed_at is not None


class Penalty(models.Model):
    """노쇼 제재: the resident cannot book until ``until``."""

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reservation_penalties"
    )
    reservation = models.ForeignKey(Reservation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    until = models.DateTimeField(_("제재 종료"))
    reason = models.CharField(_("사유"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("예약 제한")
        verbose_name_plural = _("예약 제한")
        ordering = ["-until"]


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("대기 중")
    OFFERED = "offered", _("예약 제안")
    ACCEPTED = "accepted", _("예약함")
    EXPIRED = "expired", _("기한 만료")
    CANCELLED = "cancelled", _("취소")


# Entries still in the queue (one per resident, resource and start).
WAITLIST_ACTIVE = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class WaitlistEntry(models.Model):
    """대기 신청: a resident waiting for a taken time. When the time frees up the oldest
    entry that fits is offered it until ``offer_expires_at``; accepting books it."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("예약 대상"), on_delete=models.CASCADE, related_name="waitlist"
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("신청자"),
        on_delete=models.CASCADE,
        related_name="reservation_waitlist",
    )
    begin = models.DateTimeField(_("시작"))
    end = models.DateTimeField(_("종료"))
    party_size = models.PositiveIntegerField(_("인원·수량"), default=1)
    created_at = models.DateTimeField(_("신청 일시"), default=timezone.now)
    status = models.CharField(_("상태"), max_length=20, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING)
    offered_at = models.DateTimeField(_("제안 일시"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("제안 만료"), null=True, blank=True)
    reservation = models.ForeignKey(Reservation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("대기 신청")
        verbose_name_plural = _("대기 신청")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["resource", "status", "begin"], name="reservations_waitlist_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "resource", "begin"],
                condition=Q(status__in=["waiting", "offered"]),
                name="reservations_waitlist_one_active",
            ),
            models.CheckConstraint(condition=Q(end__gt=F("begin")), name="reservations_waitlist_end_after_begin"),
            models.CheckConstraint(condition=Q(party_size__gt=0), name="reservations_waitlist_party_positive"),
        ]

    def __str__(self) -> str:
        return f"W{self.pk:06d}" if self.pk else "W-"

    @property
    def is_active(self) -> bool:
        return self.status in WAITLIST_ACTIVE


class LotteryStatus(models.TextChoices):
    OPEN = "open", _("신청 접수")
    DRAWN = "drawn", _("추첨 완료")
    CLOSED = "closed", _("종료")


class Lottery(models.Model):
    """추첨제: one popular slot of a resource, drawn among the applicants after the
    application window closes. The draw's ``seed`` is stored so anyone can recompute it."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("예약 대상"), on_delete=models.CASCADE, related_name="lotteries"
    )
    begin = models.DateTimeField(_("시작"))
    end = models.DateTimeField(_("종료"))
    applications_open_at = models.DateTimeField(_("신청 시작"))
    applications_close_at = models.DateTimeField(_("신청 마감"))
    pay_deadline_hours = models.PositiveIntegerField(_("결제 기한(시간)"), default=48)
    status = models.CharField(_("상태"), max_length=20, choices=LotteryStatus.choices, default=LotteryStatus.OPEN)
    seed = models.CharField(_("추첨 시드"), max_length=64, blank=True)
    drawn_at = models.DateTimeField(_("추첨 일시"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("등록 일시"), default=timezone.now)

    class Meta:
        verbose_name = _("추첨")
        verbose_name_plural = _("추첨")
        ordering = ["begin", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("begin")), name="reservations_lottery_end_after_begin"),
            models.CheckConstraint(
                condition=Q(applications_close_at__gt=F("applications_open_at")), name="reservations_lottery_window"
            ),
        ]

    def __str__(self) -> str:
        return f"L{self.pk:06d}" if self.pk else "L-"


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("신청")
    WON = "won", _("당첨")
    LOST = "lost", _("미당첨")
    BOOKED = "booked", _("예약 확정")
    LAPSED = "lapsed", _("기한 경과")
    WITHDRAWN = "withdrawn", _("신청 취소")


class LotteryApplication(models.Model):
    """추첨 신청: one per resident and lottery; ``rank`` is the place in the draw."""

    lottery = models.ForeignKey(Lottery, verbose_name=_("추첨"), on_delete=models.CASCADE, related_name="applications")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("신청자"),
        on_delete=models.CASCADE,
        related_name="lottery_applications",
    )
    party_size = models.PositiveIntegerField(_("인원·수량"), default=1)
    created_at = models.DateTimeField(_("신청 일시"), default=timezone.now)
    status = models.CharField(
        _("상태"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.APPLIED
    )
    rank = models.PositiveIntegerField(_("순위"), null=True, blank=True)
    reservation = models.ForeignKey(Reservation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("추첨 신청")
        verbose_name_plural = _("추첨 신청")
        ordering = ["lottery", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lottery", "resident"], name="reservations_lottery_one_per_resident"),
            models.CheckConstraint(condition=Q(party_size__gt=0), name="reservations_lottery_party_positive"),
        ]

    def __str__(self) -> str:
        return f"A{self.pk:06d}" if self.pk else "A-"
