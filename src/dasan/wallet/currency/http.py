"""The local-currency operator over HTTPS: the protocol of docs/dev/wallet-currency.md.

    POST /v1/charges              {"key", "account_ref", "amount"}, header Idempotency-Key: key
                                  → 201 (or 200 for a key already charged) receipt
    GET  /v1/charges/{key}        → 200 receipt, 404 when the operator has no such charge
    GET  /v1/settlements/{date}   → 200 {"date", "lines": [...]} or a CSV file (text/csv),
                                    404 while the day is not closed

A receipt is ``{"key", "provider_ref", "amount", "charged_at"}`` (ISO 8601 with offset);
an error is ``{"code", "message", "applied": false?}``. Authentication: ``Authorization:
Bearer <api key>``.

How an answer becomes one of the three failures (base.py says what each allows):

* nothing left our side (DNS, refused or failed connection, TLS, the outbound guard)
  → Unavailable; the outbound guard's refusal is DestinationRefused;
* the request left and no answer came (read or write timeout, dropped connection)
  → OutcomeUnknown for a charge; for a lookup (no side effects) → Unavailable;
* 401/403 (our key), 408, 429 → Unavailable; 409 → Rejected (key reused for a
  different charge); other 4xx with the operator's ``code`` → Rejected with that code;
  4xx without one (a proxy, a wrong path) → Unavailable;
* 5xx → Unavailable only when the body says ``"applied": false``, else OutcomeUnknown;
* a 2xx receipt that does not match the charge, or a redirect → OutcomeUnknown.

Every request goes through ``dasan.core.outbound.check_url`` (https only, a host in
``WALLET_CURRENCY_ALLOWED_HOSTS``, no address inside our network) and connects to the
very address that was checked, as ``outbound.post_json`` does. The account reference is
never logged unmasked.
"""

from __future__ import annotations

import datetime as dt
import logging
import ssl
from urllib.parse import quote, urlsplit

import httpx

from dasan.core import outbound, pii

from .base import (
    KEY_PATTERN,
    Charge,
    CurrencyError,
    CurrencyNotConfigured,
    DestinationRefused,
    FailureCode,
    OutcomeUnknown,
    Receipt,
    Rejected,
    SettlementLine,
    Unavailable,
    mask_ref,
)
from .settlement import parse_amount, parse_settlement_csv, parse_settlement_json, parse_time

__all__ = ["HttpProvider", "parse_settlement_csv"]

log = logging.getLogger("dasan.wallet.currency")


class _NotSent(Exception):
    """Transport failure before the request left."""


class _Lost(Exception):
    """Transport failure after the request (or part of it) left."""


def _error_body(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _operator_code(body: dict) -> str:
    code = body.get("code")
    return str(code)[:64] if isinstance(code, str) and code.strip() else ""


class HttpProvider:
    """A city's operator reached over HTTPS (see the module docstring)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        timeout: float = 5.0,
        *,
        allowed_hosts=(),
        allow_loopback: bool = False,
        verify: ssl.SSLContext | bool = True,
        name: str = "http",
        connect_timeout: float | None = None,
    ):
        parts = urlsplit(base_url or "")
        if not base_url or parts.scheme != "https" or not parts.hostname:
            raise CurrencyNotConfigured("WALLET_CURRENCY_URL must be an https:// URL")
        if not outbound.host_allowed(parts.hostname, allowed_hosts):
            raise CurrencyNotConfigured(f"{parts.hostname} is not in WALLET_CURRENCY_ALLOWED_HOSTS")
        if not api_key:
            raise CurrencyNotConfigured("WALLET_CURRENCY_API_KEY is empty")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = float(timeout)
        #: Seconds to connect (nothing sent yet: a failure is Unavailable); default ``timeout``.
        self.connect_timeout = float(connect_timeout if connect_timeout is not None else timeout)
        self.allowed_hosts = list(allowed_hosts)
        self.allow_loopback = allow_loopback
        self.verify = verify
        self.name = name

    def __repr__(self) -> str:
        return f"HttpProvider({self.base_url!r}, name={self.name!r})"

    # --- the interface ----------------------------------------------------------------------

    def charge(self, c: Charge) -> Receipt:
        body = {"key": c.key, "account_ref": c.account_ref, "amount": c.amount}
        try:
            try:
                response = self._send("POST", "/v1/charges", json=body, headers={"Idempotency-Key": c.key})
            except _Lost as exc:
                raise OutcomeUnknown(exc.args[0], detail=exc.args[1]) from exc
            receipt = self._charge_answer(c, response)
        except CurrencyError as exc:
            self._log_failure(c, exc)
            raise
        log.info(
            "currency charge %s: %s won to %s, operator ref %s",
            c.key,
            c.amount,
            mask_ref(c.account_ref),
            receipt.provider_ref,
        )
        return receipt

    def status(self, key: str) -> Receipt | None:
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
            raise ValueError("charge key must be 1-64 characters of A-Z a-z 0-9 _ -")
        response = self._read(f"/v1/charges/{quote(key)}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._read_failure(response)
        try:
            receipt = self._receipt(_error_body(response))
        except ValueError as exc:
            raise Unavailable(FailureCode.BAD_ANSWER, detail=str(exc)) from exc
        if receipt.key != key:
            raise Unavailable(FailureCode.BAD_ANSWER, detail=f"asked for {key}, answered {receipt.key}")
        return receipt

    def settlement(self, day: dt.date) -> list[SettlementLine]:
        response = self._read(f"/v1/settlements/{day.isoformat()}", accept="application/json, text/csv")
        if response.status_code == 404:
            raise Unavailable(FailureCode.SETTLEMENT_NOT_READY, detail=f"settlement for {day} is not ready")
        if response.status_code != 200:
            raise self._read_failure(response)
        if response.headers.get("Content-Type", "").split(";")[0].strip().lower() == "text/csv":
            return parse_settlement_csv(response.content)
        try:
            data = response.json()
        except ValueError as exc:
            raise Unavailable(FailureCode.BAD_ANSWER, detail="settlement is neither JSON nor CSV") from exc
        return parse_settlement_json(data)

    # --- answers ----------------------------------------------------------------------------

    def _charge_answer(self, c: Charge, response: httpx.Response) -> Receipt:
        status = response.status_code
        if status in (200, 201):
            try:
                receipt = self._receipt(_error_body(response))
            except ValueError as exc:
                raise OutcomeUnknown(FailureCode.BAD_ANSWER, detail=str(exc)) from exc
            if receipt.key != c.key or receipt.amount != c.amount:
                raise OutcomeUnknown(FailureCode.BAD_ANSWER, detail="receipt does not match the charge")
            return receipt
        body = _error_body(response)
        code, detail = _operator_code(body), self._scrub(body.get("message"), c)
        if status in (401, 403):
            raise Unavailable(FailureCode.UNAUTHORIZED, detail=f"HTTP {status}: check WALLET_CURRENCY_API_KEY")
        if status in (408, 429):
            raise Unavailable(FailureCode.BUSY, detail=f"HTTP {status} {code}".strip())
        if status == 409:
            raise Rejected(code or FailureCode.KEY_REUSED, detail=detail or "key reused for a different charge")
        if 400 <= status < 500:
            if code:
                raise Rejected(code, detail=detail)
            raise Unavailable(FailureCode.UNREACHABLE, detail=f"HTTP {status} without the operator's error code")
        if status >= 500 and body.get("applied") is False:
            raise Unavailable(FailureCode.BUSY, detail=f"HTTP {status} {code} (not applied)".strip())
        raise OutcomeUnknown(FailureCode.SERVER_ERROR, detail=f"HTTP {status} {code}".strip())

    @staticmethod
    def _receipt(data: dict) -> Receipt:
        key, provider_ref = data.get("key"), data.get("provider_ref")
        if not isinstance(key, str) or not isinstance(provider_ref, str) or not provider_ref:
            raise ValueError("receipt without key or provider_ref")
        return Receipt(
            key=key,
            provider_ref=provider_ref,
            amount=parse_amount(data.get("amount")),
            charged_at=parse_time(data.get("charged_at")),
        )

    @staticmethod
    def _read_failure(response: httpx.Response) -> Unavailable:
        status = response.status_code
        if status in (401, 403):
            return Unavailable(FailureCode.UNAUTHORIZED, detail=f"HTTP {status}: check WALLET_CURRENCY_API_KEY")
        return Unavailable(FailureCode.SERVER_ERROR, detail=f"HTTP {status} {_operator_code(_error_body(response))}")

    @staticmethod
    def _scrub(message, c: Charge) -> str:
        text = str(message or "")[:300]
        return pii.mask(text.replace(c.account_ref, mask_ref(c.account_ref)))

    @staticmethod
    def _log_failure(c: Charge, exc: Exception) -> None:
        log.warning(
            "currency charge %s (%s won to %s): %s %s",
            c.key,
            c.amount,
            mask_ref(c.account_ref),
            type(exc).__name__,
            exc,
        )

    # --- transport --------------------------------------------------------------------------

    def _read(self, path: str, *, accept: str = "application/json") -> httpx.Response:
        """A GET: it changes nothing, so every transport failure is Unavailable."""
        try:
            return self._send("GET", path, headers={"Accept": accept})
        except _Lost as exc:
            raise Unavailable(exc.args[0], detail=exc.args[1]) from exc

    def _send(self, method: str, path: str, *, json=None, headers=None) -> httpx.Response:
        """One request to the checked address. Raises Unavailable when nothing left
        (outbound guard, DNS, connection), ``_Lost(code, detail)`` when it may have."""
        url = self.base_url + path
        try:
            checked = outbound.check_url(url, allowed_hosts=self.allowed_hosts, allow_loopback=self.allow_loopback)
        except outbound.RefusedURL as exc:
            if exc.reason == outbound.Reason.UNRESOLVABLE:
                raise Unavailable(FailureCode.UNREACHABLE, detail=f"cannot resolve the operator's host: {exc}") from exc
            log.error("currency operator URL refused by the outbound guard: %s", exc.reason)
            raise DestinationRefused(FailureCode.DESTINATION_REFUSED, detail=str(exc.reason)) from exc
        target = httpx.URL(url)
        all_headers = {
            "Authorization": f"Bearer {self.api_key}",
            "Accept": "application/json",
            "Host": target.netloc.decode("ascii"),
            **(headers or {}),
        }
        last_error: Exception | None = None
        with httpx.Client(
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout),
            verify=self.verify,
        ) as client:
            for address in checked.addresses:
                try:
                    response = client.request(
                        method,
                        target.copy_with(host=address),
                        json=json,
                        headers=all_headers,
                        extensions={"sni_hostname": checked.host},
                    )
                except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                    last_error = exc  # nothing sent: the name's next address
                    continue
                except httpx.TimeoutException as exc:
                    raise _Lost(
                        FailureCode.TIMEOUT, f"no answer within {self.timeout}s ({type(exc).__name__})"
                    ) from exc
                except httpx.TransportError as exc:
                    raise _Lost(FailureCode.CONNECTION_LOST, f"connection lost ({type(exc).__name__})") from exc
                if response.is_redirect or 300 <= response.status_code < 400:
                    raise _Lost(FailureCode.BAD_ANSWER, f"redirect (HTTP {response.status_code}) not followed")
                return response
        raise Unavailable(FailureCode.UNREACHABLE, detail=f"cannot connect ({type(last_error).__name__})")
