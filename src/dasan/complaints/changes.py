"""What every change to a complaint leaves behind.

Filing a complaint and each step of its workflow leave three traces, written the same
way by :mod:`.intake`, :mod:`.parking` and :mod:`.services`:

* an event on the complaint's timeline (:class:`~dasan.complaints.models.ComplaintEvent`),
  which residents read unless it is internal;
* an audit record (``complaints.<action>``) with the complaint's number;
* for the steps residents are told about, a message in the complaint's language by the
  way they chose (SMS, KakaoTalk, e-mail), or none when they asked for none. A message
  that cannot be queued is logged and never undoes the change the resident asked for.
"""

from __future__ import annotations

import logging

from django.db import transaction

from dasan.core import audit, timefmt
from dasan.core.errors import DasanError

from . import selectors
from .models import Complaint, ComplaintEvent, ContactPreference

logger = logging.getLogger(__name__)

_PREFERRED_CHANNEL = {ContactPreference.SMS: "sms", ContactPreference.EMAIL: "email", ContactPreference.KAKAO: "kakao"}


def record_event(
    complaint: Complaint,
    kind: str,
    *,
    actor=None,
    from_status: str = "",
    to_status: str = "",
    from_department=None,
    to_department=None,
    reason: str = "",
    internal: bool = False,
    data: dict | None = None,
) -> ComplaintEvent:
    """Add one entry to the complaint's timeline (``actor`` None: the system or an anonymous filer)."""
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        from_status=from_status,
        to_status=to_status,
        from_department=from_department,
        to_department=to_department,
        reason=reason,
        internal=internal,
        data=data or {},
    )


def record_audit(action: str, complaint: Complaint, actor=None, *, reason: str = "", data: dict | None = None) -> None:
    """The audit record ``complaints.<action>`` of a change to ``complaint``."""
    audit.record(
        f"complaints.{action}",
        actor=actor,
        target=complaint,
        reason=reason,
        data={"number": complaint.number, **(data or {})},
    )


def _recipient(complaint: Complaint) -> tuple[object, str | None, str | None] | None:
    """(user, explicit address, channel) to tell the resident through, or None."""
    from dasan.notify import channels

    preference = complaint.contact_preference
    if preference == ContactPreference.NONE:
        return None
    enabled = channels.enabled()
    wanted = _PREFERRED_CHANNEL.get(preference)
    user = complaint.resident
    phone = complaint.contact_phone or (getattr(user, "phone", "") or "")
    email = complaint.contact_email or (getattr(user, "email", "") or "")
    if preference == ContactPreference.EMAIL and email:
        return user, email if complaint.contact_email or user is None else None, "email" if "email" in enabled else None
    if preference in (ContactPreference.SMS, ContactPreference.KAKAO) and phone:
        channel = wanted if wanted in enabled else None
        return user, phone if complaint.contact_phone or user is None else None, channel
    # The chosen way is not possible (no number, no address): use what there is.
    if user is not None:
        return user, None, None
    if phone:
        return None, phone, None
    if email:
        return None, email, "email" if "email" in enabled else None
    return None


def notify_resident(complaint: Complaint, key: str, **context) -> None:
    """Queue template ``key`` for the complaint's resident in the complaint's language."""
    from dasan.notify.services import enqueue

    target = _recipient(complaint)
    if target is None:
        return
    user, to, channel = target
    base = {
        "number": complaint.number,
        "title": complaint.title[:30],
        "due": timefmt.fmt(complaint.due_at),
        # Without a public address there is no link: a bare path is no use in a text message.
        "url": selectors.complaint_url(complaint),
        "department": complaint.department.name if complaint.department_id else "",
    }
    base.update(context)
    try:
        with transaction.atomic():
            enqueue(
                key,
                recipient=user,
                to=to,
                channel=channel,
                context=base,
                language=complaint.language,
                department=complaint.department,
            )
    except DasanError as exc:
        logger.warning("complaint %s: notification %s not queued (%s)", complaint.number, key, exc.code)
