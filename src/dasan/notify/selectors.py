"""Reading the outbox: whose messages are whose, where a message can go, when it may go,
and which messages the worker has to look at.

Nothing here changes a row (:mod:`dasan.notify.services` and :mod:`dasan.notify.tasks` do).

Two rules of Korean law shape *when* a message may go. 정보통신망법 제50조 forbids
promotional messages at night (21:00–08:00) without separate consent, so those wait through
the city's quiet hours (``DASAN_NOTIFY_QUIET_HOURS``, in the city's time zone); and every
promotional message carries a way to refuse further ones, the signed unsubscribe link below
(it needs no sign-in, so a mail client can follow it: RFC 8058). Providers cap how fast
a sender may send (NHN Cloud: SMS and AlimTalk per second), so each channel has a rate.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dasan.core import timefmt
from dasan.core.conf import setting
from dasan.core.errors import DasanError
from dasan.core.links import public_url
from dasan.notify.errors import Code

from . import channels as channel_registry
from .models import Message, Status

UNSUBSCRIBE_SALT = "dasan.notify.unsubscribe"
#: (messages, seconds) per channel when DASAN_NOTIFY_RATE_LIMITS is not set.
DEFAULT_RATE_LIMITS = {"sms": (10, 1), "kakao": (10, 1), "email": (5, 1)}

_PHONE = re.compile(r"^\+?\d{8,15}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- a person's messages ------------------------------------------------------------------
def messages_for(user) -> QuerySet:
    """The messages addressed to ``user``, newest first (also for staff: the department-wide
    view of the outbox is the admin's)."""
    return Message.objects.filter(recipient=user).order_by("-created_at", "-id")


def active_user(user_id: int):
    """The active user with this id, or None."""
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def city_name() -> str:
    """The city's name for ``{{ city }}`` in texts ("다산" before the profile exists)."""
    try:
        from dasan.core.models import Municipality

        city = Municipality.current()
    except Exception:  # noqa: BLE001 - a missing profile must not stop a notification
        city = None
    return city.name if city else "다산"


# --- where a message goes -------------------------------------------------------------------
def address_for(channel: str, recipient, to: str | None) -> str:
    """The address ``channel`` sends to: ``to`` when given and well-formed for the channel,
    else the recipient's phone or e-mail; ``""`` when there is none."""
    kind = channel_registry.address_kind(channel)
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


def _fallback_channel(available: list[str]) -> str:
    return "console" if "console" in available else (available[0] if available else "console")


def pick_channel(recipient, to: str | None) -> str:
    """The best enabled channel: SMS for a phone, e-mail for an address, else the console."""
    available = channel_registry.enabled()
    if to:
        kind = "email" if "@" in to else "phone"
        for name in ("sms", "email") if kind == "phone" else ("email",):
            if name in available and channel_registry.address_kind(name) == kind:
                return name
        return _fallback_channel(available)
    if recipient is not None:
        if recipient.phone and "sms" in available:
            return "sms"
        if recipient.email and "email" in available:
            return "email"
    return _fallback_channel(available)


# --- when a message may go ----------------------------------------------------------------
def quiet_hours() -> tuple[dt.time, dt.time]:
    """(start, end) of the night when promotional messages wait ("21:00-08:00")."""
    start, end = setting("NOTIFY_QUIET_HOURS").split("-")
    return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())


def in_quiet_hours(at: dt.datetime) -> bool:
    """Whether ``at`` falls in the night when promotional messages may not go out."""
    start, end = quiet_hours()
    local = timefmt.local(at).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def quiet_hours_end(at: dt.datetime) -> dt.datetime:
    """The first moment after ``at`` when promotional messages may go again."""
    _start, end = quiet_hours()
    local = timefmt.local(at)
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate


def rate_limit_for(channel: str) -> tuple[int, int] | None:
    """(messages, seconds) allowed for ``channel``: DASAN_NOTIFY_RATE_LIMITS
    ("sms=10/1,kakao=10/1,email=5/1") when set, else the defaults; None: no limit."""
    configured = setting("NOTIFY_RATE_LIMITS")
    limits = DEFAULT_RATE_LIMITS if configured is None else configured
    value = limits.get(channel)
    if not value:
        return None
    return int(value[0]), int(value[1])


# --- unsubscribing -----------------------------------------------------------------------------
def unsubscribe_token(user) -> str:
    """A signed token that lets ``user`` withdraw promotional consent without signing in."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=False)


def unsubscribe_url(user, *, absolute: bool = True) -> str:
    """The unsubscribe link for ``user``. A promotional message must show a way to refuse
    (정보통신망법 제50조), so without DASAN_PUBLIC_URL it is at least the path."""
    path = reverse("notify:unsubscribe", args=[unsubscribe_token(user)])
    return (public_url(path) or path) if absolute else path


def unsubscribe_user(token: str):
    """The user a signed unsubscribe token names; DasanError("invalid_token", 404) otherwise."""
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        user_id = None
    user = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    if user is None:
        raise DasanError(Code.INVALID_TOKEN, _("수신거부 링크가 올바르지 않습니다."), status=404)
    return user


# --- what the worker looks at --------------------------------------------------------------------
def due_message_ids(at: dt.datetime, *, unclaimed_after: dt.timedelta, limit: int) -> list[int]:
    """Messages to try now: retries and held messages whose time has come, and new messages
    whose hand-over to the task queue seems lost (older than ``unclaimed_after``)."""
    due = Message.objects.filter(
        Q(status__in=[Status.TEMPORARY_FAILURE, Status.HELD, Status.CREATED], next_attempt_at__lte=at)
        | Q(status=Status.CREATED, next_attempt_at__isnull=True, created_at__lte=at - unclaimed_after)
    )
    return list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])


def stale_message_ids(at: dt.datetime, *, lease: dt.timedelta, limit: int) -> list[int]:
    """Messages left in "sending" longer than ``lease``: their worker died."""
    stale = Message.objects.filter(status=Status.SENDING, sending_started_at__lt=at - lease)
    return list(stale.values_list("pk", flat=True)[:limit])


def receipts_due(at: dt.datetime, *, after: dt.timedelta, within: dt.timedelta, limit: int) -> list[Message]:
    """Sent messages on channels that can be asked, still without a receipt: sent more than
    ``after`` and less than ``within`` ago, and not asked again too soon."""
    lookups = [name for name in channel_registry.enabled() if channel_registry.supports_lookup(name)]
    if not lookups:
        return []
    pending = (
        Message.objects.filter(
            status=Status.SENT, channel__in=lookups, sent_at__lte=at - after, sent_at__gte=at - within
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=at))
        .order_by("sent_at")
    )
    return list(pending[:limit])


def message_by_reference(channel: str, reference) -> Message | None:
    """The message a provider's receipt names by our reference (a UUID), or None."""
    try:
        reference = uuid.UUID(str(reference))
    except ValueError:
        return None
    return Message.objects.filter(reference=reference, channel=channel).first()
