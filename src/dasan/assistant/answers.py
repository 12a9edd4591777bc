"""How the assistant answers a question: from the city's knowledge base, with citations.

A question is searched among the passages its asker may see (staff-only sources for
signed-in staff only). When the index is confident that its best passage answers it, the
answer is that passage — trimmed to whole sentences, with a second passage when one scores
nearly as well — or, when the city runs its own model (``LLM_URL``), the model's answer
written from the top three passages and citing them [n]. Below the confidence threshold
the answer says so honestly, suggests the closest topics and hands off to the department
that owns the closest passage; far below it (chatter) it declines politely.

A question in another language is searched in Korean when the city runs a translation
engine; without one, the multilingual model alone may answer it when it is sure enough
(:data:`CROSS_LINGUAL_DENSE_MIN`). The passages are then shown from the city's own
translation of the article, else in Korean with a note (and a machine translation when
there is an engine). A short follow-up ("그럼 수수료는요?") is searched together with
what the previous answer was about.

Nothing here writes: :func:`dasan.assistant.services.ask` records the turn.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dasan.knowledge import selectors as knowledge

from . import llm, smalltalk
from .models import Channel, Conversation, Turn, TurnKind
from .selectors import previous_subject

logger = logging.getLogger("dasan.assistant")

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


# --- the knowledge seam ---------------------------------------------------------------


def _search(query: str, *, audience: str, language: str | None, k: int = 5) -> knowledge.SearchResult:
    # One passage per topic (an FAQ programme, an article's section): the topics are
    # ranked on all their passages together, which finds the right programme more
    # often than the single best passage does (bench/assistant), and a second
    # passage then adds another section rather than repeating the first.
    # Translations are not searched: the answer is decided on the originals, and shown
    # from the translation in the resident's language afterwards (_localise).
    return knowledge.search(query, audience=audience, language=language, k=k, group_by="topic", originals_only=True)


def _related_topics(query: str, k: int = 5, *, audience: str = "residents") -> list[str]:
    try:
        return [t for t in knowledge.related_topics(query, k=k, audience=audience) if t]
    except Exception:  # noqa: BLE001 - suggestions are optional; the answer must still come
        logger.exception("related_topics failed")
        return []


def _family(hit) -> object:
    """The Korean original a passage belongs to (itself, or what it translates)."""
    return hit.translation_of or hit.source_id


def _localise(hit, language: str, query: str):
    """The city's own translation of ``hit`` in ``language`` when there is one, else ``hit``."""
    if language == "ko" or hit.language == language:
        return hit
    return knowledge.translated_passage(hit, language, query) or hit


# --- hand-offs ---------------------------------------------------------------------------


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
    :func:`~dasan.assistant.services.complaint_draft`, which refuses anyone else. A Kakao
    or CLI conversation gets the plain form. None while the complaints pages are not
    installed.
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


def _handoff(hit=None) -> dict:
    from dasan.core.models import Department, Municipality

    city = Municipality.current()
    department = None
    department_id = hit.department_id if hit is not None else None
    if department_id:
        department = Department.objects.filter(pk=department_id).first()
    city_phone = city.phone if city else ""
    # The link gets its ``?from=`` once the conversation exists (see services.ask()).
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


def _report_handoff(text: str, best) -> dict | None:
    """For a message that reports a problem, the 민원 form beside the information:
    information alone does not fix a broken streetlight (None without the form)."""
    if not looks_like_report(text):
        return None
    handoff = _handoff(best)
    if not handoff["complaint_url"]:
        return None
    handoff["complaint_note"] = _("불편 사항을 시에 알리려면 민원을 신청해 주세요. 담당 부서가 확인해 답변해 드립니다.")
    return handoff


def _quick(topics: list[str], exclude: str = "", limit: int = 5) -> list[str]:
    seen = []
    for topic in topics:
        topic = (topic or "").strip()
        if topic and topic != exclude and topic not in seen:
            seen.append(topic)
    return seen[:limit]


# --- composing -----------------------------------------------------------------------------


def compose_smalltalk(match: smalltalk.Match, language: str) -> Answer:
    """The reply to a greeting, thanks, goodbye or "who are you", or the hand-off asked for."""
    if match.intent == "handoff":
        handoff = _handoff()
        with translation.override(match.language if match.language != "ko" else language):
            text = smalltalk.reply(match, language) + " " + _handoff_line(handoff)
            if handoff["complaint_url"]:
                handoff["complaint_note"] = _("민원을 신청하시면 담당 부서가 확인해 답변해 드립니다.")
        return Answer(text=text, kind=TurnKind.HANDOFF, handoff=handoff, confidence=1.0, mode="rule")
    return Answer(text=smalltalk.reply(match, language), kind=TurnKind.SMALLTALK, confidence=1.0, mode="rule")


def _with_context(text: str, conversation: Conversation | None) -> str | None:
    """The query for ``text``: a follow-up gets the previous answer's subject in front;
    None when it cannot stand alone and there is nothing to lean on."""
    if not is_followup(text):
        return text
    subject = previous_subject(conversation)
    if subject and subject not in text:
        return f"{subject} {text}"
    if not subject and needs_context(text):
        return None
    return text


def _korean_query(query: str, written: str) -> tuple[str, str]:
    """With the city's translation engine a foreign question is searched in Korean,
    where the calibrated confidence holds (the resident's words are masked before
    sending). Returns the query and ``"query_translated"`` when it was translated."""
    if written == "ko":
        return query, ""
    from dasan import translation as mt

    korean = mt.translate_or_none(query, source=written, target="ko")
    if korean is not None and korean.text.strip():
        return korean.text.strip(), "query_translated"
    return query, ""


def _sure_across_languages(result: knowledge.SearchResult) -> bool:
    """An untranslated foreign question the calibrated confidence declines, but on which
    the multilingual model alone is sure enough (see CROSS_LINGUAL_DENSE_MIN)."""
    if not result.hits or result.answerable:
        return False
    features = result.features or {}
    return (
        features.get("dense_top", 0.0) >= CROSS_LINGUAL_DENSE_MIN
        and features.get("dense_margin", 0.0) >= CROSS_LINGUAL_MARGIN_MIN
    )


def compose(
    text: str, conversation: Conversation | None, audience: str, language: str, written: str | None = None
) -> Answer:
    """The answer to a question (see the module docstring). ``language``: the resident's;
    ``written``: the question's own (detected; a Korean question from an English page is
    searched as Korean)."""
    written = written or language
    query = _with_context(text, conversation)
    if query is None:
        return Answer(
            text=_('어떤 업무에 대한 질문인지 조금 더 자세히 알려 주세요. 예: "대형폐기물 수수료는 얼마예요?"'),
            kind=TurnKind.UNKNOWN,
            confidence=0.0,
            mode="no_context",
        )
    query, cross_lingual = _korean_query(query, written)
    result = _search(query, audience=audience, language=language, k=5)
    if written != "ko" and not cross_lingual and _sure_across_languages(result):
        result.answerable, cross_lingual = True, "cross_lingual"
    confidence = min(max(float(result.confidence or 0.0), 0.0), 1.0)
    if not result.index_ready:
        handoff = _handoff()
        return Answer(
            text=_("안내 자료가 아직 준비되지 않아 답을 드릴 수 없습니다.") + " " + _handoff_line(handoff),
            kind=TurnKind.UNKNOWN,
            confidence=0.0,
            handoff=handoff,
            mode="no_index",
        )
    if not result.hits or confidence < OFF_TOPIC_CONFIDENCE:
        return _off_topic(result.hits, query, audience, language, confidence)
    if not result.answerable:
        return _unsure(result.hits[0], query, audience, confidence)
    return _from_passages(result.hits, text, query, audience, language, confidence, cross_lingual)


def _off_topic(hits: list, query: str, audience: str, language: str, confidence: float) -> Answer:
    """Chatter: declined politely, handed to the city's main number, and given no topic
    (so it does not pollute the staff's knowledge-gap list under a random topic)."""
    handoff = _handoff()
    return Answer(
        text=smalltalk.decline(language) + " " + _handoff_line(handoff),
        kind=TurnKind.UNKNOWN,
        confidence=confidence,
        quick_replies=_quick(_related_topics(query, k=5, audience=audience)) if hits else [],
        handoff=handoff,
        mode="off_topic",
    )


def _unsure(closest, query: str, audience: str, confidence: float) -> Answer:
    """ "I don't know", honestly: the closest topics and the department of the closest passage."""
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
        topic=closest.topic or closest.source_title,
        mode="none",
    )


def _chosen(hits: list, language: str, cross_lingual: str) -> list:
    """The best passage, and a second one that scores nearly as well when the first is short."""
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
    return chosen


def _generated(question: str, hits: list) -> tuple[tuple[str, list[dict]] | None, str]:
    """The city's model's answer from the top three passages, with its citations, and the
    mode; ``(None, "extractive:<reason>")`` when it failed (the caller quotes instead)."""
    context = hits[:3]
    try:
        text, cited = llm.generate(question, [h.text for h in context])
    except llm.GenerationFailed as failure:
        return None, f"extractive:{failure.reason}"
    return (text, [_citation(n, context[n - 1]) for n in cited]), "generative"


def _quoted(chosen: list) -> tuple[str, list[dict]]:
    """The chosen passages themselves, trimmed to share the answer's length, numbered."""
    budget = ANSWER_CHARS // len(chosen)
    pieces, citations = [], []
    for n, hit in enumerate(chosen, start=1):
        pieces.append(f"{trim_passage(hit.text, budget)} [{n}]")
        citations.append(_citation(n, hit))
    return "\n\n".join(pieces), citations


def _from_passages(
    hits: list, text: str, query: str, audience: str, language: str, confidence: float, cross_lingual: str
) -> Answer:
    best = hits[0]
    chosen = [_localise(hit, language, query) for hit in _chosen(hits, language, cross_lingual)]
    foreign = language != "ko"
    korean_only = foreign and any(hit.language != language for hit in chosen)
    topic = best.topic or best.source_title
    quick = _quick(_related_topics(query, k=6, audience=audience), exclude=topic)
    generated, mode = None, "extractive"
    # The city's model writes in Korean from Korean passages; a resident asking in another
    # language gets the passages themselves (translated by the city, or marked).
    if llm.enabled() and not foreign:
        generated, mode = _generated(text if query == text else query, hits)
    answer_text, citations = generated if generated is not None else _quoted(chosen)
    machine = False
    if korean_only:
        from dasan import translation as mt

        answer_text, machine = mt.for_reader(answer_text, language)
    return Answer(
        text=answer_text,
        kind=TurnKind.ANSWER,
        citations=citations,
        confidence=confidence,
        quick_replies=quick,
        topic=topic,
        handoff=_report_handoff(text, best),
        mode=mode + (f":{cross_lingual}" if cross_lingual else "") + (":translated" if machine else ""),
        language=language,
        passage_language="ko" if korean_only else language,
        machine_translated=machine,
    )
