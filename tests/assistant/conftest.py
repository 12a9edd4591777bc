"""The assistant is tested against the real knowledge service: a few short articles
are ingested (``dasan.knowledge.indexing.ingest``) into a temporary index with the
bundled e5 model, loaded once per test session. The only fake is at the edge of the
world we cannot reach: the city's chat-completions server (``llm_server``)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.knowledge.conftest import BULKY_WASTE, NOISE, PARKING, STAFF_MANUAL, e5  # noqa: F401 - e5 is a fixture


@dataclass
class KB:
    """The knowledge base a test runs against: its published sources by slug."""

    sources: dict


#: (title, body, slug, department key, audience) of the sources every assistant test can ask about.
CORPUS = [
    ("대형폐기물", BULKY_WASTE, "bulky-waste", "waste", "residents"),
    ("주차", PARKING, "parking", "roads", "residents"),
    ("층간소음", NOISE, "noise", None, "residents"),
    ("민원 처리 내부 지침", STAFF_MANUAL, "manual", "waste", "staff"),
]


@pytest.fixture
def kb(tmp_path, e5, settings, departments, city):  # noqa: F811
    """The real knowledge base: the corpus above, published and ingested into a fresh index."""
    from dasan.knowledge import indexing as knowledge
    from dasan.knowledge.models import Kind, Source, Status

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DASAN = {**settings.DASAN, "LLM_URL": ""}
    knowledge.manager.configure(tmp_path / "index" / "kb", e5)
    sources = {}
    for title, body, slug, dept, audience in CORPUS:
        source = Source.objects.create(
            title=title,
            kind=Kind.ARTICLE,
            body=body,
            slug=slug,
            department=departments[dept] if dept else None,
            audience=audience,
            status=Status.PUBLISHED,
        )
        report = knowledge.ingest(source)
        assert report.indexed, report
        sources[slug] = source
    yield KB(sources)
    knowledge.manager.configure(None, None)


@pytest.fixture
def no_index(tmp_path, e5, settings, city):  # noqa: F811
    """A knowledge service with nothing built yet: its index directory is empty."""
    from dasan.knowledge import indexing as knowledge

    settings.DASAN = {**settings.DASAN, "LLM_URL": ""}
    (tmp_path / "empty").mkdir()
    knowledge.manager.configure(tmp_path / "empty" / "kb", e5)
    yield
    knowledge.manager.configure(None, None)


class _LLMHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        import time

        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        self.server.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        mode = self.server.mode
        if mode == "timeout":
            time.sleep(self.server.delay)
        if mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        content = {
            "good": "소파 한 개는 크기에 따라 5,000원에서 15,000원입니다 [1].",
            "no_citation": "소파는 5,000원입니다.",
            "bad_citation": "소파는 5,000원입니다 [7].",
            "timeout": "늦은 답 [1].",
        }[mode]
        data = json.dumps(
            {
                "id": "x",
                "object": "chat.completion",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:
            pass


@pytest.fixture
def llm_server(settings):
    """A local chat-completions server; set ``server.mode`` to good / no_citation / bad_citation / timeout / error."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LLMHandler)
    server.daemon_threads = True
    server.mode = "good"
    server.delay = 1.5
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.DASAN = {
        **settings.DASAN,
        "LLM_URL": f"http://127.0.0.1:{server.server_address[1]}",
        "LLM_MODEL": "city-model",
        "LLM_TIMEOUT": 0.5,
    }
    yield server
    server.shutdown()
    server.server_close()
