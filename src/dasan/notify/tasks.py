"""The worker's side of the outbox: sending, retrying, recovering and receipts.

Life of a message (GOV.UK Notify's statuses)::

    created ──deliver──▶ sending ──provider accepted──▶ sent ──receipt──▶ delivered
       │                    │                                  └──────▶ permanent-failure
       │                    ├── temporary error ─▶ temporary-failure ─(backoff)─▶ sending …
       │                    └── permanent error / 6th failure ─▶ permanent-failure
       └─ promotional during quiet hours ─▶ held ─(08:00)─▶ sending …

Sending happens outside any transaction: the message is first *claimed*
(created → sending, with ``sending_started_at`` as a lease) and committed, then
handed to the channel, then the outcome is written with a conditional update that
only applies while our lease holds. A worker killed in between leaves the message
in "sending"; :func:`sweep` takes over after the lease and first asks the provider
(``lookup`` by our reference) whether it already has the message, so it is not sent
twice. Channels that cannot be asked (SMTP, console) send again with the same
reference (the e-mail's Message-ID).

:func:`deliver` is the task (django.tasks API) queued after the commit that stored a
message; :func:`sweep` is the periodic job. Each is idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from dasan.core import ratelimit
from dasan.core.pii import mask

from . import channels as channel_registry
from . import selectors
from .channels.base import CannotReceive, ChannelError, PermanentFailure, ProviderStatus
from .models import Category, DeliveryAttempt, Message, Status

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
SENDING_LEASE = dt.timedelta(minutes=5)
UNCLAIMED_GRACE = dt.timedelta(seconds=60)
RECEIPT_POLL_AFTER = dt.timedelta(minutes=1)
RECEIPT_POLL_EVERY = dt.timedelta(minutes=5)
RECEIPT_POLL_FOR = dt.timedelta(days=3)
SWEEP_BATCH = 100
# A sweep stops starting new sends after this long, so one slow provider cannot
# hold up the worker's other periodic jobs; the rest wait for the next sweep.
SWEEP_TIME_BUDGET = 10.0


# Its own queue and worker (`dasan worker --queues messages`), so a sign-in code never
# waits behind a knowledge-base ingest or other slow work.
@task(queue_name="messages")
def deliver(message_id: int) -> str:
    """Send one message (see :func:`deliver_message`); a second run does nothing."""
    return deliver_message(message_id)


def queue_delivery(message_id: int) -> None:
    """Hand the message to the task queue; if the queue is down, the sweep picks
    the message up after UNCLAIMED_GRACE, so this must never raise."""
    try:
        deliver.enqueue(message_id)
    except Exception:  # noqa: BLE001
        logger.exception("could not queue delivery of message %s; the sweep will retry", message_id)


def _masked(text: str) -> str:
    return mask(str(text))[:500]


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try after ``attempts`` failed tries: 30 s·2^(n-1), ±10 % jitter."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=seconds * random.uniform(0.9, 1.1))


def _rate_wait(channel: str) -> int:
    """0 when a send on ``channel`` may go now, else the seconds to wait."""
    limit = selectors.rate_limit_for(channel)
    if not limit:
        return 0
    result = ratelimit.hit(f"notify:send:{channel}", limit=limit[0], window=limit[1])
    return 0 if result.allowed else max(int(result.retry_after), 1)


# --- delivery ------------------------------------------------------------------------


def deliver_message(message_id: int) -> str:
    """Send one message if it is due; return its status afterwards.

    Safe to call twice and from several workers at once: only the worker that
    claims the message (created/held/temporary-failure → sending) sends it.
    """
    with transaction.atomic():
        message = Message.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        if message is None:
            return "locked"
        if not _claim(message, timezone.now()):
            return message.status
    return send(message)


def _claim(message: Message, at: dt.datetime) -> bool:
    """Move a locked message to "sending" under our lease, or say why it waits (False)."""
    if message.status not in (Status.CREATED, Status.HELD, Status.TEMPORARY_FAILURE):
        return False
    if message.next_attempt_at and message.next_attempt_at > at:
        return False
    if message.category == Category.PROMOTIONAL and not _promotional_may_go(message, at):
        return False
    wait = _rate_wait(message.channel)
    if wait:
        # Over the provider's rate: not a failure, just later.
        message.next_attempt_at = at + dt.timedelta(seconds=wait + random.uniform(0, 1))
        message.save(update_fields=["next_attempt_at", "updated_at"])
        DeliveryAttempt.objects.create(
            message=message, outcome=DeliveryAttempt.Outcome.RATE_LIMITED, error=f"retry in {wait}s"
        )
        return False
    message.status = Status.SENDING
    message.sending_started_at = at
    message.attempts += 1
    message.next_attempt_at = None
    message.save(update_fields=["status", "sending_started_at", "attempts", "next_attempt_at", "updated_at"])
    return True


def _promotional_may_go(message: Message, at: dt.datetime) -> bool:
    """Consent withdrawn since: cancelled. Quiet hours: held until they end."""
    if message.recipient_id is None or not message.recipient.promo_opt_in:
        message.status = Status.CANCELLED
        message.last_error = "recipient withdrew promotional consent"
        message.save(update_fields=["status", "last_error", "updated_at"])
        return False
    if selectors.in_quiet_hours(at):
        message.status = Status.HELD
        message.next_attempt_at = selectors.quiet_hours_end(at)
        message.save(update_fields=["status", "next_attempt_at", "updated_at"])
        return False
    return True


def send(message: Message) -> str:
    """Hand a claimed message to its channel and record the outcome (no transaction
    is open while the provider is called)."""
    lease = (message.sending_started_at, message.attempts)
    started = time.monotonic()
    try:
        channel = channel_registry.get(message.channel)
        provider_ref = channel.send(message)
    except CannotReceive as exc:
        return _failed(message, lease, exc, started, permanent=True, fallback=True)
    except PermanentFailure as exc:
        return _failed(message, lease, exc, started, permanent=True)
    except ChannelError as exc:
        return _failed(message, lease, exc, started, permanent=False)
    except Exception as exc:  # noqa: BLE001 - an adapter bug must not lose the message
        logger.exception("channel %s raised unexpectedly for message %s", message.channel, message.pk)
        return _failed(message, lease, exc, started, permanent=False)
    duration = dt.timedelta(seconds=time.monotonic() - started)
    at = timezone.now()
    fields = {"status": Status.SENT, "sent_at": at, "provider_ref": str(provider_ref or "")[:200], "last_error": ""}
    if channel.delivers_immediately:
        fields.update(status=Status.DELIVERED, delivered_at=at)
    _finish(message, lease, fields, DeliveryAttempt.Outcome.SENT, "", duration)
    return fields["status"]


def _failed(message, lease, exc, started, *, permanent: bool, fallback: bool = False) -> str:
    error = _masked(f"{exc.__class__.__name__}: {exc}")
    duration = dt.timedelta(seconds=time.monotonic() - started)
    if not permanent and message.attempts < MAX_ATTEMPTS:
        fields = {
            "status": Status.TEMPORARY_FAILURE,
            "next_attempt_at": timezone.now() + backoff(message.attempts),
            "last_error": error,
        }
        outcome = DeliveryAttempt.Outcome.TEMPORARY_FAILURE
    else:
        fields = {"status": Status.PERMANENT_FAILURE, "last_error": error}
        outcome = DeliveryAttempt.Outcome.PERMANENT_FAILURE if permanent else DeliveryAttempt.Outcome.TEMPORARY_FAILURE
    if _finish(message, lease, fields, outcome, error, duration) and fallback:
        _fallback(message)
    return fields["status"]


def _finish(message, lease, fields: dict, outcome: str, error: str, duration) -> bool:
    """Write the outcome of a send, but only while our lease holds (a sweep that
    recovered the message after the lease, or a receipt, may have moved it on).
    Returns whether the message was updated."""
    started_at, attempts = lease
    with transaction.atomic():
        updated = Message.objects.filter(
            pk=message.pk, status=Status.SENDING, sending_started_at=started_at, attempts=attempts
        ).update(updated_at=timezone.now(), **fields)
        DeliveryAttempt.objects.create(message_id=message.pk, outcome=outcome, error=error, duration=duration)
    for name, value in fields.items():
        setattr(message, name, value)
    return bool(updated)


def _fallback(message: Message) -> Message | None:
    """Send an SMS instead of an AlimTalk the person cannot receive."""
    if "sms" not in channel_registry.enabled() or message.children.filter(channel="sms").exists():
        return None
    with transaction.atomic():
        copy = Message.objects.create(
            recipient_id=message.recipient_id,
            to=message.to,
            channel="sms",
            template_key=message.template_key,
            template_version=message.template_version,
            language=message.language,
            subject=message.subject,
            body=message.body,
            category=message.category,
            department_id=message.department_id,
            parent=message,
        )
        transaction.on_commit(lambda: queue_delivery(copy.pk))
    return copy


# --- sweep: retries, held messages, crash recovery, receipts ------------------------------


def sweep() -> dict:
    """Periodic job (every 15 s): deliver due retries and released held messages,
    recover messages stuck in "sending" after a crash, and poll providers for
    delivery receipts. Returns counts for the log."""
    at = timezone.now()
    counts = {"delivered": 0, "recovered": 0, "polled": 0}
    started = time.monotonic()
    for pk in selectors.due_message_ids(at, unclaimed_after=UNCLAIMED_GRACE, limit=SWEEP_BATCH):
        if time.monotonic() - started > SWEEP_TIME_BUDGET:
            break
        deliver_message(pk)
        counts["delivered"] += 1
    for pk in selectors.stale_message_ids(at, lease=SENDING_LEASE, limit=SWEEP_BATCH):
        if recover(pk):
            counts["recovered"] += 1
    counts["polled"] = poll_receipts()
    return counts


def recover(message_id: int) -> bool:
    """Take over a message left in "sending" past its lease (its worker died).

    Channels that can look up are asked first; a message the provider already has
    is marked with the provider's status and not sent again. Otherwise (or for
    channels that cannot look up) it is sent again with the same reference.
    """
    message = _take_over(message_id)
    if message is None:
        return False
    lease = (message.sending_started_at, message.attempts)
    channel = channel_registry.get(message.channel)
    if channel.supports_lookup:
        try:
            found = channel.lookup(message)
        except ChannelError as exc:
            # Cannot tell whether the provider has it: do not risk a second copy;
            # the lease runs out again and a later sweep asks again.
            logger.warning("lookup of message %s failed: %s", message.pk, _masked(str(exc)))
            return False
        if found is not None:
            apply_status(message, found, lease=lease)
            return True
    if message.attempts >= MAX_ATTEMPTS:
        fields = {"status": Status.PERMANENT_FAILURE, "last_error": "worker lost the message too often"}
        _finish(message, lease, fields, DeliveryAttempt.Outcome.PERMANENT_FAILURE, "recovery gave up", None)
        return True
    with transaction.atomic():
        claimed = Message.objects.filter(
            pk=message.pk, status=Status.SENDING, sending_started_at=lease[0], attempts=lease[1]
        ).update(attempts=message.attempts + 1, updated_at=timezone.now())
    if not claimed:
        return False
    message.attempts += 1
    send(message)
    return True


def _take_over(message_id: int) -> Message | None:
    """Start our own lease on a message stuck in "sending", or None if it is not stuck."""
    at = timezone.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=Status.SENDING, sending_started_at__lt=at - SENDING_LEASE)
            .first()
        )
        if message is None:
            return None
        message.sending_started_at = at  # our lease now
        message.save(update_fields=["sending_started_at", "updated_at"])
    return message


def _status_fields(message: Message, status: ProviderStatus, at: dt.datetime) -> dict | None:
    """The fields a provider's status writes (None: nothing to change)."""
    fields: dict = {"updated_at": at}
    if status.provider_ref and not message.provider_ref:
        fields["provider_ref"] = status.provider_ref[:200]
    if status.state == "sent":
        if message.status != Status.SENDING:
            return None
        fields.update(status=Status.SENT, sent_at=message.sent_at or at, next_attempt_at=None)
    elif status.state == "delivered":
        fields.update(status=Status.DELIVERED, delivered_at=at, sent_at=message.sent_at or at, next_attempt_at=None)
    elif status.state == "failed":
        fields.update(
            status=Status.PERMANENT_FAILURE,
            last_error=_masked(status.error or "provider reported failure"),
            next_attempt_at=None,
        )
    else:
        return None
    return fields


def apply_status(message: Message, status: ProviderStatus, *, lease=None) -> bool:
    """Move a message according to what its provider says (lookup or receipt).
    Final states are never left; returns whether anything changed."""
    fields = _status_fields(message, status, timezone.now())
    if fields is None:
        return False
    filters: dict = {"pk": message.pk}
    if lease is not None:
        filters.update(status=Status.SENDING, sending_started_at=lease[0], attempts=lease[1])
    elif status.state == "sent":
        filters["status"] = Status.SENDING
    else:
        filters["status__in"] = [Status.SENDING, Status.SENT]
    with transaction.atomic():
        changed = Message.objects.filter(**filters).update(**fields)
        if changed and lease is not None:
            DeliveryAttempt.objects.create(
                message_id=message.pk,
                outcome=DeliveryAttempt.Outcome.RECOVERED,
                error=f"provider already had it: {status.state}",
            )
    if changed:
        for name, value in fields.items():
            setattr(message, name, value)
        if status.state == "failed" and status.cannot_receive:
            _fallback(message)
    return bool(changed)


def poll_receipts(limit: int = 50) -> int:
    """Ask providers about sent messages that have no receipt yet (for providers
    whose callbacks are not configured). Returns how many were asked."""
    at = timezone.now()
    asked = 0
    pending = selectors.receipts_due(at, after=RECEIPT_POLL_AFTER, within=RECEIPT_POLL_FOR, limit=limit)
    for message in pending:
        # Reserve the next poll first, so a slow provider is not asked by every worker.
        Message.objects.filter(pk=message.pk).update(next_attempt_at=at + RECEIPT_POLL_EVERY)
        try:
            found = channel_registry.get(message.channel).lookup(message)
        except ChannelError as exc:
            logger.info("receipt poll for %s failed: %s", message.pk, _masked(str(exc)))
            continue
        asked += 1
        if found is not None and found.state in ("delivered", "failed"):
            apply_status(message, found)
    return asked
