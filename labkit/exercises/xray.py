"""Checks for labs/xray."""
from __future__ import annotations

import json

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def _walk(entity):
    yield entity
    for child in entity.get("subsegments", []):
        yield from _walk(child)


def checkout_trace(trace_id: str, segment: str = "checkout", annotation: tuple[str, str] = ("customer", "c-42"),
                   subsegment: str = "charge-card") -> Verdict:
    """Trace ``trace_id`` has a segment ``segment`` with the indexed annotation ``annotation`` and a subsegment
    ``subsegment``."""
    expect(trace_id, "my_trace", str, "the trace ID of your checkout segment (segment.trace_id)")
    traces = current().client("xray").batch_get_traces(TraceIds=[trace_id])["Traces"]
    if not traces:
        return failed(f"The engine has no trace {trace_id}. Did the segment end (end_segment) so that the "
                      "emitter sent it?")
    documents = [json.loads(s["Document"]) for s in traces[0]["Segments"]]
    root = next((d for d in documents if d.get("name") == segment), None)
    if root is None:
        return failed(f"The trace has no segment named {segment!r}; it has {[d.get('name') for d in documents]}.")
    key, value = annotation
    if root.get("annotations", {}).get(key) != value:
        in_metadata = any(key in ns for ns in root.get("metadata", {}).values())
        return failed(f"The segment has no annotation {key} = {value!r}"
                      + (" (you put it in metadata, which X-Ray does not index: use put_annotation)." if in_metadata
                         else ". Use segment.put_annotation(...)."))
    names = [e.get("name") for d in documents for e in _walk(d) if e is not d]
    if subsegment not in names:
        return failed(f"No subsegment named {subsegment!r} under the segment; wrap the card call in "
                      f"recorder.in_subsegment({subsegment!r}).")
    return passed(f"A filter expression annotation.{key} = \"{value}\" would find this trace, and its "
                  f"{subsegment} subsegment shows how long the card call took.")
