"""Audit log (감사 기록): who did what to which record, when, from where and why.

Every staff change to city data and every staff read of a resident's personal
record goes through :func:`record` / :func:`record_read`. Events are
append-only (see :class:`dasan.core.models.AuditEvent`), and the free text and
data they carry are masked with :mod:`dasan.core.pii` first, so the audit log
does not itself become a second copy of residents' personal data.
"""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from dasan.core import pii
from dasan.core.middleware import context_for, current
from dasan.core.models import AuditEvent

__all__ = ["record", "record_read", "READ_ACTION"]

READ_ACTION = "personal_record.read"


def _actor_label(actor) -> str:
    if actor is None:
        return ""
    label = getattr(actor, "get_username", None)
    label = label() if callable(label) else str(actor)
    # Residents' usernames embed their phone number (resident-010...).
    return pii.mask(label)[:100]


def _target_fields(target) -> dict:
    if target is None:
        return {}
    if isinstance(target, models.Model):
        meta = target._meta
        return {
            "target_type": f"{meta.app_label}.{meta.model_name}",
            "target_id": "" if target.pk is None else str(target.pk)[:64],
            "target_label": pii.mask(str(target))[:200],
        }
    if isinstance(target, (tuple, list)) and len(target) == 2:
        kind, ident = target
        return {"target_type": str(kind)[:100], "target_id": str(ident)[:64]}
    return {"target_type": str(target)[:100]}


def _jsonable(data) -> dict:
    if data is None:
        return {}
    # Round-trip through Django's encoder so dates, Decimals and UUIDs are
    # stored as text the same way on SQLite and PostgreSQL.
    value = json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str))
    if not isinstance(value, dict):
        value = {"value": value}
    return pii.mask_data(value)


def record(action: str, *, actor=None, target=None, reason: str = "", data=None, request=None) -> AuditEvent:
    """Append one audit event and return it.

    ``action``: a dotted verb such as ``"core.department.change"``.
    ``actor``: the user who acted; when None, the signed-in user of the current
    request (if any). ``target``: a model instance (stored as
    ``app_label.model``, pk and ``str()``), or a ``(type, id)`` pair.
    ``reason`` and ``data`` are masked for personal data; values under keys
    like ``password`` or ``token`` are dropped. IP and user agent come from
    ``request`` when given, otherwise from the request context set by
    :class:`~dasan.core.middleware.RequestContextMiddleware`.
    """
    context = context_for(request) if request is not None else current()
    if actor is None and context is not None:
        actor = context.user
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor = None  # AnonymousUser
    event = AuditEvent(
        action=str(action)[:64],
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor),
        ip=context.ip if context else None,
        user_agent=(context.user_agent if context else "")[:200],
        reason=pii.mask(reason or "")[:300],
        data=_jsonable(data),
        **_target_fields(target),
    )
    event.save()
    return event


def record_read(actor, target, reason: str = "") -> AuditEvent:
    """Record that staff member ``actor`` viewed resident data ``target``
    (개인정보 열람 기록), with the purpose given in ``reason``."""
    return record(READ_ACTION, actor=actor, target=target, reason=reason)
