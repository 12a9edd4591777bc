"""Progress bars for long command-line jobs (index builds, training, imports).

``stage_bars()`` returns a ``progress(stage, done, total)`` callback that the
services accept: one tqdm bar per named stage, on stderr so that a command's
output stays clean for pipes, closed when the stage completes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

Progress = Callable[[str, int, int], None]


def stage_bars(stream=None) -> Progress | None:
    """A progress callback drawing one bar per stage, or None when tqdm is missing."""
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency; stay usable without it
        return None
    out = stream or sys.stderr
    bars: dict = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None or bar.total != total:
            if bar is not None:
                bar.close()
            bar = bars[stage] = tqdm(total=total, desc=stage, file=out, leave=False)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()
            bars.pop(stage, None)

    return progress
