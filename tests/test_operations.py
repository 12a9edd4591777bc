"""What an operator sees from the `dasan` command: demo loading, production checks,
and `dasan run` starting and stopping the web server and worker together."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path: Path, **extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update({"DASAN_VAR_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def _dasan(*args, env, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "dasan.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp_cwd(env),
    )


def tmp_cwd(env) -> str:
    return str(Path(env["DASAN_VAR_DIR"]).parent)


@pytest.mark.django_db
def test_demo_loads_the_city_and_running_it_again_changes_nothing(settings):
    from dasan.accounts.models import User
    from dasan.core.models import Department, Municipality

    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo", stdout=out)
    counts = (Municipality.objects.count(), Department.objects.count(), User.objects.count())
    assert Municipality.current().name == "데모시"
    assert counts[1] >= 5 and counts[2] >= 6
    printed = out.getvalue()
    assert "010-0000-0001" in printed and "admin" in printed and "demo-dasan-2026" in printed

    out2 = io.StringIO()
    call_command("demo", stdout=out2)
    assert (Municipality.objects.count(), Department.objects.count(), User.objects.count()) == counts
    # The same logins are printed again, so the first run's instructions stay valid.
    assert "010-0000-0001" in out2.getvalue()
    admin = User.objects.get(username="admin")
    assert admin.check_password("demo-dasan-2026") and admin.is_city_admin and admin.totp_secret


@pytest.mark.django_db
def test_demo_refuses_to_load_published_passwords_in_production_mode(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DASAN_DEBUG"):
        call_command("demo", stdout=io.StringIO())


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    env = _env(
        tmp_path,
        DASAN_DEBUG="0",
        DASAN_SECRET_KEY="x" * 20 + "-production-secret-" + "y" * 30,
        DASAN_ALLOWED_HOSTS="minwon.example.go.kr",
    )
    result = _dasan("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_mode_fails_check_deploy(tmp_path):
    """The check really looks: a debug configuration is flagged."""
    env = _env(tmp_path, DASAN_DEBUG="1")
    result = _dasan("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "DEBUG" in result.stdout + result.stderr


def test_dasan_run_serves_the_site_and_ctrl_c_stops_web_and_worker(tmp_path):
    env = _env(tmp_path, DASAN_DEBUG="1")
    assert _dasan("migrate", "--noinput", env=env).returncode == 0
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dasan.cli", "run", "--bind", f"127.0.0.1:{port}"],
        env=env,
        cwd=tmp_cwd(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = response.read().decode()
            except OSError:
                time.sleep(0.3)
        assert body is not None and '"ok"' in body, "the site did not come up"
        # Static files are served by WhiteNoise from the same server.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/dasan/dasan.css", timeout=5) as response:
            assert response.status == 200
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, output
    assert "Dasan stopped." in output
    # Nothing is left listening on the port.
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_worker_delivers_a_queued_message_from_another_process(tmp_path):
    """`dasan worker` picks up what the web process queued: a message enqueued in
    one process is sent by the worker process."""
    env = _env(tmp_path, DASAN_DEBUG="1")
    assert _dasan("migrate", "--noinput", env=env).returncode == 0
    script = (
        "import django; django.setup()\n"
        "from django.db import transaction\n"
        "from dasan.accounts.models import User\n"
        "from dasan.notify.services import enqueue\n"
        "u = User.objects.create_user(username='w1', kind='resident', phone='01099990000')\n"
        "with transaction.atomic():\n"
        "    m = enqueue('accounts.otp_code', recipient=u, channel='console', context={'code': '482913', 'minutes': 3})\n"
        "print(m.pk)\n"
    )
    made = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "dasan.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_cwd(env),
    )
    assert made.returncode == 0, made.stderr
    message_id = int(made.stdout.strip().splitlines()[-1])
    worker = _dasan("worker", "--batch", "--interval", "0", env=env, timeout=120)
    assert worker.returncode == 0, worker.stdout + worker.stderr
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup()\nfrom dasan.notify.models import Message\nprint(Message.objects.get(pk={message_id}).status)",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "dasan.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_cwd(env),
    )
    # The console channel hands the text to the log, which counts as delivered.
    assert check.stdout.strip() in {"sent", "delivered"}, check.stdout + check.stderr
    # The console channel logs the message with personal data masked.
    assert "01099990000" not in worker.stdout + worker.stderr
