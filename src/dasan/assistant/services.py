"""Answering residents' questions (AI 민원 도우미): the only place that writes
conversations and turns. Web, Kakao, API and CLI all call :func:`ask`.

Knowledge is reached only through ``dasan.knowledge.services.search`` and
``related_topics`` (the knowledge app's contract), wrapped in :func:`_search` and
:func:`_related_topics`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dasan.assistant.errors import Code
from dasan.core import langdetect
from dasan.core.errors import DasanError, NotFound, PermissionDenied
from dasan.core.pii import mask

from . import llm, smalltalk
from .models import Channel, Conversation, Feedback, Turn, TurnKind

logger = logging.getLogger("dasan.assistant")

MAX_QUESTION = 500
ANSWER_CHARS = 400
#: A question in another language shares no words with the Korean passages, so the
#: index's calibrated confidence (fitted on Korean questions, where word overlap weighs
#: most) declines it. Without a translation engine such a question is answered when the
#: multilingual model alone is sure enough: the best passage's cosine similarity and its
#: lead over the next one. Chosen on the 36 hand-written en/zh/vi questions and 6
#: off-topic ones of bench/assistant/languages.py (so its figures are optimistic):
#: 25 of 36 answered from the right article, 1 from a wrong one, no off-topic answered.
CROSS_LINGUAL_DENSE_MIN = 0.80
CROSS_LINGUAL_MARGIN_MIN = 0.02
#: A second passage joins the answer when its score is at least this share of the best.
SECOND_PASSAGE_RATIO = 0.85
#: Below this retrieval confidence a message is treated as off-topic chatter:
#: declined politely, handed to the city's main number, and given no topic (so
#: it does not pollute the staff's knowledge-gap list under a random topic).
OFF_TOPIC_CONFIDENCE = 0.1
#: A Kakao user's conversation continues if they wrote within this time.
CONVERSATION_IDLE = timedelta(hours=6)
#: Session key under which the web chat and the API keep the ids of the anonymous
#: conversations this browser started (see :func:`session_conversation_ids`).
SESSION_CONVERSATIONS = "assistant_conversation_ids"
#: Longest title :func:`complaint_draft` proposes (the complaint form's title is 200).
DRAFT_TITLE_CHARS = 60


@dataclass
class Answer:
    """What a channel shows: the text, its numbered citations, and what to offer next."""

    text: str
    kind: str
    citations: list[dict] = field(default_factory=list)
    confidence: float = 0.0
    quick_replies: list[str] = field(default_factory=list)
    handoff: dict | None = None
    topic: str = ""
    mode: str = ""
    #: The language the resident is answered in (detected from the question, else the UI's).
    language: str = "ko"
    #: The language of the passages shown: "ko" when the city has no translation of them.
    passage_language: str = "ko"
    #: A machine translation of Korean passages was added (only with a configured engine).
    machine_translated: bool = False
    conversation: Conversation | None = None
    turn: Turn | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "citations": self.citations,
            "confidence": round(float(self.confidence), 4),
            "quick_replies": self.quick_replies,
            "handoff": self.handoff,
            "topic": self.topic,
            "mode": self.mode,
            "language": self.language,
            "passage_language": self.passage_language,
            "machine_translated": self.machine_translated,
            "conversation_id": self.conversation.pk if self.conversation else None,
            "turn_id": self.turn.pk if self.turn else None,
        }


# --- the knowledge seam ---------------------------------------------------------------


@dataclass
class _Unavailable:
    hits: list = field(default_factory=list)
    confidence: float = 0.0
    answerable: bool = False
    index_ready: bool = False


def _search(query: str, *, audience: str, language: str | None, k: int = 5):
    try:
        from dasan.knowledge.services import search
    except ImportError:
        logger.warning("knowledge search is not available")
        return _Unavailable()
    # One passage per topic (an FAQ programme, an article's section): the topics are
    # ranked on all their passages together, which finds the right programme more
    # often than the single best passage does (bench/assistant), and a second
    # passage then adds another section rather than repeating the first.
    # Translations are not searched: the answer is decided on the originals, and shown
    # from the translation in the resident's language afterwards (_localise).
    return search(query, audience=audience, language=language, k=k, group_by="topic", originals_only=True)


def _related_topics(query: str, k: int = 5, *, audience: str = "residents") -> list[str]:
    try:
        from dasan.knowledge.services import related_topics
    except ImportError:
        return []
    try:
        try:
            topics = related_topics(query, k=k, audience=audience)
        except TypeError:  # the contract's minimal signature
            topics = related_topics(query, k=k)
        return [t for t in topics if t]
    except Exception:  # noqa: BLE001 - suggestions are optional; the answer must still come
        logger.exception("related_topics failed")
        return []


# --- helpers -------------------------------------------------------------------------------


def is_staff(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_city_staff", False))


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


_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n+")


def trim_passage(text: str, limit: int = ANSWER_CHARS) -> str:
    """Whole sentences from the start of ``text`` up to about ``limit`` characters."""
    text = re.sub(r"[ \t]+", " ", (text or "").strip())
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    kept: list[str] = []
    length = 0
    for sentence in sentences:
        if kept and length + len(sentence) + 1 > limit:
            break
        kept.append(sentence)
        length += len(sentence) + 1
    result = " ".join(kept)
    if len(result) > limit:  # one sentence longer than the limit
        cut = result[: limit - 1]
        space = cut.rfind(" ")
        result = (cut[:space] if space > limit // 2 else cut).rstrip() + "…"
    return result


_FOLLOWUP_KO = re.compile(
    r"^(그럼|그러면|그건|그거|그리고|또|그래서|혹시)|(은|는|이|가)요\??$|^(얼마|언제|어디|어떻게)(예요|에요|인가요|요|나요)?\??$"
)
_FOLLOWUP_EN = re.compile(r"^(and|what about|how about|how much|how long|when|where|so|then)\b", re.IGNORECASE)


def is_followup(text: str) -> bool:
    """A short elliptical question that leans on the previous turn ("그럼 수수료는요?")."""
    text = text.strip()
    if len(text) > 25 or len(text.split()) > 5:
        return False
    return bool(_FOLLOWUP_KO.search(text) or _FOLLOWUP_EN.search(text))


#: Morphemes that ask but name nothing ("얼마예요?" is not about anything yet).
_QUESTION_WORDS = frozenset({"얼마", "언제", "어디", "무엇", "뭐", "왜", "누구", "어떻", "몇"})
_LEANS_BACK = re.compile(r"^(그럼|그러면|그건|그거|what about|how about)\b", re.IGNORECASE)


def needs_context(text: str) -> bool:
    """A follow-up that cannot stand alone: it starts by pointing back ("그럼 수수료는요?")
    or names nothing ("얼마예요?"). Without an earlier answer to lean on it is not
    searched — any passage it matched would be a guess about what "그" was."""
    text = text.strip()
    if not is_followup(text):
        return False
    if _LEANS_BACK.search(text):
        return True
    from dasan.knowledge import analysis

    return not [t for t in analysis.tokens(text) if t not in _QUESTION_WORDS]


def _previous_subject(conversation: Conversation | None) -> str:
    if conversation is None or conversation.pk is None:
        return ""
    turn = conversation.turns.filter(kind=TurnKind.ANSWER).order_by("-created_at", "-id").first()
    return _subject(turn) if turn is not None else ""


def _subject(turn: Turn) -> str:
    """What an answer was about: its document plus its section ("대형폐기물 수수료").

    After a fee answer the topic alone is "수수료", which says nothing about *what* fee,
    so a second follow-up (or a complaint drafted from the chat) would lose the thread.
    """
    title = turn.citations[0].get("title", "") if turn.citations else ""
    topic = turn.topic or ""
    if topic and title and topic not in title:
        return f"{title} {topic}"
    return title or topic


def _citation(n: int, hit) -> dict:
    updated = getattr(hit, "updated_at", None)
    title_path = getattr(hit, "title_path", "") or ""
    title = getattr(hit, "source_title", "") or title_path.split(" > ")[0]
    section = title_path.split(" > ", 1)[1] if " > " in title_path else ""
    return {
        "n": n,
        "title": title,
        "section": section,
        "url": getattr(hit, "url", "") or "",
        "updated": updated.isoformat() if updated else None,
        "source_id": getattr(hit, "source_id", None),
        "chunk_id": getattr(hit, "chunk_id", None),
    }


def complaint_form_url() -> str | None:
    """The new-complaint page (``complaints:new``), or None while that page does not exist."""
    try:
        return reverse("complaints:new")
    except NoReverseMatch:
        return None


def complaint_url(conversation: Conversation | None) -> str | None:
    """The 민원 신청 link offered in a hand-off, prefilled from ``conversation``.

    ``?from=<conversation id>`` is added only when the conversation can be opened again in
    a browser — it belongs to a signed-in resident, or it was held on the web or API,
    whose session keeps its id — because the complaint form reads it back through
    :func:`complaint_draft`, which refuses anyone else. A Kakao or CLI conversation gets
    the plain form. None while the complaints pages are not installed.
    """
    url = complaint_form_url()
    if url is None:
        return None
    if (
        conversation is not None
        and conversation.pk
        and (conversation.user_id or conversation.channel in (Channel.WEB, Channel.API))
    ):
        url = f"{url}?{urlencode({'from': conversation.pk})}"
    return url


#: A message that reports a problem (a 민원) rather than asks about a service: a
#: broken, dumped, noisy or dangerous thing, or the words 신고/민원 themselves.
REPORT_RE = re.compile(
    r"(고장|파손|부서졌|부서져|깨졌|깨져|망가|무단\s?투기|불법|시끄러|소음이?\s?심|악취|냄새가?\s?(심|나)|"
    r"위험해|위험합니다|막혔|막혀|넘쳐|방치|안\s?치워|꺼져\s?있|신고하고|신고할게|민원\s?(넣|신청|접수))"
)
#: ... unless it is phrased as a question about how things work.
QUESTION_RE = re.compile(
    r"(\?|얼마|어떻게|어디서|어디에|언제|무엇|뭐예요|뭔가요|되나요|하나요|할까요|있나요|인가요|알려\s?주)"
)


def looks_like_report(text: str) -> bool:
    """True when the resident seems to be reporting a problem, so the answer should
    also offer to file a 민원 for it."""
    return bool(REPORT_RE.search(text)) and not QUESTION_RE.search(text)


def _handoff(hit=None) -> dict:
    from dasan.core.models import Department, Municipality

    city = Municipality.current()
    department = None
    department_id = getattr(hit, "department_id", None) if hit is not None else None
    if department_id:
        department = Department.objects.filter(pk=department_id).first()
    city_phone = city.phone if city else ""
    # The link gets its ``?from=`` once the conversation exists (see ask()).
    form = complaint_form_url()
    return {
        "department": department.name if department else (city.name if city else ""),
        "phone": (department.phone if department and department.phone else city_phone),
        "complaint_url": form,
        "complaint_note": _("민원을 신청하시면 담당 부서가 확인해 답변해 드립니다.") if form else "",
        "staff_phone": city_phone,
        "city": city.name if city else "",
    }


def _handoff_line(handoff: dict) -> str:
    if handoff.get("phone"):
        line = _("%(department)s(☎ %(phone)s)에 문의하시면 담당자가 도와드립니다.") % handoff
    else:
        line = _("시청 민원실에 문의해 주세요.")
    if handoff.get("complaint_url"):
        line += " " + _("온라인으로 민원을 신청하실 수도 있습니다.")
    return line


def _quick(topics: list[str], exclude: str = "", limit: int = 5) -> list[str]:
    seen = []
    for topic in topics:
        topic = (topic or "").strip()
        if topic and topic != exclude and topic not in seen:
            seen.append(topic)
    return seen[:limit]


# --- composing -----------------------------------------------------------------------------


def _family(hit) -> object:
    """The Korean original a passage belongs to (itself, or what it translates)."""
    return getattr(hit, "translation_of", None) or getattr(hit, "source_id", None)


def _localise(hit, language: str, query: str):
    """The city's own translation of ``hit`` in ``language`` when there is one, else ``hit``."""
    if language == "ko" or getattr(hit, "language", "ko") == language:
        return hit
    try:
        from dasan.knowledge.services import translated_passage
    except ImportError:
        return hit
    return translated_passage(hit, language, query) or hit


def _compose_retrieval(
    text: str, conversation: Conversation | None, audience: str, language: str, written: str | None = None
) -> Answer:
    """``language``: the resident's; ``written``: the question's own (detected; a Korean
    question from an English page is searched as Korean)."""
    written = written or language
    query = text
    if is_followup(text):
        subject = _previous_subject(conversation)
        if subject and subject not in text:
            query = f"{subject} {text}"
        elif not subject and needs_context(text):
            return Answer(
                text=_('어떤 업무에 대한 질문인지 조금 더 자세히 알려 주세요. 예: "대형폐기물 수수료는 얼마예요?"'),
                kind=TurnKind.UNKNOWN,
                confidence=0.0,
                mode="no_context",
            )
    cross_lingual = ""
    if written != "ko":
        # With the city's translation engine the question is searched in Korean, where
        # the calibrated confidence holds; the resident's words are masked before sending.
        from dasan import translation as mt

        korean = mt.translate_or_none(query, source=written, target="ko")
        if korean is not None and korean.text.strip():
            query, cross_lingual = korean.text.strip(), "query_translated"
    result = _search(query, audience=audience, language=language, k=5)
    if (
        written != "ko"
        and not cross_lingual
        and getattr(result, "hits", None)
        and not getattr(result, "answerable", False)
    ):
        features = getattr(result, "features", {}) or {}
        if (
            features.get("dense_top", 0.0) >= CROSS_LINGUAL_DENSE_MIN
            and features.get("dense_margin", 0.0) >= CROSS_LINGUAL_MARGIN_MIN
        ):
            result.answerable, cross_lingual = True, "cross_lingual"
    hits = list(getattr(result, "hits", []) or [])
    confidence = float(getattr(result, "confidence", 0.0) or 0.0)
    confidence = min(max(confidence, 0.0), 1.0)

    if not getattr(result, "index_ready", True):
        handoff = _handoff()
        return Answer(
            text=_("안내 자료가 아직 준비되지 않아 답을 드릴 수 없습니다.") + " " + _handoff_line(handoff),
            kind=TurnKind.UNKNOWN,
            confidence=0.0,
            handoff=handoff,
            mode="no_index",
        )

    if not hits or confidence < OFF_TOPIC_CONFIDENCE:
        handoff = _handoff()
        return Answer(
            text=smalltalk.decline(language) + " " + _handoff_line(handoff),
            kind=TurnKind.UNKNOWN,
            confidence=confidence,
            quick_replies=_quick(_related_topics(query, k=5, audience=audience)) if hits else [],
            handoff=handoff,
            mode="off_topic",
        )

    if not getattr(result, "answerable", False):
        closest = hits[0]
        handoff = _handoff(closest)
        topics = _quick(_related_topics(query, k=5, audience=audience))
        parts = [_("잘 모르겠습니다. 안내 자료에서 이 질문에 대한 정확한 답을 찾지 못했어요.")]
        if topics:
            parts.append(_("아래 주제 중에 찾으시는 내용이 있는지 살펴보세요."))
        parts.append(_handoff_line(handoff))
        return Answer(
            text=" ".join(parts),
            kind=TurnKind.UNKNOWN,
            confidence=confidence,
            quick_replies=topics,
            handoff=handoff,
            topic=getattr(closest, "topic", "") or getattr(closest, "source_title", ""),
            mode="none",
        )

    best = hits[0]
    chosen = [best]
    # Cross-lingual scores carry no lexical signal: the runner-up is no second answer.
    for hit in hits[1:] if cross_lingual != "cross_lingual" else []:
        if (
            hit.chunk_id != best.chunk_id
            and hit.score >= best.score * SECOND_PASSAGE_RATIO
            and len(best.text) < ANSWER_CHARS * 0.6
        ):
            if language != "ko" and _family(hit) == _family(best):
                continue  # the same article in the other language says the same thing
            chosen.append(hit)
            break
    chosen = [_localise(hit, language, query) for hit in chosen]
    foreign = language != "ko"
    korean_only = foreign and any(getattr(hit, "language", "ko") != language for hit in chosen)
    topic = getattr(best, "topic", "") or getattr(best, "source_title", "")
    quick = _quick(_related_topics(query, k=6, audience=audience), exclude=topic)

    mode = "extractive"
    generated = None
    # The city's model writes in Korean from Korean passages; a resident asking in another
    # language gets the passages themselves (translated by the city, or marked).
    if llm.enabled() and not foreign:
        context = hits[:3]
        try:
            generated_text, cited = llm.generate(text if query == text else query, [h.text for h in context])
            generated = (generated_text, [_citation(n, context[n - 1]) for n in cited])
            mode = "generative"
        except llm.GenerationFailed as failure:
            mode = f"extractive:{failure.reason}"
    if generated is not None:
        answer_text, citations = generated
    else:
        budget = ANSWER_CHARS // len(chosen)
        pieces = []
        citations = []
        for n, hit in enumerate(chosen, start=1):
            pieces.append(f"{trim_passage(hit.text, budget)} [{n}]")
            citations.append(_citation(n, hit))
        answer_text = "\n\n".join(pieces)
    machine = False
    if korean_only:
        from dasan import translation as mt

        answer_text, machine = mt.for_reader(answer_text, language)
    handoff = None
    if looks_like_report(text):
        # Information alone does not fix a broken streetlight: offer the 민원 form too.
        handoff = _handoff(best)
        if handoff["complaint_url"]:
            handoff["complaint_note"] = _(
                "불편 사항을 시에 알리려면 민원을 신청해 주세요. 담당 부서가 확인해 답변해 드립니다."
            )
        else:
            handoff = None
    return Answer(
        text=answer_text,
        kind=TurnKind.ANSWER,
        citations=citations,
        confidence=confidence,
        quick_replies=quick,
        topic=topic,
        handoff=handoff,
        mode=mode + (f":{cross_lingual}" if cross_lingual else "") + (":translated" if machine else ""),
        language=language,
        passage_language="ko" if korean_only else language,
        machine_translated=machine,
    )


def _compose_smalltalk(match: smalltalk.Match, language: str, conversation: Conversation | None) -> Answer:
    if match.intent == "handoff":
        handoff = _handoff()
        with translation.override(match.language if match.language != "ko" else language):
            text = smalltalk.reply(match, language) + " " + _handoff_line(handoff)
            if handoff["complaint_url"]:
                handoff["complaint_note"] = _("민원을 신청하시면 담당 부서가 확인해 답변해 드립니다.")
        return Answer(text=text, kind=TurnKind.HANDOFF, handoff=handoff, confidence=1.0, mode="rule")
    return Answer(text=smalltalk.reply(match, language), kind=TurnKind.SMALLTALK, confidence=1.0, mode="rule")


def validate_question(text) -> str:
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise DasanError(Code.QUESTION_EMPTY, _("질문을 입력해 주세요."))
    if len(text) > MAX_QUESTION:
        raise DasanError(Code.QUESTION_TOO_LONG, _("질문은 %(max)d자 이내로 입력해 주세요.") % {"max": MAX_QUESTION})
    return text


def ask(
    text: str,
    *,
    conversation: Conversation | None = None,
    user=None,
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
    off to the owning department. Raises DasanError for an empty or too long
    question. The stored question is masked (개인정보 가림).
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
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if conversation is not None and conversation.user_id and (user is None or conversation.user_id != user.pk):
        raise PermissionDenied(Code.CONVERSATION_FORBIDDEN, _("이 대화에 접근할 수 없습니다."))

    with translation.override(language):
        match = smalltalk.classify(text)
        if match is not None:
            answer = _compose_smalltalk(match, language, conversation)
        else:
            if audience not in ("staff", "residents"):
                audience = "staff" if is_staff(user) else "residents"
            answer = _compose_retrieval(text, conversation, audience, language, written=detected or language)
        answer.language = language

    with transaction.atomic():
        if conversation is None:
            conversation = Conversation.objects.create(user=user, channel=channel, language=language)
        if answer.handoff and answer.handoff.get("complaint_url"):
            answer.handoff["complaint_url"] = complaint_url(conversation)
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
    answer.conversation = conversation
    answer.turn = turn
    return answer


# --- feedback ------------------------------------------------------------------------------


def can_access(conversation: Conversation, *, user=None, session_conversation_ids=()) -> bool:
    """Whether this person may see and rate ``conversation``: its signed-in owner,
    or — for an anonymous conversation — the browser session that started it."""
    if conversation.user_id:
        return bool(user is not None and getattr(user, "is_authenticated", False) and user.pk == conversation.user_id)
    return conversation.pk in {int(i) for i in session_conversation_ids or ()}


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
    can simply start empty.
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
    answered = [_subject(t) for t in turns if t.kind == TurnKind.ANSWER]
    closest = [t.topic for t in turns if t.kind == TurnKind.UNKNOWN and t.topic]
    hint = next((h for h in reversed(answered) if h), "") or (closest[-1] if closest else "")
    return {
        "title": _draft_title(questions[0]) if questions else "",
        "description": "\n".join(questions),
        "category_hint": hint,
    }


def record_feedback(
    turn: Turn | int, helpful: bool, comment: str = "", *, user=None, session_conversation_ids=()
) -> Turn:
    """Record whether an answer helped. Only the conversation's owner (or, for an
    anonymous web visitor, the same session) may rate it; rating again replaces it."""
    if not isinstance(turn, Turn):
        turn = Turn.objects.select_related("conversation").filter(pk=turn).first()
        if turn is None:
            raise NotFound(Code.TURN_NOT_FOUND, _("대화를 찾을 수 없습니다."))
    if not can_access(turn.conversation, user=user, session_conversation_ids=session_conversation_ids):
        raise PermissionDenied(Code.TURN_FORBIDDEN, _("내 대화의 답변만 평가할 수 있습니다."))
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DasanError(Code.COMMENT_TOO_LONG, _("의견은 1000자 이내로 입력해 주세요."))
    turn.feedback = Feedback.HELPFUL if helpful else Feedback.NOT_HELPFUL
    turn.feedback_comment = mask(comment)
    turn.save(update_fields=["feedback", "feedback_comment"])
    return turn


# --- knowledge gaps for staff -------------------------------------------------------------------


def knowledge_gaps(*, days: int = 90, examples: int = 3) -> list[dict]:
    """Unanswered and poorly rated questions grouped by (closest) topic, most
    frequent first: what the city should write articles about next."""
    since = timezone.now() - timedelta(days=days)
    turns = (
        Turn.objects.filter(created_at__gte=since)
        .filter(models_q_gap())
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


def models_q_gap():
    from django.db.models import Q

    return Q(kind=TurnKind.UNKNOWN) | Q(feedback=Feedback.NOT_HELPFUL)
