"""Web chat (/assistant/), the embeddable widget and the staff's knowledge-gap page.

Thin: every change goes through :mod:`dasan.assistant.services`. The chat works
with and without JavaScript: htmx posts get the answer fragment appended to the
log; a plain form post redirects back to the page, which shows the conversation.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from dasan.accounts.decorators import staff_required
from dasan.assistant.errors import Code
from dasan.core.conf import setting
from dasan.core.errors import DasanError
from dasan.core.http import user_errors

from . import selectors, services, sessions, voice
from .models import Channel

LAYOUTS = ("page", "widget")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _layout(request: HttpRequest) -> str:
    layout = request.POST.get("layout") or request.GET.get("layout") or "page"
    return layout if layout in LAYOUTS else "page"


def _template(layout: str) -> str:
    return "assistant/widget.html" if layout == "widget" else "assistant/chat.html"


def _page_context(request: HttpRequest, layout: str, error: str = "", question: str = "", voice_note: str = "") -> dict:
    conversation = sessions.current_conversation(request)
    turns = list(conversation.turns.all()) if conversation else []
    return {
        "turns": turns,
        "layout": layout,
        "error": error,
        "question": question,
        "max_length": services.MAX_QUESTION,
        "voice_available": voice.available(),
        "voice_limits": voice.limits(),
        "voice_note": voice_note,
    }


@require_GET
def chat(request: HttpRequest) -> HttpResponse:
    """The chat page: the conversation so far and the question form."""
    return render(request, "assistant/chat.html", _page_context(request, "page"))


@require_GET
@xframe_options_sameorigin
def widget(request: HttpRequest) -> HttpResponse:
    """The compact chat for an iframe on the city's own pages (same origin only)."""
    response = render(request, "assistant/widget.html", _page_context(request, "widget"))
    response["Content-Security-Policy"] = "frame-ancestors 'self'"
    return response


def _back(layout: str, anchor: str = "") -> HttpResponse:
    url = reverse("assistant:widget" if layout == "widget" else "assistant:chat")
    return redirect(url + anchor)


@require_POST
@xframe_options_sameorigin
def ask(request: HttpRequest) -> HttpResponse:
    """A question: the answer fragment for htmx, else back to the page showing it. A refused
    question is shown in the chat (htmx) or on the page with the question kept."""
    layout = _layout(request)
    question = request.POST.get("question", "")
    with user_errors(flash=False) as outcome:
        answer = services.ask(
            question,
            actor=request.user if request.user.is_authenticated else None,
            conversation=sessions.current_conversation(request),
            channel=Channel.WEB,
            language=translation.get_language(),
        )
    if outcome.error:
        if _is_htmx(request):
            return render(request, "assistant/_error.html", {"error": outcome.error.message}, status=200)
        return render(request, _template(layout), _page_context(request, layout, outcome.message, question), status=400)
    sessions.remember(request, answer.conversation)
    if _is_htmx(request):
        return render(request, "assistant/_turn.html", {"turn": answer.turn, "answer": answer, "layout": layout})
    return _back(layout, f"#turn-{answer.turn.pk}")


@require_POST
@xframe_options_sameorigin
def feedback(request: HttpRequest, turn_id: int) -> HttpResponse:
    layout = _layout(request)
    try:
        turn = services.record_feedback(
            turn_id,
            request.POST.get("helpful") in ("1", "true", "yes"),
            request.POST.get("comment", ""),
            actor=request.user if request.user.is_authenticated else None,
            session_conversation_ids=sessions.conversation_ids(request),
        )
    except DasanError as error:
        if not _is_htmx(request):
            raise  # the 404 or 403 page (DasanErrorMiddleware)
        return render(request, "assistant/_error.html", {"error": error.message}, status=error.status)
    if _is_htmx(request):
        return render(request, "assistant/_feedback.html", {"turn": turn, "layout": layout})
    return _back(layout, f"#turn-{turn.pk}")


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _transcribe_upload(request: HttpRequest) -> voice.Transcript:
    max_bytes = setting("VOICE_MAX_BYTES")
    # An announced oversize body is refused before the clip is read into memory
    # (multipart framing and the CSRF token add a few hundred bytes; allow for them).
    # Django has already spooled it to a temporary file while checking the CSRF token:
    # the proxy's body limit is what keeps huge uploads out altogether.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes + 64 * 1024:
        raise voice.too_large(max_bytes)
    upload = request.FILES.get("audio")
    if upload is None:
        raise DasanError(Code.VOICE_MISSING, _("음성 파일이 없습니다. 다시 녹음해 주세요."))
    if upload.size > max_bytes:
        raise voice.too_large(max_bytes)
    return voice.transcribe(upload.read(), upload.content_type or "", language="ko")


def _voice_refused(request: HttpRequest, layout: str, error: DasanError) -> HttpResponse:
    if _wants_json(request):
        response = JsonResponse(error.as_dict(), status=error.status)
        if getattr(error, "retry_after", None) is not None:
            response["Retry-After"] = str(int(error.retry_after))
        return response
    return render(request, _template(layout), _page_context(request, layout, str(error.message)), status=error.status)


@require_POST
@xframe_options_sameorigin
def voice_question(request: HttpRequest) -> HttpResponse:
    """A spoken question (multipart field ``audio``) turned into text for the resident to
    check, edit and send: never asked on their behalf. The chat's script gets JSON
    (``{"text", "seconds", ...}`` or the error envelope); a plain form post (the file
    picker shown without JavaScript) gets the chat page with the text in the question box."""
    layout = _layout(request)
    with user_errors(flash=False) as outcome:
        transcript = _transcribe_upload(request)
    if outcome.error:
        return _voice_refused(request, layout, outcome.error)
    if _wants_json(request):
        return JsonResponse(transcript.as_dict())
    note = _("말씀하신 내용을 글로 옮겼습니다. 확인하고 고친 뒤 ‘묻기’를 눌러 주세요.")
    return render(request, _template(layout), _page_context(request, layout, question=transcript.text, voice_note=note))


@require_POST
def new_conversation(request: HttpRequest) -> HttpResponse:
    sessions.forget_current(request)
    return _back(_layout(request))


@require_GET
@staff_required
def staff_gaps(request: HttpRequest) -> HttpResponse:
    """Unanswered and poorly rated questions by topic, for staff writing articles."""
    try:
        days = max(1, min(365, int(request.GET.get("days", 90))))
    except ValueError:
        days = 90
    groups = selectors.knowledge_gaps(days=days)
    return render(
        request, "assistant/staff_gaps.html", {"groups": groups, "days": days, "total": sum(g["total"] for g in groups)}
    )
