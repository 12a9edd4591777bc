"""Fixed-window rate limits on the configured cache (the database cache in tests)."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from dasan.core import ratelimit


@pytest.fixture
def frozen(monkeypatch):
    now = {"t": 1_800_000_000.0}  # a multiple of 60, 600 and 3600: a window starts here
    monkeypatch.setattr(ratelimit, "_now", lambda: now["t"])
    return now


@pytest.fixture(params=["db", "locmem"])
def cache(request, db):
    if request.param == "db":
        from django.core.management import call_command

        call_command("createcachetable", verbosity=0)
        backend = caches["default"]
        backend.clear()
        return backend
    return LocMemCache("ratelimit-test", {})


def test_allows_up_to_limit_then_blocks(cache, frozen):
    results = [ratelimit.hit("otp:01012345678", limit=3, window=60, cache=cache) for _ in range(4)]
    assert [r.allowed for r in results] == [True, True, True, False]
    assert [r.remaining for r in results] == [2, 1, 0, 0]
    assert results[0].retry_after == 0
    assert results[3].retry_after == 60


def test_retry_after_counts_down_and_window_resets(cache, frozen):
    for _ in range(2):
        ratelimit.hit("login:kim", limit=1, window=60, cache=cache)
    frozen["t"] += 45
    assert ratelimit.hit("login:kim", limit=1, window=60, cache=cache).retry_after == 15
    frozen["t"] += 15  # next window
    result = ratelimit.hit("login:kim", limit=1, window=60, cache=cache)
    assert result.allowed and result.remaining == 0


def test_keys_are_independent(cache, frozen):
    assert ratelimit.hit("a", limit=1, window=60, cache=cache).allowed
    assert not ratelimit.hit("a", limit=1, window=60, cache=cache).allowed
    assert ratelimit.hit("b", limit=1, window=60, cache=cache).allowed


def test_reset(cache, frozen):
    for _ in range(3):
        ratelimit.hit("otp:x", limit=2, window=600, cache=cache)
    assert not ratelimit.peek("otp:x", limit=2, window=600, cache=cache).allowed
    ratelimit.reset("otp:x", cache=cache)
    assert ratelimit.peek("otp:x", limit=2, window=600, cache=cache).remaining == 2
    assert ratelimit.hit("otp:x", limit=2, window=600, cache=cache).allowed


def test_long_window_survives_backend_default_timeout(cache, frozen):
    # The database cache's incr would re-set a key with the 300 s default timeout;
    # our counter must still be there ten minutes into an hour-long window.
    ratelimit.hit("daily", limit=2, window=3600, cache=cache)
    ratelimit.hit("daily", limit=2, window=3600, cache=cache)
    counter, _bucket = ratelimit._counter_key(cache, "daily", 3600, frozen["t"])
    if hasattr(cache, "_base_set") and hasattr(cache, "_table"):  # database cache: read the stored expiry
        from django.db import connection
        from django.utils import timezone

        with connection.cursor() as cursor:
            cursor.execute(f"SELECT expires FROM {cache._table} WHERE cache_key = %s", [cache.make_key(counter)])
            expires = cursor.fetchone()[0]
        if isinstance(expires, str):
            import datetime as dt

            expires = dt.datetime.fromisoformat(expires)
        if timezone.is_naive(expires):
            expires = timezone.make_aware(expires, timezone.get_fixed_timezone(0))
        assert (expires - timezone.now()).total_seconds() > 3000
    assert not ratelimit.hit("daily", limit=2, window=3600, cache=cache).allowed


def test_unusual_keys_are_hashed(cache, frozen):
    key = "민원 접수 010-1234-5678 " + "x" * 300
    assert ratelimit._base(key).startswith("rl:h:")
    assert "010" not in ratelimit._base(key)
    assert ratelimit.hit(key, limit=1, window=60, cache=cache).allowed
    assert not ratelimit.hit(key, limit=1, window=60, cache=cache).allowed


def test_default_cache_is_used(db, frozen):
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)
    ratelimit.reset("default-cache-key")
    assert ratelimit.hit("default-cache-key", limit=1, window=60).allowed
    assert not ratelimit.hit("default-cache-key", limit=1, window=60).allowed


def test_zero_limit_blocks_everything(cache, frozen):
    assert not ratelimit.hit("closed", limit=0, window=60, cache=cache).allowed


def test_bad_arguments():
    with pytest.raises(ValueError):
        ratelimit.hit("k", limit=1, window=0)
