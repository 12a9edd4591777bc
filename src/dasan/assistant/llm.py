"""Generative answers from the city's own OpenAI-compatible model server (vLLM,
llama.cpp server, Ollama), used only when ``DASAN_LLM_URL`` is set.

The model sees only the numbered retrieved passages and the masked question, and
must cite them as [n]. Anything else — a timeout, an HTTP error, an answer
without citations or citing a passage that does not exist — is reported as a
:class:`GenerationFailed` with a short reason, and the caller serves the
extractive answer instead.
"""

from __future__ import annotations

import logging
import re

import httpx

from dasan.core.conf import setting
from dasan.core.pii import mask
from dasan.translation.openai_compat import endpoint as chat_completions_url

logger = logging.getLogger("dasan.assistant.llm")

_CITATION = re.compile(r"\[(\d{1,2})\]")

SYSTEM_PROMPT = (
    "당신은 한국 지방자치단체의 민원 안내 도우미입니다. 아래 번호가 붙은 자료에 있는 내용만으로 "
    "질문에 답하세요. 자료에 없는 내용은 추측하지 말고 모른다고 답하세요. 답의 각 문장 끝에 근거가 된 "
    "자료 번호를 [1]처럼 표시하세요. 주민이 질문한 언어로, 짧고 정확하게 답하세요."
)


class GenerationFailed(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def enabled() -> bool:
    return bool(setting("LLM_URL"))


def generate(question: str, passages: list[str]) -> tuple[str, list[int]]:
    """Answer ``question`` from ``passages`` (numbered from 1); returns the text
    and the passage numbers it cites. Raises GenerationFailed."""
    url = setting("LLM_URL")
    if not url:
        raise GenerationFailed("disabled")
    timeout = float(setting("LLM_TIMEOUT"))
    numbered = "\n\n".join(f"[{n}] {mask(text)}" for n, text in enumerate(passages, start=1))
    body = {
        "model": setting("LLM_MODEL") or "default",
        "temperature": 0.1,
        "max_tokens": 600,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"자료:\n{numbered}\n\n질문: {mask(question)}"},
        ],
    }
    headers = {"Content-Type": "application/json"}
    key = setting("LLM_API_KEY")
    if key:
        headers["Authorization"] = f"Bearer {key}"
    try:
        response = httpx.post(chat_completions_url(url), json=body, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        raise GenerationFailed("timeout") from None
    except httpx.HTTPError as exc:
        logger.warning("LLM request failed: %s", type(exc).__name__)
        raise GenerationFailed("error") from None
    if response.status_code != 200:
        raise GenerationFailed("error")
    try:
        text = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise GenerationFailed("invalid") from None
    if not isinstance(text, str) or not text.strip():
        raise GenerationFailed("invalid")
    text = text.strip()
    cited = [int(n) for n in _CITATION.findall(text)]
    if not cited:
        raise GenerationFailed("no_citation")
    if any(n < 1 or n > len(passages) for n in cited):
        raise GenerationFailed("bad_citation")
    return text, sorted(set(cited))
