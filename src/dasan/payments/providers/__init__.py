"""Payment providers (결제 수단): a registry of the adapters and the settings they read.

``get(name)`` returns an enabled provider or raises ``unknown_provider``;
``available()`` lists the enabled ones for a page's choice. Which are enabled is
``settings.DASAN["PAYMENTS_PROVIDERS"]`` (default: only ``office``, the demo's).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

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
    "get",
    "setting",
]


def setting(name: str, default=None):
    """``settings.DASAN[name]``, or ``default`` when unset or empty."""
    value = getattr(settings, "DASAN", {}).get(name)
    return default if value in (None, "") else value


def _classes() -> dict[str, type[Provider]]:
    from .office import OfficeProvider
    from .toss import TossPaymentsProvider

    return {cls.name: cls for cls in (OfficeProvider, TossPaymentsProvider)}


def enabled_names() -> list[str]:
    raw = setting("PAYMENTS_PROVIDERS", "office")
    names = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    known = _classes()
    return [n.strip() for n in names if n.strip() in known]


def default_name() -> str:
    name = setting("PAYMENTS_DEFAULT_PROVIDER", "office")
    enabled = enabled_names()
    return name if name in enabled else (enabled[0] if enabled else "office")


def get(name: str | None = None, *, enabled_only: bool = True) -> Provider:
    """The provider called ``name`` (the default one when None).

    ``enabled_only=False`` is for money already taken by a provider that has since
    been switched off (a refund must still reach it)."""
    name = name or default_name()
    classes = _classes()
    if name not in classes or (enabled_only and name not in enabled_names()):
        raise DasanError(Code.UNKNOWN_PROVIDER, _("사용할 수 없는 결제 수단입니다."))
    return classes[name]()


def available() -> list[Provider]:
    """Enabled and configured providers, in the configured order."""
    providers = [get(n) for n in enabled_names()]
    return [p for p in providers if p.is_configured()]
