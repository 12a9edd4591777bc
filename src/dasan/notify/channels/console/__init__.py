"""The console channel: writes the (masked) message to the log.

This is the demo's channel and the development default. The rendered text is
already stored on the Message row, which is what the demo UI shows ("내 알림");
nothing leaves the machine.
"""

from __future__ import annotations

import logging

from dasan.core.pii import mask

from ..base import Channel

logger = logging.getLogger("dasan.notify.console")


class ConsoleChannel(Channel):
    name = "console"
    address = "any"
    delivers_immediately = True

    def send(self, message) -> str:
        logger.info(
            "notification %s to %s [%s] %s: %s",
            message.reference,
            mask(message.to),
            message.template_key,
            mask(message.subject),
            mask(message.body),
        )
        return f"console:{message.reference}"
