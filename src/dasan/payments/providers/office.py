"""Pay at the office or by virtual account (창구 납부·가상계좌): the demo's default.

Each order gets its own virtual account number at the city's bank, derived from the
order (the same order always shows the same account, a different order another one),
so a deposit can be matched to its order. The money is recorded as paid when

* staff take it at the counter, or see it on the city's account, and mark the order
  paid (``services.mark_paid_at_office``), or
* the bank's deposit notice reaches ``/payments/webhooks/office/``: a JSON body
  ``{"orderId", "amount", "transactionId", "depositedAt"}`` signed with
  HMAC-SHA256 over the raw body in the ``X-Dasan-Signature`` header (hex), with
  the secret ``PAYMENTS_OFFICE_WEBHOOK_SECRET``.

Refunds are recorded; the money goes back by the city's own transfer (staff).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from dasan.core.conf import setting
from dasan.core.models import Municipality

from .base import Approval, InvalidSignature, NextStep, Provider, RefundResult, ReturnUrls, WebhookEvent, scrub

SIGNATURE_HEADER = "X-Dasan-Signature"
ACCOUNT_DIGITS = 10
_METHODS = {"cash", "card_terminal", "transfer", "virtual_account"}


def _luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def account_number_for(order) -> str:
    """The order's virtual account number: the city's prefix, ten digits keyed on the
    order's public id with the site's secret (not guessable from the id), and a Luhn
    check digit so a mistyped number is caught."""
    prefix = "".join(ch for ch in str(setting("PAYMENTS_OFFICE_ACCOUNT_PREFIX")) if ch.isdigit())
    digest = salted_hmac("dasan.payments.office.account", order.public_id).hexdigest()
    body = str(int(digest, 16) % 10**ACCOUNT_DIGITS).zfill(ACCOUNT_DIGITS)
    digits = prefix + body
    digits += _luhn_digit(digits)
    return f"{digits[: len(prefix)]}-{digits[len(prefix) : len(prefix) + 5]}-{digits[len(prefix) + 5 :]}"


def account_holder() -> str:
    configured = setting("PAYMENTS_OFFICE_ACCOUNT_HOLDER")
    if configured:
        return str(configured)
    city = Municipality.current()
    return str(_("%(city)s 세입금") % {"city": city.name if city else _("다산시")})


def sign(body: bytes, secret: str) -> str:
    """Hex HMAC-SHA256 of ``body``: what the bank's relay puts in ``X-Dasan-Signature``."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class OfficeProvider(Provider):
    name = "office"
    label = _("가상계좌 입금 · 시청 창구 납부")
    description = _("안내된 계좌로 입금하거나 시청·읍면 민원 창구에서 현금이나 카드로 냅니다.")
    payer_confirmable = False  # paid only on staff's word or the bank's signed notice

    def start(self, order, *, urls: ReturnUrls) -> NextStep:
        return NextStep(
            kind="virtual_account",
            bank=str(setting("PAYMENTS_OFFICE_BANK")),
            account_number=account_number_for(order),
            account_holder=account_holder(),
            deadline=order.expires_at,
            instructions=_(
                "결제 기한까지 위 계좌로 결제 금액을 정확히 입금해 주세요. 입금이 확인되면 결제가 완료됩니다. "
                "시청이나 읍면 민원 창구에서 주문번호를 알려 주시고 현금이나 카드로 내셔도 됩니다."
            ),
        )

    def confirm(self, order, params: dict) -> Approval:
        # Called for staff (counter) payments; deposits arrive verified through the webhook.
        method = params.get("method") or "cash"
        if method not in _METHODS:
            method = "cash"
        approved_at = params.get("approved_at") or timezone.now()
        return Approval(
            provider_reference=self.reference_from(params) or f"office-{order.public_id}",
            amount=int(params.get("amount", order.total_amount)),
            method=method,
            approved_at=approved_at,
            order_public_id=order.public_id,
            raw=scrub({"channel": "counter", "method": method}),
        )

    def reference_from(self, params: dict) -> str:
        return str(params.get("reference") or "")

    def refund(self, payment, amount: int, reason: str, *, idempotency_key: str) -> RefundResult:
        # The city returns the money by its own transfer; this records the decision.
        return RefundResult(provider_reference=f"office-refund-{idempotency_key}", raw={"channel": "office"})

    def verify_webhook(self, body: bytes, headers) -> WebhookEvent | None:
        secret = setting("PAYMENTS_OFFICE_WEBHOOK_SECRET")
        given = (headers.get(SIGNATURE_HEADER) or "").strip().lower()
        if not secret or not given or not hmac.compare_digest(given, sign(body, str(secret))):
            raise InvalidSignature()
        try:
            data = json.loads(body)
            order_id = str(data["orderId"])
            amount = int(data["amount"])
            transaction = str(data["transactionId"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidSignature() from exc
        approved_at = timezone.now()
        if data.get("depositedAt"):
            try:
                approved_at = dt.datetime.fromisoformat(str(data["depositedAt"]))
                if timezone.is_naive(approved_at):
                    approved_at = timezone.make_aware(approved_at)
            except ValueError:
                approved_at = timezone.now()
        return WebhookEvent(
            order_public_id=order_id,
            approval=Approval(
                provider_reference=f"deposit-{transaction}"[:200],
                amount=amount,
                method="virtual_account",
                approved_at=approved_at,
                order_public_id=order_id,
                raw=scrub({"channel": "deposit", "transactionId": transaction, "depositedAt": data.get("depositedAt")}),
            ),
        )
