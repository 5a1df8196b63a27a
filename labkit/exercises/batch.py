"""Checks for labs/batch."""
from __future__ import annotations

import json

from ..checks import Verdict, expect, failed, passed
from ..engines import current, moto_here


def sample(queue: str, status: str, source: str = "aws.batch") -> dict:
    return {"id": "7bf73129-1428-4cd3-a780-95db273d1602", "version": "0", "account": "123456789012",
            "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [],
            "source": source, "detail-type": "Batch Job State Change",
            "detail": {"jobName": "nightly", "jobId": "1", "jobQueue": queue, "status": status}}


def matches(pattern: dict, event: dict) -> bool:
    """EventBridge's verdict; where moto runs in this process (embedded and browser engines), moto's own matcher
    (its TestEventPattern is a stub)."""
    engine = current()
    if moto_here(engine):
        from moto.events.models import EventPattern

        return EventPattern.load(json.dumps(pattern)).matches_event(event)
    return engine.client("events").test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))["Result"]


def _scalar_leaf(pattern: dict, path: str = "") -> str | None:
    """The first key whose value is neither a list nor a dict (EventBridge wants lists of values), if any."""
    for key, value in pattern.items():
        where = f"{path}.{key}" if path else str(key)
        if isinstance(value, dict):
            found = _scalar_leaf(value, where)
            if found:
                return found
        elif not isinstance(value, list):
            return where
    return None


def failed_jobs_pattern(pattern, queue: str) -> Verdict:
    """``pattern`` matches FAILED Batch events of ``queue`` and nothing else among the samples."""
    expect(pattern, "my_pattern", dict, "an event pattern such as {'source': ['aws.batch'], ...}")
    scalar = _scalar_leaf(pattern)
    if scalar:
        return failed(f"In an event pattern every value is a list of allowed values (or a nested dict): write "
                      f"{scalar!r}: [...] rather than a single value.")
    cases = {
        "a FAILED job of your queue": (sample(queue, "FAILED"), True),
        "a SUCCEEDED job of your queue": (sample(queue, "SUCCEEDED"), False),
        "a FAILED job of another queue": (sample(queue.rsplit("/", 1)[0] + "/other-queue", "FAILED"), False),
        "a FAILED event from another source": (sample(queue, "FAILED", source="my.app"), False),
    }
    wrong = []
    for label, (event, expected) in cases.items():
        try:
            matched = matches(pattern, event)
        except Exception as exc:  # noqa: BLE001 - the matcher rejecting the pattern is the learner's to fix
            return failed(f"EventBridge would reject this pattern ({type(exc).__name__}: {exc}). Check its syntax "
                          "against the lab's examples.")
        if matched != expected:
            wrong.append(f"it {'does not match' if expected else 'also matches'} {label}")
    if wrong:
        return failed("Your pattern: " + "; ".join(wrong) + ". Every key of a pattern must match (AND); list the "
                      "allowed values of each key, and nest status and jobQueue under 'detail'.")
    return passed("Your rule would deliver exactly the failed jobs of your queue.")
