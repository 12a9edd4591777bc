"""`dasan wallet_fake_currency --port 8790`: the demo's local-currency operator (see currency.command)."""

from dasan.wallet.currency.command import Command  # noqa: F401
