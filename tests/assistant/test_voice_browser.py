"""The microphone in a real browser: Debian's Chromium records a clip through its fake
audio device (our espeak-ng clip played as the microphone), voice.js uploads it, and the
transcript lands in the question box, unsent."""

from __future__ import annotations

import os
import re
import wave
from pathlib import Path

import pytest

from dasan.assistant import voice

CHROMIUM = Path("/usr/bin/chromium")
AUDIO = Path(__file__).parent / "audio"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@pytest.fixture
def microphone_clip(tmp_path) -> Path:
    """The shipped clip as the WAV file Chromium's fake microphone plays (once, no loop)."""
    pcm, _ = voice.decode((AUDIO / "question.ogg").read_bytes(), "audio/ogg")
    path = tmp_path / "microphone.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(voice.SAMPLE_RATE)
        out.writeframes(b"\0\0" * 8000 + pcm + b"\0\0" * 16000)  # half a second before, a second after
    return path


@pytest.fixture
def page_with_microphone(monkeypatch, microphone_clip):
    playwright_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone_clip}%noloop",
    ]
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args, headless=True)
        context = browser.new_context(locale="ko-KR")
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def test_resident_speaks_a_question_and_checks_it_before_sending(live_server, page_with_microphone, city):
    from dasan.assistant.models import Turn

    page = page_with_microphone
    page.goto(f"{live_server.url}/assistant/")
    classes = page.locator("html").get_attribute("class") or ""
    assert "can-record" in classes and "can-speak" in classes
    assert page.get_by_role("button", name="말로 묻기").is_visible()
    mic = page.locator(".assistant__mic")

    mic.click()
    page.get_by_text(re.compile("듣고 있습니다")).wait_for()
    assert mic.get_attribute("aria-pressed") == "true"
    page.wait_for_timeout(6_500)  # the clip plays for about 5.3 s
    page.get_by_role("button", name="녹음 끝내기").click()

    page.get_by_text("말씀하신 내용을 글로 옮겼습니다", exact=False).wait_for()
    question = page.locator("#assistant-question")
    text = question.input_value()
    # Chromium re-encodes the clip (and runs its noise suppression on it), so the words
    # differ from the direct upload's; this test is about the page, not about accuracy.
    hangul = [ch for ch in text if "\uac00" <= ch <= "\ud7a3"]
    assert len(text.split()) >= 4 and len(hangul) >= 0.8 * len([ch for ch in text if ch.isalpha()])
    assert page.evaluate("document.activeElement.id") == "assistant-question"
    assert mic.get_attribute("aria-pressed") == "false"
    assert not Turn.objects.exists()  # shown to the resident, not asked
    if folder := os.environ.get("DASAN_SCREENSHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / "assistant-voice-transcript.png"), full_page=False)


def test_escape_cancels_a_recording(live_server, page_with_microphone, city):
    page = page_with_microphone
    page.goto(f"{live_server.url}/assistant/")
    page.get_by_role("button", name="말로 묻기").click()
    page.get_by_text(re.compile("듣고 있습니다")).wait_for()
    page.keyboard.press("Escape")
    page.get_by_text("녹음을 취소했습니다.").wait_for()
    assert page.locator("#assistant-question").input_value() == ""
