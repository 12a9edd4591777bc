"""Local HTTP servers speaking LibreTranslate's and the OpenAI chat-completions API
shapes, on 127.0.0.1, so the adapters are tested over real HTTP."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dasan.translation import clear_cache
from dasan.translation.libretranslate import clear_languages_cache

from .stub import UNCONFIGURED

# What the fake engines answer, by (source text, engine target code).
LIBRE_TRANSLATIONS = {
    ("대형폐기물 수거 신청은 어떻게 하나요?", "en"): "How do I apply for bulky waste collection?",
    ("대형폐기물 수거 신청은 어떻게 하나요?", "vi"): "Làm thế nào để đăng ký thu gom rác thải cồng kềnh?",
    ("대형폐기물 수거 신청은 어떻게 하나요?", "zh"): "如何申请大件垃圾回收？",
    ("대형폐기물 수거 신청은 어떻게 하나요?", "zh-Hans"): "如何申请大件垃圾回收？",
    ("Tôi muốn vứt tủ lạnh cũ.", "ko"): "오래된 냉장고를 버리고 싶어요.",
    # Only the masked text can be a key: the server never sees the original.
    (
        "제 번호는 010-****-5678이고 주민번호는 900101-1******, 주소는 서울특별시 강남구 테헤란로 ***입니다.",
        "en",
    ): "My number is 010-****-5678, my registration number is 900101-1******, my address is 서울특별시 강남구 테헤란로 ***.",
}


class _Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, *args):  # keep the test output quiet
        pass

    def _send(self, status: int, payload, raw: bytes | None = None):
        data = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:
            pass

    def _record(self, body: bytes | None):
        self.server.requests.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "raw": body or b""}
        )

    def do_GET(self):
        self._record(None)
        self.server.app.get(self)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self._record(body)
        if self.server.delay:
            time.sleep(self.server.delay)
        self.server.app.post(self, body)


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.app = app
        self.requests: list[dict] = []
        self.delay = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def posts(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST"]

    def raw_sent(self) -> bytes:
        return b"".join(r["raw"] for r in self.requests)


class LibreTranslateApp:
    """LibreTranslate's documented API: GET /languages, POST /translate."""

    def __init__(self, chinese_code: str = "zh"):
        self.codes = ["en", "ko", chinese_code, "vi"]
        self.api_key = ""
        self.mode = "ok"  # ok / error500 / malformed / list / echo / empty

    def get(self, h: _Handler):
        if h.path.split("?")[0] != "/languages":
            return h._send(404, {"error": "Not Found"})
        langs = [{"code": c, "name": c, "targets": [t for t in self.codes if t != c]} for c in self.codes]
        h._send(200, langs)

    def post(self, h: _Handler, body: bytes):
        if h.path != "/translate":
            return h._send(404, {"error": "Not Found"})
        if self.mode == "error500":
            return h._send(500, {"error": "Cannot translate text: internal error"})
        if self.mode == "malformed":
            return h._send(200, None, raw=b"<html>proxy error</html>")
        if not h.headers.get("Content-Type", "").startswith("application/json"):
            return h._send(400, {"error": "Invalid request"})
        try:
            req = json.loads(body)
        except ValueError:
            return h._send(400, {"error": "Invalid JSON format"})
        for field in ("q", "source", "target"):
            if not req.get(field):
                return h._send(400, {"error": f"Invalid request: missing {field} parameter"})
        if req.get("format", "text") not in ("text", "html"):
            return h._send(400, {"error": "Invalid format"})
        if self.api_key and req.get("api_key") != self.api_key:
            return h._send(403, {"error": "Invalid API key"})
        for field in ("source", "target"):
            if req[field] not in self.codes:
                return h._send(400, {"error": f"{req[field]} is not supported"})
        if self.mode == "list":
            return h._send(200, {"translatedText": [req["q"]]})
        if self.mode == "empty":
            return h._send(200, {"translatedText": ""})
        if self.mode == "echo":
            return h._send(200, {"translatedText": req["q"]})
        text = LIBRE_TRANSLATIONS.get((req["q"], req["target"]), f"[{req['target']}] {req['q']}")
        h._send(200, {"translatedText": text})


class ChatApp:
    """The OpenAI chat-completions shape: POST /v1/chat/completions."""

    def __init__(self):
        self.content = "How do I apply for bulky waste collection?"
        self.finish_reason = "stop"
        self.mode = "ok"  # ok / error500 / malformed / no_choices
        self.api_key = ""

    def get(self, h: _Handler):
        h._send(404, {"error": {"message": "not found"}})

    def post(self, h: _Handler, body: bytes):
        if h.path != "/v1/chat/completions":
            return h._send(404, {"error": {"message": "not found"}})
        if self.api_key and h.headers.get("Authorization") != f"Bearer {self.api_key}":
            return h._send(401, {"error": {"message": "Invalid API key", "type": "invalid_request_error"}})
        if self.mode == "error500":
            return h._send(500, {"error": {"message": "model crashed"}})
        if self.mode == "malformed":
            return h._send(200, None, raw=b'{"choices": [')
        try:
            req = json.loads(body)
        except ValueError:
            return h._send(400, {"error": {"message": "bad json"}})
        messages = req.get("messages")
        if (
            not isinstance(messages, list)
            or not messages
            or not all(
                isinstance(m, dict)
                and m.get("role") in ("system", "user", "assistant")
                and isinstance(m.get("content"), str)
                for m in messages
            )
        ):
            return h._send(400, {"error": {"message": "messages must be a list of {role, content}"}})
        if self.mode == "no_choices":
            return h._send(200, {"id": "x", "object": "chat.completion", "choices": []})
        h._send(
            200,
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1700000000,
                "model": req.get("model", ""),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": self.content},
                        "finish_reason": self.finish_reason,
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            },
        )


def _serve(app):
    server = FakeServer(app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server


@pytest.fixture(autouse=True)
def _fresh_translation_caches():
    clear_cache()
    clear_languages_cache()
    yield
    clear_cache()
    clear_languages_cache()


@pytest.fixture(autouse=True)
def _no_translation_engine(settings):
    """Tests decide the configuration; the developer's environment (read into
    settings.DASAN at start-up) must not."""
    settings.DASAN = {**settings.DASAN, **UNCONFIGURED, "LLM_URL": "", "LLM_MODEL": "", "LLM_API_KEY": ""}


@pytest.fixture
def libre_server():
    server = _serve(LibreTranslateApp())
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def libre_server_hans():
    """A newer LibreTranslate that lists Simplified Chinese as zh-Hans."""
    server = _serve(LibreTranslateApp(chinese_code="zh-Hans"))
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def chat_server():
    server = _serve(ChatApp())
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def configure(settings):
    """configure(ENGINE="libretranslate", URL=...) sets DASAN["TRANSLATION_*"]."""

    def apply(**values):
        settings.DASAN = {**settings.DASAN, **{f"TRANSLATION_{k}": v for k, v in values.items()}}

    return apply
