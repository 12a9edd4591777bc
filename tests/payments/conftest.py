"""Fixtures for payments: a fake Toss Payments server over real HTTP on loopback (the
only fake: it stands for the outside world), the providers switched on in settings,
staff, and a recorder of the owner-app callbacks."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse

import pytest

SECRET_KEY = "test_sk_dasan_payments"
PURPOSE = "test.thing"


class FakeToss:
    """Speaks the shapes of Toss Payments API v1: payment window creation, confirm,
    lookup and cancel, with its error objects ``{"code", "message"}``."""

    def __init__(self):
        self.base_url = ""
        self.payments: dict[str, dict] = {}  # paymentKey -> Payment object
        self.requests: list[dict] = []
        self.fail_next: list[tuple[int, str]] = []  # (HTTP status, code) for the next requests
        self.delays: list[float] = []  # seconds to wait before answering the next requests
        self.cancel_replies: dict[str, tuple[int, dict]] = {}  # Idempotency-Key -> stored answer
        self.tamper_amount: int | None = None  # approve this amount instead of the requested one
        self.lock = threading.Lock()
        self.busy = 0
        self.idle = threading.Condition()

    def wait_idle(self) -> None:
        """Wait until every request the PG received has been handled (a slow answer
        our client gave up on is still processed by the PG)."""
        with self.idle:
            assert self.idle.wait_for(lambda: self.busy == 0, timeout=10)

    def charges(self, payment_key: str | None = None) -> int:
        """How many approvals the PG performed (money taken)."""
        return sum(1 for r in self.requests if r.get("approved") and (payment_key is None or r["key"] == payment_key))

    def cancels(self) -> int:
        return sum(1 for r in self.requests if r.get("cancelled"))

    def paths(self, method: str = "POST") -> list[str]:
        return [r["path"] for r in self.requests if r["method"] == method]

    def open_window(self, order) -> str:
        """What the payer does in the PG's window: returns the paymentKey the PG puts on
        the success URL (the window was created by our start call)."""
        for key, payment in self.payments.items():
            if payment["orderId"] == order.public_id and payment["status"] == "READY":
                payment["status"] = "IN_PROGRESS"
                return key
        raise AssertionError("no payment window was opened for this order")


def _handler(fake: FakeToss):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _reply(self, status: int, body: dict):
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def _error(self, status: int, code: str, message: str = ""):
            self._reply(status, {"code": code, "message": message or code})

        def _authorised(self) -> bool:
            expected = "Basic " + base64.b64encode(f"{SECRET_KEY}:".encode()).decode()
            if self.headers.get("Authorization") != expected:
                self._error(401, "UNAUTHORIZED_KEY", "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.")
                return False
            return True

        def _begin(self, method: str) -> tuple[dict, dict] | None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}") if length else {}
            entry = {
                "method": method,
                "path": urlparse(self.path).path,
                "json": payload,
                "idempotency_key": self.headers.get("Idempotency-Key"),
            }
            with fake.lock:
                fake.requests.append(entry)
                delay = fake.delays.pop(0) if fake.delays else 0
            if delay:
                time.sleep(delay)
            if not self._authorised():
                return None
            with fake.lock:
                failure = fake.fail_next.pop(0) if fake.fail_next else None
            if failure:
                self._error(failure[0], failure[1])
                return None
            return payload, entry

        def handle_one_request(self):
            with fake.idle:
                fake.busy += 1
            try:
                super().handle_one_request()
            finally:
                with fake.idle:
                    fake.busy -= 1
                    fake.idle.notify_all()

        def do_GET(self):
            begun = self._begin("GET")
            if begun is None:
                return
            parts = urlparse(self.path).path.strip("/").split("/")
            if parts[:2] == ["v1", "payments"] and len(parts) == 3:
                with fake.lock:
                    payment = fake.payments.get(unquote(parts[2]))
                if payment is None:
                    return self._error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
                return self._reply(200, payment)
            self._error(404, "NOT_FOUND", "")

        def do_POST(self):
            begun = self._begin("POST")
            if begun is None:
                return
            payload, entry = begun
            parts = urlparse(self.path).path.strip("/").split("/")
            with fake.lock:
                if parts == ["v1", "payments"]:
                    return self._create(payload)
                if parts == ["v1", "payments", "confirm"]:
                    return self._confirm(payload, entry)
                if len(parts) == 4 and parts[:2] == ["v1", "payments"] and parts[3] == "cancel":
                    return self._cancel(unquote(parts[2]), payload, entry)
            self._error(404, "NOT_FOUND", "")

        def _create(self, payload):
            for field in ("method", "amount", "orderId", "orderName", "successUrl", "failUrl"):
                if field not in payload:
                    return self._error(400, "INVALID_REQUEST", f"{field} is required")
            key = "tpk_" + uuid.uuid4().hex
            fake.payments[key] = {
                "mId": "tosspayments",
                "version": "2022-11-16",
                "paymentKey": key,
                "orderId": payload["orderId"],
                "orderName": payload["orderName"],
                "currency": "KRW",
                "method": "카드",
                "status": "READY",
                "totalAmount": payload["amount"],
                "balanceAmount": payload["amount"],
                "requestedAt": _now(),
                "approvedAt": None,
                "cancels": None,
                "secret": "ps_should_never_be_stored",
                "checkout": {"url": f"{fake.base_url}/v1/payments/{key}/checkout"},
            }
            self._reply(200, fake.payments[key])

        def _confirm(self, payload, entry):
            key = payload.get("paymentKey", "")
            payment = fake.payments.get(key)
            if payment is None:
                return self._error(
                    404, "NOT_FOUND_PAYMENT_SESSION", "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다."
                )
            if payment["status"] in ("DONE", "CANCELED", "PARTIAL_CANCELED"):
                return self._error(400, "ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다.")
            if payload.get("orderId") != payment["orderId"] or payload.get("amount") != payment["totalAmount"]:
                return self._error(400, "INVALID_REQUEST", "요청한 결제 정보가 결제창의 정보와 다릅니다.")
            payment.update(
                status="DONE",
                approvedAt=_now(),
                card={"issuerCode": "4V", "number": "43301234****123*", "approveNo": "00000000"},
            )
            if fake.tamper_amount is not None:
                payment.update(totalAmount=fake.tamper_amount, balanceAmount=fake.tamper_amount)
            entry.update(approved=True, key=key)
            self._reply(200, payment)

        def _cancel(self, key, payload, entry):
            idem = entry.get("idempotency_key")
            if idem and idem in fake.cancel_replies:
                return self._reply(*fake.cancel_replies[idem])
            payment = fake.payments.get(key)
            if payment is None:
                return self._error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
            if not payload.get("cancelReason"):
                return self._error(400, "INVALID_REQUEST", "cancelReason is required")
            if payment["status"] not in ("DONE", "PARTIAL_CANCELED"):
                return self._error(403, "NOT_CANCELABLE_PAYMENT", "취소 할 수 없는 결제 입니다.")
            amount = payload.get("cancelAmount", payment["balanceAmount"])
            if amount > payment["balanceAmount"]:
                return self._error(403, "NOT_CANCELABLE_AMOUNT", "취소 할 수 없는 금액 입니다.")
            payment["balanceAmount"] -= amount
            payment["status"] = "CANCELED" if payment["balanceAmount"] == 0 else "PARTIAL_CANCELED"
            payment["cancels"] = (payment["cancels"] or []) + [
                {
                    "cancelAmount": amount,
                    "cancelReason": payload["cancelReason"],
                    "canceledAt": _now(),
                    "transactionKey": uuid.uuid4().hex.upper(),
                    "refundableAmount": payment["balanceAmount"],
                }
            ]
            entry.update(cancelled=True)
            answer = (200, json.loads(json.dumps(payment)))
            if idem:
                fake.cancel_replies[idem] = answer
            self._reply(*answer)

    return Handler


def _now() -> str:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=9))).replace(microsecond=0).isoformat()


@pytest.fixture
def fake_toss():
    fake = FakeToss()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def pay_settings(settings, fake_toss):
    """Both providers on, Toss pointed at the fake; office stays the default."""
    settings.DASAN = {
        **settings.DASAN,
        "PAYMENTS_PROVIDERS": "office,tosspayments",
        "PAYMENTS_DEFAULT_PROVIDER": "office",
        "PAYMENTS_TOSS_BASE_URL": fake_toss.base_url,
        "PAYMENTS_TOSS_SECRET_KEY": SECRET_KEY,
        "PAYMENTS_TOSS_TIMEOUT": 5,
        "PAYMENTS_OFFICE_WEBHOOK_SECRET": "deposit-secret",
        "PUBLIC_URL": "https://city.example",
    }
    return settings


@pytest.fixture
def staff(make_staff, departments):
    return make_staff("cashier", department=departments["waste"])


class Calls:
    def __init__(self):
        self.paid: list[str] = []
        self.refunded: list[tuple[str, int]] = []
        self.cancelled: list[tuple[str, str]] = []
        self.lock = threading.Lock()


@pytest.fixture
def calls():
    """Registers callbacks for the purpose ``test.thing`` as an owner app would in its
    AppConfig.ready(), and records what they were told."""
    from dasan.payments import services

    record = Calls()

    def paid(order):
        with record.lock:
            record.paid.append(order.public_id)

    def refunded(order, refund):
        with record.lock:
            record.refunded.append((order.public_id, refund.amount))

    def cancelled(order):
        with record.lock:
            record.cancelled.append((order.public_id, order.status))

    from dasan.core.appconfig import PaymentPurpose, register_payment_purpose

    undo = register_payment_purpose(PaymentPurpose(PURPOSE, paid=paid, refunded=refunded, cancelled=cancelled))
    yield record
    undo()


@pytest.fixture
def make_order(resident, pay_settings, departments):
    """Orders of 청소행정과 by default (the ``staff`` cashier's department)."""
    from dasan.payments import services
    from dasan.payments.services import Line

    def make(lines=None, *, payer=None, provider=None, **kwargs):
        kwargs.setdefault("department", departments["waste"])
        return services.create_order(
            payer or resident,
            PURPOSE,
            kwargs.pop("reference", "42"),
            lines if lines is not None else [Line("소파 3인용", 15000, 1), Line("냉장고 300ℓ 이상", 10000, 2)],
            provider=provider,
            **kwargs,
        )

    return make


def pay_by_card(order, fake: FakeToss) -> dict:
    """Start a card payment and return the success-URL params the PG would send back."""
    from dasan.payments import services

    step = services.start_payment(order, provider="tosspayments")
    assert step.kind == "redirect" and step.redirect_url.startswith(fake.base_url)
    key = fake.open_window(order)
    return {"paymentKey": key, "orderId": order.public_id, "amount": str(order.total_amount)}
