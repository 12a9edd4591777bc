"""대형폐기물 (bulky waste): the fee catalogue, the collection districts and the bookings.

A fee table (수수료표) takes effect on a date; the table in force is the latest one
whose ``effective_from`` is not after today. A booking copies each line's fee when it
is quoted, so a later table never changes what a resident was asked to pay.
Capacity is counted per district and day in :class:`DayCapacity`, a row that the
booking service locks, and the database refuses a count above the capacity.
Every change goes through ``services.py``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.core import timefmt


class FeeTable(models.Model):
    """수수료표: one city's fees, in force from ``effective_from``."""

    effective_from = models.DateField(_("시행일"), unique=True)
    sido = models.CharField(_("시도명"), max_length=40)
    sigungu = models.CharField(_("시군구명"), max_length=40)
    agency = models.CharField(_("관리기관명"), max_length=80, blank=True)
    provider_code = models.CharField(_("제공기관코드"), max_length=20, blank=True)
    provider_name = models.CharField(_("제공기관명"), max_length=80, blank=True)
    data_date = models.DateField(_("데이터기준일자"), null=True, blank=True)
    created_at = models.DateTimeField(_("등록 일시"), default=timezone.now)

    class Meta:
        verbose_name = _("수수료표")
        verbose_name_plural = _("수수료표")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.sigungu} {self.effective_from:%Y-%m-%d}"


class Item(models.Model):
    """대형폐기물 품목 (e.g. 소파) within one fee table."""

    table = models.ForeignKey(FeeTable, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("대형폐기물명"), max_length=100)
    category = models.CharField(_("구분"), max_length=40)
    description = models.CharField(_("특징"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("품목")
        verbose_name_plural = _("품목")
        ordering = ["category", "name"]
        constraints = [models.UniqueConstraint(fields=["table", "name"], name="waste_item_unique_name")]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    """규격: one size or type of an item with its fee (0 when free)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="variants")
    spec = models.CharField(_("규격"), max_length=120)
    fee = models.PositiveIntegerField(_("수수료(원)"))
    free = models.BooleanField(_("무료"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    # Imported from a row without a 규격 (one of several prices of an item, named by
    # fee order, e.g. "규격 1 (4,000원)"): staff give it its real name and untick this.
    needs_name = models.BooleanField(_("이름 정하기 필요"), default=False)

    class Meta:
        verbose_name = _("규격")
        verbose_name_plural = _("규격")
        ordering = ["item", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "spec"], name="waste_variant_unique_spec"),
            models.CheckConstraint(
                condition=Q(free=False, fee__gt=0) | Q(free=True, fee=0), name="waste_variant_free_is_zero"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.name} {self.spec}"


class District(models.Model):
    """행정동: where a crew collects, on which weekdays, and how many items a day."""

    code = models.CharField(_("행정동 코드"), max_length=20, unique=True)
    name = models.CharField(_("행정동"), max_length=40, unique=True)
    # Weekday numbers the crew works (Monday = 0), e.g. "024" for Mon, Wed, Fri.
    weekdays = models.CharField(_("수거 요일"), max_length=7, default="01234")
    daily_capacity = models.PositiveIntegerField(_("하루 수거 가능 수량"), default=40)
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
        verbose_name = _("수거 구역")
        verbose_name_plural = _("수거 구역")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def works_on(self, day) -> bool:
        return str(day.weekday()) in self.weekdays


class Street(models.Model):
    """도로명 구간: a road (or the building numbers ``first_number``..``last_number`` of it)
    and the 행정동 it lies in. Once a city loads its roads, a booking's address must be
    on one of them, which is how "inside the city" and the district are decided."""

    name = models.CharField(_("도로명"), max_length=80)
    first_number = models.PositiveIntegerField(_("시작 건물번호"), null=True, blank=True)
    last_number = models.PositiveIntegerField(_("끝 건물번호"), null=True, blank=True)
    district = models.ForeignKey(District, verbose_name=_("행정동"), on_delete=models.CASCADE, related_name="streets")

    class Meta:
        verbose_name = _("도로명 구간")
        verbose_name_plural = _("도로명 구간")
        ordering = ["name", "first_number"]
        constraints = [
            models.UniqueConstraint(fields=["name", "first_number"], name="waste_street_unique_segment"),
            models.CheckConstraint(
                condition=Q(first_number__isnull=True) | Q(last_number__gte=F("first_number")),
                name="waste_street_numbers_in_order",
            ),
        ]

    def __str__(self) -> str:
        if self.first_number is None:
            return self.name
        return f"{self.name} {self.first_number}~{self.last_number}"


class DayCapacity(models.Model):
    """One district's collection day: items booked against the capacity (locked when booking)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("수거일"))
    capacity = models.PositiveIntegerField(_("수거 가능 수량"))
    booked = models.PositiveIntegerField(_("예약된 수량"), default=0)

    class Meta:
        verbose_name = _("일별 수거량")
        verbose_name_plural = _("일별 수거량")
        constraints = [
            models.UniqueConstraint(fields=["district", "date"], name="waste_day_unique"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="waste_day_not_oversold"),
        ]


def photo_path(instance, filename: str) -> str:
    # A random name: the file is served only through the owner's page, never listed.
    return f"waste/{timefmt.local_date():%Y/%m}/{uuid.uuid4().hex}.jpg"


def crew_photo_path(instance, filename: str) -> str:
    return f"waste/crew/{timefmt.local_date():%Y/%m}/{uuid.uuid4().hex}.jpg"


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("결제 대기")
    CONFIRMED = "confirmed", _("배출 확정")
    CANCELLED = "cancelled", _("취소")
    EXPIRED = "expired", _("결제 기한 만료")
    COLLECTED = "collected", _("수거 완료")
    NOT_FOUND = "not_found", _("미배출 (물건 없음)")
    MISMATCH = "mismatch", _("신고 내용과 다름")


# What a crew may record at the door; a later scan may correct an earlier one.
OUTCOMES = (BookingStatus.COLLECTED, BookingStatus.NOT_FOUND, BookingStatus.MISMATCH)


class Crew(models.Model):
    """수거반: a collection crew (the city's or a contractor's) and the districts it serves.

    A route sheet is one crew's bookings for a day; ``members`` are the staff accounts
    whose scan page opens on this crew's list."""

    name = models.CharField(_("수거반"), max_length=60, unique=True)
    districts = models.ManyToManyField(District, verbose_name=_("담당 행정동"), related_name="crews", blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("반원 계정"),
        related_name="waste_crews",
        blank=True,
        limit_choices_to={"kind": "staff"},
    )
    phone = models.CharField(_("연락처"), max_length=20, blank=True)
    vehicle = models.CharField(_("차량"), max_length=40, blank=True)
    active = models.BooleanField(_("사용"), default=True)

    class Meta:
        verbose_name = _("수거반")
        verbose_name_plural = _("수거반")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Booking(models.Model):
    """대형폐기물 배출신고: a resident's items for one collection day."""

    number = models.CharField(_("배출번호"), max_length=20, unique=True, null=True, blank=True)
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="waste_bookings")
    district = models.ForeignKey(District, verbose_name=_("행정동"), on_delete=models.PROTECT, related_name="bookings")
    address = models.CharField(_("상세 주소"), max_length=200)
    placement = models.CharField(_("배출 장소"), max_length=300, blank=True)
    photo = models.FileField(_("사진"), upload_to=photo_path, blank=True)
    collection_date = models.DateField(_("수거일"))
    status = models.CharField(_("상태"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.PENDING)
    total_fee = models.PositiveIntegerField(_("수수료 합계(원)"))
    item_count = models.PositiveIntegerField(_("품목 수량"))
    fee_table = models.ForeignKey(FeeTable, on_delete=models.PROTECT, related_name="+")
    order_id = models.CharField(_("주문번호"), max_length=40, blank=True)
    refunded_amount = models.PositiveIntegerField(_("환불된 금액(원)"), default=0)
    idempotency_key = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("신청 일시"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("확정 일시"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("취소 일시"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("전날 알림 일시"), null=True, blank=True)
    # What the crew found at the door (수거 결과).
    outcome_at = models.DateTimeField(_("수거 처리 일시"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("처리한 직원"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome_note = models.CharField(_("수거 메모"), max_length=300, blank=True)
    crew_photo = models.FileField(_("수거 사진"), upload_to=crew_photo_path, blank=True)
    # Numbers of stickers printed before the collection day was changed (still accepted at the door).
    previous_numbers = models.CharField(_("이전 배출번호"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("배출신고")
        verbose_name_plural = _("배출신고")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="waste_booking_idempotency",
            ),
            models.CheckConstraint(condition=Q(item_count__gt=0), name="waste_booking_has_items"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class BookingLine(models.Model):
    """One item of a booking with the fee quoted when it was booked."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    item_name = models.CharField(_("품목"), max_length=100)
    spec = models.CharField(_("규격"), max_length=120)
    unit_fee = models.PositiveIntegerField(_("단가(원)"))
    quantity = models.PositiveIntegerField(_("수량"))
    amount = models.PositiveIntegerField(_("금액(원)"))

    class Meta:
        ordering = ["booking", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="waste_line_quantity_positive"),
            models.CheckConstraint(condition=Q(amount=F("unit_fee") * F("quantity")), name="waste_line_amount"),
        ]

    @property
    def label(self) -> str:
        return f"{self.item_name} {self.spec}"
