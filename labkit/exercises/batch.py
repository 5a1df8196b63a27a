"""Checks for labs/batch."""
from __future__ import annotations

import json

from ..checks import Verdict, failed, passed
from ..engines import current


def sample(queue: str, status: str, source: str = "aws.batch") -> dict:
    return {"id": "7bf73129-1428-4cd3-a780-95db273d1602", "version": "0", "account": "123456789012",
            "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [],
            "source": source, "detail-type": "Batch Job State Change",
            "detail": {"jobName": "nightly", "jobId": "1", "jobQueue": queue, "status": status}}


def matches(pattern: dict, event: dict) -> bool:
    """EventBridge's verdict; on the embedded engine, moto's own matcher (its TestEventPattern is a stub)."""
    engine = current()
    if engine.name == "embedded":
        from moto.events.models import EventPattern

        return EventPattern.load(json.dumps(pattern)).matches_event(event)
    return engine.client("events").test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))["Result"]


def failed_jobs_pattern(pattern, queue: str) -> Verdict:
    """``pattern`` matches FAILED Batch events of ``queue`` and nothing else among the samples."""
    if not isinstance(pattern, dict) or not pattern:
        return failed("my_pattern must be a non-empty dict, e.g. {'source': ['aws.batch'], ...}.")
    cases = {
        "a FAILED job of your queue": (sample(queue, "FAILED"), True),
        "a SUCCEEDED job of your queue": (sample(queue, "SUCCEEDED"), False),
        "a FAILED job of another queue": (sample(queue.rsplit("/", 1)[0] + "/other-queue", "FAILED"), False),
        "a FAILED event from another source": (sample(queue, "FAILED", source="my.app"), False),
    }
    wrong = []
    for label, (event, expected) in cases.items():
        matched = matches(pattern, event)
        if matched != expected:
            wrong.append(f"it {'does not match' if expected else 'also matches'} {label}")
    if wrong:
        return failed("Not yet: " + "; ".join(wrong) + ". Every key of a pattern must match (AND); list the "
                      "allowed values of each key, and nest status and jobQueue under 'detail'.")
    return passed("Your rule would deliver exactly the failed jobs of your queue.")
