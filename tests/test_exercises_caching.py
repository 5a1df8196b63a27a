"""labkit.exercises.caching: right and wrong answers (the check uses its own in-process cache)."""
from __future__ import annotations

from labkit.checks import evaluate
from labkit.exercises import caching


def right(cache, key, load, ttl_seconds):
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, ex=ttl_seconds)
    return value


def test_right_answer_passes():
    verdict = evaluate(caching.cache_aside, right)
    assert verdict.passed, verdict.message


def test_milliseconds_ttl_passes():
    def with_px(cache, key, load, ttl_seconds):
        value = cache.get(key)
        if value is None:
            value = load()
            cache.set(key, value, px=ttl_seconds * 1000)
        return value

    assert evaluate(caching.cache_aside, with_px).passed


def test_no_expiry_is_a_hint():
    def forever(cache, key, load, ttl_seconds):
        value = cache.get(key)
        if value is None:
            value = load()
            cache.set(key, value)
        return value

    verdict = evaluate(caching.cache_aside, forever)
    assert verdict.kind == "failed" and "no expiry" in verdict.message


def test_never_caching_is_a_hint():
    verdict = evaluate(caching.cache_aside, lambda cache, key, load, ttl_seconds: load())
    assert verdict.kind == "failed" and "not in the cache" in verdict.message


def test_loading_every_time_is_a_hint():
    def always_load(cache, key, load, ttl_seconds):
        value = load()
        cache.set(key, value, ex=ttl_seconds)
        return value

    verdict = evaluate(caching.cache_aside, always_load)
    assert verdict.kind == "failed" and "load() ran 2 times" in verdict.message


def test_ttl_in_milliseconds_passed_as_seconds_is_a_hint():
    def too_long(cache, key, load, ttl_seconds):
        value = cache.get(key)
        if value is None:
            value = load()
            cache.set(key, value, ex=ttl_seconds * 1000)
        return value

    verdict = evaluate(caching.cache_aside, too_long)
    assert verdict.kind == "failed" and "ttl_seconds was 30" in verdict.message


def test_ttl_in_seconds_passed_as_milliseconds_is_a_hint():
    def too_short(cache, key, load, ttl_seconds):
        value = cache.get(key)
        if value is None:
            value = load()
            cache.set(key, value, px=ttl_seconds * 100)  # 3 s instead of 30 s: still cached while checked
        return value

    verdict = evaluate(caching.cache_aside, too_short)
    assert verdict.kind == "failed" and "far sooner than ttl_seconds" in verdict.message


def test_an_error_in_my_get_is_a_hint_not_our_bug():
    def broken(cache, key, load, ttl_seconds):
        value = cache.get(key)
        if value is None:
            value = load()
            cache.set(key, value, ex=0)  # Redis refuses an expiry of 0 seconds
        return value

    verdict = evaluate(caching.cache_aside, broken)
    assert verdict.kind == "failed" and "raised ResponseError" in verdict.message


def test_wrong_signature_is_a_hint():
    verdict = evaluate(caching.cache_aside, lambda cache, key: None)
    assert verdict.kind == "failed" and "four arguments" in verdict.message


def test_placeholder_is_a_hint():
    verdict = evaluate(caching.cache_aside, None)
    assert verdict.kind == "failed" and "my_get is still None" in verdict.message
