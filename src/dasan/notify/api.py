"""Notifications API (``/api/v1/notifications/``): a person's own messages, and
sending a templated message to a resident for staff and integrations."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from dasan.accounts.api_auth import session_or_token
from dasan.accounts.permissions import require_staff
from dasan.core import audit, idempotency
from dasan.core.errors import DasanError, NotFound
from dasan.notify.errors import Code

from . import selectors, services
from .models import Message

router = Router(tags=["notifications"], auth=session_or_token)


class MessageOut(Schema):
    id: int
    reference: uuid.UUID
    channel: str
    template_key: str
    language: str
    category: str
    subject: str
    body: str
    status: str
    created_at: dt.datetime
    sent_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None


class SendIn(Schema):
    template: str = Field(..., max_length=100, description="Registered template key, e.g. `complaints.received`.")
    recipient_id: int | None = Field(None, description="The resident (user id) to notify.")
    to: str | None = Field(
        None, max_length=254, description="Explicit phone number or e-mail; wins over the recipient's."
    )
    channel: str | None = Field(None, description="console, email, sms or kakao; default: the recipient's best.")
    language: str | None = Field(None, description="ko, en, zh-hans or vi; default: the recipient's.")
    category: str | None = Field(None, description="transactional or promotional; default: the template's.")
    context: dict = Field(default_factory=dict, description="Template variables.")


class MessagePageIn(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int | None = Field(None, ge=1, le=100)


class MessagePages(PageNumberPagination):
    """Ninja's page numbers, bounded: a page far past the last answers 422 rather than
    overflowing the database's integers."""

    Input = MessagePageIn


def _message_out(message: Message) -> dict:
    return MessageOut.model_validate(message).model_dump(mode="json")


@router.get("/", response=list[MessageOut], summary="My notifications")
@paginate(MessagePages, page_size=20)
def my_messages(request: HttpRequest):
    """The signed-in person's own notifications, newest first."""
    return selectors.messages_for(request.auth)


@router.post("/messages", response={201: MessageOut}, summary="Send a templated message to a resident")
def send_message(request: HttpRequest, data: SendIn, response: HttpResponse):
    """Staff and integrations only. Send ``Idempotency-Key`` so that a retry after a
    lost answer returns the first message instead of sending a second one."""
    user = request.auth
    require_staff(user)

    def produce():
        recipient = None
        if data.recipient_id is not None:
            recipient = selectors.active_user(data.recipient_id)
            if recipient is None:
                raise NotFound(Code.RECIPIENT_NOT_FOUND, _("받는 사람을 찾을 수 없습니다."))
        if recipient is None and not data.to:
            raise DasanError(Code.NO_ADDRESS, _("받는 사람이나 연락처를 지정해 주세요."))
        with transaction.atomic():
            message = services.enqueue(
                data.template,
                recipient=recipient,
                to=data.to,
                channel=data.channel,
                context=data.context,
                language=data.language,
                department=getattr(user, "department", None),
                category=data.category,
            )
            audit.record(
                "notify.api_send",
                actor=user,
                target=message,
                request=request,
                data={"template": data.template, "channel": message.channel},
            )
        return Status(201, _message_out(message))

    key = request.headers.get("Idempotency-Key")
    if not key:
        return produce()
    replay = idempotency.run(
        key, scope="notify.send", owner=user, payload=data.model_dump(mode="json"), produce=lambda: _as_tuple(produce())
    )
    if replay.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(replay.status, replay.body)


def _as_tuple(answer: Status) -> tuple[int, dict]:
    return answer.status_code, answer.value
