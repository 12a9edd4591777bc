"""Card payments through Toss Payments (토스페이먼츠), speaking its v1 HTTP API.

The flow, with no JavaScript SDK on our pages:

1. ``start``: ``POST {base}/v1/payments`` with the method, amount, order id and name
   and our success/fail URLs; the answer's ``checkout.url`` is the payment window
   the payer is sent to.
2. The PG sends the payer back to the success URL with ``paymentKey``, ``orderId``
   and ``amount``; ``confirm`` checks them against the order and calls
   ``POST {base}/v1/payments/confirm`` with ``{paymentKey, orderId, amount}``.
   ``ALREADY_PROCESSED_PAYMENT`` (a double click, or our own retry after a lost
   answer) and timeouts are settled by asking ``GET {base}/v1/payments/{paymentKey}``.
3. ``refund``: ``POST {base}/v1/payments/{paymentKey}/cancel`` with ``cancelReason``
   and ``cancelAmount`` (partial refunds), carrying an ``Idempotency-Key``.
4. Webhooks are never trusted as sent: the payment is fetched again with our secret key.

Authentication is HTTP Basic with the secret key followed by ``:`` and an empty
password. Errors come as ``{"code", "message"}`` with a 4xx/5xx status; codes are
mapped to our own translated messages (the PG's text is kept for staff, not shown).
Reference: Toss Payments API v1 documentation (docs.tosspayments.com/reference).
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from urllib.parse import quote, urlparse

import httpx
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.core.conf import setting
from dasan.core.pii import mask
from dasan.payments.errors import Code

from .base import (
    Approval,
    InvalidSignature,
    NextStep,
    Provider,
    ProviderError,
    ProviderUnavailable,
    RefundResult,
    ReturnUrls,
    WebhookEvent,
    scrub,
)

logger = logging.getLogger("dasan.payments.toss")

_METHODS = {
    "카드": "card",
    "CARD": "card",
    "간편결제": "easy_pay",
    "EASY_PAY": "easy_pay",
    "계좌이체": "transfer",
    "TRANSFER": "transfer",
    "가상계좌": "virtual_account",
    "VIRTUAL_ACCOUNT": "virtual_account",
}

# Codes that mean our configuration is wrong: the payer cannot fix them.
_CONFIG_CODES = {"UNAUTHORIZED_KEY", "INVALID_API_KEY", "FORBIDDEN_REQUEST", "INVALID_AUTHORIZE_AUTH"}
# Codes that mean "try again later".
_TEMPORARY_CODES = {
    "PROVIDER_ERROR",
    "FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING",
    "FAILED_INTERNAL_SYSTEM_PROCESSING",
    "UNKNOWN_PAYMENT_ERROR",
    "COMMON_ERROR",
}


def _declined_messages() -> dict:
    card_refused = _("카드사에서 결제를 거절했습니다. 한도나 잔액을 확인하시거나 다른 카드로 결제해 주세요.")
    card_invalid = _("카드 정보가 올바르지 않거나 사용할 수 없는 카드입니다. 다른 카드로 결제해 주세요.")
    return {
        "REJECT_CARD_PAYMENT": card_refused,
        "REJECT_CARD_COMPANY": card_refused,
        "INVALID_REJECT_CARD": card_refused,
        "EXCEED_MAX_DAILY_PAYMENT_COUNT": _("카드의 하루 결제 한도를 넘었습니다. 다른 카드로 결제해 주세요."),
        "EXCEED_MAX_PAYMENT_AMOUNT": _("카드의 결제 한도를 넘었습니다. 다른 카드로 결제해 주세요."),
        "EXCEED_MAX_AMOUNT": _("카드의 결제 한도를 넘었습니다. 다른 카드로 결제해 주세요."),
        "INVALID_STOPPED_CARD": card_invalid,
        "INVALID_CARD_EXPIRATION": card_invalid,
        "INVALID_CARD_NUMBER": card_invalid,
        "NOT_FOUND_PAYMENT_SESSION": _("결제 시간이 지났습니다. 처음부터 다시 결제해 주세요."),
        "NOT_FOUND_PAYMENT": _("결제 정보를 찾을 수 없습니다. 처음부터 다시 결제해 주세요."),
        "PAY_PROCESS_CANCELED": _("결제를 취소하셨습니다."),
        "PAY_PROCESS_ABORTED": _("결제가 중단되었습니다. 다시 시도해 주세요."),
    }


def _refund_messages() -> dict:
    return {
        "ALREADY_CANCELED_PAYMENT": _("이미 취소된 결제입니다."),
        "NOT_CANCELABLE_AMOUNT": _("환불할 수 없는 금액입니다. 남은 결제 금액을 확인해 주세요."),
        "NOT_CANCELABLE_PAYMENT": _("결제사에서 환불할 수 없는 결제입니다. 결제 담당 부서에 문의해 주세요."),
        "EXCEED_CANCEL_AMOUNT_DISCOUNT_AMOUNT": _("환불할 수 없는 금액입니다. 남은 결제 금액을 확인해 주세요."),
    }


def fail_message(code: str):
    """Our message for a code the PG puts on the fail URL (its own text is not shown:
    the query string can be forged)."""
    return _declined_messages().get(code) or _("결제가 완료되지 않았습니다. 다시 시도해 주세요.")


class _TossError(Exception):
    def __init__(self, status: int, code: str, message: str, body: dict):
        super().__init__(f"{status} {code}")
        self.status, self.code, self.message, self.body = status, code, message, body


class TossPaymentsProvider(Provider):
    name = "tosspayments"
    label = _("신용·체크카드 (토스페이먼츠)")
    description = _("카드사 결제창으로 이동해 결제하고 돌아옵니다.")
    redirects = True

    # --- transport -----------------------------------------------------------------------
    def _settings(self) -> tuple[str, str, float]:
        base = str(setting("PAYMENTS_TOSS_BASE_URL")).rstrip("/")
        secret = str(setting("PAYMENTS_TOSS_SECRET_KEY"))
        timeout = float(setting("PAYMENTS_TOSS_TIMEOUT"))
        return base, secret, timeout

    def is_configured(self) -> bool:
        return bool(self._settings()[1])

    def _call(self, method: str, path: str, *, json: dict | None = None, idempotency_key: str = "") -> dict:
        base, secret, timeout = self._settings()
        if not secret:
            logger.error("PAYMENTS_TOSS_SECRET_KEY is not set")
            raise ProviderUnavailable(
                _("카드 결제를 지금 사용할 수 없습니다. 다른 결제 방법을 선택해 주세요."),
                provider_code="NOT_CONFIGURED",
            )
        token = base64.b64encode(f"{secret}:".encode()).decode()
        headers = {"Authorization": f"Basic {token}", "Accept": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key[:300]
        try:
            response = httpx.request(method, base + path, json=json, headers=headers, timeout=timeout)
        except httpx.TimeoutException as exc:
            logger.warning("Toss Payments %s %s timed out", method, mask(path))
            raise ProviderUnavailable(provider_code="TIMEOUT") from exc
        except httpx.HTTPError as exc:
            logger.warning("Toss Payments %s %s failed: %s", method, mask(path), exc.__class__.__name__)
            raise ProviderUnavailable(provider_code="CONNECTION_ERROR") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if response.status_code >= 400:
            code = str(body.get("code") or f"HTTP_{response.status_code}")
            raise _TossError(response.status_code, code, str(body.get("message") or ""), body)
        if not body:
            raise ProviderUnavailable(provider_code="BAD_RESPONSE")
        return body

    def _as_provider_error(self, error: _TossError, messages: dict, fallback_code: str, fallback_message):
        logger.info("Toss Payments refused: %s %s", error.code, mask(error.message))
        if error.status >= 500 or error.code in _TEMPORARY_CODES:
            return ProviderUnavailable(provider_code=error.code, raw=error.body)
        if error.code in _CONFIG_CODES:
            logger.error("Toss Payments rejected our credentials (%s): check PAYMENTS_TOSS_SECRET_KEY", error.code)
            return ProviderUnavailable(
                _(
                    "결제 서비스 설정에 문제가 있어 카드 결제를 할 수 없습니다. 다른 결제 방법을 선택하시거나 시청에 문의해 주세요."
                ),
                provider_code=error.code,
                raw=error.body,
            )
        return ProviderError(
            fallback_code, messages.get(error.code) or fallback_message, provider_code=error.code, raw=error.body
        )

    # --- the interface ---------------------------------------------------------------------
    def start(self, order, *, urls: ReturnUrls) -> NextStep:
        payload = {
            "method": "CARD",
            "amount": order.total_amount,
            "orderId": order.public_id,
            "orderName": order.title[:100],
            "successUrl": urls.success,
            "failUrl": urls.fail,
        }
        try:
            body = self._call("POST", "/v1/payments", json=payload)
        except _TossError as error:
            raise self._as_provider_error(
                error,
                _declined_messages(),
                "payment_failed",
                _("카드 결제를 시작하지 못했습니다. 잠시 후 다시 시도해 주세요."),
            ) from error
        url = str((body.get("checkout") or {}).get("url") or "")
        if urlparse(url).scheme not in ("http", "https"):
            raise ProviderUnavailable(provider_code="NO_CHECKOUT_URL")
        return NextStep(kind="redirect", redirect_url=url, deadline=order.expires_at)

    def reference_from(self, params: dict) -> str:
        return str(params.get("paymentKey") or "")[:200]

    def _fetch(self, payment_key: str) -> dict:
        return self._call("GET", f"/v1/payments/{quote(payment_key, safe='')}")

    @staticmethod
    def _approval(body: dict) -> Approval:
        approved_at = timezone.now()
        if body.get("approvedAt"):
            try:
                approved_at = dt.datetime.fromisoformat(str(body["approvedAt"]))
            except ValueError:
                pass
        try:
            amount = int(body.get("totalAmount"))
        except (TypeError, ValueError):
            amount = -1
        return Approval(
            provider_reference=str(body.get("paymentKey") or "")[:200],
            amount=amount,
            method=_METHODS.get(str(body.get("method") or ""), "other"),
            approved_at=approved_at,
            order_public_id=str(body.get("orderId") or ""),
            raw=scrub(body),
        )

    def confirm(self, order, params: dict) -> Approval:
        payment_key = self.reference_from(params)
        if not payment_key or str(params.get("orderId") or "") != order.public_id:
            raise ProviderError(
                Code.PAYMENT_FAILED, _("결제 정보가 주문과 맞지 않습니다. 처음부터 다시 결제해 주세요.")
            )
        payload = {"paymentKey": payment_key, "orderId": order.public_id, "amount": order.total_amount}
        try:
            body = self._call("POST", "/v1/payments/confirm", json=payload, idempotency_key=f"confirm-{payment_key}")
        except _TossError as error:
            if error.code == "ALREADY_PROCESSED_PAYMENT":
                body = self._settle(payment_key, error)
            else:
                mapped = self._as_provider_error(
                    error,
                    _declined_messages(),
                    "payment_failed",
                    _("카드 결제가 승인되지 않았습니다. 다시 시도해 주세요."),
                )
                if not isinstance(mapped, ProviderUnavailable):
                    raise mapped from error
                body = self._look_up_after(mapped, payment_key)
        except ProviderUnavailable as unavailable:
            body = self._look_up_after(unavailable, payment_key)
        if body.get("status") != "DONE":
            raise ProviderError(
                Code.PAYMENT_FAILED,
                _("카드 결제가 승인되지 않았습니다. 다시 시도해 주세요."),
                provider_code=str(body.get("status") or ""),
                raw=scrub(body),
            )
        approval = self._approval(body)
        if approval.order_public_id != order.public_id or approval.amount != order.total_amount:
            # Money was taken for something that is not this order: give it back at once.
            self._cancel_mismatch(approval)
            raise ProviderError(
                Code.AMOUNT_MISMATCH,
                _("결제된 금액이 주문 금액과 달라 결제를 취소했습니다. 다시 결제해 주세요."),
                provider_code="AMOUNT_MISMATCH",
                raw=approval.raw,
            )
        return approval

    def _look_up_after(self, unavailable: ProviderUnavailable, payment_key: str) -> dict:
        """After a timeout or a 5xx the approval may have happened with its answer lost:
        ask the PG before giving up, so a paid order is not left looking unpaid."""
        try:
            body = self._fetch(payment_key)
        except (_TossError, ProviderUnavailable):
            raise unavailable from None
        if body.get("status") != "DONE":
            raise unavailable
        return body

    def _settle(self, payment_key: str, error: _TossError) -> dict:
        try:
            return self._fetch(payment_key)
        except _TossError as again:
            raise self._as_provider_error(
                again, _declined_messages(), "payment_failed", _("카드 결제가 승인되지 않았습니다. 다시 시도해 주세요.")
            ) from error

    def _cancel_mismatch(self, approval: Approval) -> None:
        try:
            self._call(
                "POST",
                f"/v1/payments/{quote(approval.provider_reference, safe='')}/cancel",
                json={"cancelReason": "주문 금액 불일치 자동 취소"},
                idempotency_key=f"mismatch-{approval.provider_reference}",
            )
        except (_TossError, ProviderUnavailable):
            logger.error(
                "could not cancel a mismatched Toss payment for order %s: staff must cancel it",
                approval.order_public_id,
            )

    def refund(self, payment, amount: int, reason: str, *, idempotency_key: str) -> RefundResult:
        path = f"/v1/payments/{quote(payment.provider_reference, safe='')}/cancel"
        try:
            body = self._call(
                "POST",
                path,
                json={"cancelReason": reason[:200], "cancelAmount": amount},
                idempotency_key=idempotency_key,
            )
        except _TossError as error:
            raise self._as_provider_error(
                error,
                _refund_messages(),
                "refund_failed",
                _("결제사에서 환불을 처리하지 못했습니다. 잠시 후 다시 시도해 주세요."),
            ) from error
        cancels = body.get("cancels") or []
        last = cancels[-1] if cancels and isinstance(cancels[-1], dict) else {}
        reference = str(last.get("transactionKey") or body.get("lastTransactionKey") or "")
        return RefundResult(provider_reference=reference[:200], raw=scrub(body))

    def verify_webhook(self, body: bytes, headers) -> WebhookEvent | None:
        import json

        try:
            event = json.loads(body)
            payment_key = str(event["data"]["paymentKey"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidSignature() from exc
        # The notice is only a hint: what counts is what the PG says to our secret key.
        try:
            fetched = self._fetch(payment_key)
        except _TossError as error:
            raise InvalidSignature() from error
        if fetched.get("status") != "DONE":
            return WebhookEvent(
                order_public_id=str(fetched.get("orderId") or ""), approval=None, kind=str(fetched.get("status") or "")
            )
        approval = self._approval(fetched)
        return WebhookEvent(order_public_id=approval.order_public_id, approval=approval)
