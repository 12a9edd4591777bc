"""Greetings, thanks, goodbyes and "who are you" in ko/en/zh/vi: answered with a
short polite reply and no retrieval, so that "안녕하세요" never returns a passage
about bulky waste. Also recognises an explicit request for a person (hand-off).

The rules match the whole (normalised) message, not a part of it: "안녕하세요
대형폐기물 버리는 법" is a question and goes to retrieval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Match:
    intent: str  # greeting | thanks | goodbye | identity | handoff
    language: str  # the language the message was written in


_TAIL = r"[\s!~.?。！？,，^ㅎㅋ:)😊🙂👍]*"

_RULES: list[tuple[str, str, str]] = [
    # (intent, language, pattern over the whole message)
    (
        "greeting",
        "ko",
        r"(안녕(하세요|하십니까|하세여)?|반갑습니다|반가워요?|하이|헬로|좋은\s?(아침|하루|오후|저녁)(이에요|입니다)?)",
    ),
    ("greeting", "en", r"(hi|hello|hey|hiya|good (morning|afternoon|evening)|greetings)( there)?"),
    ("greeting", "zh-hans", r"(你好|您好|早上好|下午好|晚上好|嗨)"),
    ("greeting", "vi", r"(xin chào|chào( bạn| anh| chị| em)?|chào buổi (sáng|chiều|tối))"),
    (
        "thanks",
        "ko",
        r"((정말|너무|진짜)\s?)?(감사(합니다|해요|드립니다)|고마워(요)?|고맙습니다|땡큐|덕분(에|이에요)[^?]{0,10})",
    ),
    ("thanks", "en", r"(thanks?( you)?( so much| a lot)?|thank u|thx|ty|much appreciated)"),
    ("thanks", "zh-hans", r"(谢谢(你|您)?|多谢|感谢)"),
    ("thanks", "vi", r"(cảm ơn|cám ơn)( bạn| nhiều| anh| chị)*"),
    (
        "goodbye",
        "ko",
        r"(안녕히\s?(계세요|가세요)|잘\s?(있어요?|가요?)|수고(하세요|하셨습니다)|다음에\s?(봐요|올게요)|바이)",
    ),
    ("goodbye", "en", r"(bye|goodbye|see (you|ya)( later)?|good night)"),
    ("goodbye", "zh-hans", r"(再见|拜拜|回头见)"),
    ("goodbye", "vi", r"(tạm biệt|hẹn gặp lại)"),
    (
        "identity",
        "ko",
        r"((너|넌|당신|댁)(은|는)?\s?(누구|뭐)(야|예요|세요|니|인가요|입니까)?|누구(세요|야|예요)|(이름|정체)(이)?\s?(뭐|무엇)(야|예요|인가요)?|(챗봇|로봇|ai|사람)(이에요|이야|인가요|이니)\s?)",
    ),
    ("identity", "en", r"(who are you|what are you|what('s| is) your name|are you (a )?(bot|robot|human|ai))"),
    ("identity", "zh-hans", r"(你是谁|您是谁|你叫什么(名字)?|你是机器人吗)"),
    ("identity", "vi", r"(bạn là ai|bạn tên (là )?gì|bạn là robot à)"),
    (
        "handoff",
        "ko",
        r"((상담원|상담사|직원|담당자|사람)(이랑|과|와|하고)?\s?(연결|통화|얘기|이야기|대화)\s?(해\s?(주세요|줘|줘요)|하고\s?싶어요|할래요|원해요)?|상담원|사람\s?바꿔\s?(주세요|줘))",
    ),
    ("handoff", "en", r"((talk|speak) to (a |an )?(human|person|staff|agent|someone)|human please|agent please)"),
    ("handoff", "zh-hans", r"(人工(客服|服务)?|转人工)"),
    ("handoff", "vi", r"(gặp nhân viên|nói chuyện với nhân viên)"),
]

_COMPILED = [
    (intent, lang, re.compile(r"^\s*" + pattern + _TAIL + r"$", re.IGNORECASE)) for intent, lang, pattern in _RULES
]


def classify(text: str) -> Match | None:
    """The small-talk intent of the whole message, or None for anything else."""
    text = (text or "").strip()
    if not text or len(text) > 40:
        return None
    for intent, lang, pattern in _COMPILED:
        if pattern.match(text):
            return Match(intent, lang)
    return None


def reply(match: Match, language: str | None = None) -> str:
    """The reply, in the language the message was written in (or the given one)."""
    language = match.language if match.language != "ko" or not language else language
    with translation.override(language):
        if match.intent == "greeting":
            return _(
                "안녕하세요! 다산 AI 민원 도우미입니다. 대형폐기물, 주차, 복지, 증명서 발급처럼 시청 업무에 대해 물어보세요."
            )
        if match.intent == "thanks":
            return _("도움이 되었다니 기쁩니다. 더 궁금한 점이 있으면 언제든 물어보세요.")
        if match.intent == "goodbye":
            return _("이용해 주셔서 감사합니다. 좋은 하루 보내세요!")
        if match.intent == "identity":
            return _(
                "저는 시청의 AI 민원 도우미입니다. 시가 관리하는 안내 자료에서 답을 찾아 출처와 함께 알려 드립니다. 정확한 처리는 담당 부서에 확인해 주세요."
            )
        return _("담당 부서 연락처를 안내해 드릴게요.")


def decline(language: str | None = None) -> str:
    """A polite decline for chatter outside the city's services."""
    with translation.override(language or translation.get_language() or "ko"):
        return _("죄송하지만 그 내용은 잘 모르겠습니다. 저는 시청 민원과 생활 안내에 관한 질문에 답할 수 있어요.")
