"""지역화폐 (local currency): the operator the wallet asks to charge residents' accounts.

``get_provider()`` gives the configured operator (``WALLET_CURRENCY_ENGINE``):

* ``""``: none — :class:`CurrencyNotConfigured`;
* ``"http"``: the city's operator at ``WALLET_CURRENCY_URL`` (https, a host in
  ``WALLET_CURRENCY_ALLOWED_HOSTS``; loopback only with DEBUG), authenticated with
  ``WALLET_CURRENCY_API_KEY``, trusting ``WALLET_CURRENCY_CA_FILE`` when set;
* ``"fake"``: the fake operator (``fake.py``): the one at ``WALLET_CURRENCY_URL`` when
  set (the demo's ``python -m dasan.wallet.currency.fake``; loopback hosts only), else
  one started in this process (:func:`fake.shared`).

The interface, the failures and what each allows are in ``base.py``; the protocol and
its failure mapping in ``http.py`` and docs/dev/wallet-currency.md.
"""

from __future__ import annotations

import ssl

from django.conf import settings

from dasan.core.conf import setting

from .base import (
    Charge,
    CurrencyError,
    CurrencyNotConfigured,
    DestinationRefused,
    OutcomeUnknown,
    Provider,
    Receipt,
    Rejected,
    SettlementFormatError,
    SettlementLine,
    Unavailable,
)

__all__ = [
    "Charge",
    "CurrencyError",
    "CurrencyNotConfigured",
    "DestinationRefused",
    "OutcomeUnknown",
    "Provider",
    "Receipt",
    "Rejected",
    "SettlementFormatError",
    "SettlementLine",
    "Unavailable",
    "get_provider",
]

#: Used while settings.py does not define a key yet (``setting()`` raises KeyError then).
DEFAULTS = {
    "WALLET_CURRENCY_ENGINE": "",
    "WALLET_CURRENCY_URL": "",
    "WALLET_CURRENCY_API_KEY": "",
    "WALLET_CURRENCY_TIMEOUT": 5.0,
    "WALLET_CURRENCY_ALLOWED_HOSTS": [],
    "WALLET_CURRENCY_CA_FILE": "",
}
FAKE_HOSTS = ["127.0.0.1", "localhost"]


def _setting(name: str):
    try:
        return setting(name)
    except KeyError:
        return DEFAULTS[name]


def _verify(ca_file: str) -> ssl.SSLContext | bool:
    if not ca_file:
        return True
    try:
        return ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise CurrencyNotConfigured(f"WALLET_CURRENCY_CA_FILE cannot be read: {exc}") from exc


def get_provider() -> Provider:
    """The configured operator; :class:`CurrencyNotConfigured` when there is none or its
    settings cannot work. Cheap (no network): call it where it is needed."""
    from . import fake
    from .http import HttpProvider

    engine = str(_setting("WALLET_CURRENCY_ENGINE") or "").strip().lower()
    url = str(_setting("WALLET_CURRENCY_URL") or "").strip()
    api_key = str(_setting("WALLET_CURRENCY_API_KEY") or "")
    timeout = float(_setting("WALLET_CURRENCY_TIMEOUT") or DEFAULTS["WALLET_CURRENCY_TIMEOUT"])
    if engine == "http":
        hosts = _setting("WALLET_CURRENCY_ALLOWED_HOSTS") or []
        verify = _verify(_setting("WALLET_CURRENCY_CA_FILE"))
        return HttpProvider(url, api_key, timeout, allowed_hosts=hosts, allow_loopback=settings.DEBUG, verify=verify)
    if engine == "fake":
        if not url:
            return fake.shared().provider(timeout)
        verify = _verify(_setting("WALLET_CURRENCY_CA_FILE"))
        key = api_key or fake.DEFAULT_API_KEY
        return HttpProvider(
            url, key, timeout, allowed_hosts=FAKE_HOSTS, allow_loopback=True, verify=verify, name="fake"
        )
    raise CurrencyNotConfigured(f"WALLET_CURRENCY_ENGINE is {engine!r}" if engine else "")
