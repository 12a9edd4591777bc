"""What a local-currency (지역화폐) operator offers the wallet, and how it can fail.

The wallet turns a resident's reward points into local currency by asking the city's
operator (the company that runs the 지역화폐 card or app) to charge — top up — the
resident's account. The operator is outside our reach, so the wallet sees only this
interface: :class:`Provider` with ``charge``, ``status`` and ``settlement``.

Money crosses a network here, and the one thing that must never happen is a charge
applied twice or a charge applied while our ledger thinks it failed. Hence:

* every :class:`Charge` carries an idempotency ``key``, unique per conversion; the
  operator answers a repeated key with the original receipt and never charges twice;
* every failure is one of three kinds, and the kind says what the wallet may do:

  ================  ===========================================  ==========================
  failure           what is known                                what the wallet does
  ================  ===========================================  ==========================
  Rejected          definitely not charged, and never will be    give the points back
  Unavailable       definitely not charged (yet)                 retry later, same key
  OutcomeUnknown    the request left; it may have been applied   ask ``status(key)``, later
  ================  ===========================================  ==========================

  ``status(key)`` returning ``None`` after an OutcomeUnknown means the operator has no
  charge for the key *now*; the safe way on is to send the same charge again (same key:
  it can only be applied once), not to give the points back straight away.

Messages are plain Korean for the resident; ``code`` is stable (the operator's own
code for a rejection, one of :class:`FailureCode` otherwise) and ``detail`` is for
staff and logs (never holding the account reference unmasked).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from typing import Protocol, runtime_checkable

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: The largest account reference the protocol carries (card numbers, app account ids).
ACCOUNT_REF_MAX = 64


class FailureCode(enum.StrEnum):
    """Codes the adapter itself gives (a rejection carries the operator's code instead)."""

    NOT_CONFIGURED = "not_configured"
    UNREACHABLE = "unreachable"
    DESTINATION_REFUSED = "destination_refused"
    BUSY = "busy"
    UNAUTHORIZED = "unauthorized"
    TIMEOUT = "timeout"
    CONNECTION_LOST = "connection_lost"
    SERVER_ERROR = "server_error"
    BAD_ANSWER = "bad_answer"
    REJECTED = "rejected"
    KEY_REUSED = "key_reused"
    SETTLEMENT_NOT_READY = "settlement_not_ready"
    SETTLEMENT_MALFORMED = "settlement_malformed"


def mask_ref(account_ref: str) -> str:
    """An account reference fit for a log line: only its last four characters."""
    ref = str(account_ref or "")
    return "*" * max(len(ref) - 4, 4) + ref[-4:] if len(ref) > 4 else "****"


@dataclasses.dataclass(frozen=True)
class Charge:
    """Top up ``account_ref`` with ``amount`` won; ``key`` identifies this conversion
    (≤ 64 characters of ``[A-Za-z0-9_-]``) and is sent again, unchanged, on every retry."""

    key: str
    account_ref: str
    amount: int

    def __post_init__(self):
        if not isinstance(self.key, str) or not KEY_PATTERN.fullmatch(self.key):
            raise ValueError("charge key must be 1-64 characters of A-Z a-z 0-9 _ -")
        if not isinstance(self.account_ref, str) or not self.account_ref.strip():
            raise ValueError("charge needs an account reference")
        if len(self.account_ref) > ACCOUNT_REF_MAX:
            raise ValueError(f"account reference longer than {ACCOUNT_REF_MAX} characters")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount <= 0:
            raise ValueError("charge amount must be a positive whole number of won")

    def __repr__(self) -> str:  # never the account reference in a traceback or a log
        return f"Charge(key={self.key!r}, account_ref={mask_ref(self.account_ref)!r}, amount={self.amount})"


@dataclasses.dataclass(frozen=True)
class Receipt:
    """The operator charged ``amount`` won for ``key`` at ``charged_at`` (aware)."""

    key: str
    provider_ref: str
    amount: int
    charged_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class SettlementLine:
    """One charge in the operator's settlement for a day (what the city pays for)."""

    key: str
    provider_ref: str
    amount: int
    charged_at: dt.datetime


class CurrencyError(Exception):
    """A charge, lookup or settlement that did not go through.

    ``code``: stable, for programs; ``message``: Korean, for the resident or staff;
    ``detail``: for logs (masked)."""

    default_message = "지역화폐 처리 중 문제가 생겼습니다."

    def __init__(self, code: str, message: str | None = None, *, detail: str = ""):
        self.code = str(code)
        self.message = message or self.default_message
        self.detail = detail
        super().__init__(f"{self.code}: {detail}" if detail else self.code)


#: What the resident reads for the protocol's standard rejection codes (docs/dev/wallet-currency.md).
REJECTION_MESSAGES = {
    "account_unknown": "등록한 지역화폐 카드(앱) 번호를 운영기관에서 찾지 못했습니다. 번호를 확인해 주세요.",
    "account_closed": "등록한 지역화폐 카드(앱)를 지금은 충전할 수 없습니다(해지·정지).",
    "limit_exceeded": "지역화폐 충전 한도를 넘어 충전하지 못했습니다.",
    "amount_invalid": "지역화폐 운영기관이 받을 수 없는 금액입니다.",
}


class Rejected(CurrencyError):
    """A definitive no: nothing was charged and the same request will never succeed
    (account closed or unknown, over the operator's limit, invalid amount, key reused
    for a different charge)."""

    default_message = "지역화폐 운영기관이 충전을 거절했습니다."

    def __init__(self, code: str, message: str | None = None, *, detail: str = ""):
        super().__init__(code, message or REJECTION_MESSAGES.get(str(code)), detail=detail)


class Unavailable(CurrencyError):
    """Definitely not applied (connection refused, DNS, throttled, down for
    maintenance): try again later with the same key."""

    default_message = "지역화폐 운영기관에 연결하지 못했습니다. 잠시 후 다시 시도합니다."


class DestinationRefused(Unavailable):
    """The configured URL failed the outbound guard (``dasan.core.outbound``): not
    https, a host outside the allowed hosts, or an address inside our network. Nothing
    was sent; staff must fix the configuration."""


class OutcomeUnknown(CurrencyError):
    """The request left and no clear answer came back (timeout, dropped connection,
    a server error that does not say it applied nothing): ask ``status(key)``."""

    default_message = "충전 결과를 아직 확인하지 못했습니다. 확인되는 대로 알려 드립니다."


class SettlementFormatError(CurrencyError):
    """A settlement (file or answer) that cannot be read. ``errors`` holds
    ``(line, problem)`` pairs, lines counted from 1 as an editor shows them."""

    default_message = "정산 자료의 형식이 올바르지 않습니다."

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = list(errors)
        shown = "; ".join(f"line {line}: {problem}" for line, problem in self.errors[:20])
        more = f" (and {len(self.errors) - 20} more)" if len(self.errors) > 20 else ""
        super().__init__(FailureCode.SETTLEMENT_MALFORMED, detail=shown + more)


class CurrencyNotConfigured(Exception):
    """No operator is configured (or its configuration cannot be used)."""

    code = FailureCode.NOT_CONFIGURED.value
    message = "지역화폐 연동이 설정되지 않았습니다"

    def __init__(self, detail: str = ""):
        self.detail = detail
        super().__init__(f"{self.message} ({detail})" if detail else self.message)


@runtime_checkable
class Provider(Protocol):
    """A local-currency operator, as the wallet sees it."""

    name: str

    def charge(self, c: Charge) -> Receipt:
        """Top up the account; the original receipt when ``c.key`` was charged before.
        Raises :class:`Rejected`, :class:`Unavailable` or :class:`OutcomeUnknown`."""
        ...

    def status(self, key: str) -> Receipt | None:
        """The receipt of the charge made with ``key``, or None when the operator has
        none. Raises :class:`Unavailable` when it cannot be asked."""
        ...

    def settlement(self, day: dt.date) -> list[SettlementLine]:
        """The operator's settlement lines for ``day``. Raises :class:`Unavailable`
        (including when the day is not closed yet) or :class:`SettlementFormatError`."""
        ...
