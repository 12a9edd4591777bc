"""Payment providers (결제 수단): the registry of the adapters a city may switch on.

``get(name)`` returns an enabled provider or raises ``unknown_provider``;
``available()`` lists the enabled and configured ones for a page's choice. Which are
enabled is ``settings.DASAN["PAYMENTS_PROVIDERS"]`` (default: only ``office``, the demo's).
The adapters import only :mod:`.base` (the interface and its results), never this
registry, so the registry can name them all.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dasan.core.conf import setting
from dasan.core.errors import DasanError
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
)
from .office import OfficeProvider
from .toss import TossPaymentsProvider

__all__ = [
    "Approval",
    "InvalidSignature",
    "NextStep",
    "Provider",
    "ProviderError",
    "ProviderUnavailable",
    "RefundResult",
    "ReturnUrls",
    "WebhookEvent",
    "available",
    "default_name",
    "enabled_names",
    "get",
]

#: Every adapter, by the name stored on orders and payments.
PROVIDERS: dict[str, type[Provider]] = {cls.name: cls for cls in (OfficeProvider, TossPaymentsProvider)}


def enabled_names() -> list[str]:
    """The providers the city switched on (``PAYMENTS_PROVIDERS``), in its order."""
    raw = setting("PAYMENTS_PROVIDERS")
    names = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    return [n.strip() for n in names if n.strip() in PROVIDERS]


def default_name() -> str:
    """``PAYMENTS_DEFAULT_PROVIDER`` when it is enabled, else the first enabled one."""
    name = setting("PAYMENTS_DEFAULT_PROVIDER")
    enabled = enabled_names()
    return name if name in enabled else (enabled[0] if enabled else "office")


def get(name: str | None = None, *, enabled_only: bool = True) -> Provider:
    """The provider called ``name`` (the default one when None).

    ``enabled_only=False`` is for money already taken by a provider that has since
    been switched off (a refund must still reach it)."""
    name = name or default_name()
    if name not in PROVIDERS or (enabled_only and name not in enabled_names()):
        raise DasanError(Code.UNKNOWN_PROVIDER, _("사용할 수 없는 결제 수단입니다."))
    return PROVIDERS[name]()


def available() -> list[Provider]:
    """Enabled and configured providers, in the configured order."""
    providers = [get(n) for n in enabled_names()]
    return [p for p in providers if p.is_configured()]
