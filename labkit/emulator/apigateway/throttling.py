"""Stage and method throttling: a token bucket per method of a stage, from the stage's method settings.

AWS ("Throttle requests to your REST APIs for better throughput in API Gateway"): throttling uses the token bucket
algorithm; per-API, per-stage limits apply at the method level — the stage default (method settings ``*/*``) or a
method's own override (``~1pets/GET``: the resource path with ``/`` escaped as ``~1``, then the method) — and a
request over the rate and burst gets ``429 Too Many Requests``. Stage settings apply at once, without a deployment.
The account-level limit (10,000 requests per second by default) is not modelled.
"""
from __future__ import annotations

import threading
import time

from .routing import Reply


def setting_key(resource_path: str, http_method: str) -> str:
    """The method-settings key of a method: ``/pets/{id}`` GET → ``~1pets~1{id}/GET``."""
    return f"{resource_path.replace('~', '~0').replace('/', '~1')}/{http_method}"


class StageThrottles:
    """Token buckets of every (API, stage, method) with throttling settings, for one engine."""

    def __init__(self):
        self.lock = threading.Lock()
        self.buckets: dict[tuple[str, str, str], list[float]] = {}  # -> [tokens, last refill]

    def check(self, api_id: str, stage, resource_path: str, http_method: str) -> None:
        """Raise :class:`Reply` 429 when the method's bucket on ``stage`` is empty; take a token otherwise."""
        settings = getattr(stage, "method_settings", None) or {}
        key = setting_key(resource_path, http_method)
        chosen = settings.get(key) or settings.get("*/*")
        if not chosen:
            return
        rate, burst = chosen.get("throttlingRateLimit"), chosen.get("throttlingBurstLimit")
        if rate is None and burst is None:
            return
        rate = float(rate if rate is not None else burst)
        capacity = float(burst if burst is not None else max(rate, 1))
        now = time.monotonic()
        bucket_id = (api_id, stage.name, key)
        with self.lock:
            tokens, last = self.buckets.get(bucket_id, [capacity, now])
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens < 1:
                self.buckets[bucket_id] = [tokens, now]
                raise Reply(429, {"message": "Too Many Requests"}, f"stage {stage.name!r} throttles {key}: "
                            f"{rate:g} requests/s, burst {capacity:g}", kind="THROTTLED")
            self.buckets[bucket_id] = [tokens - 1, now]
