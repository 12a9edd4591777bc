"""Delivery channels, one package each (console, email, sms, kakao).

``get(name)`` builds the channel from current settings, so tests and a changed
configuration take effect without a restart of the registry.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

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
    "enabled",
    "get",
]


def enabled() -> list[str]:
    """Channel names the city has switched on (``DASAN_NOTIFY_CHANNELS``)."""
    names = settings.DASAN.get("NOTIFY_CHANNELS") or ["console"]
    return [name for name in names if name in CHANNELS]


def get(name: str) -> Channel:
    """A ready channel instance for ``name``; KeyError for an unknown name."""
    return import_string(CHANNELS[name])()
