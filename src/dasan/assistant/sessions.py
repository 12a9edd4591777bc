"""The conversations a browser holds: the web chat's and the API's session state.

An anonymous visitor owns a conversation through their session only, so the session
keeps two things: the ids of every conversation it started (which it may see, rate and
turn into a 민원; :func:`dasan.assistant.services.session_conversation_ids`) and the one
the chat page is showing now (:data:`SESSION_CURRENT`). A signed-in resident's
conversations are theirs wherever they sign in.
"""

from __future__ import annotations

from django.http import HttpRequest

from . import services
from .models import Conversation
from .selectors import can_access

#: Session key of the conversation the chat page shows (a "new conversation" forgets it).
SESSION_CURRENT = "assistant_conversation_id"


def conversation_ids(request: HttpRequest) -> list[int]:
    """The anonymous conversations this request's session started ([] without a session)."""
    return services.session_conversation_ids(request.session) if hasattr(request, "session") else []


def current_conversation(request: HttpRequest) -> Conversation | None:
    """The conversation the chat shows, while this person may still see it."""
    pk = request.session.get(SESSION_CURRENT)
    if not pk:
        return None
    conversation = Conversation.objects.filter(pk=pk).first()
    user = request.user if request.user.is_authenticated else None
    if conversation is None or not can_access(
        conversation, user=user, session_conversation_ids=conversation_ids(request)
    ):
        request.session.pop(SESSION_CURRENT, None)
        return None
    return conversation


def remember(request: HttpRequest, conversation: Conversation) -> None:
    """Make ``conversation`` the one the chat shows, and this session's to see again."""
    request.session[SESSION_CURRENT] = conversation.pk
    services.remember_in_session(request.session, conversation)


def forget_current(request: HttpRequest) -> None:
    """Start a new conversation on the next question (the old one stays the session's)."""
    request.session.pop(SESSION_CURRENT, None)
