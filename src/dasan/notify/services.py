"""The outbox: putting a message in it, and what people do to messages.

Every app tells people through :func:`enqueue`, inside the transaction of the change
that caused the message: the message is stored in that transaction and handed to the
worker only after it commits, so a rolled-back change sends nothing. What happens next
(sending, retries, recovery after a crash, receipts) is the worker's, in
:mod:`dasan.notify.tasks`; reads are in :mod:`dasan.notify.selectors`.

Promotional messages follow 정보통신망법 제50조: only to people who consented, starting
with "(광고)", with a way to refuse further ones, and never at night (they are held
through the quiet hours).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dasan.accounts.services import set_promo_opt_in
from dasan.core import audit
from dasan.core.errors import DasanError
from dasan.notify.errors import Code

from . import channels as channel_registry
from . import selectors, tasks, templates
from .models import Category, Message, Status

AD_PREFIX = "(광고)"  # 정보통신망법 제50조: promotional messages start with "(광고)".


# --- enqueue -------------------------------------------------------------------------


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
    channel = _channel(channel, recipient, to)
    address = selectors.address_for(channel, recipient, to)
    if not address:
        raise DasanError(Code.NO_ADDRESS, gettext_lazy("이 채널로 보낼 수 있는 연락처가 없습니다."))
    promotional = category == Category.PROMOTIONAL
    if promotional and (recipient is None or not recipient.promo_opt_in):
        # 정보통신망법 제50조: no promotional message without the person's consent.
        raise DasanError(Code.NOT_OPTED_IN, gettext_lazy("소식·홍보 알림 수신에 동의하지 않은 분입니다."), status=409)

    subject, body, html_body = _render(tpl, channel, recipient, context, promotional=promotional)
    at = timezone.now()
    held = promotional and selectors.in_quiet_hours(at)
    message = Message.objects.create(
        recipient=recipient,
        to=address,
        channel=channel,
        template_key=tpl.key,
        template_version=tpl.version,
        language=tpl.language,
        subject=subject[:300],
        body=body,
        html_body=html_body,
        category=category,
        department=department,
        parent=parent,
        status=Status.HELD if held else Status.CREATED,
        next_attempt_at=selectors.quiet_hours_end(at) if held else None,
    )
    if not held:
        message_id = message.pk
        transaction.on_commit(lambda: tasks.queue_delivery(message_id))
    return message


def _channel(channel: str | None, recipient, to: str | None) -> str:
    """The channel asked for, checked; or the recipient's best one."""
    if channel is None:
        return selectors.pick_channel(recipient, to)
    if channel not in channel_registry.CHANNELS:
        raise DasanError(
            Code.UNKNOWN_CHANNEL, gettext_lazy("알 수 없는 발송 채널입니다: %(channel)s") % {"channel": channel}
        )
    if channel not in channel_registry.enabled():
        raise DasanError(
            Code.CHANNEL_DISABLED, gettext_lazy("사용하지 않는 발송 채널입니다: %(channel)s") % {"channel": channel}
        )
    return channel


def _render(tpl, channel: str, recipient, context: dict | None, *, promotional: bool) -> tuple[str, str, str]:
    """(subject, body, html body) of ``tpl`` in its language, with "(광고)" and the
    unsubscribe link on promotional messages."""
    ctx = {"name": getattr(recipient, "name", "") or "", "city": selectors.city_name()}
    if promotional:
        ctx["unsubscribe_url"] = selectors.unsubscribe_url(recipient)
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
    return subject, body, rendered.html_body


# --- staff, residents and providers --------------------------------------------------------------


def resend(message: Message, *, actor=None) -> Message:
    """Send a failed (or cancelled) message again as a new message that points to it."""
    if message.status not in (Status.PERMANENT_FAILURE, Status.TEMPORARY_FAILURE, Status.CANCELLED):
        raise DasanError(Code.NOT_FAILED, gettext_lazy("실패하거나 취소된 알림만 다시 보낼 수 있습니다."), status=409)
    with transaction.atomic():
        if message.status == Status.TEMPORARY_FAILURE:
            # The pending retry would send it too: the new copy replaces it.
            Message.objects.filter(pk=message.pk, status=Status.TEMPORARY_FAILURE).update(
                status=Status.CANCELLED, next_attempt_at=None, updated_at=timezone.now()
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
        audit.record("notify.resend", actor=actor, target=copy, data={"original": message.pk})
        transaction.on_commit(lambda: tasks.queue_delivery(copy.pk))
    return copy


def unsubscribe(token: str):
    """Withdraw promotional consent for the user a signed token names; cancel their
    waiting promotional messages. Returns the user. Raises DasanError("invalid_token")."""
    user = selectors.unsubscribe_user(token)
    with transaction.atomic():
        if user.promo_opt_in:
            set_promo_opt_in(user, False)
        Message.objects.filter(
            recipient=user,
            category=Category.PROMOTIONAL,
            status__in=[Status.CREATED, Status.HELD, Status.TEMPORARY_FAILURE],
        ).update(status=Status.CANCELLED, next_attempt_at=None, last_error="unsubscribed", updated_at=timezone.now())
    return user


def apply_receipts(channel: str, payload: dict) -> int:
    """Apply a provider's delivery-status callback; returns how many messages moved."""
    if channel not in channel_registry.CHANNELS:
        raise DasanError(
            Code.UNKNOWN_CHANNEL,
            gettext_lazy("알 수 없는 발송 채널입니다: %(channel)s") % {"channel": channel},
            status=404,
        )
    moved = 0
    for receipt in channel_registry.get(channel).parse_receipts(payload):
        message = selectors.message_by_reference(channel, receipt.reference)
        if message is not None and tasks.apply_status(message, receipt.status):
            moved += 1
    return moved
