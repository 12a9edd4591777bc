"""KakaoTalk channel: a Kakao i Open Builder skill endpoint.

Request and response shapes follow the Open Builder skill documentation
(https://i.kakao.com/docs/skill-response-format and
https://i.kakao.com/docs/skill-build — SkillPayload ``userRequest.utterance``,
``userRequest.user.id``, ``userRequest.callbackUrl``; SkillResponse ``version``
"2.0", ``template.outputs`` (1 to 3 of simpleText / basicCard / listCard),
``template.quickReplies`` (at most 10, label up to 14 characters), and for the
callback mode ``{"useCallback": true, "data": {...}}`` answered at once and the
final SkillResponse POSTed to ``callbackUrl`` later).

Kakao waits 5 seconds for a skill. An answer is awaited for up to
``CALLBACK_AFTER`` seconds; if the request carries a callbackUrl and the answer
is not ready by then, Kakao gets the "useCallback" reply and the final answer is
POSTed from the background thread when it is ready.

The callbackUrl comes from whoever sent the request, so it goes out only through
:mod:`dasan.core.outbound` (https, a host matching ``DASAN_KAKAO_CALLBACK_HOSTS``, a
public address, no redirects); a refused one is ignored and the answer waits in the
skill's own response. The skill requires ``DASAN_KAKAO_SKILL_SECRET`` unless DEBUG is
on, and counts requests per Kakao user, per source address, all together, and new
conversations (``DASAN_KAKAO_RATE_*``, ``DASAN_KAKAO_NEW_CONVERSATIONS``).
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import httpx
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dasan.core import outbound, ratelimit
from dasan.core.conf import setting
from dasan.core.errors import CoreCode, DasanError, RateLimited
from dasan.core.links import public_url
from dasan.core.middleware import client_ip

from ... import services
from ...answers import Answer
from ...errors import Code
from ...models import Channel, Conversation

logger = logging.getLogger("dasan.assistant.kakao")

SIMPLE_TEXT_MAX = 1000
OUTPUTS_MAX = 3
QUICK_REPLIES_MAX = 10
QUICK_LABEL_MAX = 14
LIST_ITEMS_MAX = 5
CARD_DESCRIPTION_MAX = 230
CALLBACK_AFTER = 3.5
#: Kakao's callback URL is valid for one minute (the AI chatbot callback guide).
CALLBACK_VALID = 60
CALLBACK_TIMEOUT = 10.0
#: Extra keyword arguments for ``outbound.post_json``: empty in service; tests against a
#: local TLS server put ``allow_loopback`` and ``verify`` here (no setting reaches it).
CALLBACK_OPTIONS: dict = {}

_executor = ThreadPoolExecutor(max_workers=setting("KAKAO_WORKERS"), thread_name_prefix="kakao-skill")


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message}}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _clip(text: str, limit: int) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quick_reply(label: str) -> dict:
    return {"label": _clip(label, QUICK_LABEL_MAX), "action": "message", "messageText": label}


def absolute_url(url: str, request: HttpRequest | None = None) -> str:
    """``url`` made absolute for Kakao (:func:`dasan.core.links.public_url`: the public
    address, else the skill request's own scheme and host); left as it is when neither
    is known."""
    if not url or url.startswith(("https://", "http://")):
        return url
    return public_url(url, request=request) or url


def skill_response(answer: Answer, request: HttpRequest | None = None) -> dict:
    """An Answer as a SkillResponse 2.0; ``request`` makes the links absolute."""
    outputs: list[dict] = [{"simpleText": {"text": _clip(answer.text, SIMPLE_TEXT_MAX)}}]
    citations = answer.citations or []
    if citations:
        items = []
        for c in citations[:LIST_ITEMS_MAX]:
            item = {
                "title": _clip(f"[{c['n']}] {c['title']}", 50),
                "description": _clip(c.get("section") or (c.get("updated") or ""), 50),
            }
            if c.get("url"):
                item["link"] = {"web": absolute_url(c["url"], request)}
            items.append(item)
        outputs.append({"listCard": {"header": {"title": _("출처")}, "items": items}})
    handoff = answer.handoff or {}
    buttons = []
    if handoff.get("phone"):
        buttons.append({"action": "phone", "label": _("전화하기"), "phoneNumber": handoff["phone"]})
    complaint = absolute_url(handoff.get("complaint_url") or "", request)
    if complaint.startswith(("https://", "http://")):  # Kakao opens only absolute links
        buttons.append({"action": "webLink", "label": _("민원 신청"), "webLinkUrl": complaint})
    if buttons and len(outputs) < OUTPUTS_MAX:
        lines = []
        if handoff.get("phone"):
            lines.append(_("전화 문의: %(phone)s") % {"phone": handoff["phone"]})
        if complaint and handoff.get("complaint_note"):
            lines.append(handoff["complaint_note"])
        outputs.append(
            {
                "basicCard": {
                    "title": _clip(handoff.get("department") or _("담당 부서"), 50),
                    "description": _clip("\n".join(lines), CARD_DESCRIPTION_MAX),
                    "buttons": buttons,
                }
            }
        )
    template: dict = {"outputs": outputs[:OUTPUTS_MAX]}
    if answer.quick_replies:
        template["quickReplies"] = [quick_reply(q) for q in answer.quick_replies[:QUICK_REPLIES_MAX]]
    return {"version": "2.0", "template": template}


def text_response(text: str) -> dict:
    return {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": _clip(text, SIMPLE_TEXT_MAX)}}]}}


def _answer(utterance: str, user_id: str, language: str, request: HttpRequest | None = None) -> dict:
    """Runs in a worker thread: its own DB connection, closed when done. A question the
    assistant refuses (empty, too long) gets its message as the reply: Kakao shows
    only a SkillResponse."""
    in_worker = threading.current_thread() is not threading.main_thread()
    try:
        with translation.override(language):
            conversation = services.conversation_for_external(Channel.KAKAO, user_id, language=language)
            try:
                answer = services.ask(utterance, conversation=conversation, channel=Channel.KAKAO, language=language)
            except DasanError as error:
                return text_response(str(error.message))
        # Buttons and card titles in the language the resident wrote in (detected by ask).
        with translation.override(answer.language or language):
            return skill_response(answer, request)
    finally:
        if in_worker:
            connections.close_all()


def _post_callback(url: str, future) -> None:
    try:
        body = future.result(timeout=CALLBACK_VALID)
    except Exception:  # noqa: BLE001 - the resident still gets an apology
        logger.exception("kakao skill answer failed")
        with translation.override("ko"):
            body = text_response(_("죄송합니다. 답변을 준비하지 못했습니다. 잠시 후 다시 물어봐 주세요."))
    try:
        outbound.post_json(
            url, body, allowed_hosts=setting("KAKAO_CALLBACK_HOSTS"), timeout=CALLBACK_TIMEOUT, **CALLBACK_OPTIONS
        )
    except outbound.RefusedURL as refused:
        logger.warning("kakao callback refused: %s", refused.reason)
    except httpx.HTTPError as exc:
        logger.warning("kakao callback failed: %s", type(exc).__name__)


def callback_url(user_request: dict) -> str | None:
    """The request's callbackUrl if :mod:`dasan.core.outbound` would post to it, else None
    (a refused one is logged and the answer waits in the skill's own response)."""
    url = user_request.get("callbackUrl")
    if url is None:
        return None
    try:
        outbound.check_url(
            url,
            allowed_hosts=setting("KAKAO_CALLBACK_HOSTS"),
            allow_loopback=CALLBACK_OPTIONS.get("allow_loopback", False),
        )
    except outbound.RefusedURL as refused:
        logger.warning("kakao callbackUrl refused: %s", refused.reason)
        return None
    return url


def _rate_limited(result: ratelimit.Result) -> JsonResponse:
    error = RateLimited(result.retry_after)
    response = JsonResponse(error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(result.retry_after)
    return response


def _hit(key: str, rate: tuple[int, int]) -> ratelimit.Result:
    limit, window = rate
    return ratelimit.hit(key, limit=limit, window=window)


def _new_conversation(user_id: str) -> bool:
    """Whether this question would open a conversation (as ``conversation_for_external`` decides)."""
    since = timezone.now() - services.CONVERSATION_IDLE
    digest = services.hash_external_user(Channel.KAKAO, user_id)
    return not Conversation.objects.filter(channel=Channel.KAKAO, external_user=digest, updated_at__gte=since).exists()


@csrf_exempt
@require_POST
def skill(request: HttpRequest) -> JsonResponse:
    secret = setting("KAKAO_SKILL_SECRET")
    if not secret and not settings.DEBUG:
        return _error(
            403,
            Code.KAKAO_SKILL_SECRET_MISSING,
            _("카카오 스킬 비밀값(DASAN_KAKAO_SKILL_SECRET)이 설정되지 않아 요청을 받을 수 없습니다."),
        )
    if secret and not hmac.compare_digest(request.headers.get("X-Dasan-Skill-Secret", ""), secret):
        return _error(403, CoreCode.FORBIDDEN, _("권한이 없습니다."))
    # Before parsing: a flood costs one counter each, whatever the user ids it makes up.
    for key, rate in (
        (f"kakao-skill-ip:{client_ip(request) or 'unknown'}", setting("KAKAO_RATE_PER_ADDRESS")),
        ("kakao-skill-all", setting("KAKAO_RATE_GLOBAL")),
    ):
        limited = _hit(key, rate)
        if not limited.allowed:
            return _rate_limited(limited)
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return _error(400, CoreCode.MALFORMED_BODY, _("요청 본문을 읽을 수 없습니다. 올바른 JSON인지 확인해 주세요."))
    user_request = payload.get("userRequest") if isinstance(payload, dict) else None
    if not isinstance(user_request, dict):
        return _error(400, CoreCode.INVALID_INPUT, _("userRequest가 없습니다."))
    utterance = user_request.get("utterance")
    user = user_request.get("user")
    user_id = user.get("id") if isinstance(user, dict) else None
    if not isinstance(utterance, str) or not isinstance(user_id, str) or not user_id:
        return _error(400, CoreCode.INVALID_INPUT, _("userRequest.utterance와 userRequest.user.id가 필요합니다."))
    language = user_request.get("lang") or "ko"
    language = language if language in ("ko", "en", "vi") else ("zh-hans" if str(language).startswith("zh") else "ko")

    limited = _hit(
        f"kakao-skill:{services.hash_external_user(Channel.KAKAO, user_id)[:40]}", setting("KAKAO_RATE_PER_USER")
    )
    if not limited.allowed:
        with translation.override(language):
            return JsonResponse(
                text_response(_("질문이 너무 많습니다. 잠시 후 다시 물어봐 주세요.")),
                json_dumps_params={"ensure_ascii": False},
            )
    if _new_conversation(user_id):
        limited = _hit("kakao-skill-new-conversation", setting("KAKAO_NEW_CONVERSATIONS"))
        if not limited.allowed:
            with translation.override(language):
                return _rate_limited(limited)

    callback = callback_url(user_request)
    future = _executor.submit(_answer, utterance, user_id, language, request)
    wait = CALLBACK_AFTER if callback else 4.5
    try:
        body = future.result(timeout=wait)
    except FutureTimeout:
        if callback:
            threading.Thread(target=_post_callback, args=(callback, future), daemon=True).start()
            with translation.override(language):
                return JsonResponse(
                    {
                        "version": "2.0",
                        "useCallback": True,
                        "data": {"text": _("답변을 찾고 있어요. 잠시만 기다려 주세요.")},
                    },
                    json_dumps_params={"ensure_ascii": False},
                )
        with translation.override(language):
            body = text_response(_("답변이 늦어지고 있습니다. 잠시 후 다시 물어봐 주세요."))
    except Exception:  # noqa: BLE001 - Kakao must get a valid SkillResponse, never a 500
        logger.exception("kakao skill failed")
        with translation.override(language):
            body = text_response(_("죄송합니다. 답변을 준비하지 못했습니다. 잠시 후 다시 물어봐 주세요."))
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
