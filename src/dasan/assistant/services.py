"""Answering residents' questions (AI 민원 도우미): the only place that writes
conversations and turns. Web, Kakao, API and CLI all call :func:`ask`.

:mod:`.answers` composes the answer from the knowledge base; here it is recorded, with
the question masked (개인정보 가림), so that staff can see what residents ask and what
the assistant could not answer. A resident rates an answer with :func:`record_feedback`,
and the complaint form starts from :func:`complaint_draft` of a conversation — both
only for the conversation's owner: a signed-in resident, or the browser session that
held an anonymous conversation (:func:`session_conversation_ids`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dasan.accounts.permissions import is_staff
from dasan.assistant.errors import Code
from dasan.core import langdetect
from dasan.core.errors import DasanError, NotFound, PermissionDenied
from dasan.core.pii import mask

from . import answers, smalltalk
from .answers import Answer
from .models import Channel, Conversation, Feedback, Turn, TurnKind
from .selectors import can_access, subject

MAX_QUESTION = 500
#: A Kakao user's conversation continues if they wrote within this time.
CONVERSATION_IDLE = timedelta(hours=6)
#: Session key under which the web chat and the API keep the ids of the anonymous
#: conversations this browser started (see :func:`session_conversation_ids`).
SESSION_CONVERSATIONS = "assistant_conversation_ids"
#: Longest title :func:`complaint_draft` proposes (the complaint form's title is 200).
DRAFT_TITLE_CHARS = 60


def hash_external_user(channel: str, external_id: str) -> str:
    """A salted hash of a channel's user id (Kakao's ``userRequest.user.id``)."""
    salt = (settings.SECRET_KEY + ":assistant:" + channel).encode()
    return hmac.new(salt, external_id.encode("utf-8"), hashlib.sha256).hexdigest()


def conversation_for_external(channel: str, external_id: str, *, language: str = "") -> Conversation:
    """The ongoing conversation of a channel user, or a new one."""
    digest = hash_external_user(channel, external_id)
    since = timezone.now() - CONVERSATION_IDLE
    conversation = (
        Conversation.objects.filter(channel=channel, external_user=digest, updated_at__gte=since)
        .order_by("-updated_at")
        .first()
    )
    if conversation is None:
        conversation = Conversation.objects.create(channel=channel, external_user=digest, language=language)
    return conversation


# --- asking --------------------------------------------------------------------------------


def validate_question(text) -> str:
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise DasanError(Code.QUESTION_EMPTY, _("질문을 입력해 주세요."))
    if len(text) > MAX_QUESTION:
        raise DasanError(Code.QUESTION_TOO_LONG, _("질문은 %(max)d자 이내로 입력해 주세요.") % {"max": MAX_QUESTION})
    return text


def _answer(text: str, *, actor, conversation, audience, language: str, detected: str | None) -> Answer:
    """Small talk gets a rule's reply; a question the knowledge base's (see :mod:`.answers`)."""
    with translation.override(language):
        match = smalltalk.classify(text)
        if match is not None:
            answer = answers.compose_smalltalk(match, language)
        else:
            if audience not in ("staff", "residents"):
                audience = "staff" if is_staff(actor) else "residents"
            answer = answers.compose(text, conversation, audience, language, written=detected or language)
        answer.language = language
    return answer


def _record(answer: Answer, text: str, *, actor, conversation, channel: str, language: str, started: float) -> Turn:
    with transaction.atomic():
        if conversation is None:
            conversation = Conversation.objects.create(user=actor, channel=channel, language=language)
        if answer.handoff and answer.handoff.get("complaint_url"):
            answer.handoff["complaint_url"] = answers.complaint_url(conversation)
        turn = Turn.objects.create(
            conversation=conversation,
            question=mask(text),
            answer=answer.text,
            kind=answer.kind,
            citations=answer.citations,
            confidence=answer.confidence,
            topic=(answer.topic or "")[:200],
            quick_replies=answer.quick_replies,
            handoff=answer.handoff,
            mode=answer.mode[:40],
            latency_ms=int((time.monotonic() - started) * 1000),
        )
        Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    return turn


def ask(
    text: str,
    *,
    actor=None,
    conversation: Conversation | None = None,
    channel: str = Channel.WEB,
    language: str | None = None,
    audience: str | None = None,
) -> Answer:
    """Answer one question and record the turn.

    Small talk gets a short polite reply without retrieval; a question is searched
    in the knowledge base (staff-only sources for signed-in staff only) and
    answered from the best passage(s) with numbered citations — generated by the
    city's model when ``DASAN_LLM_URL`` is set, extractive otherwise. Below the
    confidence threshold the answer says so, suggests related topics and hands
    off to the owning department. ``actor`` is the signed-in asker (None for an
    anonymous one); the conversation becomes theirs. Raises DasanError for an empty
    or too long question. The stored question is masked (개인정보 가림).
    """
    started = time.monotonic()
    text = validate_question(text)
    # Whoever writes in Vietnamese is answered in Vietnamese, whatever the page's language
    # (a Kakao user never chose one). Korean text keeps the language the resident chose: a
    # foreign resident often pastes a Korean term ("대형폐기물") into an English question.
    chosen = (language or translation.get_language() or "ko").lower()
    detected = langdetect.detect(text)
    language = detected if detected and detected != "ko" else chosen
    if channel not in Channel.values:
        raise DasanError(Code.CHANNEL_INVALID, _("알 수 없는 채널입니다."))
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if conversation is not None and conversation.user_id and (actor is None or conversation.user_id != actor.pk):
        raise PermissionDenied(Code.CONVERSATION_FORBIDDEN, _("이 대화에 접근할 수 없습니다."))

    answer = _answer(
        text, actor=actor, conversation=conversation, audience=audience, language=language, detected=detected
    )
    turn = _record(
        answer, text, actor=actor, conversation=conversation, channel=channel, language=language, started=started
    )
    answer.conversation = turn.conversation
    answer.turn = turn
    return answer


# --- browser sessions ---------------------------------------------------------------------


def session_conversation_ids(session) -> list[int]:
    """The anonymous conversations a browser session started (web chat or API).

    ``session`` is ``request.session`` (any mapping, or None). The complaint form passes
    the result to :func:`complaint_draft` as ``session_conversation_ids``.
    """
    if session is None:
        return []
    ids = []
    for value in session.get(SESSION_CONVERSATIONS, None) or ():
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids


def remember_in_session(session, conversation: Conversation) -> None:
    """Record in a browser session that it holds ``conversation`` (the last 50 are kept)."""
    ids = session_conversation_ids(session)
    if conversation.pk not in ids:
        session[SESSION_CONVERSATIONS] = (ids + [conversation.pk])[-50:]


# --- after the answer: feedback and the complaint form ----------------------------------------


def record_feedback(
    turn: Turn | int, helpful: bool, comment: str = "", *, actor=None, session_conversation_ids=()
) -> Turn:
    """Record whether an answer helped. Only the conversation's owner (or, for an
    anonymous web visitor, the same session) may rate it; rating again replaces it."""
    if not isinstance(turn, Turn):
        turn = Turn.objects.select_related("conversation").filter(pk=turn).first()
        if turn is None:
            raise NotFound(Code.TURN_NOT_FOUND, _("대화를 찾을 수 없습니다."))
    if not can_access(turn.conversation, user=actor, session_conversation_ids=session_conversation_ids):
        raise PermissionDenied(Code.TURN_FORBIDDEN, _("내 대화의 답변만 평가할 수 있습니다."))
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DasanError(Code.COMMENT_TOO_LONG, _("의견은 1000자 이내로 입력해 주세요."))
    turn.feedback = Feedback.HELPFUL if helpful else Feedback.NOT_HELPFUL
    turn.feedback_comment = mask(comment)
    turn.save(update_fields=["feedback", "feedback_comment"])
    return turn


def _draft_title(question: str) -> str:
    title = re.sub(r"\s+", " ", question).strip()
    if len(title) <= DRAFT_TITLE_CHARS:
        return title
    cut = title[: DRAFT_TITLE_CHARS - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > DRAFT_TITLE_CHARS // 2 else cut).rstrip() + "…"


def complaint_draft(conversation_id: int, user=None, *, session_conversation_ids=()) -> dict:
    """A 민원 draft from a conversation with the assistant, for the new-complaint form.

    Returns ``{"title", "description", "category_hint"}``: the title is the first
    substantive question (greetings, thanks and "connect me to a person" are skipped),
    shortened to :data:`DRAFT_TITLE_CHARS`; the description is every such question of the
    conversation, oldest first, one per line; ``category_hint`` is what the latest answer
    was about (its document and section, "대형폐기물 수수료"), else the closest topic of
    the latest unanswered question, "" if none.
    All text is masked with ``core.pii.mask`` (it was stored masked; masked again in
    case the masking rules grew since).

    Only the conversation's owner may draft from it: a signed-in ``user`` for their own
    conversation, or — for an anonymous web conversation — a browser session holding its
    id, passed as ``session_conversation_ids`` (use :func:`session_conversation_ids` on
    ``request.session``). Anyone else, like a missing id, gets ``NotFound``, so the form
    can simply start empty. (It only reads; it lives here because the complaints app
    calls it as ``assistant.services.complaint_draft``.)
    """
    conversation = None
    try:
        conversation = Conversation.objects.filter(pk=int(conversation_id)).first()
    except (TypeError, ValueError):
        conversation = None
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if conversation is None or not can_access(
        conversation, user=user, session_conversation_ids=session_conversation_ids
    ):
        raise NotFound(Code.CONVERSATION_NOT_FOUND, _("대화를 찾을 수 없습니다."))
    turns = list(conversation.turns.filter(kind__in=(TurnKind.ANSWER, TurnKind.UNKNOWN)).order_by("created_at", "id"))
    questions = [mask(t.question).strip() for t in turns if t.question.strip()]
    answered = [subject(t) for t in turns if t.kind == TurnKind.ANSWER]
    closest = [t.topic for t in turns if t.kind == TurnKind.UNKNOWN and t.topic]
    hint = next((h for h in reversed(answered) if h), "") or (closest[-1] if closest else "")
    return {
        "title": _draft_title(questions[0]) if questions else "",
        "description": "\n".join(questions),
        "category_hint": hint,
    }
