"""Background work of the outbox (django.tasks API). Each task is idempotent."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver(message_id: int) -> str:
    """Send one message (see services.deliver); a second run does nothing."""
    from .services import deliver as deliver_message

    return deliver_message(message_id)
