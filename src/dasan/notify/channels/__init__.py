"""Delivery channels, one package each (console, email, sms, kakao).

``get(name)`` builds the channel from current settings, so tests and a changed
configuration take effect without a restart of the registry.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from dasan.core.conf import setting

from .base import CannotReceive, Channel, PermanentFailure, ProviderStatus, Receipt, TemporaryFailure

CHANNELS = {
    "console": "dasan.notify.channels.console.ConsoleChannel",
    "email": "dasan.notify.channels.email.EmailChannel",
    "sms": "dasan.notify.channels.sms.SmsChannel",
    "kakao": "dasan.notify.channels.kakao.KakaoChannel",
}

__all__ = [
    "CHANNELS",
    "CannotReceive",
    "Channel",
    "PermanentFailure",
    "ProviderStatus",
    "Receipt",
    "TemporaryFailure",
    "address_kind",
    "enabled",
    "get",
    "supports_lookup",
]


def enabled() -> list[str]:
    """Channel names the city has switched on (``DASAN_NOTIFY_CHANNELS``)."""
    names = setting("NOTIFY_CHANNELS") or ["console"]
    return [name for name in names if name in CHANNELS]


def get(name: str) -> Channel:
    """A ready channel instance for ``name``; KeyError for an unknown name."""
    return import_string(CHANNELS[name])()


def address_kind(name: str) -> str:
    """What channel ``name`` sends to: "phone", "email" or "any" (without building it)."""
    return import_string(CHANNELS[name]).address


def supports_lookup(name: str) -> bool:
    """Whether the provider behind ``name`` can be asked about a message it was given."""
    return import_string(CHANNELS[name]).supports_lookup
