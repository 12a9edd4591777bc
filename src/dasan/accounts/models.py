"""Residents and staff. One custom user model from the first migration."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    RESIDENT = "resident", _("주민")
    STAFF = "staff", _("공무원")


class Role(models.TextChoices):
    """Staff roles, widest last."""

    OFFICER = "officer", _("담당자")
    MANAGER = "manager", _("부서장")
    ADMIN = "admin", _("시 관리자")


LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username, password=None, **extra):
        if not username:
            raise ValueError("username is required")
        user = self.model(username=username, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, username, password=None, **extra):
        extra.setdefault("kind", Kind.STAFF)
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a resident (주민, by phone + one-time code) or a
    member of staff (공무원, by password + TOTP)."""

    username = models.CharField(_("아이디"), max_length=64, unique=True)
    kind = models.CharField(_("구분"), max_length=16, choices=Kind.choices, default=Kind.RESIDENT, db_index=True)
    name = models.CharField(_("이름"), max_length=60, blank=True)
    # Residents: normalised Korean mobile number, digits only (01012345678).
    phone = models.CharField(_("휴대전화"), max_length=16, unique=True, null=True, blank=True)
    email = models.EmailField(_("이메일"), blank=True)
    language = models.CharField(_("언어"), max_length=10, choices=LANGUAGE_CHOICES, default="ko")
    department = models.ForeignKey(
        "core.Department", verbose_name=_("부서"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    role = models.CharField(_("역할"), max_length=16, choices=Role.choices, blank=True)
    totp_secret = models.CharField(_("OTP 비밀키"), max_length=64, blank=True, editable=False)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Last TOTP time-step accepted, so a code cannot be replayed within its window.
    totp_last_step = models.BigIntegerField(null=True, blank=True, editable=False)
    promo_opt_in = models.BooleanField(_("소식·홍보 알림 수신 동의"), default=False)
    promo_opt_in_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("활성"), default=True)
    is_staff = models.BooleanField(_("관리 화면 접근"), default=False)
    date_joined = models.DateTimeField(_("가입일"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("사용자")
        verbose_name_plural = _("사용자")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="staff") | models.Q(role=""), name="user_role_only_for_staff"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="resident") | models.Q(phone__isnull=False), name="user_resident_has_phone"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def is_resident(self) -> bool:
        return self.kind == Kind.RESIDENT

    @property
    def is_city_staff(self) -> bool:
        return self.kind == Kind.STAFF

    @property
    def is_city_admin(self) -> bool:
        return self.kind == Kind.STAFF and (self.role == Role.ADMIN or self.is_superuser)


class OneTimeCode(models.Model):
    """본인 확인 인증번호: a six-digit code sent by SMS to sign a resident in.

    Only a keyed hash of the code is stored (HMAC with SECRET_KEY over the phone,
    a per-row nonce and the code), so a copy of the table does not reveal codes."""

    phone = models.CharField(_("휴대전화"), max_length=16, db_index=True)
    nonce = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("발송 일시"), default=timezone.now)
    expires_at = models.DateTimeField(_("만료 일시"))
    attempts = models.PositiveSmallIntegerField(_("입력 횟수"), default=0)
    used_at = models.DateTimeField(_("사용 일시"), null=True, blank=True)
    # Set when a newer code replaces this one, or after too many wrong attempts.
    voided_at = models.DateTimeField(_("무효 처리 일시"), null=True, blank=True)

    class Meta:
        verbose_name = _("인증번호")
        verbose_name_plural = _("인증번호")
        indexes = [models.Index(fields=["phone", "-created_at"], name="otp_phone_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="otp_expires_after_created"
            ),
        ]

    def __str__(self) -> str:
        return f"OTP #{self.pk}"


class APIToken(models.Model):
    """연계용 API 토큰: a bearer token for an integration, owned by a member of staff.

    The plain token is shown once when issued; only its SHA-256 hash and a short
    prefix (to recognise it in lists) are kept."""

    name = models.CharField(_("이름"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("소유자"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(_("토큰 앞자리"), max_length=16, db_index=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("발급 일시"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("마지막 사용"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("폐기 일시"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API 토큰")
        verbose_name_plural = _("API 토큰")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ResidencyStatus(models.TextChoices):
    DECLARED = "declared", _("확인 대기")
    VERIFIED = "verified", _("확인됨")
    REJECTED = "rejected", _("확인 불가")


class ResidencyMethod(models.TextChoices):
    ROSTER = "roster", _("주민 명부 대조")
    PROOF = "proof", _("증빙 확인")
    VISIT = "visit", _("방문 확인")


class Residency(models.Model):
    """관내 거주 확인: a resident's declared 행정동 and date of birth, and whether the city
    has confirmed them (against the resident list it imports, from a proof staff read, or in
    person). Services that serve residents only — voting in participatory budgeting, the
    wallet's programmes, the transit pass — ask :func:`dasan.accounts.selectors.verified_residency`.
    One row per person; a new declaration replaces the old one and needs confirming again."""

    user = models.OneToOneField(
        User, verbose_name=_("주민"), on_delete=models.CASCADE, related_name="residency", primary_key=True
    )
    birth_date = models.DateField(_("생년월일"))
    dong_code = models.CharField(_("행정동 코드"), max_length=20, blank=True)
    dong_name = models.CharField(_("행정동"), max_length=40)
    status = models.CharField(
        _("상태"), max_length=16, choices=ResidencyStatus.choices, default=ResidencyStatus.DECLARED, db_index=True
    )
    method = models.CharField(_("확인 방법"), max_length=16, choices=ResidencyMethod.choices, blank=True)
    declared_at = models.DateTimeField(_("신고 일시"), default=timezone.now)
    verified_at = models.DateTimeField(_("확인 일시"), null=True, blank=True)
    verified_by = models.ForeignKey(
        User, verbose_name=_("확인한 직원"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("사유"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("관내 거주 확인")
        verbose_name_plural = _("관내 거주 확인")
        indexes = [models.Index(fields=["status", "declared_at"], name="residency_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="verified") | models.Q(verified_at__isnull=False),
                name="residency_verified_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.dong_name}"


class RosterImport(models.Model):
    """주민 명부 반입: one upload of the resident list the city keeps (from 주민등록 전산).

    Each import replaces the list (a snapshot); this row says when, by whom, and how many
    lines were read, kept and refused. The list itself holds no names or phone numbers."""

    imported_at = models.DateTimeField(_("반입 일시"), default=timezone.now)
    imported_by = models.ForeignKey(
        User, verbose_name=_("반입한 직원"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(_("파일 이름"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("행 수"), default=0)
    kept = models.PositiveIntegerField(_("반영"), default=0)
    refused = models.PositiveIntegerField(_("거부"), default=0)
    reverted = models.PositiveIntegerField(_("확인 취소"), default=0)
    verified = models.PositiveIntegerField(_("자동 확인"), default=0)

    class Meta:
        verbose_name = _("주민 명부 반입")
        verbose_name_plural = _("주민 명부 반입")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.imported_at:%Y-%m-%d %H:%M} · {self.kept}"


class RosterEntry(models.Model):
    """One person of the resident list, as a keyed hash only: HMAC-SHA256 (the city's
    SECRET_KEY) of the normalised mobile number and date of birth, and their 행정동. A copy of
    the table tells nobody who lives where; the city can only check a person it already knows."""

    key = models.CharField(max_length=64, unique=True)
    dong_code = models.CharField(_("행정동 코드"), max_length=20)
    dong_name = models.CharField(_("행정동"), max_length=40)

    class Meta:
        verbose_name = _("주민 명부 항목")
        verbose_name_plural = _("주민 명부 항목")

    def __str__(self) -> str:
        return f"{self.key[:8]}… · {self.dong_name}"


class Dong(models.Model):
    """행정동: the city's administrative neighbourhoods, derived from the last resident list and
    offered to residents when they declare where they live."""

    code = models.CharField(_("행정동 코드"), max_length=20, primary_key=True)
    name = models.CharField(_("행정동"), max_length=40)

    class Meta:
        verbose_name = _("행정동")
        verbose_name_plural = _("행정동")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
