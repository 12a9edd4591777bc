"""Converting points to the city's local currency (지역화폐), never twice, never lost.

1. :func:`request` checks the amount (``WALLET_CONVERSION_MIN``/``MAX``), the card and the
   balance, and in one transaction creates the :class:`Conversion` (pending, with its own
   provider key) and posts resident → clearing: the points are held.
2. After that transaction has committed, :func:`first_attempt` asks the operator to charge,
   with the conversion's key (:func:`convert` does both; the API commits step 1 with its
   idempotency record first, so a rollback can never forget a conversion already charged).
   - a receipt: the conversion is done (clearing is settled by the daily reconciliation);
   - ``Rejected``: nothing was charged; a compensating entry clearing → resident returns the
     points and the conversion is failed with the operator's reason;
   - ``Unavailable`` / ``OutcomeUnknown``: the conversion stays pending.
3. :func:`resolve_pending` (the ``wallet.resolve_conversions`` job) asks the operator
   ``status(key)`` for each pending conversion: a receipt completes it; ``None`` (never
   applied) retries the charge with the same key, so the operator's own idempotency makes a
   late duplicate harmless; after ``WALLET_MAX_ATTEMPTS`` tries that the operator says it
   never applied, the points are returned — but only when the last try had a definite answer
   (``Unavailable``): after a timeout (``OutcomeUnknown``) the operator may still apply the
   charge it received, so "not found" then only earns another try with the same key, never a
   refund that a late charge would double.

Every state change locks the conversion row and checks it is still pending, so a page, a
retry and the job racing on one conversion finish it once; every ledger post has a key
derived from the conversion (``conversion:<id>:hold|refund|settle``), so a replay posts
nothing new.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.core import audit
from dasan.core.conf import setting
from dasan.core.errors import Conflict, DasanError, NotFound

from . import ledger
from .errors import Code
from .models import Conversion, ConversionStatus, CurrencyCard, EntryKind

logger = logging.getLogger("dasan.wallet")


def provider():
    """The configured local-currency operator, or a ``wallet_currency_not_configured`` error."""
    from .currency import CurrencyNotConfigured, get_provider

    try:
        return get_provider()
    except CurrencyNotConfigured as exc:
        raise DasanError(
            Code.WALLET_CURRENCY_NOT_CONFIGURED, _("지역화폐 전환을 아직 이용할 수 없습니다."), status=503
        ) from exc


def _check_amount(amount: int) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise DasanError(Code.WALLET_AMOUNT_INVALID, _("금액을 숫자로 입력해 주세요."), field="amount")
    low, high = int(setting("WALLET_CONVERSION_MIN")), int(setting("WALLET_CONVERSION_MAX"))
    if amount < low:
        raise DasanError(
            Code.WALLET_BELOW_MINIMUM, _("%(low)s원 이상부터 전환할 수 있습니다.") % {"low": f"{low:,}"}, field="amount"
        )
    if amount > high:
        raise DasanError(
            Code.WALLET_ABOVE_MAXIMUM,
            _("한 번에 %(high)s원까지 전환할 수 있습니다.") % {"high": f"{high:,}"},
            field="amount",
        )


def _hold(resident, amount: int, request_key: str, now) -> Conversion:
    """Create the pending conversion and hold its points, or return the one made for the
    same ``request_key`` (a retried request)."""
    with transaction.atomic():
        account = ledger.resident_account(resident)
        ledger.lock(account, ledger.system_account("clearing"))
        if request_key:
            existing = Conversion.objects.filter(resident=resident, request_key=request_key).first()
            if existing is not None:
                if existing.amount != amount:
                    raise Conflict(Code.WALLET_KEY_REUSED, _("이미 다른 금액으로 사용된 요청입니다."))
                return existing
        conversion = Conversion.objects.create(
            resident=resident,
            amount=amount,
            key=f"dw-{secrets.token_hex(12)}",
            request_key=request_key[:200],
            created_at=now,
        )
        ledger.post(
            account, ledger.system_account("clearing"), amount,
            key=f"conversion:{conversion.pk}:hold", kind=EntryKind.HOLD, conversion=conversion, now=now,
        )  # fmt: skip
        audit.record("wallet.conversion.request", actor=resident, target=conversion, data={"amount": amount})
    return conversion


def check_request(resident, amount: int) -> None:
    """What :func:`convert` refuses up front, for the check-your-answers step."""
    _check_amount(amount)
    if not CurrencyCard.objects.filter(resident=resident).exists():
        raise DasanError(Code.WALLET_NO_CARD, _("먼저 지역화폐 카드(앱) 번호를 등록해 주세요."), field="amount")
    account = ledger.resident_account(resident)
    if account.balance < amount:
        raise DasanError(Code.WALLET_INSUFFICIENT_BALANCE, _("잔액이 부족합니다."), field="amount", status=409)
    provider()


def request(resident, amount: int, *, actor, request_key: str = "", now: dt.datetime | None = None) -> Conversion:
    """Step 1 only: check and hold ``amount`` points of ``actor`` (the resident) in a pending
    conversion, committed before anyone calls the operator. For callers that run inside a
    transaction of their own (the API's idempotency record): they call :func:`first_attempt`
    after it commits, so no lock is held while the operator answers and a rollback can never
    forget a conversion the operator has charged."""
    if actor is None or actor.pk != resident.pk:
        raise NotFound()
    _check_amount(amount)
    if not CurrencyCard.objects.filter(resident=resident).exists():
        raise DasanError(Code.WALLET_NO_CARD, _("먼저 지역화폐 카드(앱) 번호를 등록해 주세요."), field="amount")
    provider()
    return _hold(resident, amount, request_key, now or timezone.now())


def first_attempt(conversion: Conversion, *, now: dt.datetime | None = None) -> Conversion:
    """Step 2: ask the operator the first time, unless someone has; call it outside any
    transaction (it waits on the operator)."""
    conversion.refresh_from_db()
    if conversion.status == ConversionStatus.PENDING and conversion.attempts == 0:
        attempt(conversion, provider(), now=now or timezone.now())
        conversion.refresh_from_db()
    return conversion


def convert(resident, amount: int, *, actor, request_key: str = "", now: dt.datetime | None = None) -> Conversion:
    """Convert ``amount`` points of ``actor`` (the resident) to local currency: both steps."""
    conversion = request(resident, amount, actor=actor, request_key=request_key, now=now)
    return first_attempt(conversion, now=now)


def attempt(conversion: Conversion, operator, *, card: CurrencyCard | None = None, now=None) -> None:
    """Ask the operator to charge ``conversion`` (same key every time) and act on the answer."""
    from .currency.base import Charge, OutcomeUnknown, Rejected, Unavailable

    now = now or timezone.now()
    card = card or CurrencyCard.objects.filter(resident_id=conversion.resident_id).first()
    if card is None:
        return fail(conversion, "no_card", str(_("지역화폐 카드(앱) 번호가 없습니다.")), now=now)
    Conversion.objects.filter(pk=conversion.pk).update(
        attempts=conversion.attempts + 1,
        next_attempt_at=now + dt.timedelta(seconds=int(setting("WALLET_RETRY_SECONDS"))),
    )
    try:
        receipt = operator.charge(Charge(key=conversion.key, account_ref=card.ref, amount=conversion.amount))
    except Rejected as exc:
        fail(conversion, getattr(exc, "code", "rejected"), getattr(exc, "message", "") or str(exc), now=now)
    except (Unavailable, OutcomeUnknown) as exc:
        if isinstance(exc, OutcomeUnknown):  # sticky: a later "unavailable" does not undo it
            Conversion.objects.filter(pk=conversion.pk).update(outcome_unknown=True)
        logger.warning("conversion %s left pending: %s", conversion.pk, type(exc).__name__)
    else:
        complete(conversion, receipt, now=now)


def complete(conversion: Conversion, receipt, *, now=None) -> Conversion:
    """The operator charged the conversion: record its receipt (once)."""
    with transaction.atomic():
        conversion = Conversion.objects.select_for_update().get(pk=conversion.pk)
        if conversion.status != ConversionStatus.PENDING:
            return conversion
        conversion.status = ConversionStatus.DONE
        conversion.provider_ref = str(receipt.provider_ref)[:100]
        conversion.charged_at = receipt.charged_at
        conversion.finished_at = now or timezone.now()
        if receipt.amount != conversion.amount:
            # Kept as the operator's word; the reconciliation reports the difference.
            conversion.failure_message = f"operator amount {receipt.amount}"
        conversion.save(update_fields=["status", "provider_ref", "charged_at", "finished_at", "failure_message"])
        audit.record("wallet.conversion.done", actor=None, target=conversion, data={"amount": conversion.amount})
    return conversion


def fail(conversion: Conversion, code: str, message: str, *, now=None) -> Conversion:
    """Nothing was charged: return the held points (compensating entry) and say why."""
    now = now or timezone.now()
    with transaction.atomic():
        conversion = Conversion.objects.select_for_update().get(pk=conversion.pk)
        if conversion.status != ConversionStatus.PENDING:
            return conversion
        ledger.post(
            ledger.system_account("clearing"), ledger.resident_account(conversion.resident), conversion.amount,
            key=f"conversion:{conversion.pk}:refund", kind=EntryKind.REFUND, conversion=conversion, now=now,
        )  # fmt: skip
        conversion.status = ConversionStatus.FAILED
        conversion.failure_code = str(code)[:50]
        conversion.failure_message = str(message)[:300]
        conversion.finished_at = now
        conversion.save(update_fields=["status", "failure_code", "failure_message", "finished_at"])
        audit.record("wallet.conversion.failed", actor=None, target=conversion, data={"code": code})
    return conversion


def resolve_pending(now: dt.datetime | None = None, *, operator=None, limit: int = 200) -> int:
    """The job: settle what happened to each pending conversion that is due (module docstring)."""
    from .currency.base import CurrencyError

    now = now or timezone.now()
    try:
        operator = operator or provider()
    except DasanError:
        return 0
    due = Conversion.objects.filter(status=ConversionStatus.PENDING, next_attempt_at__lte=now).order_by("pk")[:limit]
    resolved = 0
    for conversion in due:
        try:
            receipt = operator.status(conversion.key)
        except CurrencyError as exc:
            logger.warning("conversion %s status unknown: %s", conversion.pk, type(exc).__name__)
            continue
        if receipt is not None:
            complete(conversion, receipt, now=now)
        elif conversion.attempts >= int(setting("WALLET_MAX_ATTEMPTS")) and not conversion.outcome_unknown:
            fail(conversion, "not_applied", str(_("지역화폐 운영기관이 처리하지 못했습니다.")), now=now)
        else:
            attempt(conversion, operator, now=now)
        resolved += 1
    return resolved
