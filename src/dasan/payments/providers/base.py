"""The provider interface: what every way of paying (a card PG, a virtual account,
the counter at city hall) must offer, and the plain results it hands back.

Adapters talk to the outside world and return these results; they never write our
models. ``services.py`` turns an :class:`Approval` into a ``Payment`` row and a
:class:`RefundResult` into a ``Refund`` row, under the order's row lock.
"""

from __future__ import annotations

import abc
import dataclasses
import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from dasan.core.errors import DasanError
from dasan.payments.errors import Code


@dataclasses.dataclass(frozen=True)
class ReturnUrls:
    """Absolute URLs a card PG sends the payer back to."""

    success: str
    fail: str


@dataclasses.dataclass(frozen=True)
class NextStep:
    """What the payer must do next, as the checkout page shows it.

    ``kind``: ``"redirect"`` (go to ``redirect_url``), ``"virtual_account"`` (deposit
    into ``bank`` / ``account_number`` by ``deadline``), ``"instructions"`` (read
    ``instructions``) or ``"paid"`` (nothing left to do)."""

    kind: str
    redirect_url: str = ""
    bank: str = ""
    account_number: str = ""
    account_holder: str = ""
    deadline: dt.datetime | None = None
    instructions: str = ""

    def as_data(self) -> dict:
        """JSON-safe form kept on ``Order.provider_data``."""
        data = dataclasses.asdict(self)
        data["deadline"] = self.deadline.isoformat() if self.deadline else None
        data["instructions"] = str(self.instructions)
        return data

    @classmethod
    def from_data(cls, data: dict | None) -> NextStep | None:
        if not data or "kind" not in data:
            return None
        values = {f.name: data.get(f.name) for f in dataclasses.fields(cls) if f.name in data}
        if values.get("deadline"):
            values["deadline"] = dt.datetime.fromisoformat(values["deadline"])
        return cls(**{k: ("" if v is None and k != "deadline" else v) for k, v in values.items()})


@dataclasses.dataclass(frozen=True)
class Approval:
    """The provider says: this much money was taken for this order."""

    provider_reference: str
    amount: int
    method: str
    approved_at: dt.datetime
    order_public_id: str = ""
    raw: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class RefundResult:
    provider_reference: str
    raw: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class WebhookEvent:
    """A verified notice from a provider. ``approval`` is set when the provider
    confirms that the order was paid (already verified: no second call needed)."""

    order_public_id: str
    approval: Approval | None = None
    kind: str = "paid"


class ProviderError(DasanError):
    """The provider refused or could not be reached. ``provider_code`` keeps the
    provider's own code (e.g. ``REJECT_CARD_PAYMENT``) for staff and the audit log."""

    def __init__(self, code: str, message, status: int | None = None, *, provider_code: str = "", raw=None):
        details = {"provider_code": provider_code} if provider_code else {}
        super().__init__(code, message, status, **details)
        self.provider_code = provider_code
        self.raw = raw or {}


class ProviderUnavailable(ProviderError):
    """Timed out, unreachable, or answered 5xx: nothing is known to have happened;
    the payer may try again (the same request is idempotent)."""

    status = 503

    def __init__(self, message=None, *, provider_code: str = "", raw=None):
        super().__init__(
            Code.PROVIDER_UNAVAILABLE,
            message or _("결제 서비스에 연결하지 못했습니다. 잠시 후 다시 시도해 주세요."),
            provider_code=provider_code,
            raw=raw,
        )


class InvalidSignature(DasanError):
    status = 403

    def __init__(self):
        super().__init__(Code.INVALID_SIGNATURE, _("알림의 서명을 확인할 수 없습니다."))


# Keys whose values never go into ``Payment.raw`` (secrets, card and account numbers).
_SECRET_KEYS = {
    "secret",
    "secretkey",
    "secret_key",
    "password",
    "authorization",
    "token",
    "cardnumber",
    "number",
    "accountnumber",
    "account_number",
    "customermobilephone",
    "customeremail",
    "bankaccountnumber",
    "receipturl",
}


def scrub(value: Any, _depth: int = 0) -> Any:
    """A copy of a provider answer without secrets or card/account numbers."""
    if _depth > 8:
        return None
    if isinstance(value, dict):
        return {
            k: (
                "***"
                if str(k).lower().replace("-", "") in _SECRET_KEYS and v not in (None, "")
                else scrub(v, _depth + 1)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub(v, _depth + 1) for v in value[:50]]
    return value


class Provider(abc.ABC):
    """One way of paying. Subclasses set ``name`` (stored on orders and payments) and
    ``label`` (shown to the payer)."""

    name: str = ""
    label = ""
    description = ""
    #: True when the payer leaves our site to pay (the checkout page shows a button).
    redirects = False
    #: True when a payer's report (a PG's success redirect) may be confirmed: the
    #: provider itself is then asked. False for providers whose "paid" is staff's word.
    payer_confirmable = True

    @abc.abstractmethod
    def start(self, order, *, urls: ReturnUrls) -> NextStep:
        """Prepare payment of a pending ``order`` and say what the payer does next."""

    @abc.abstractmethod
    def confirm(self, order, params: dict) -> Approval:
        """Ask the provider to approve (or verify) the payment described by ``params``.
        Raises :class:`ProviderError` when refused, :class:`ProviderUnavailable` when
        the provider cannot be reached."""

    @abc.abstractmethod
    def refund(self, payment, amount: int, reason: str, *, idempotency_key: str) -> RefundResult:
        """Return ``amount`` won of ``payment``. ``idempotency_key`` is the same for a
        retry of the same refund, so a provider that supports it never pays twice."""

    def reference_from(self, params: dict) -> str:
        """The provider's reference for the payment ``params`` describe (for replays)."""
        return str(params.get("reference") or "")

    def verify_webhook(self, body: bytes, headers) -> WebhookEvent | None:
        """Check a notice the provider sent us (signature, or by asking the provider
        again) and return what it means; None when there is nothing to do."""
        return None

    def is_configured(self) -> bool:
        return True
