"""Fixtures for the outbox: a fake NHN Cloud gateway (SMS v3.0 + AlimTalk v2.3) over
real HTTP on loopback, a real SMTP server (aiosmtpd), a movable clock and test
templates."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest

SEOUL = ZoneInfo("Asia/Seoul")
SECRET = "test-secret-key"
APP_KEY = "testAppKey"
SENDER_KEY = "k" * 40


# --- fake NHN Cloud gateway -------------------------------------------------------------


class FakeNhn:
    """Speaks the request/response shapes of NHN Cloud SMS v3.0 and AlimTalk v2.3."""

    def __init__(self):
        self.sms: dict[str, dict] = {}  # recipientGroupingKey -> record
        self.alimtalk: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.fail_next: list[int] = []  # HTTP statuses to answer the next POSTs with
        self.cannot_receive: set[str] = set()  # numbers without KakaoTalk
        self.idempotency_keys: set[str] = set()
        self.lookups = 0
        self.lock = threading.Lock()

    def copies(self, reference) -> int:
        ref = str(reference)
        return sum(1 for r in self.requests if r["method"] == "POST" and r.get("reference") == ref and r["accepted"])


def _make_handler(fake: FakeNhn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

        def _reply(self, status: int, body: dict):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            if self.headers.get("X-Secret-Key") != SECRET:
                self._reply(401, {"header": {"isSuccessful": False, "resultCode": -1, "resultMessage": "bad secret"}})
                return False
            return True

        def do_POST(self):
            url = urlparse(self.path)
            payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            entry = {
                "method": "POST",
                "path": url.path,
                "json": payload,
                "headers": dict(self.headers),
                "accepted": False,
            }
            with fake.lock:
                fake.requests.append(entry)
                if not self._authorised():
                    return
                if fake.fail_next:
                    status = fake.fail_next.pop(0)
                    self._reply(
                        status, {"header": {"isSuccessful": False, "resultCode": -status, "resultMessage": "failure"}}
                    )
                    return
                parts = url.path.strip("/").split("/")
                ok = {"isSuccessful": True, "resultCode": 0, "resultMessage": "SUCCESS"}
                if parts[:2] == ["sms", "v3.0"] and parts[3] == APP_KEY and parts[4:5] == ["sender"]:
                    recipient = payload["recipientList"][0]
                    ref = recipient.get("recipientGroupingKey")
                    entry["reference"] = ref
                    if not payload.get("sendNo") or not payload.get("body"):
                        self._reply(
                            400, {"header": {"isSuccessful": False, "resultCode": -1000, "resultMessage": "invalid"}}
                        )
                        return
                    request_id = uuid.uuid4().hex
                    fake.sms[ref] = {
                        "requestId": request_id,
                        "recipientSeq": 1,
                        "recipientNo": recipient["recipientNo"],
                        "body": payload["body"],
                        "title": payload.get("title"),
                        "sendType": parts[5],
                        "msgStatus": "2",
                        "msgStatusName": "처리중",
                        "resultCode": "",
                        "senderGroupingKey": payload.get("senderGroupingKey"),
                        "recipientGroupingKey": ref,
                    }
                    entry["accepted"] = True
                    self._reply(
                        200,
                        {
                            "header": ok,
                            "body": {
                                "data": {
                                    "requestId": request_id,
                                    "statusCode": "2",
                                    "senderGroupingKey": payload.get("senderGroupingKey"),
                                    "sendResultList": [
                                        {
                                            "recipientNo": recipient["recipientNo"],
                                            "resultCode": 0,
                                            "resultMessage": "SUCCESS",
                                            "recipientSeq": 1,
                                            "recipientGroupingKey": ref,
                                        }
                                    ],
                                }
                            },
                        },
                    )
                    return
                if parts[:2] == ["alimtalk", "v2.3"] and parts[3] == APP_KEY and parts[4] == "raw-messages":
                    key = self.headers.get("X-NC-API-IDEMPOTENCY-KEY")
                    recipient = payload["recipientList"][0]
                    ref = recipient.get("recipientGroupingKey")
                    entry["reference"] = ref
                    if key in fake.idempotency_keys:
                        self._reply(
                            200, {"header": {"isSuccessful": False, "resultCode": -9, "resultMessage": "duplicated"}}
                        )
                        return
                    if payload.get("senderKey") != SENDER_KEY:
                        self._reply(
                            400, {"header": {"isSuccessful": False, "resultCode": -1, "resultMessage": "sender"}}
                        )
                        return
                    fake.idempotency_keys.add(key)
                    request_id = uuid.uuid4().hex
                    code = "3018" if recipient["recipientNo"] in fake.cannot_receive else 0
                    if code == 0:
                        fake.alimtalk[ref] = {
                            "requestId": request_id,
                            "recipientSeq": 1,
                            "recipientNo": recipient["recipientNo"],
                            "content": recipient["content"],
                            "templateCode": payload["templateCode"],
                            "messageStatus": "READY",
                            "resultCode": "",
                            "recipientGroupingKey": ref,
                        }
                        entry["accepted"] = True
                    self._reply(
                        200,
                        {
                            "header": ok,
                            "message": {
                                "requestId": request_id,
                                "sendResults": [
                                    {
                                        "recipientSeq": 1,
                                        "recipientNo": recipient["recipientNo"],
                                        "resultCode": code,
                                        "resultMessage": "SUCCESS" if code == 0 else "cannot receive",
                                        "recipientGroupingKey": ref,
                                    }
                                ],
                            },
                        },
                    )
                    return
                self._reply(
                    404, {"header": {"isSuccessful": False, "resultCode": -404, "resultMessage": "no such API"}}
                )

        def do_GET(self):
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            with fake.lock:
                fake.requests.append({"method": "GET", "path": url.path, "query": query, "accepted": False})
                if not self._authorised():
                    return
                fake.lookups += 1
                if "startRequestDate" not in query or "endRequestDate" not in query:
                    self._reply(
                        400, {"header": {"isSuccessful": False, "resultCode": -1, "resultMessage": "dates required"}}
                    )
                    return
                ok = {"isSuccessful": True, "resultCode": 0, "resultMessage": "SUCCESS"}
                parts = url.path.strip("/").split("/")
                if parts[:2] == ["sms", "v3.0"]:
                    ref = query.get("senderGroupingKey") or query.get("recipientGroupingKey")
                    found = [fake.sms[ref]] if ref in fake.sms else []
                    self._reply(
                        200,
                        {"header": ok, "body": {"pageNum": 1, "pageSize": 10, "totalCount": len(found), "data": found}},
                    )
                    return
                if parts[:2] == ["alimtalk", "v2.3"]:
                    ref = query.get("recipientGroupingKey")
                    found = [fake.alimtalk[ref]] if ref in fake.alimtalk else []
                    self._reply(
                        200,
                        {"header": ok, "messageSearchResultResponse": {"messages": found, "totalCount": len(found)}},
                    )
                    return
                self._reply(
                    404, {"header": {"isSuccessful": False, "resultCode": -404, "resultMessage": "no such API"}}
                )

    return Handler


@pytest.fixture
def fake_nhn():
    fake = FakeNhn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()


# --- settings, clock, templates --------------------------------------------------------------


@pytest.fixture(autouse=True)
def notify_settings(settings, fake_nhn):
    settings.DASAN = {
        **settings.DASAN,
        "NOTIFY_CHANNELS": ["console", "email", "sms", "kakao"],
        "SMS_GATEWAY_URL": fake_nhn.url,
        "SMS_GATEWAY_KEY": SECRET,
        "SMS_APP_KEY": APP_KEY,
        "SMS_SENDER": "0212345678",
        "KAKAO_ALIMTALK_URL": fake_nhn.url,
        "KAKAO_ALIMTALK_KEY": SECRET,
        "KAKAO_APP_KEY": APP_KEY,
        "KAKAO_SENDER_KEY": SENDER_KEY,
        "NOTIFY_RATE_LIMITS": {},
        "NOTIFY_RECEIPT_SECRET": "receipt-secret",
        "PUBLIC_URL": "https://dasan.example.kr",
    }
    settings.TASKS = {
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    settings.DEFAULT_FROM_EMAIL = "noreply@city.example.kr"
    # The test client speaks plain HTTP; production settings redirect to HTTPS.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return settings


class Clock:
    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += dt.timedelta(**kwargs)

    def set(self, value: dt.datetime):
        self.now = value


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Every test runs on a fixed weekday at 10:00 in Seoul, unless it moves the clock."""
    from django.utils import timezone

    clock = Clock(dt.datetime(2025, 6, 2, 10, 0, tzinfo=SEOUL))
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture(autouse=True)
def test_templates(db):
    from dasan.notify import templates

    saved = dict(templates._registry)
    templates.register(
        "test.hello",
        text={
            "ko": {"subject": "{{ city }} 알림", "body": "{{ name }}님, 접수번호 {{ number }}번이 접수되었습니다."},
            "en": {"subject": "{{ city }} notice", "body": "Dear {{ name }}, request {{ number }} was received."},
        },
    )
    templates.register(
        "test.promo",
        category="promotional",
        text={"ko": {"subject": "축제 안내", "body": "{{ city }} 축제에 초대합니다."}},
    )
    templates.register("test.markup", text={"ko": {"subject": "표시", "body": "A & B <b>{{ value }}</b>"}})
    yield templates
    templates._registry.clear()
    templates._registry.update(saved)
    templates._synced.clear()


@pytest.fixture
def deliver_now(django_capture_on_commit_callbacks):
    """Run the after-commit hooks (and so the immediate task backend) of a block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# --- real SMTP server ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    def __init__(self):
        self.messages = []
        self.reject_with: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_with:
            return self.reject_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email

        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    controller.stop()
