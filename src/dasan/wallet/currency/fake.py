"""A fake local-currency operator: a real HTTPS server on this machine speaking the
protocol of ``http.py``, with in-memory accounts and faults to switch on.

    with FakeOperator() as operator:           # an ephemeral port on 127.0.0.1
        provider = operator.provider(timeout=1)
        provider.charge(Charge("conv-1", "card-0001", 10_000))
        operator.balance("card-0001")          # 10000

It is the operator tests and the demo talk to, through the same ``HttpProvider`` (and
the same outbound guard, with loopback allowed) as a city's real operator. Its
certificate is self-signed, made at start-up; ``client_context`` trusts it and nothing
else, ``cert_path`` is the file for ``DASAN_WALLET_CURRENCY_CA_FILE``.

Accounts open on their first charge (``auto_open``). Switch on, for the next charges:

=================  ===============================================================
fault              what the client sees
=================  ===============================================================
DELAY              charge applied, answer held until ``release()`` (or ``seconds``)
                   → the client times out: OutcomeUnknown, and ``status`` finds it
DROP               charge applied, connection closed without an answer
ERROR_AFTER_APPLY  charge applied, then HTTP 500 without "applied": false
UNAVAILABLE        HTTP 503 ``{"applied": false}`` before anything is applied
THROTTLE           HTTP 429 before anything is applied
=================  ===============================================================

and per account ``reject(ref, code)`` (every charge refused with that code) and
``set_limit(ref, won)`` (a cap on what the account may receive in all). A key charged
before answers the original receipt (200) and charges nothing; the same key with a
different account or amount answers 409.

The demo runs it in its own process (``python -m dasan.wallet.currency.fake --port 8790``
or the ``wallet_fake_currency`` command), where the same switches are under ``/_fake/``:
``POST /_fake/faults {"fault": "delay", "times": 1}``, ``POST /_fake/accounts
{"account_ref", "reject": "account_closed", "limit": 50000}``, ``GET
/_fake/accounts/{ref}``, ``POST /_fake/release``, ``POST /_fake/reset`` (all with the
API key). Never point a production configuration at it.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import enum
import ipaddress
import json
import socket
import ssl
import tempfile
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from .base import KEY_PATTERN

SEOUL = ZoneInfo("Asia/Seoul")
DEFAULT_API_KEY = "fake-currency-key"


class Fault(enum.StrEnum):
    DELAY = "delay"
    DROP = "drop"
    ERROR_AFTER_APPLY = "error_after_apply"
    UNAVAILABLE = "unavailable"
    THROTTLE = "throttle"


#: Faults answered before the charge is applied.
BEFORE_APPLYING = {Fault.UNAVAILABLE: (503, "maintenance"), Fault.THROTTLE: (429, "too_many_requests")}


@dataclasses.dataclass
class Account:
    balance: int = 0
    received: int = 0
    limit: int | None = None
    reject: str = ""


@dataclasses.dataclass(frozen=True)
class StoredCharge:
    key: str
    account_ref: str
    amount: int
    provider_ref: str
    charged_at: dt.datetime

    def receipt(self) -> dict:
        return {
            "key": self.key,
            "provider_ref": self.provider_ref,
            "amount": self.amount,
            "charged_at": self.charged_at.isoformat(),
        }


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1: (cert, key) paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "fake-currency.pem", directory / "fake-currency.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class FakeOperator:
    """The operator's state and its HTTPS server (module docstring)."""

    def __init__(self, *, host="127.0.0.1", port=0, api_key=DEFAULT_API_KEY, now=None, cert_dir=None):
        self.host, self.port, self.api_key = host, port, api_key
        #: Returns the time a charge is applied (aware); tests pass a fixed one.
        self.now = now or (lambda: dt.datetime.now(SEOUL))
        self.cert_dir = Path(cert_dir) if cert_dir else None
        self.lock = threading.Lock()
        self.httpd = None
        self.client_context = None
        self.cert_path = None
        self.reset()

    # --- state ------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget accounts, charges, faults and switches (not ``now``); let any held answer go."""
        with self.lock:
            self.auto_open = True
            self.max_amount = 2_000_000
            #: "json" or "csv": how settlements are delivered; ``settlement_ready`` False: 404.
            self.settlement_format = "json"
            self.settlement_ready = True
            self.accounts: dict[str, Account] = {}
            self.charges: dict[str, StoredCharge] = {}
            self.faults: deque[tuple[Fault, float]] = deque()
            self.requests = 0
            self.sequence = 0
            held = getattr(self, "_release", None)
            self._release = threading.Event()
        if held is not None:
            held.set()

    def open_account(self, account_ref: str, *, balance: int = 0, limit: int | None = None) -> Account:
        with self.lock:
            account = self.accounts.setdefault(account_ref, Account())
            account.balance, account.limit = balance, limit
            return account

    def reject(self, account_ref: str, code: str = "account_closed") -> None:
        """Every charge to ``account_ref`` is refused with ``code`` (422)."""
        with self.lock:
            self.accounts.setdefault(account_ref, Account()).reject = code

    def set_limit(self, account_ref: str, won: int | None) -> None:
        """The most ``account_ref`` may receive in all (the operator's top-up limit)."""
        with self.lock:
            self.accounts.setdefault(account_ref, Account()).limit = won

    def balance(self, account_ref: str) -> int:
        with self.lock:
            account = self.accounts.get(account_ref)
            return account.balance if account else 0

    def inject(self, fault: Fault | str, *, times: int = 1, seconds: float = 30.0) -> None:
        """Apply ``fault`` to the next ``times`` charge requests (DELAY holds the answer
        at most ``seconds``, or until :meth:`release`)."""
        with self.lock:
            self.faults.extend([(Fault(fault), float(seconds))] * times)

    def release(self) -> None:
        """Let every held (DELAY) answer go now."""
        with self.lock:
            held, self._release = self._release, threading.Event()
        held.set()

    def settlement_lines(self, day: dt.date) -> list[StoredCharge]:
        with self.lock:
            return [c for c in self.charges.values() if c.charged_at.astimezone(SEOUL).date() == day]

    # --- the protocol's decisions -----------------------------------------------------------

    def decide_charge(self, key: str, account_ref: str, amount: int):
        """(status, body, fault to act on after applying, release event) for a charge."""
        with self.lock:
            fault, seconds = self.faults.popleft() if self.faults else (None, 0.0)
            if fault in BEFORE_APPLYING:
                status, code = BEFORE_APPLYING[fault]
                return status, {"code": code, "message": "not applied; try again", "applied": False}, None, None
            stored = self.charges.get(key)
            if stored is not None:
                if (stored.account_ref, stored.amount) != (account_ref, amount):
                    return 409, {"code": "key_reused", "message": "key used for a different charge"}, None, None
                return 200, stored.receipt(), None, None
            refusal = self._refusal(account_ref, amount)
            if refusal:
                message = f"charge to account {account_ref} refused: {refusal}"  # operators do echo it
                return 422, {"code": refusal, "message": message}, None, None
            account = self.accounts.setdefault(account_ref, Account())
            account.balance += amount
            account.received += amount
            self.sequence += 1
            stored = StoredCharge(key, account_ref, amount, f"FAKE-{self.sequence:08d}", self.now())
            self.charges[key] = stored
            return 201, stored.receipt(), (fault, seconds), self._release

    def _refusal(self, account_ref: str, amount: int) -> str:
        account = self.accounts.get(account_ref)
        if account is None and not self.auto_open:
            return "account_unknown"
        if account is not None and account.reject:
            return account.reject
        if amount > self.max_amount:
            return "amount_invalid"
        if account is not None and account.limit is not None and account.received + amount > account.limit:
            return "limit_exceeded"
        return ""

    # --- the server -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> FakeOperator:
        directory = self.cert_dir or Path(tempfile.mkdtemp(prefix="dasan-fake-currency-"))
        self.cert_path, key_path = make_certificate(directory)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, key_path)
        self.client_context = ssl.create_default_context(cafile=str(self.cert_path))
        self.httpd = _Server((self.host, self.port), _Handler, operator=self, context=context)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release()
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def __enter__(self) -> FakeOperator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def provider(self, timeout: float = 5.0, *, connect_timeout: float | None = None):
        """An ``HttpProvider`` for this operator (loopback allowed, its certificate trusted)."""
        from .http import HttpProvider

        return HttpProvider(
            self.url,
            self.api_key,
            timeout,
            allowed_hosts=["127.0.0.1", "localhost"],
            allow_loopback=True,
            verify=self.client_context,
            name="fake",
            connect_timeout=connect_timeout,
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, *, operator: FakeOperator, context: ssl.SSLContext):
        self.operator, self.context = operator, context
        super().__init__(address, handler)

    def finish_request(self, request, client_address):
        # The TLS handshake happens here, in the request's thread, not in the accept loop.
        with self.context.wrap_socket(request, server_side=True) as tls:
            self.RequestHandlerClass(tls, client_address, self)

    def handle_error(self, request, client_address):
        pass  # a client that went away (timeouts are the point of this server)


class _Handler(BaseHTTPRequestHandler):
    timeout = 60
    server: _Server

    def log_message(self, *args):
        pass  # no account references in any log

    def _answer(self, status: int, body, content_type="application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (OSError, ssl.SSLError):
            pass  # the client gave up (after a DELAY)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            return None

    def _authorised(self) -> bool:
        operator = self.server.operator
        with operator.lock:
            operator.requests += 1
        if self.headers.get("Authorization") == f"Bearer {operator.api_key}":
            return True
        self._answer(401, {"code": "unauthorized", "message": "bad API key"})
        return False

    def do_GET(self):
        if not self._authorised():
            return
        operator, path = self.server.operator, self.path.split("?", 1)[0]
        if path.startswith("/v1/charges/"):
            stored = operator.charges.get(unquote(path.removeprefix("/v1/charges/")))
            self._answer(200, stored.receipt()) if stored else self._answer(404, {"code": "not_found"})
        elif path.startswith("/v1/settlements/"):
            self._settlement(path.removeprefix("/v1/settlements/"))
        elif path.startswith("/_fake/accounts/"):
            ref = unquote(path.removeprefix("/_fake/accounts/"))
            self._answer(200, {"balance": operator.balance(ref)})
        else:
            self._answer(404, {"code": "not_found"})

    def do_POST(self):
        body = self._body()  # read before any answer: an unread body makes the close a reset
        if not self._authorised():
            return
        path = self.path.split("?", 1)[0]
        if path == "/v1/charges":
            self._charge(body)
        elif path.startswith("/_fake/"):
            self._control(path.removeprefix("/_fake/"), body if isinstance(body, dict) else {})
        else:
            self._answer(404, {"code": "not_found"})

    def _charge(self, body) -> None:
        body = body if isinstance(body, dict) else {}
        key, ref, amount = body.get("key"), body.get("account_ref"), body.get("amount")
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key) or self.headers.get("Idempotency-Key") != key:
            return self._answer(400, {"code": "invalid_key", "message": "key and Idempotency-Key must match"})
        if not isinstance(ref, str) or not ref or isinstance(amount, bool) or not isinstance(amount, int):
            return self._answer(400, {"code": "invalid_request", "message": "account_ref and amount are required"})
        if amount <= 0:
            return self._answer(422, {"code": "amount_invalid", "message": "amount must be positive"})
        status, answer, after, release = self.server.operator.decide_charge(key, ref, amount)
        fault, seconds = after or (None, 0.0)
        if fault == Fault.DELAY:
            release.wait(seconds)
        elif fault == Fault.DROP:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return None
        elif fault == Fault.ERROR_AFTER_APPLY:
            return self._answer(500, {"code": "internal_error", "message": "something broke"})
        return self._answer(status, answer)

    def _settlement(self, day_text: str) -> None:
        operator = self.server.operator
        try:
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            return self._answer(400, {"code": "invalid_date"})
        if not operator.settlement_ready:
            return self._answer(404, {"code": "not_ready", "message": "the day is not closed yet"})
        lines = [c.receipt() for c in operator.settlement_lines(day)]
        if operator.settlement_format == "csv":
            rows = ["key,provider_ref,amount,charged_at"]
            rows += [f"{x['key']},{x['provider_ref']},{x['amount']},{x['charged_at']}" for x in lines]
            return self._answer(200, ("\r\n".join(rows) + "\r\n").encode(), "text/csv; charset=utf-8")
        return self._answer(200, {"date": day.isoformat(), "lines": lines})

    def _control(self, what: str, body: dict) -> None:
        operator = self.server.operator
        try:
            if what == "faults":
                operator.inject(body["fault"], times=int(body.get("times", 1)), seconds=float(body.get("seconds", 30)))
            elif what == "accounts":
                ref = str(body["account_ref"])
                if "reject" in body:
                    operator.reject(ref, str(body["reject"] or ""))
                if "limit" in body:
                    operator.set_limit(ref, None if body["limit"] is None else int(body["limit"]))
            elif what in ("release", "reset"):
                getattr(operator, what)()
            else:
                return self._answer(404, {"code": "not_found"})
        except (KeyError, TypeError, ValueError) as exc:
            return self._answer(400, {"code": "invalid_request", "message": str(exc)})
        return self._answer(200, {"ok": True})


# --- one operator per process, for WALLET_CURRENCY_ENGINE=fake without a URL ------------------

_shared: FakeOperator | None = None
_shared_lock = threading.Lock()


def shared() -> FakeOperator:
    """This process's fake operator, started on first use (tests may ``reset()`` it)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = FakeOperator().start()
        return _shared


def main(argv=None) -> None:
    """``python -m dasan.wallet.currency.fake --port 8790``: serve until interrupted."""
    parser = argparse.ArgumentParser(description="A fake local-currency operator for demos.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--cert-dir", default="var/wallet-fake-currency")
    args = parser.parse_args(argv)
    serve(host=args.host, port=args.port, api_key=args.api_key, cert_dir=args.cert_dir, write=print)


def serve(*, host: str, port: int, api_key: str, cert_dir: str, write) -> None:
    operator = FakeOperator(host=host, port=port, api_key=api_key, cert_dir=cert_dir).start()
    write(
        f"fake local-currency operator at {operator.url} (Ctrl-C stops it); set:\n"
        f"  DASAN_WALLET_CURRENCY_ENGINE=fake\n"
        f"  DASAN_WALLET_CURRENCY_URL={operator.url}\n"
        f"  DASAN_WALLET_CURRENCY_API_KEY={api_key}\n"
        f"  DASAN_WALLET_CURRENCY_CA_FILE={Path(operator.cert_path).resolve()}"
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        operator.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
