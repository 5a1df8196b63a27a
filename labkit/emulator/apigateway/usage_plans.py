"""API keys and usage plans: ``apiKeyRequired``, a plan's throttle (token bucket) and its quota.

A method with ``apiKeyRequired`` needs an ``x-api-key`` header naming an enabled key that belongs to a usage plan
of this API and stage, else ``403 Forbidden``. The plan's throttle (``rateLimit`` requests per second refilling a
bucket of ``burstLimit``) and quota (``limit`` per DAY, WEEK or MONTH, in UTC) answer ``429``. Plans and keys apply
at once (they are not part of a deployment).
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from .routing import Reply

QUOTA_PERIODS = ("DAY", "WEEK", "MONTH")


class UsagePlans:
    """Throttle buckets and quota counters of every (plan, key), for one engine."""

    def __init__(self):
        self.lock = threading.Lock()
        self.buckets: dict[tuple[str, str], list[float]] = {}   # (plan, key) -> [tokens, last refill]
        self.quotas: dict[tuple[str, str, str], int] = {}       # (plan, key, period start) -> requests

    def check_api_key(self, backend, api_id: str, stage: str, value: str | None) -> str:
        """The key value if ``value`` may call ``api_id``/``stage`` now; raises :class:`Reply` 403 or 429."""
        if not value:
            raise Reply(403, {"message": "Forbidden"}, "the method requires an API key: send x-api-key",
                        kind="INVALID_API_KEY")
        key = next((k for k in list(backend.keys.values()) if k.value == value), None)
        if key is None or not key.enabled:
            raise Reply(403, {"message": "Forbidden"}, "unknown or disabled API key", kind="INVALID_API_KEY")
        plans = [p for p in list(backend.usage_plans.values())
                 if any(s.get("apiId") == api_id and s.get("stage") == stage for s in p.api_stages)
                 and key.id in backend.usage_plan_keys.get(p.id, {})]
        if not plans:
            raise Reply(403, {"message": "Forbidden"}, "the API key is in no usage plan of this API and stage",
                        kind="INVALID_API_KEY")
        plan = plans[0]
        self.throttle(plan, key.id)
        self.count_quota(plan, key.id)
        return value

    def throttle(self, plan, key_id: str) -> None:
        rate = plan.throttle.get("rateLimit")
        burst = plan.throttle.get("burstLimit")
        if rate is None and burst is None:
            return
        rate = float(rate if rate is not None else burst)
        capacity = float(burst if burst is not None else max(rate, 1))
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get((plan.id, key_id), [capacity, now])
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens < 1:
                self.buckets[(plan.id, key_id)] = [tokens, now]
                raise Reply(429, {"message": "Too Many Requests"}, f"usage plan throttle: {rate:g} requests/s, "
                            f"burst {capacity:g}", kind="THROTTLED")
            self.buckets[(plan.id, key_id)] = [tokens - 1, now]

    def count_quota(self, plan, key_id: str) -> None:
        limit, period = plan.quota.get("limit"), str(plan.quota.get("period", "DAY")).upper()
        if limit is None:
            return
        today = datetime.now(timezone.utc).date()
        start = {"DAY": today, "WEEK": today.fromordinal(today.toordinal() - today.weekday()),
                 "MONTH": today.replace(day=1)}.get(period, today)
        with self.lock:
            used = self.quotas.get((plan.id, key_id, str(start)), 0)
            if used >= int(limit):
                raise Reply(429, {"message": "Limit Exceeded"}, f"usage plan quota: {limit} requests per {period}",
                            kind="QUOTA_EXCEEDED")
            self.quotas[(plan.id, key_id, str(start))] = used + 1
