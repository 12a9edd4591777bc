"""A LibreTranslate server on 127.0.0.1 for tests outside this package (the assistant's
and complaints' language tests): it answers ``/languages`` and, on ``/translate``, the
text in ``server.answers`` for the requested target; every request is kept in
``server.received`` (to check what left for the engine). The fixture points Dasan's
settings at it."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, payload):
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        codes = ("en", "ko", "zh", "vi")
        self._send([{"code": c, "name": c, "targets": list(codes)} for c in codes])

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.received.append(request)
        self._send({"translatedText": self.server.answers[request["target"]]})


@pytest.fixture
def libretranslate(settings):
    from dasan.translation import clear_cache

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.received, server.answers = [], {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.DASAN = {
        **settings.DASAN,
        "TRANSLATION_ENGINE": "libretranslate",
        "TRANSLATION_URL": f"http://127.0.0.1:{server.server_port}",
    }
    clear_cache()
    yield server
    server.shutdown()
    server.server_close()


#: settings.DASAN's translation keys as in an installation that sets none of them.
UNCONFIGURED = {
    "TRANSLATION_ENGINE": "",
    "TRANSLATION_URL": "",
    "TRANSLATION_API_KEY": "",
    "TRANSLATION_MODEL": "",
    "TRANSLATION_TIMEOUT": 10.0,
    "TRANSLATION_MAX_CHARS": 5000,
}


@pytest.fixture
def no_translation_engine(settings):
    """No engine, whatever the developer's environment says: the default installation."""
    from dasan.translation import clear_cache

    settings.DASAN = {**settings.DASAN, **UNCONFIGURED}
    clear_cache()
