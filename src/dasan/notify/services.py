"""The outbox: every state change of a notification happens here.

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
in "sending"; ``sweep`` takes over after the lease and first asks the provider
(``lookup`` by our reference) whether it already has the message, so it is not sent
twice. Channels that cannot be asked (SMTP, console) send again with the same
reference (the e-mail's Message-ID).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import re
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dasan.core.errors import DasanError
from dasan.notify.errors import Code

from . import channels as channel_registry
from . import templates
from .channels.base import CannotReceive, ChannelError, PermanentFailure, ProviderStatus
from .models import Category, DeliveryAttempt, Message, Status

logger = logging.getLogger(__name__)

SEOUL = ZoneInfo("Asia/Seoul")
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
UNSUBSCRIBE_SALT = "dasan.notify.unsubscribe"
AD_PREFIX = "(광고)"  # 정보통신망법 제50조: promotional messages start with "(광고)".
DEFAULT_RATE_LIMITS = {"sms": (10, 1), "kakao": (10, 1), "email": (5, 1)}

_PHONE = re.compile(r"^\+?\d{8,15}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def now() -> dt.datetime:
    """The current time; tests replace it to move the clock."""
    return timezone.now()


# --- helpers -------------------------------------------------------------------------


def _mask(text: str) -> str:
    from dasan.core.pii import mask

    return mask(str(text))[:500]


def _audit(action: str, **kwargs) -> None:
    try:
        from dasan.core import audit
    except ImportError:  # pragma: no cover - core.audit is part of the foundation
        return
    audit.record(action, **kwargs)


def _quiet_hours() -> tuple[dt.time, dt.time]:
    raw = settings.DASAN.get("NOTIFY_QUIET_HOURS") or os.environ.get("DASAN_NOTIFY_QUIET_HOURS") or "21:00-08:00"
    start, end = raw.split("-")
    return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())


def in_quiet_hours(at: dt.datetime) -> bool:
    """Whether ``at`` falls in the night when promotional messages may not go out
    (21:00–08:00 Asia/Seoul unless DASAN_NOTIFY_QUIET_HOURS says otherwise)."""
    start, end = _quiet_hours()
    local = at.astimezone(SEOUL).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def quiet_hours_end(at: dt.datetime) -> dt.datetime:
    """The first moment after ``at`` when promotional messages may go again."""
    _start, end = _quiet_hours()
    local = at.astimezone(SEOUL)
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try after ``attempts`` failed tries: 30 s·2^(n-1), ±10 % jitter."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=seconds * random.uniform(0.9, 1.1))


def rate_limit_for(channel: str) -> tuple[int, int] | None:
    """(messages, seconds) allowed for ``channel``: DASAN["NOTIFY_RATE_LIMITS"] or
    DASAN_NOTIFY_RATE_LIMITS ("sms=10/1,kakao=10/1,email=5/1"), else the defaults."""
    configured = settings.DASAN.get("NOTIFY_RATE_LIMITS")
    if configured is None and os.environ.get("DASAN_NOTIFY_RATE_LIMITS"):
        configured = {}
        for item in os.environ["DASAN_NOTIFY_RATE_LIMITS"].split(","):
            name, _sep, rate = item.partition("=")
            count, _sep, window = rate.partition("/")
            configured[name.strip()] = (int(count), int(window or 1))
    limits = DEFAULT_RATE_LIMITS if configured is None else configured
    value = limits.get(channel)
    if not value:
        return None
    if isinstance(value, str):
        count, _sep, window = value.partition("/")
        return int(count), int(window or 1)
    return int(value[0]), int(value[1])


def _rate_wait(channel: str) -> int:
    """0 when a send on ``channel`` may go now, else the seconds to wait."""
    limit = rate_limit_for(channel)
    if not limit:
        return 0
    try:
        from dasan.core.ratelimit import hit
    except ImportError:  # pragma: no cover - until core.ratelimit lands
        hit = _fallback_hit
    result = hit(f"notify:send:{channel}", limit=limit[0], window=limit[1])
    return 0 if result.allowed else max(int(result.retry_after), 1)


def _fallback_hit(key: str, *, limit: int, window: int):
    """Fixed-window counter in the cache, used only while core.ratelimit is missing."""
    import types

    from django.core.cache import cache

    slot = int(time.time() // window)
    cache_key = f"{key}:{slot}"
    cache.add(cache_key, 0, timeout=window + 1)
    count = cache.incr(cache_key)
    retry_after = int((slot + 1) * window - time.time()) + 1
    return types.SimpleNamespace(allowed=count <= limit, remaining=max(limit - count, 0), retry_after=retry_after)


def public_url(path: str) -> str:
    base = settings.DASAN.get("PUBLIC_URL") or os.environ.get("DASAN_PUBLIC_URL", "")
    return base.rstrip("/") + path if base else path


def unsubscribe_token(user) -> str:
    """A signed token that lets ``user`` withdraw promotional consent without signing in."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=False)


def unsubscribe_url(user, *, absolute: bool = True) -> str:
    path = reverse("notify:unsubscribe", args=[unsubscribe_token(user)])
    return public_url(path) if absolute else path


def _city_name() -> str:
    try:
        from dasan.core.models import Municipality

        city = Municipality.current()
    except Exception:  # noqa: BLE001 - a missing profile must not stop a notification
        city = None
    return city.name if city else "다산"


# --- enqueue -------------------------------------------------------------------------


def _address(channel: str, recipient, to: str | None) -> str:
    kind = _address_kind(channel)
    if to:
        to = to.strip()
        if kind == "phone":
            to = re.sub(r"[-\s]", "", to)
            return to if _PHONE.match(to) else ""
        if kind == "email":
            return to if _EMAIL.match(to) else ""
        return to
    if recipient is None:
        return ""
    if kind == "phone":
        return recipient.phone or ""
    if kind == "email":
        return recipient.email or ""
    return recipient.phone or recipient.email or recipient.get_username()


def _address_kind(channel: str) -> str:
    from django.utils.module_loading import import_string

    return import_string(channel_registry.CHANNELS[channel]).address


def _pick_channel(recipient, to: str | None) -> str:
    available = channel_registry.enabled()
    if to:
        kind = "email" if "@" in to else "phone"
        for name in ("sms", "email") if kind == "phone" else ("email",):
            if name in available and _address_kind(name) == kind:
                return name
        return "console" if "console" in available else (available[0] if available else "console")
    if recipient is not None:
        if recipient.phone and "sms" in available:
            return "sms"
        if recipient.email and "email" in available:
            return "email"
    return "console" if "console" in available else (available[0] if available else "console")


def enqueue(
    template: str,
    *,
    recipient=None,
    to: str | None = None,
    channel: str | None = None,
    context: dict | None = None,
    language: str | None = None,
    department=None,
    category: str | None = None,
    parent: Message | None = None,
) -> Message:
    """Render template ``template`` for one person and put it in the outbox.

    Call inside the transaction of the change that caused it: the message is stored
    in that transaction and handed to the worker only after it commits, so a
    rolled-back change sends nothing.

    - ``recipient`` (a User) and/or ``to`` (an explicit phone number or e-mail
      address, which wins); ``channel`` defaults to the recipient's best enabled
      channel (sms with a phone, email with an address, else console).
    - ``language`` defaults to the recipient's, then Korean; a template missing in
      that language falls back to Korean.
    - Promotional messages go only to residents who opted in, carry "(광고)" and an
      unsubscribe link, and wait ("held") through quiet hours (21:00–08:00).

    Raises DasanError: unknown_template, unknown_channel, channel_disabled,
    no_address, not_opted_in.
    """
    tpl = templates.active_template(template, language or getattr(recipient, "language", None) or "ko")
    if tpl is None:
        raise DasanError(Code.UNKNOWN_TEMPLATE, gettext_lazy("알 수 없는 알림 문구입니다: %(key)s") % {"key": template})
    category = category or tpl.category
    if category not in Category.values:
        raise DasanError(Code.INVALID_CATEGORY, gettext_lazy("알 수 없는 알림 분류입니다."))

    if channel is None:
        channel = _pick_channel(recipient, to)
    elif channel not in channel_registry.CHANNELS:
        raise DasanError(
            Code.UNKNOWN_CHANNEL, gettext_lazy("알 수 없는 발송 채널입니다: %(channel)s") % {"channel": channel}
        )
    elif channel not in channel_registry.enabled():
        raise DasanError(
            Code.CHANNEL_DISABLED, gettext_lazy("사용하지 않는 발송 채널입니다: %(channel)s") % {"channel": channel}
        )

    address = _address(channel, recipient, to)
    if not address:
        raise DasanError(Code.NO_ADDRESS, gettext_lazy("이 채널로 보낼 수 있는 연락처가 없습니다."))

    promotional = category == Category.PROMOTIONAL
    if promotional and (recipient is None or not recipient.promo_opt_in):
        # 정보통신망법 제50조: no promotional message without the person's consent.
        raise DasanError(Code.NOT_OPTED_IN, gettext_lazy("소식·홍보 알림 수신에 동의하지 않은 분입니다."), status=409)

    ctx = {"name": getattr(recipient, "name", "") or "", "city": _city_name()}
    if promotional:
        ctx["unsubscribe_url"] = unsubscribe_url(recipient)
    ctx.update(context or {})
    with translation.override(tpl.language):
        rendered = templates.render(tpl, ctx, html=channel == "email")
        subject, body = rendered.subject, rendered.body
        if promotional:
            if channel == "email":
                subject = f"{AD_PREFIX} {subject}"
            else:
                body = f"{AD_PREFIX} {body}"
            body += "\n\n" + _("수신거부: %(url)s") % {"url": ctx["unsubscribe_url"]}

    at = now()
    held = promotional and in_quiet_hours(at)
    message = Message.objects.create(
        recipient=recipient,
        to=address,
        channel=channel,
        template_key=tpl.key,
        template_version=tpl.version,
        language=tpl.language,
        subject=subject[:300],
        body=body,
        html_body=rendered.html_body,
        category=category,
        department=department,
        parent=parent,
        status=Status.HELD if held else Status.CREATED,
        next_attempt_at=quiet_hours_end(at) if held else None,
    )
    if not held:
        message_id = message.pk
        transaction.on_commit(lambda: _enqueue_delivery(message_id))
    return message


def _enqueue_delivery(message_id: int) -> None:
    """Hand the message to the task queue; if the queue is down, the sweep picks
    the message up after UNCLAIMED_GRACE, so this must never raise."""
    from .tasks import deliver as deliver_task

    try:
        deliver_task.enqueue(message_id)
    except Exception:  # noqa: BLE001
        logger.exception("could not queue delivery of message %s; the sweep will retry", message_id)


# --- delivery ------------------------------------------------------------------------


def deliver(message_id: int) -> str:
    """Send one message if it is due; return its status afterwards.

    Safe to call twice and from several workers at once: only the worker that
    claims the message (created/held/temporary-failure → sending) sends it.
    """
    at = now()
    with transaction.atomic():
        message = Message.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        if message is None:
            return "locked"
        if message.status not in (Status.CREATED, Status.HELD, Status.TEMPORARY_FAILURE):
            return message.status
        if message.next_attempt_at and message.next_attempt_at > at:
            return message.status
        if message.category == Category.PROMOTIONAL:
            if message.recipient_id is None or not message.recipient.promo_opt_in:
                message.status = Status.CANCELLED
                message.last_error = "recipient withdrew promotional consent"
                message.save(update_fields=["status", "last_error", "updated_at"])
                return message.status
            if in_quiet_hours(at):
                message.status = Status.HELD
                message.next_attempt_at = quiet_hours_end(at)
                message.save(update_fields=["status", "next_attempt_at", "updated_at"])
                return message.status
        wait = _rate_wait(message.channel)
        if wait:
            # Over the provider's rate: not a failure, just later.
            message.next_attempt_at = at + dt.timedelta(seconds=wait + random.uniform(0, 1))
            message.save(update_fields=["next_attempt_at", "updated_at"])
            DeliveryAttempt.objects.create(
                message=message, outcome=DeliveryAttempt.Outcome.RATE_LIMITED, error=f"retry in {wait}s"
            )
            return message.status
        message.status = Status.SENDING
        message.sending_started_at = at
        message.attempts += 1
        message.next_attempt_at = None
        message.save(update_fields=["status", "sending_started_at", "attempts", "next_attempt_at", "updated_at"])
    return _send(message)


def _send(message: Message) -> str:
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
    at = now()
    fields = {"status": Status.SENT, "sent_at": at, "provider_ref": str(provider_ref or "")[:200], "last_error": ""}
    if channel.delivers_immediately:
        fields.update(status=Status.DELIVERED, delivered_at=at)
    _finish(message, lease, fields, DeliveryAttempt.Outcome.SENT, "", duration)
    return fields["status"]


def _failed(message, lease, exc, started, *, permanent: bool, fallback: bool = False) -> str:
    error = _mask(f"{exc.__class__.__name__}: {exc}")
    duration = dt.timedelta(seconds=time.monotonic() - started)
    if not permanent and message.attempts < MAX_ATTEMPTS:
        fields = {
            "status": Status.TEMPORARY_FAILURE,
            "next_attempt_at": now() + backoff(message.attempts),
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
        ).update(updated_at=now(), **fields)
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
        transaction.on_commit(lambda: _enqueue_delivery(copy.pk))
    return copy


# --- sweep: retries, held messages, crash recovery, receipts ------------------------------


def sweep() -> dict:
    """Periodic job (every 15 s): deliver due retries and released held messages,
    recover messages stuck in "sending" after a crash, and poll providers for
    delivery receipts. Returns counts for the log."""
    at = now()
    counts = {"delivered": 0, "recovered": 0, "polled": 0}
    due = (
        Message.objects.filter(
            Q(status__in=[Status.TEMPORARY_FAILURE, Status.HELD, Status.CREATED], next_attempt_at__lte=at)
            | Q(status=Status.CREATED, next_attempt_at__isnull=True, created_at__lte=at - UNCLAIMED_GRACE)
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    started = time.monotonic()
    for pk in list(due):
        if time.monotonic() - started > SWEEP_TIME_BUDGET:
            break
        deliver(pk)
        counts["delivered"] += 1
    stale = Message.objects.filter(status=Status.SENDING, sending_started_at__lt=at - SENDING_LEASE).values_list(
        "pk", flat=True
    )
    for pk in list(stale[:SWEEP_BATCH]):
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
    at = now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=Status.SENDING, sending_started_at__lt=at - SENDING_LEASE)
            .first()
        )
        if message is None:
            return False
        message.sending_started_at = at  # our lease now
        message.save(update_fields=["sending_started_at", "updated_at"])
    channel = channel_registry.get(message.channel)
    if channel.supports_lookup:
        try:
            found = channel.lookup(message)
        except ChannelError as exc:
            # Cannot tell whether the provider has it: do not risk a second copy;
            # the lease runs out again and a later sweep asks again.
            logger.warning("lookup of message %s failed: %s", message.pk, _mask(str(exc)))
            return False
        if found is not None:
            _apply_status(message, found, lease=(message.sending_started_at, message.attempts))
            return True
    if message.attempts >= MAX_ATTEMPTS:
        _finish(
            message,
            (message.sending_started_at, message.attempts),
            {"status": Status.PERMANENT_FAILURE, "last_error": "worker lost the message too often"},
            DeliveryAttempt.Outcome.PERMANENT_FAILURE,
            "recovery gave up",
            None,
        )
        return True
    with transaction.atomic():
        claimed = Message.objects.filter(
            pk=message.pk,
            status=Status.SENDING,
            sending_started_at=message.sending_started_at,
            attempts=message.attempts,
        ).update(attempts=message.attempts + 1, updated_at=now())
    if not claimed:
        return False
    message.attempts += 1
    _send(message)
    return True


def _apply_status(message: Message, status: ProviderStatus, *, lease=None) -> bool:
    """Move a message according to what its provider says (lookup or receipt).
    Final states are never left; returns whether anything changed."""
    at = now()
    allowed = [Status.SENDING, Status.SENT]
    filters = {"pk": message.pk}
    if lease is not None:
        filters.update(status=Status.SENDING, sending_started_at=lease[0], attempts=lease[1])
    else:
        filters["status__in"] = allowed
    fields: dict = {"updated_at": at}
    if status.provider_ref and not message.provider_ref:
        fields["provider_ref"] = status.provider_ref[:200]
    if status.state == "sent":
        if message.status != Status.SENDING:
            return False
        fields.update(status=Status.SENT, sent_at=message.sent_at or at, next_attempt_at=None)
        filters["status"] = Status.SENDING
        filters.pop("status__in", None)
    elif status.state == "delivered":
        fields.update(status=Status.DELIVERED, delivered_at=at, sent_at=message.sent_at or at, next_attempt_at=None)
    elif status.state == "failed":
        fields.update(
            status=Status.PERMANENT_FAILURE,
            last_error=_mask(status.error or "provider reported failure"),
            next_attempt_at=None,
        )
    else:
        return False
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
    at = now()
    lookups = [name for name in channel_registry.enabled() if _supports_lookup(name)]
    if not lookups:
        return 0
    pending = (
        Message.objects.filter(
            status=Status.SENT,
            channel__in=lookups,
            sent_at__lte=at - RECEIPT_POLL_AFTER,
            sent_at__gte=at - RECEIPT_POLL_FOR,
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=at))
        .order_by("sent_at")[:limit]
    )
    asked = 0
    for message in list(pending):
        # Reserve the next poll first, so a slow provider is not asked by every worker.
        Message.objects.filter(pk=message.pk).update(next_attempt_at=at + RECEIPT_POLL_EVERY)
        try:
            found = channel_registry.get(message.channel).lookup(message)
        except ChannelError as exc:
            logger.info("receipt poll for %s failed: %s", message.pk, _mask(str(exc)))
            continue
        asked += 1
        if found is not None and found.state in ("delivered", "failed"):
            _apply_status(message, found)
    return asked


def _supports_lookup(name: str) -> bool:
    from django.utils.module_loading import import_string

    return import_string(channel_registry.CHANNELS[name]).supports_lookup


def apply_receipts(channel: str, payload: dict) -> int:
    """Apply a provider's delivery-status callback; returns how many messages moved."""
    if channel not in channel_registry.CHANNELS:
        raise DasanError(
            Code.UNKNOWN_CHANNEL,
            gettext_lazy("알 수 없는 발송 채널입니다: %(channel)s") % {"channel": channel},
            status=404,
        )
    receipts = channel_registry.get(channel).parse_receipts(payload)
    moved = 0
    for receipt in receipts:
        message = Message.objects.filter(reference=_uuid_or_none(receipt.reference), channel=channel).first()
        if message is not None and _apply_status(message, receipt.status):
            moved += 1
    return moved


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# --- staff and resident actions ---------------------------------------------------------------


def resend(message: Message, *, actor=None) -> Message:
    """Send a failed (or cancelled) message again as a new message that points to it."""
    if message.status not in (Status.PERMANENT_FAILURE, Status.TEMPORARY_FAILURE, Status.CANCELLED):
        raise DasanError(Code.NOT_FAILED, gettext_lazy("실패하거나 취소된 알림만 다시 보낼 수 있습니다."), status=409)
    with transaction.atomic():
        if message.status == Status.TEMPORARY_FAILURE:
            # The pending retry would send it too: the new copy replaces it.
            Message.objects.filter(pk=message.pk, status=Status.TEMPORARY_FAILURE).update(
                status=Status.CANCELLED, next_attempt_at=None, updated_at=now()
            )
        copy = Message.objects.create(
            recipient_id=message.recipient_id,
            to=message.to,
            channel=message.channel,
            template_key=message.template_key,
            template_version=message.template_version,
            language=message.language,
            subject=message.subject,
            body=message.body,
            html_body=message.html_body,
            category=message.category,
            department_id=message.department_id,
            parent=message,
        )
        _audit("notify.resend", actor=actor, target=copy, data={"original": message.pk})
        transaction.on_commit(lambda: _enqueue_delivery(copy.pk))
    return copy


def unsubscribe(token: str):
    """Withdraw promotional consent for the user a signed token names; cancel their
    waiting promotional messages. Returns the user. Raises DasanError("invalid_token")."""
    from django.contrib.auth import get_user_model

    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise DasanError(Code.INVALID_TOKEN, gettext_lazy("수신거부 링크가 올바르지 않습니다."), status=404) from None
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise DasanError(Code.INVALID_TOKEN, gettext_lazy("수신거부 링크가 올바르지 않습니다."), status=404)
    with transaction.atomic():
        if user.promo_opt_in:
            from dasan.accounts.services import set_promo_opt_in

            set_promo_opt_in(user, False)
        Message.objects.filter(
            recipient=user,
            category=Category.PROMOTIONAL,
            status__in=[Status.CREATED, Status.HELD, Status.TEMPORARY_FAILURE],
        ).update(status=Status.CANCELLED, next_attempt_at=None, last_error="unsubscribed", updated_at=now())
    return user
