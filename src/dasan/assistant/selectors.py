"""Reading conversations: who may see one, what an answer was about, and what the
assistant could not answer (the staff's list of articles to write next)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.assistant.errors import Code
from dasan.core.errors import NotFound, PermissionDenied

from .models import Conversation, Feedback, Turn, TurnKind


def can_access(conversation: Conversation, *, user=None, session_conversation_ids=()) -> bool:
    """Whether this person may see and rate ``conversation``: its signed-in owner,
    or — for an anonymous conversation — the browser session that started it."""
    if conversation.user_id:
        return bool(user is not None and getattr(user, "is_authenticated", False) and user.pk == conversation.user_id)
    return conversation.pk in {int(i) for i in session_conversation_ids or ()}


def conversation_for(pk: int, *, user=None, session_conversation_ids=()) -> Conversation:
    """The conversation ``pk`` for someone who may continue it; NotFound when there is
    none, PermissionDenied when it is someone else's."""
    conversation = Conversation.objects.filter(pk=pk).first()
    if conversation is None:
        raise NotFound(Code.CONVERSATION_NOT_FOUND, _("대화를 찾을 수 없습니다."))
    if not can_access(conversation, user=user, session_conversation_ids=session_conversation_ids):
        raise PermissionDenied(Code.CONVERSATION_FORBIDDEN, _("이 대화에 접근할 수 없습니다."))
    return conversation


def subject(turn: Turn) -> str:
    """What an answer was about: its document plus its section ("대형폐기물 수수료").

    After a fee answer the topic alone is "수수료", which says nothing about *what* fee,
    so a second follow-up (or a complaint drafted from the chat) would lose the thread.
    """
    title = turn.citations[0].get("title", "") if turn.citations else ""
    topic = turn.topic or ""
    if topic and title and topic not in title:
        return f"{title} {topic}"
    return title or topic


def previous_subject(conversation: Conversation | None) -> str:
    """What the conversation's latest answer was about ("" before any answer)."""
    if conversation is None or conversation.pk is None:
        return ""
    turn = conversation.turns.filter(kind=TurnKind.ANSWER).order_by("-created_at", "-id").first()
    return subject(turn) if turn is not None else ""


def knowledge_gaps(*, days: int = 90, examples: int = 3) -> list[dict]:
    """Unanswered and poorly rated questions grouped by (closest) topic, most
    frequent first: what the city should write articles about next."""
    since = timezone.now() - timedelta(days=days)
    turns = (
        Turn.objects.filter(created_at__gte=since)
        .filter(Q(kind=TurnKind.UNKNOWN) | Q(feedback=Feedback.NOT_HELPFUL))
        .order_by("-created_at", "-id")
        .values("topic", "kind", "feedback", "question", "created_at")
    )
    groups: dict[str, dict] = {}
    for row in turns.iterator():
        topic = row["topic"] or ""
        group = groups.setdefault(
            topic,
            {
                "topic": topic,
                "unanswered": 0,
                "not_helpful": 0,
                "total": 0,
                "latest": row["created_at"],
                "examples": [],
            },
        )
        if row["kind"] == TurnKind.UNKNOWN:
            group["unanswered"] += 1
        if row["feedback"] == Feedback.NOT_HELPFUL:
            group["not_helpful"] += 1
        group["total"] += 1
        if len(group["examples"]) < examples and row["question"] not in group["examples"]:
            group["examples"].append(row["question"])
    return sorted(groups.values(), key=lambda g: (-g["total"], g["topic"]))
