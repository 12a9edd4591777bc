"""Data of 이음 지갑 and the invariants the database holds.

The ledger is double-entry (TigerBeetle's debit/credit model): an :class:`Entry` moves an
amount from its ``debit`` account to its ``credit`` account and is never changed or removed
(a correction is a compensating entry). Each :class:`Account` keeps a stored ``balance``
(credits minus debits) updated in the same transaction as the entry, under a row lock; the
database refuses a negative balance for every account except the funding source, so the sum
of all balances is always zero and can be recomputed from the entries.

Money flows: funding → programme budget → resident → clearing (held for the local-currency
operator) → settled, or resident → expired, and back (clearing → resident) when the operator
refuses a conversion.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LedgerIsAppendOnly(Exception):
    """Raised when code tries to change or delete a ledger entry."""


class AccountKind(models.TextChoices):
    FUNDING = "funding", _("재원")
    BUDGET = "budget", _("사업 예산")
    RESIDENT = "resident", _("주민")
    CLEARING = "clearing", _("지역화폐 전환 대기")
    SETTLED = "settled", _("지역화폐 정산 완료")
    EXPIRED = "expired", _("소멸")


#: Accounts that may hold a negative balance: only the funding source (where money enters).
MAY_GO_NEGATIVE = (AccountKind.FUNDING,)


class RewardUnit(models.TextChoices):
    ACTIVITY = "activity", _("활동 1회당")
    HOUR = "hour", _("1시간당")


class Programme(models.Model):
    """A reward programme (생태참여수당, 돌봄참여소득 …) and its rules."""

    code = models.SlugField(_("사업 코드"), max_length=40, unique=True)
    name = models.CharField(_("사업명"), max_length=100)
    description = models.TextField(_("설명"), blank=True)
    department = models.ForeignKey(
        "core.Department", verbose_name=_("담당 부서"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.CharField(_("지급 단위"), max_length=10, choices=RewardUnit.choices, default=RewardUnit.ACTIVITY)
    reward = models.PositiveIntegerField(_("지급액(원)"))
    daily_cap = models.PositiveIntegerField(_("하루 상한(원)"), null=True, blank=True)
    monthly_cap = models.PositiveIntegerField(_("월 상한(원)"), null=True, blank=True)
    yearly_cap = models.PositiveIntegerField(_("연 상한(원)"), null=True, blank=True)
    residents_only = models.BooleanField(_("관내 주민만"), default=True)
    min_age = models.PositiveSmallIntegerField(_("최소 나이"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("최대 나이"), null=True, blank=True)
    starts_on = models.DateField(_("시작일"))
    ends_on = models.DateField(_("종료일"))
    points_valid_days = models.PositiveIntegerField(_("적립 유효기간(일)"), default=365)
    is_active = models.BooleanField(_("운영 중"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("참여 사업")
        verbose_name_plural = _("참여 사업")
        ordering = ["starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="wallet_programme_dates"),
            models.CheckConstraint(condition=Q(reward__gt=0), name="wallet_programme_reward_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    kind = models.CharField(_("종류"), max_length=10, choices=AccountKind.choices)
    programme = models.OneToOneField(
        Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="budget_account"
    )
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="wallet_account"
    )
    balance = models.BigIntegerField(_("잔액"), default=0)

    class Meta:
        verbose_name = _("계정")
        verbose_name_plural = _("계정")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MAY_GO_NEGATIVE) | Q(balance__gte=0), name="wallet_account_not_negative"
            ),
            # One funding, clearing, settled and expired account each (the "system" accounts).
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind__in=["funding", "clearing", "settled", "expired"]),
                name="wallet_one_system_account_per_kind",
            ),
            models.CheckConstraint(
                condition=(Q(kind="budget") & Q(programme__isnull=False))
                | (~Q(kind="budget") & Q(programme__isnull=True)),
                name="wallet_budget_account_has_programme",
            ),
            models.CheckConstraint(
                condition=(Q(kind="resident") & Q(owner__isnull=False)) | (~Q(kind="resident") & Q(owner__isnull=True)),
                name="wallet_resident_account_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class EntryKind(models.TextChoices):
    FUND = "fund", _("예산 배정")
    EARN = "earn", _("적립")
    HOLD = "hold", _("전환 신청")
    REFUND = "refund", _("전환 취소 환원")
    SETTLE = "settle", _("정산")
    EXPIRE = "expire", _("소멸")
    REVERSE = "reverse", _("정정")


class EntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerIsAppendOnly("ledger entries cannot be updated")

    def delete(self):
        raise LedgerIsAppendOnly("ledger entries cannot be deleted")

    def bulk_update(self, *args, **kwargs):
        raise LedgerIsAppendOnly("ledger entries cannot be updated")


class Entry(models.Model):
    """One immutable movement: ``amount`` leaves ``debit`` and arrives in ``credit``."""

    key = models.CharField(_("멱등 키"), max_length=200, unique=True)
    kind = models.CharField(_("종류"), max_length=10, choices=EntryKind.choices)
    debit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="debits")
    credit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="credits")
    amount = models.BigIntegerField(_("금액"))
    claim = models.ForeignKey("Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    conversion = models.ForeignKey(
        "Conversion", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    expires_on = models.DateField(_("소멸 예정일"), null=True, blank=True)
    memo = models.CharField(_("메모"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("일시"), db_index=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("원장 기록")
        verbose_name_plural = _("원장 기록")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_entry_amount_positive"),
            models.CheckConstraint(condition=~Q(debit=models.F("credit")), name="wallet_entry_two_accounts"),
        ]
        indexes = [models.Index(fields=["credit", "kind", "created_at"]), models.Index(fields=["debit", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.key})"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update"):
            raise LedgerIsAppendOnly("ledger entries cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly("ledger entries cannot be deleted")


class Event(models.Model):
    """An activity day of a programme where staff check residents in (QR)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="events")
    title = models.CharField(_("행사명"), max_length=100)
    date = models.DateField(_("날짜"))
    starts_at = models.TimeField(_("시작"))
    ends_at = models.TimeField(_("종료"))
    place = models.CharField(_("장소"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("활동 행사")
        verbose_name_plural = _("활동 행사")
        ordering = ["-date", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=models.F("ends_at")), name="wallet_event_times")
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.date}"

    @property
    def minutes(self) -> int:
        return (self.ends_at.hour * 60 + self.ends_at.minute) - (self.starts_at.hour * 60 + self.starts_at.minute)


class Source(models.TextChoices):
    QR = "qr", _("현장 QR 확인")
    PARTNER_CSV = "partner_csv", _("협력기관 파일")
    PARTNER_API = "partner_api", _("협력기관 연계")
    SELF_REPORT = "self_report", _("본인 신고")


class ClaimStatus(models.TextChoices):
    REVIEW = "review", _("검토 대기")
    CREDITED = "credited", _("적립됨")
    REJECTED = "rejected", _("반려")


class ReviewReason(models.TextChoices):
    NONE = "", _("없음")
    DUPLICATE = "duplicate", _("중복 의심")
    VELOCITY = "velocity", _("활동 시간 확인 필요")
    SELF_REPORT = "self_report", _("본인 신고 확인")
    BUDGET = "budget", _("예산 부족")


def evidence_path(instance, filename: str) -> str:
    return f"wallet/evidence/{uuid.uuid4().hex}.jpg"


class Claim(models.Model):
    """A resident's claim for a reward for one activity, from whichever source reported it."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="claims")
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="wallet_claims")
    source = models.CharField(_("경로"), max_length=12, choices=Source.choices)
    status = models.CharField(_("상태"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.REVIEW)
    review_reason = models.CharField(
        _("검토 사유"), max_length=12, choices=ReviewReason.choices, blank=True, default=""
    )
    activity_date = models.DateField(_("활동일"))
    activity_ref = models.CharField(_("활동 식별"), max_length=100)
    description = models.CharField(_("활동 내용"), max_length=200, blank=True)
    minutes = models.PositiveIntegerField(_("활동 시간(분)"), default=0)
    starts_at = models.TimeField(_("시작"), null=True, blank=True)
    ends_at = models.TimeField(_("종료"), null=True, blank=True)
    # Set on the first claim for (programme, resident, day, activity); a duplicate keeps it
    # empty and waits for review, so the database itself refuses a second credited twin.
    dedupe_key = models.CharField(max_length=250, null=True, blank=True, unique=True, editable=False)
    amount = models.PositiveIntegerField(_("적립액"), default=0)
    evidence = models.FileField(_("증빙 사진"), upload_to=evidence_path, blank=True)
    partner = models.ForeignKey("PartnerToken", null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("처리 메모"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("접수 일시"), db_index=True)

    class Meta:
        verbose_name = _("활동 적립 신청")
        verbose_name_plural = _("활동 적립 신청")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["resident", "activity_date"]),
            models.Index(fields=["programme", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.activity_date} ({self.get_status_display()})"


class ConversionStatus(models.TextChoices):
    PENDING = "pending", _("처리 중")
    DONE = "done", _("전환 완료")
    FAILED = "failed", _("전환 실패")


class Conversion(models.Model):
    """Points converted to the city's local currency (지역화폐)."""

    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="wallet_conversions")
    amount = models.PositiveIntegerField(_("금액"))
    # The key the provider sees (one per conversion, reused on every retry) and the one the
    # client sent (a retried request returns the same conversion).
    key = models.CharField(max_length=64, unique=True, editable=False)
    request_key = models.CharField(max_length=200, blank=True, editable=False)
    status = models.CharField(
        _("상태"), max_length=10, choices=ConversionStatus.choices, default=ConversionStatus.PENDING
    )
    provider_ref = models.CharField(max_length=100, blank=True)
    charged_at = models.DateTimeField(null=True, blank=True)
    failure_code = models.CharField(max_length=50, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The last charge ended without an answer (timeout after sending): the operator may still
    # apply it, so the points are never returned on the strength of one "not found".
    outcome_unknown = models.BooleanField(default=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    settled_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(_("신청 일시"), db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("지역화폐 전환")
        verbose_name_plural = _("지역화폐 전환")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_conversion_amount_positive"),
            models.UniqueConstraint(
                fields=["resident", "request_key"], condition=~Q(request_key=""), name="wallet_conversion_request_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} ({self.get_status_display()})"


class CurrencyCard(models.Model):
    """The resident's local-currency account (card or app member number) conversions go to.

    ``ref`` is what the operator needs to credit it, so it is kept; pages and logs show only
    ``last4``; ``ref_hash`` (keyed HMAC) finds a number without reading it."""

    resident = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wallet_card")
    ref = models.CharField(max_length=40, editable=False)
    ref_hash = models.CharField(max_length=64, db_index=True, editable=False)
    last4 = models.CharField(max_length=4, editable=False)
    registered_at = models.DateTimeField()

    class Meta:
        verbose_name = _("지역화폐 계정")
        verbose_name_plural = _("지역화폐 계정")

    def __str__(self) -> str:
        return f"****{self.last4}"


class PartnerToken(models.Model):
    """A partner organisation's token to report activities of one programme (hash kept only)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="partner_tokens")
    name = models.CharField(_("기관명"), max_length=100)
    prefix = models.CharField(max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("협력기관 토큰")
        verbose_name_plural = _("협력기관 토큰")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class CheckinUse(models.Model):
    """A signed check-in code that was used: each code counts once."""

    nonce = models.CharField(max_length=40, unique=True)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    used_at = models.DateTimeField()


class ExpiryNotice(models.Model):
    """A notice sent 30 days before points expire (one per resident and expiry day)."""

    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires_on = models.DateField()
    amount = models.PositiveIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resident", "expires_on"], name="wallet_one_notice_per_day")]


class Reconciliation(models.Model):
    """One day's proof that the books balance and match the operator's settlement file."""

    day = models.DateField(_("정산일"), unique=True)
    ok = models.BooleanField(_("일치"))
    accounts_sum = models.BigIntegerField(_("계정 합계"))
    matched = models.PositiveIntegerField(_("일치 건수"), default=0)
    matched_amount = models.BigIntegerField(_("일치 금액"), default=0)
    findings = models.JSONField(_("차이"), default=list)
    ran_at = models.DateTimeField(_("실행 일시"))

    class Meta:
        verbose_name = _("대사")
        verbose_name_plural = _("대사")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} {'OK' if self.ok else 'DIFF'}"
