"""Fixed-window rate limits over the Django cache (Redis in production, the
database cache in the embedded set-up), shared by every process.

    result = ratelimit.hit(f"otp:{phone}", limit=5, window=600)
    if not result.allowed:
        raise RateLimited(result.retry_after)

Windows are aligned to the clock (``window`` seconds since the epoch), and the
window's number is part of the cache key, so a counter can never leak into the
next window whatever the backend does with expiry times. A key should always
be used with the same ``window``.

On the database cache increments are a read and a write, so two processes
hitting the same key in the same instant may count once; limits there are
approximate under heavy concurrency, exact on Redis (atomic INCR).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import time

from django.core.cache import cache as default_cache

__all__ = ["Result", "hit", "reset", "peek"]

_SAFE_KEY = re.compile(r"^[A-Za-z0-9_.:@-]{1,150}$")


@dataclasses.dataclass(frozen=True)
class Result:
    """Outcome of a hit: whether it is allowed, how many more hits the window
    allows, and after how many seconds the window resets (0 when allowed)."""

    allowed: bool
    remaining: int
    retry_after: int


def _base(key: str) -> str:
    # Memcached-style backends reject spaces and long keys; raw phone numbers in
    # keys would also end up in Redis dumps. Hash anything unusual.
    if _SAFE_KEY.match(key):
        return f"rl:{key}"
    return "rl:h:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


def _now() -> float:
    return time.time()


def _generation(cache, base: str) -> int:
    return cache.get(f"{base}:gen", 0)


def _atomic_incr(cache) -> bool:
    name = type(cache).__name__
    return name in {"RedisCache", "LocMemCache", "PyMemcacheCache", "PyLibMCCache"}


def _counter_key(cache, key: str, window: int, now: float) -> tuple[str, int]:
    base = _base(key)
    bucket = int(now // window)
    return f"{base}:{_generation(cache, base)}:{window}:{bucket}", bucket


def hit(key: str, *, limit: int, window: int, cache=None) -> Result:
    """Count one hit on ``key`` and say whether it is within ``limit`` hits per
    ``window`` seconds. Hits beyond the limit are counted too (a client that
    keeps hammering stays blocked until the window ends)."""
    if limit < 0 or window <= 0:
        raise ValueError("limit must be >= 0 and window > 0")
    cache = cache or default_cache
    window = int(window)
    now = _now()
    counter, bucket = _counter_key(cache, key, window, now)
    window_end = (bucket + 1) * window
    ttl = max(1, math.ceil(window_end - now)) + 1
    if cache.add(counter, 1, timeout=ttl):
        count = 1
    elif _atomic_incr(cache):
        try:
            count = cache.incr(counter)
        except ValueError:  # expired between add and incr
            cache.set(counter, 1, timeout=ttl)
            count = 1
    else:
        # BaseCache.incr would re-set the key with the default timeout,
        # cutting long windows short; write it back with our own.
        count = int(cache.get(counter) or 0) + 1
        cache.set(counter, count, timeout=ttl)
    allowed = count <= limit
    return Result(
        allowed=allowed,
        remaining=max(0, limit - count),
        retry_after=0 if allowed else max(1, math.ceil(window_end - now)),
    )


def peek(key: str, *, limit: int, window: int, cache=None) -> Result:
    """The state of ``key`` without counting a hit."""
    cache = cache or default_cache
    now = _now()
    counter, bucket = _counter_key(cache, key, int(window), now)
    count = int(cache.get(counter) or 0)
    allowed = count < limit
    return Result(
        allowed=allowed,
        remaining=max(0, limit - count),
        retry_after=0 if allowed else max(1, math.ceil((bucket + 1) * window - now)),
    )


def reset(key: str, *, cache=None) -> None:
    """Forget every count on ``key`` (e.g. after a successful sign-in).

    Counters of all windows are dropped at once by moving the key to a new
    generation; the old counters expire on their own.
    """
    cache = cache or default_cache
    # A fresh, unique generation (no increment: BaseCache.incr would re-set the
    # key with the default 5-minute timeout on the database cache). Kept a week,
    # longer than any sensible window.
    cache.set(f"{_base(key)}:gen", time.time_ns(), timeout=7 * 24 * 3600)
