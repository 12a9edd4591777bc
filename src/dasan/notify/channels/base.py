"""What every delivery channel offers the outbox.

A channel is a small adapter over one provider (healthchecks keeps one package per
integration in the same way). The outbox calls ``send`` outside any database
transaction and records the outcome itself; a channel never touches the models.

Every send carries ``message.reference`` (a UUID) to the provider in the field the
provider offers for the sender's own reference, so that after a crash the outbox
can ask ``lookup`` whether the provider already has the message instead of sending
it twice.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:  # pragma: no cover
    from dasan.notify.models import Message


class ChannelError(Exception):
    """A send that did not go through. ``str(error)`` may hold personal data; the
    outbox masks it before storing."""


class TemporaryFailure(ChannelError):
    """Worth trying again later: timeouts, 5xx, provider throttling."""


class PermanentFailure(ChannelError):
    """Trying again will not help: bad number, rejected content, 4xx."""


class CannotReceive(PermanentFailure):
    """The recipient cannot get this kind of message (e.g. not a KakaoTalk user):
    the outbox falls back to ``fallback_channel`` when it is enabled."""

    fallback_channel = "sms"


@dataclasses.dataclass(frozen=True)
class ProviderStatus:
    """What a provider knows about a message, from a lookup or a delivery receipt.

    ``state`` is "sent" (accepted, not yet final), "delivered" or "failed".
    """

    state: str
    provider_ref: str = ""
    error: str = ""
    cannot_receive: bool = False


@dataclasses.dataclass(frozen=True)
class Receipt:
    """A delivery receipt from a provider's callback, keyed by our reference."""

    reference: str
    status: ProviderStatus


class Channel:
    """Base class: override ``send`` (and ``lookup`` where the provider can be asked)."""

    name: ClassVar[str] = ""
    #: Address kind this channel needs: "phone", "email" or "any".
    address: ClassVar[str] = "any"
    #: True when ``lookup`` can tell whether the provider already has a message.
    supports_lookup: ClassVar[bool] = False
    #: True when a successful send is also the final delivery (the console).
    delivers_immediately: ClassVar[bool] = False

    def send(self, message: Message) -> str:
        """Hand ``message`` to the provider; return the provider's reference.

        Raise ``TemporaryFailure`` or ``PermanentFailure`` when it did not go.
        """
        raise NotImplementedError

    def lookup(self, message: Message) -> ProviderStatus | None:
        """Ask the provider about ``message`` by its reference: a ``ProviderStatus``
        when the provider has it, ``None`` when it does not. Channels that cannot
        ask return ``None`` and keep ``supports_lookup`` False."""
        return None

    def parse_receipts(self, payload: dict) -> list[Receipt]:
        """Turn a provider's status callback body into receipts."""
        return []
