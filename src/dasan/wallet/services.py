"""State changes of 이음 지갑: programmes, claims and their review, check-in codes, partner
tokens, the resident's local-currency card. Conversions live in :mod:`.conversions`, expiry
in :mod:`.expiry`, the daily reconciliation in :mod:`.reconcile`.

A claim is credited in one transaction that locks the programme's budget account and the
resident's account (in id order), then reads what the resident already earned from the
programme this day/month/year (caps) and the budget left, and posts budget → resident. The
credited amount is the reward cut to the caps; a claim with nothing left under a cap is
rejected, and one the budget cannot pay waits for review (staff may top the budget up).

Before crediting, a claim is parked for review when it repeats one already made (same
resident, programme, day and activity: the unique ``dedupe_key`` lets the database decide,
even between two concurrent reports), when it is implausible (more minutes in a day than
``WALLET_MAX_MINUTES_PER_DAY`` or overlapping another activity's times), and always for a
resident's own report with evidence.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.accounts import permissions
from dasan.accounts.selectors import age_on, verified_residency
from dasan.core import audit, images
from dasan.core.conf import setting
from dasan.core.errors import Conflict, DasanError, NotFound

from . import ledger
from .errors import Code
from .models import (
    CheckinUse,
    Claim,
    ClaimStatus,
    CurrencyCard,
    Entry,
    EntryKind,
    Event,
    PartnerToken,
    Programme,
    ReviewReason,
    RewardUnit,
    Source,
)

CHECKIN_SALT = "dasan.wallet.checkin"


# --- programmes ---------------------------------------------------------------------------------


def require_programme(actor, programme: Programme) -> None:
    """Staff of the programme's department (or city-wide); others get ``staff_only``/404."""
    permissions.require_staff(actor)
    permissions.require(actor, "change", programme, owner_field=None, department_field="department")


def save_programme(programme: Programme, *, actor) -> Programme:
    """Create or change a programme (staff of its department, or city-wide)."""
    permissions.require_staff(actor)
    if programme.department_id is None:
        programme.department = actor.department
    if not permissions.is_city_wide(actor) and programme.department_id != actor.department_id:
        raise NotFound()
    if programme.starts_on > programme.ends_on:
        raise DasanError(Code.WALLET_PROGRAMME_INVALID, _("종료일이 시작일보다 빠릅니다."), field="ends_on")
    if programme.min_age and programme.max_age and programme.min_age > programme.max_age:
        raise DasanError(Code.WALLET_PROGRAMME_INVALID, _("최소 나이가 최대 나이보다 큽니다."), field="max_age")
    creating = programme.pk is None
    with transaction.atomic():
        programme.save()
        ledger.budget_account(programme)
        audit.record("wallet.programme.save", actor=actor, target=programme, data={"created": creating})
    return programme


def fund(programme: Programme, amount: int, *, key: str, actor, now: dt.datetime | None = None) -> Entry:
    """Put ``amount`` won of budget into ``programme`` (funding → budget), once per ``key``
    (the approval number: the same one twice funds once)."""
    require_programme(actor, programme)
    if not str(key or "").strip():
        raise DasanError(Code.WALLET_PROGRAMME_INVALID, _("예산 근거(결재 번호)를 입력해 주세요."), field="key")
    with transaction.atomic():
        entry = ledger.post(
            ledger.system_account("funding"),
            ledger.budget_account(programme),
            amount,
            key=f"fund:{programme.pk}:{key}",
            kind=EntryKind.FUND,
            actor=actor,
            now=now,
        )
        audit.record("wallet.programme.fund", actor=actor, target=programme, data={"amount": amount})
    return entry


# --- eligibility and claims ---------------------------------------------------------------------


def check_eligible(programme: Programme, resident, on: dt.date) -> None:
    """Refuse a claim the programme cannot pay: closed on that day, or the resident is not
    a verified resident / outside the age range."""
    if not programme.is_active or not (programme.starts_on <= on <= programme.ends_on):
        raise DasanError(Code.WALLET_PROGRAMME_CLOSED, _("이 날짜에는 운영하지 않는 사업입니다."))
    residency = verified_residency(resident)
    if programme.residents_only and residency is None:
        raise DasanError(Code.WALLET_NOT_ELIGIBLE, _("관내 거주 확인을 받은 주민만 참여할 수 있습니다."), status=403)
    if programme.min_age is not None or programme.max_age is not None:
        if residency is None:
            raise DasanError(Code.WALLET_NOT_ELIGIBLE, _("나이 확인을 위해 거주 확인이 필요합니다."), status=403)
        age = age_on(residency.birth_date, on)
        if (programme.min_age is not None and age < programme.min_age) or (
            programme.max_age is not None and age > programme.max_age
        ):
            raise DasanError(Code.WALLET_NOT_ELIGIBLE, _("참여 가능한 나이가 아닙니다."), status=403)


@dataclasses.dataclass
class Activity:
    """What a source reports: the day, an identifier of the activity (event id, partner's
    record id), minutes (for hourly programmes) and optional start/end times."""

    activity_date: dt.date
    activity_ref: str
    minutes: int = 0
    starts_at: dt.time | None = None
    ends_at: dt.time | None = None
    description: str = ""


def reward_for(programme: Programme, minutes: int) -> int:
    if programme.unit == RewardUnit.HOUR:
        return programme.reward * minutes // 60
    return programme.reward


def _dedupe_key(programme: Programme, resident, activity: Activity) -> str:
    return f"{programme.pk}:{resident.pk}:{activity.activity_date.isoformat()}:{activity.activity_ref}"[:250]


def _create_claim(programme, resident, activity: Activity, *, source, now, **extra) -> Claim:
    fields = dict(
        programme=programme,
        resident=resident,
        source=source,
        activity_date=activity.activity_date,
        activity_ref=activity.activity_ref[:100],
        description=activity.description[:200],
        minutes=activity.minutes,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        amount=reward_for(programme, activity.minutes),
        created_at=now,
        **extra,
    )
    try:
        with transaction.atomic():
            return Claim.objects.create(dedupe_key=_dedupe_key(programme, resident, activity), **fields)
    except IntegrityError:
        return Claim.objects.create(dedupe_key=None, review_reason=ReviewReason.DUPLICATE, **fields)


def _implausible(claim: Claim) -> bool:
    """More minutes that day than a person can do, or times overlapping another activity."""
    others = Claim.objects.filter(resident=claim.resident, activity_date=claim.activity_date).exclude(
        Q(pk=claim.pk) | Q(status=ClaimStatus.REJECTED)
    )
    total = (others.aggregate(m=Sum("minutes"))["m"] or 0) + claim.minutes
    if total > int(setting("WALLET_MAX_MINUTES_PER_DAY")):
        return True
    if claim.starts_at and claim.ends_at:
        return others.filter(starts_at__lt=claim.ends_at, ends_at__gt=claim.starts_at).exists()
    return False


def submit(programme: Programme, resident, activity: Activity, *, source: str, actor=None, now=None, **extra) -> Claim:
    """Record one activity and credit it, or park it for review (see the module docstring)."""
    now = now or timezone.now()
    check_eligible(programme, resident, activity.activity_date)
    with transaction.atomic():
        claim = _create_claim(programme, resident, activity, source=source, now=now, recorded_by=actor, **extra)
        if not claim.review_reason and _implausible(claim):
            claim.review_reason = ReviewReason.VELOCITY
        elif not claim.review_reason and source == Source.SELF_REPORT:
            claim.review_reason = ReviewReason.SELF_REPORT
        if claim.review_reason:
            claim.save(update_fields=["review_reason"])
            return claim
    return credit(claim, actor=actor, now=now)


def _earned(account, programme: Programme, since: dt.date, until: dt.date) -> int:
    """Earned from ``programme`` for activities in [since, until], less reversed claims."""
    window = {
        "claim__programme": programme,
        "claim__activity_date__gte": since,
        "claim__activity_date__lte": until,
    }
    earned = Entry.objects.filter(credit=account, kind=EntryKind.EARN, **window).aggregate(t=Sum("amount"))["t"]
    reversed_ = Entry.objects.filter(debit=account, kind=EntryKind.REVERSE, **window).aggregate(t=Sum("amount"))["t"]
    return (earned or 0) - (reversed_ or 0)


def room_under_caps(programme: Programme, account, day: dt.date) -> int | None:
    """How much more the resident may earn from ``programme`` on ``day`` (None: no cap)."""
    month_start = day.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    year_start = day.replace(month=1, day=1)
    windows = [
        (programme.daily_cap, day, day),
        (programme.monthly_cap, month_start, next_month - dt.timedelta(days=1)),
        (programme.yearly_cap, year_start, day.replace(month=12, day=31)),
    ]
    rooms = [cap - _earned(account, programme, since, until) for cap, since, until in windows if cap is not None]
    return max(min(rooms), 0) if rooms else None


def credit(claim: Claim, *, actor=None, now=None, note: str = "") -> Claim:
    """Pay a claim from the programme's budget, cut to the caps, in one locked transaction."""
    now = now or timezone.now()
    programme = claim.programme
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != ClaimStatus.REVIEW:
            raise Conflict(Code.WALLET_ALREADY_DECIDED, _("이미 처리된 신청입니다."))
        budget, account = ledger.budget_account(programme), ledger.resident_account(claim.resident)
        locked = ledger.lock(budget, account)
        room = room_under_caps(programme, account, claim.activity_date)
        amount = claim.amount if room is None else min(claim.amount, room)
        if amount <= 0:
            return _decide(claim, ClaimStatus.REJECTED, actor, now, note or str(_("상한에 도달했습니다.")), 0)
        if locked[budget.pk].balance < amount:
            claim.review_reason = ReviewReason.BUDGET
            claim.save(update_fields=["review_reason"])
            return claim
        expires_on = claim.activity_date + dt.timedelta(days=programme.points_valid_days)
        ledger.post(
            budget, account, amount, key=f"claim:{claim.pk}:earn", kind=EntryKind.EARN, claim=claim,
            expires_on=expires_on, actor=actor, now=now,
        )  # fmt: skip
        return _decide(claim, ClaimStatus.CREDITED, actor, now, note, amount)


def _decide(claim: Claim, status: str, actor, now, note: str, amount: int) -> Claim:
    claim.status = status
    claim.amount = amount
    claim.decided_at = now
    claim.decided_by = actor if getattr(actor, "kind", None) == "staff" else None
    claim.decision_note = note[:200]
    claim.save(update_fields=["status", "amount", "decided_at", "decided_by", "decision_note"])
    return claim


def review(claim: Claim, *, approve: bool, actor, note: str = "", now=None) -> Claim:
    """Staff decide a parked claim: approve (credit it) or reject it with a reason."""
    require_programme(actor, claim.programme)
    now = now or timezone.now()
    if claim.status != ClaimStatus.REVIEW:
        raise Conflict(Code.WALLET_ALREADY_DECIDED, _("이미 처리된 신청입니다."))
    with transaction.atomic():
        if approve:
            if claim.dedupe_key is None and claim.review_reason == ReviewReason.DUPLICATE:
                # Approved as a different activity after all: it keeps its own key.
                claim.dedupe_key = f"{claim.pk}:approved-duplicate"
                claim.save(update_fields=["dedupe_key"])
            claim = credit(claim, actor=actor, now=now, note=note)
        else:
            claim = Claim.objects.select_for_update().get(pk=claim.pk)
            if claim.status != ClaimStatus.REVIEW:
                raise Conflict(Code.WALLET_ALREADY_DECIDED, _("이미 처리된 신청입니다."))
            claim = _decide(claim, ClaimStatus.REJECTED, actor, now, note, 0)
        audit.record(
            "wallet.claim.review", actor=actor, target=claim, data={"approve": approve, "amount": claim.amount}
        )
    return claim


def reverse(claim: Claim, *, actor, reason: str, now=None) -> Claim:
    """Take back a credited claim that should not have paid (a compensating entry resident →
    budget, never an edit). Refused when the points have already been converted or expired."""
    require_programme(actor, claim.programme)
    if not (reason or "").strip():
        raise DasanError(Code.WALLET_PROGRAMME_INVALID, _("정정 사유를 입력해 주세요."), field="note")
    now = now or timezone.now()
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != ClaimStatus.CREDITED:
            raise Conflict(Code.WALLET_ALREADY_DECIDED, _("적립된 신청만 정정할 수 있습니다."))
        ledger.post(
            ledger.resident_account(claim.resident), ledger.budget_account(claim.programme), claim.amount,
            key=f"claim:{claim.pk}:reverse", kind=EntryKind.REVERSE, claim=claim, memo=reason, actor=actor, now=now,
        )  # fmt: skip
        claim = _decide(claim, ClaimStatus.REJECTED, actor, now, reason, claim.amount)
        audit.record("wallet.claim.reverse", actor=actor, target=claim, reason=reason, data={"amount": claim.amount})
    return claim


# --- the resident's own report ------------------------------------------------------------------


def self_report(programme: Programme, activity: Activity, evidence, *, actor, now=None) -> Claim:
    """A resident reports an activity with a photo; staff review it before it pays."""
    if not getattr(actor, "is_authenticated", False):
        raise NotFound()
    if not evidence:
        raise DasanError(Code.WALLET_EVIDENCE_REQUIRED, _("활동을 보여 주는 사진을 올려 주세요."), field="evidence")
    photo = images.sanitise(
        evidence, max_bytes=int(setting("WALLET_EVIDENCE_MAX_BYTES")), max_side=1600, field="evidence"
    )
    activity.activity_ref = activity.activity_ref or f"self:{photo.sha256[:16]}"
    claim = submit(programme, actor, activity, source=Source.SELF_REPORT, actor=actor, now=now)
    claim.evidence.save(f"{claim.pk}.jpg", ContentFile(photo.content), save=True)
    return claim


# --- QR check-in --------------------------------------------------------------------------------


def resident_code(resident) -> str:
    """The short-lived code the resident's phone shows for staff to scan."""
    return signing.dumps({"u": resident.pk, "n": secrets.token_hex(8)}, salt=CHECKIN_SALT, compress=True)


def event_code(event: Event) -> str:
    """The short-lived code an event shows for residents to scan."""
    return signing.dumps({"e": event.pk, "n": secrets.token_hex(8)}, salt=CHECKIN_SALT, compress=True)


def _read_code(code: str) -> dict:
    try:
        return signing.loads(code.strip(), salt=CHECKIN_SALT, max_age=int(setting("WALLET_QR_SECONDS")))
    except signing.SignatureExpired as exc:
        raise DasanError(
            Code.WALLET_CODE_INVALID, _("만료된 코드입니다. 새 코드를 보여 주세요."), field="code"
        ) from exc
    except signing.BadSignature as exc:
        raise DasanError(Code.WALLET_CODE_INVALID, _("올바른 확인 코드가 아닙니다."), field="code") from exc


def _use(nonce: str, event: Event, now) -> None:
    try:
        with transaction.atomic():
            CheckinUse.objects.create(nonce=nonce, event=event, used_at=now)
    except IntegrityError as exc:
        raise Conflict(Code.WALLET_CODE_USED, _("이미 사용된 코드입니다."), field="code") from exc


def _event_activity(event: Event) -> Activity:
    return Activity(
        activity_date=event.date,
        activity_ref=f"event:{event.pk}",
        minutes=event.minutes,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        description=event.title,
    )


def check_in(event: Event, code: str, *, actor, now=None) -> Claim:
    """Staff scan (or type) the code on a resident's phone at ``event``."""
    require_programme(actor, event.programme)
    now = now or timezone.now()
    data = _read_code(code)
    if "u" not in data:
        raise DasanError(Code.WALLET_CODE_INVALID, _("올바른 확인 코드가 아닙니다."), field="code")
    from django.contrib.auth import get_user_model

    resident = get_user_model().objects.filter(pk=data["u"], is_active=True).first()
    if resident is None:
        raise DasanError(Code.WALLET_CODE_INVALID, _("올바른 확인 코드가 아닙니다."), field="code")
    with transaction.atomic():
        _use(f"u:{data['n']}", event, now)
        claim = submit(event.programme, resident, _event_activity(event), source=Source.QR, actor=actor, now=now)
        audit.record("wallet.checkin", actor=actor, target=claim)
    return claim


def scan_event(code: str, *, actor, now=None) -> Claim:
    """A resident scans the code an event shows (each displayed code counts once per resident)."""
    if not getattr(actor, "is_authenticated", False):
        raise NotFound()
    now = now or timezone.now()
    data = _read_code(code)
    event = Event.objects.select_related("programme").filter(pk=data.get("e")).first()
    if event is None:
        raise DasanError(Code.WALLET_CODE_INVALID, _("올바른 확인 코드가 아닙니다."), field="code")
    with transaction.atomic():
        _use(f"e:{data['n']}:{actor.pk}", event, now)
        return submit(event.programme, actor, _event_activity(event), source=Source.QR, actor=actor, now=now)


# --- partner tokens -----------------------------------------------------------------------------


def token_hash(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def issue_token(programme: Programme, name: str, *, actor) -> tuple[PartnerToken, str]:
    """A new token for a partner organisation; the plain text is returned once, never stored."""
    require_programme(actor, programme)
    plain = "dwp_" + secrets.token_urlsafe(32)
    token = PartnerToken.objects.create(
        programme=programme, name=name[:100], prefix=plain[:10], token_hash=token_hash(plain), created_by=actor
    )
    audit.record("wallet.token.issue", actor=actor, target=token)
    return token, plain


def revoke_token(token: PartnerToken, *, actor, now=None) -> PartnerToken:
    require_programme(actor, token.programme)
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("wallet.token.revoke", actor=actor, target=token)
    return token


def authenticate_partner(plain: str, *, now=None) -> PartnerToken | None:
    token = (
        PartnerToken.objects.select_related("programme")
        .filter(token_hash=token_hash(plain or ""), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        PartnerToken.objects.filter(pk=token.pk).update(last_used_at=now or timezone.now())
    return token


# --- the resident's local-currency card ---------------------------------------------------------


def card_hash(ref: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"wallet.card:{ref}".encode(), hashlib.sha256).hexdigest()


def register_card(ref: str, *, actor, now=None) -> CurrencyCard:
    """Register (or replace) the local-currency card/app number conversions are paid to."""
    if not getattr(actor, "is_authenticated", False):
        raise NotFound()
    digits = "".join(ch for ch in (ref or "") if ch.isdigit())
    if not 8 <= len(digits) <= 20:
        raise DasanError(
            Code.WALLET_CARD_INVALID, _("지역화폐 카드(앱) 번호를 숫자 8~20자리로 입력해 주세요."), field="ref"
        )
    card, _created = CurrencyCard.objects.update_or_create(
        resident=actor,
        defaults={
            "ref": digits,
            "ref_hash": card_hash(digits),
            "last4": digits[-4:],
            "registered_at": now or timezone.now(),
        },
    )
    audit.record("wallet.card.register", actor=actor, target=("wallet.currencycard", card.pk))
    return card
