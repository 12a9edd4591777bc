"""Web chat (/assistant/), the embeddable widget and the staff's knowledge-gap page.

Thin: every change goes through :mod:`dasan.assistant.services`. The chat works
with and without JavaScript: htmx posts get the answer fragment appended to the
log; a plain form post redirects back to the page, which shows the conversation.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from dasan.assistant.errors import Code
from dasan.core.errors import DasanError

from . import services, voice
from .models import Channel, Conversation

SESSION_CURRENT = "assistant_conversation_id"
SESSION_ALL = services.SESSION_CONVERSATIONS
LAYOUTS = ("page", "widget")


def _session_ids(request: HttpRequest) -> list[int]:
    return services.session_conversation_ids(request.session)


def _current_conversation(request: HttpRequest) -> Conversation | None:
    pk = request.session.get(SESSION_CURRENT)
    if not pk:
        return None
    conversation = Conversation.objects.filter(pk=pk).first()
    user = request.user if request.user.is_authenticated else None
    if conversation is None or not services.can_access(
        conversation, user=user, session_conversation_ids=_session_ids(request)
    ):
        request.session.pop(SESSION_CURRENT, None)
        return None
    return conversation


def _remember(request: HttpRequest, conversation: Conversation) -> None:
    request.session[SESSION_CURRENT] = conversation.pk
    services.remember_in_session(request.session, conversation)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _layout(request: HttpRequest) -> str:
    layout = request.POST.get("layout") or request.GET.get("layout") or "page"
    return layout if layout in LAYOUTS else "page"


def _page_context(request: HttpRequest, layout: str, error: str = "", question: str = "", voice_note: str = "") -> dict:
    conversation = _current_conversation(request)
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
    layout = _layout(request)
    question = request.POST.get("question", "")
    user = request.user if request.user.is_authenticated else None
    try:
        answer = services.ask(
            question,
            conversation=_current_conversation(request),
            user=user,
            channel=Channel.WEB,
            language=translation.get_language(),
        )
    except DasanError as error:
        if _is_htmx(request):
            return render(request, "assistant/_error.html", {"error": error.message}, status=200)
        template = "assistant/widget.html" if layout == "widget" else "assistant/chat.html"
        return render(request, template, _page_context(request, layout, str(error.message), question), status=400)
    _remember(request, answer.conversation)
    if _is_htmx(request):
        return render(request, "assistant/_turn.html", {"turn": answer.turn, "answer": answer, "layout": layout})
    return _back(layout, f"#turn-{answer.turn.pk}")


@require_POST
@xframe_options_sameorigin
def feedback(request: HttpRequest, turn_id: int) -> HttpResponse:
    layout = _layout(request)
    user = request.user if request.user.is_authenticated else None
    helpful = request.POST.get("helpful") in ("1", "true", "yes")
    try:
        turn = services.record_feedback(
            turn_id, helpful, request.POST.get("comment", ""), user=user, session_conversation_ids=_session_ids(request)
        )
    except DasanError as error:
        if _is_htmx(request):
            return render(request, "assistant/_error.html", {"error": error.message}, status=error.status)
        if error.status == 404:
            raise Http404(str(error.message)) from None
        raise DjangoPermissionDenied(str(error.message)) from None
    if _is_htmx(request):
        return render(request, "assistant/_feedback.html", {"turn": turn, "layout": layout})
    return _back(layout, f"#turn-{turn.pk}")


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
@xframe_options_sameorigin
def voice_question(request: HttpRequest) -> HttpResponse:
    """A spoken question (multipart field ``audio``) turned into text for the resident to
    check, edit and send: never asked on their behalf. The chat's script gets JSON
    (``{"text", "seconds", ...}`` or the error envelope); a plain form post (the file
    picker shown without JavaScript) gets the chat page with the text in the question box."""
    layout = _layout(request)
    try:
        max_bytes = int(voice.setting("MAX_BYTES"))
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
        transcript = voice.transcribe(upload.read(), upload.content_type or "", language="ko")
    except DasanError as error:
        if _wants_json(request):
            response = JsonResponse(error.as_dict(), status=error.status)
            if getattr(error, "retry_after", None) is not None:
                response["Retry-After"] = str(int(error.retry_after))
            return response
        template = "assistant/widget.html" if layout == "widget" else "assistant/chat.html"
        return render(request, template, _page_context(request, layout, str(error.message)), status=error.status)
    if _wants_json(request):
        return JsonResponse(transcript.as_dict())
    template = "assistant/widget.html" if layout == "widget" else "assistant/chat.html"
    note = _("말씀하신 내용을 글로 옮겼습니다. 확인하고 고친 뒤 ‘묻기’를 눌러 주세요.")
    return render(request, template, _page_context(request, layout, question=transcript.text, voice_note=note))


@require_POST
def new_conversation(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_CURRENT, None)
    return _back(_layout(request))


def _staff_login_url() -> str:
    try:
        return reverse("accounts:staff_login")
    except NoReverseMatch:
        return "/accounts/staff/login/"


@require_GET
def staff_gaps(request: HttpRequest) -> HttpResponse:
    """Unanswered and poorly rated questions by topic, for staff writing articles."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), _staff_login_url())
    if not services.is_staff(user):
        raise DjangoPermissionDenied
    try:
        days = max(1, min(365, int(request.GET.get("days", 90))))
    except ValueError:
        days = 90
    groups = services.knowledge_gaps(days=days)
    return render(
        request, "assistant/staff_gaps.html", {"groups": groups, "days": days, "total": sum(g["total"] for g in groups)}
    )
