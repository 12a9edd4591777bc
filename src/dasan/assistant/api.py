"""Assistant API (``/api/v1/assistant/``): ask a question, rate an answer.

Anonymous callers may ask (their conversation is kept in the session); a
signed-in session or a bearer token makes the conversation theirs.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import File, Form, Router, Schema, UploadedFile
from ninja.responses import Status

from dasan.accounts.api_auth import session_auth, token_auth
from dasan.core import idempotency
from dasan.core.conf import setting
from dasan.core.schemas import ErrorOut

from . import selectors, services, sessions, voice
from .models import Channel

router = Router(tags=["assistant"])


class _Anonymous:
    """Auth that always lets the request through (after a token or session failed)."""

    def __call__(self, request):
        return True


anonymous_ok = [token_auth, session_auth, _Anonymous()]


class AskIn(Schema):
    question: str
    conversation_id: int | None = None


class CitationOut(Schema):
    n: int
    title: str
    section: str = ""
    url: str = ""
    updated: str | None = None
    source_id: int | str | None = None


class HandoffOut(Schema):
    department: str = ""
    phone: str = ""
    complaint_url: str | None = None
    complaint_note: str = ""
    staff_phone: str = ""


class AnswerOut(Schema):
    conversation_id: int
    turn_id: int
    kind: str
    text: str
    citations: list[CitationOut]
    confidence: float
    quick_replies: list[str]
    handoff: HandoffOut | None = None
    topic: str = ""


class FeedbackIn(Schema):
    helpful: bool
    comment: str = ""


class FeedbackOut(Schema):
    turn_id: int
    feedback: str


def _user(request: HttpRequest):
    user = request.auth if request.auth is not True else None
    return user if user is not None and getattr(user, "is_authenticated", False) else None


@router.post("/ask", response={200: AnswerOut}, auth=anonymous_ok, summary="Ask the assistant")
def ask(request: HttpRequest, data: AskIn, response: HttpResponse):
    """Answer a question with citations. Send ``conversation_id`` to continue a
    conversation (yours, or this session's); ``Idempotency-Key`` makes a retry
    return the first answer."""
    user = _user(request)
    conversation = None
    if data.conversation_id is not None:
        conversation = selectors.conversation_for(
            data.conversation_id, user=user, session_conversation_ids=sessions.conversation_ids(request)
        )

    def produce():
        answer = services.ask(
            data.question,
            actor=user,
            conversation=conversation,
            channel=Channel.API,
            language=translation.get_language(),
        )
        if hasattr(request, "session") and user is None:
            sessions.remember(request, answer.conversation)
        return 200, answer.as_dict()

    key = request.headers.get("Idempotency-Key")
    if not key:
        return Status(*produce())
    owner = (
        user
        if user is not None
        else f"session:{request.session.session_key or ''}"
        if hasattr(request, "session")
        else None
    )
    if user is None and hasattr(request, "session") and not request.session.session_key:
        request.session.save()
        owner = f"session:{request.session.session_key}"
    replay = idempotency.run(
        key, scope="assistant.ask", owner=owner, payload=data.model_dump(mode="json"), produce=produce
    )
    if replay.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(replay.status, replay.body)


@router.post("/turns/{turn_id}/feedback", response={200: FeedbackOut}, auth=anonymous_ok, summary="Rate an answer")
def feedback(request: HttpRequest, turn_id: int, data: FeedbackIn):
    """Helpful or not, with an optional comment; only for your own conversation's answers."""
    turn = services.record_feedback(
        turn_id,
        data.helpful,
        data.comment,
        actor=_user(request),
        session_conversation_ids=sessions.conversation_ids(request),
    )
    return {"turn_id": turn.pk, "feedback": turn.feedback}


class TranscriptOut(Schema):
    text: str
    seconds: float
    elapsed: float
    language: str
    confidence: float | None = None


@router.post(
    "/transcribe",
    response={200: TranscriptOut, 400: ErrorOut, 413: ErrorOut, 415: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    auth=anonymous_ok,
    summary="Transcribe a spoken question",
)
def transcribe(request: HttpRequest, audio: File[UploadedFile], language: Form[str] = "ko"):
    """The Korean text of a recorded question (multipart field ``audio``: WebM/Opus,
    Ogg/Opus, MP4/AAC, MP3, WAV or FLAC), recognised offline on this server. Show it to the
    person to check before sending it to ``/ask``; nothing is asked or stored here.

    Limits (``VOICE_MAX_SECONDS``, ``VOICE_MAX_BYTES``): 413 ``voice_too_long`` /
    ``voice_too_large``. 415 ``voice_unsupported_format``, 422 ``voice_undecodable`` or
    ``voice_no_speech``, 400 ``voice_language_unsupported`` (only ``ko``). 503: voice input
    is not installed here (``voice_unavailable``), every recogniser stayed busy past the
    waiting limit (``voice_busy``, with ``Retry-After``) or recognition ran out of time
    (``voice_timeout``)."""
    max_bytes = setting("VOICE_MAX_BYTES")
    if audio.size is not None and audio.size > max_bytes:
        raise voice.too_large(max_bytes)
    transcript = voice.transcribe(audio.read(), audio.content_type or "", language=language)
    return transcript.as_dict()
