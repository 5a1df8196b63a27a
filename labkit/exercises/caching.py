"""Checks for labs/caching."""
from __future__ import annotations

from collections.abc import Callable

from ..checks import Verdict, expect, failed, passed

KEY = "check:greeting"


def _fresh_cache():
    """A new, empty Redis-protocol cache in this process (fakeredis), so the check never touches the lab's."""
    import fakeredis

    return fakeredis.FakeRedis(decode_responses=True)


def _raised(exc: Exception) -> str:
    return (f"Calling my_get(cache, key, load, ttl_seconds) raised {type(exc).__name__}: {exc}. Run it yourself "
            "on the lab's cache, e.g. my_get(cache, key('p001'), lambda: 'x', 30), and fix the line it names.")


def cache_aside(get) -> Verdict:
    """``get(cache, key, load, ttl_seconds)`` implements cache-aside for string values: a miss calls ``load()``
    once and stores its result with an expiry of ``ttl_seconds``; a hit returns the cached value without calling
    ``load`` ("Caching strategies", Amazon ElastiCache documentation: lazy loading, adding TTL)."""
    expect(get, "my_get", Callable, "a function my_get(cache, key, load, ttl_seconds)")
    cache, calls = _fresh_cache(), []

    def load():
        calls.append(1)
        return "hello from the table"

    try:
        first = get(cache, KEY, load, 30)
        second = get(cache, KEY, load, 30)
    except TypeError as exc:
        return failed(f"Calling my_get(cache, key, load, ttl_seconds) raised TypeError ({exc}). It takes four "
                      "arguments, and load is called with none: load().")
    except Exception as exc:  # noqa: BLE001 - an error raised by the learner's own function is a hint
        return failed(_raised(exc))
    if first != "hello from the table":
        return failed(f"On a miss my_get returned {first!r}: it should return what load() returned "
                      "('hello from the table').")
    if cache.get(KEY) is None:
        return failed("After a miss the value is not in the cache: store load()'s result with cache.set(key, "
                      "value, ex=ttl_seconds), so the next reader hits.")
    if len(calls) > 1:
        return failed(f"load() ran {len(calls)} times for two reads of the same key: the second read should be "
                      "a hit (check the cache with cache.get(key) first, and call load() only when it is None).")
    if second != first:
        return failed(f"The second read (a hit) returned {second!r} instead of the cached {first!r}.")
    ttl = cache.ttl(KEY)
    if ttl is None or ttl < 0:
        return failed("The cached value has no expiry, so it would be served stale forever: pass ex=ttl_seconds "
                      "(or px= in milliseconds) to cache.set.")
    if ttl > 30:
        return failed(f"The cached value expires in {ttl} s, but ttl_seconds was 30: use ex=ttl_seconds (seconds), "
                      "or px=ttl_seconds * 1000 (milliseconds).")
    remaining_ms = cache.pttl(KEY)
    if remaining_ms < 20_000:
        return failed(f"The cached value expires in {remaining_ms} ms, far sooner than ttl_seconds (30 s): use "
                      "ex=ttl_seconds (seconds), or px=ttl_seconds * 1000 (px counts milliseconds), and take the "
                      "expiry from the ttl_seconds argument rather than a fixed number.")
    cache.set(KEY, "updated in the cache", ex=30)
    try:
        third = get(cache, KEY, load, 30)
    except Exception as exc:  # noqa: BLE001 - an error raised by the learner's own function is a hint
        return failed(_raised(exc))
    if third != "updated in the cache":
        return failed("my_get ignored a value already in the cache and returned something else: on a hit, "
                      "return the cached value.")
    return passed("One load for two reads, and the value cached with an expiry: that is cache-aside with a TTL.")
