"""The outbox port: how the layers below ``notify`` send a message without importing it.

``accounts`` sends sign-in codes, and ``notify`` needs ``accounts`` (the API's sign-in, a
resident's consent to promotional messages). So that the arrow points one way only, the
foundation asks this port, and ``notify`` installs its ``enqueue`` here when it starts
(dependency inversion). Apps above ``notify`` call ``dasan.notify.services.enqueue``
directly; this port is only for ``core`` and ``accounts``.
"""

from __future__ import annotations

from collections.abc import Callable

_enqueue: Callable | None = None


def install(enqueue: Callable) -> None:
    """Called by notify's ``ready()``."""
    global _enqueue
    _enqueue = enqueue


def send(template: str, **kwargs):
    """``notify.services.enqueue(template, **kwargs)``: the same arguments and result."""
    if _enqueue is None:
        raise RuntimeError("no outbox installed: dasan.notify is not in INSTALLED_APPS")
    return _enqueue(template, **kwargs)
