"""Screenshots of participation, wallet and residency on the demo data (mobile width).

Run against a demo server on its own SQLite database, with the same environment::

    export DATABASE_URL=sqlite:////tmp/screens/db.sqlite3 DASAN_DEBUG=1 DASAN_DEMO_SHOW_OTP=1
    .venv/bin/dasan migrate --noinput && .venv/bin/dasan demo
    .venv/bin/dasan runserver 127.0.0.1:18790 --noreload &
    .venv/bin/python scripts/screens_wave2.py http://127.0.0.1:18790

Sign-in is done programmatically: a Django session is created for the demo user and its
cookie is put in the browser context (the UI sign-in flows are covered by the browser tests).
Debian's Chromium (/usr/bin/chromium) through Playwright. Hangul needs a CJK font: when
fontconfig knows none, the Noto Sans CJK font shipped in the virtual environment is used.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
VIEWPORT = {"width": 412, "height": 915}


def font_env() -> dict[str, str]:
    """The environment for Chromium: a fontconfig file adding a CJK font when none is installed."""
    env = dict(os.environ)
    found = subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True, check=False).stdout.strip()
    fonts = sorted((ROOT / ".venv").glob("lib/python3*/site-packages/cvttf_NotoSansCJK_Regular"))
    if found or not fonts:
        return env
    folder = Path(tempfile.mkdtemp(prefix="dasan-fonts-"))
    (folder / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{fonts[0]}</dir><cachedir>{folder / 'cache'}</cachedir></fontconfig>"
    )
    env["FONTCONFIG_FILE"] = str(folder / "fonts.conf")
    return env


def session_cookie(user) -> str:
    """A signed-in session for ``user`` in the database the server uses."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "dasan.accounts.backends.DasanBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def reconcile() -> None:
    """What the worker's hourly ``wallet.reconcile`` job does for yesterday, and the same for
    today so that the report lists the conversion just made (against the fake operator)."""
    import datetime as dt

    from django.utils import timezone

    from dasan.wallet import reconcile as job

    today = timezone.localdate()
    for day in (today - dt.timedelta(days=1), today):
        record = job.run_day(day)
        print(f"reconciled {day}: ok={record.ok} matched={record.matched} findings={record.findings}")


def main(base: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dasan.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    from dasan.accounts.models import User
    from dasan.participation.models import Heading, Proposal

    resident = User.objects.get(phone="01000000001")
    jane = User.objects.get(phone="01000000002")
    an = User.objects.get(phone="01000000003")
    staff = User.objects.get(username="admin")

    def shot(page, name: str, path: str, full: bool = True) -> None:
        response = page.goto(base + path) if path else None
        if response is not None and response.status >= 400:
            print(f"!! {path}: HTTP {response.status}")
        page.wait_for_load_state("networkidle")
        file = OUT / f"{name}.png"
        page.screenshot(path=str(file), full_page=full)
        print(f"{file.relative_to(ROOT)}  {page.url}  {file.stat().st_size // 1024} KB")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True, env=font_env()
        )

        def context_for(user):
            context = browser.new_context(viewport=VIEWPORT, device_scale_factor=2, locale="ko-KR", is_mobile=True)
            host = base.split("//", 1)[1].split(":")[0]
            cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(user), "domain": host, "path": "/"}
            context.add_cookies([cookie])
            page = context.new_page()
            page.set_default_timeout(15_000)
            return context, page

        # --- participation (resident) ---
        context, page = context_for(resident)
        shot(page, "participation-1-process", "/participation/2027/")
        proposal = Proposal.objects.filter(process__slug="2027").order_by("pk").first()
        shot(page, "participation-2-proposal", f"/participation/p/{proposal.pk}/")
        heading = Heading.objects.filter(process__slug="2027").order_by("pk").first()
        page.goto(f"{base}/participation/2027/vote/{heading.pk}/")
        boxes = page.locator("input[type=checkbox][name=choice]")
        for i in (0, 2, 4):  # a choice that fits the heading's budget
            if i < boxes.count():
                boxes.nth(i).check()
        shot(page, "participation-3-ballot", "")
        shot(page, "participation-4-results", "/participation/2026/results/")
        shot(page, "participation-5-tracking", "/participation/2026/tracking/")
        funded = Proposal.objects.filter(process__slug="2026", state="selected").order_by("pk").first()
        shot(page, "participation-6-funded-project", f"/participation/p/{funded.pk}/")

        # --- wallet (resident) ---
        shot(page, "wallet-1-balance", "/wallet/")
        page.goto(base + "/wallet/convert/")
        if "/wallet/convert/" in page.url and page.locator("#amount").count():
            page.fill("#amount", "5000")
            page.locator("form:has(#amount) button[type=submit]").first.click()
            page.wait_for_load_state("networkidle")
        shot(page, "wallet-2-convert-confirm", "")
        confirm = page.locator("form button[type=submit]", has_text="전환하기")
        if confirm.count():
            confirm.first.click()
            page.wait_for_load_state("networkidle")
            shot(page, "wallet-3-converted", "")
        context.close()
        reconcile()

        # --- residency (resident who has not declared yet) ---
        context, page = context_for(an)
        shot(page, "residency-1-status", "/accounts/residency/")
        shot(page, "residency-2-declare", "/accounts/residency/declare/")
        context.close()
        del jane  # Jane Doe's declaration waits in the staff queue below

        # --- staff ---
        context, page = context_for(staff)
        shot(page, "participation-7-staff", "/staff/participation/")
        shot(page, "wallet-4-staff", "/staff/wallet/")
        from dasan.wallet.models import Programme

        programme = Programme.objects.order_by("pk").first()
        if programme is not None:
            page.goto(f"{base}/staff/wallet/programmes/{programme.pk}/")
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            shot(page, "wallet-5-staff-burndown", "")
        shot(page, "wallet-6-reconciliation", "/staff/wallet/reconciliation/")
        shot(page, "residency-3-staff-queue", "/staff/residency/")
        context.close()
        browser.close()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18790")
