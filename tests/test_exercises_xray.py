"""The X-Ray lab's exercise check: a right answer passes, wrong answers fail with the right hint."""
from __future__ import annotations

import json
import os
import time

import labkit
from labkit.checks import evaluate
from labkit.exercises import xray as ex


def send(engine, annotations=None, metadata=None, subsegments=("charge-card",), name="checkout"):
    trace_id = f"1-{int(time.time()):08x}-{os.urandom(12).hex()}"
    now = time.time()
    document = {"id": os.urandom(8).hex(), "trace_id": trace_id, "name": name, "start_time": now,
                "end_time": now + 0.05, "annotations": annotations or {}, "metadata": metadata or {},
                "subsegments": [{"id": os.urandom(8).hex(), "name": s, "start_time": now, "end_time": now + 0.01}
                                for s in subsegments]}
    labkit.client("xray").put_trace_segments(TraceSegmentDocuments=[json.dumps(document)])
    return trace_id


def test_right_answer_passes(engine):
    assert ex.checkout_trace(send(engine, annotations={"customer": "c-42"})).passed


def test_metadata_instead_of_annotation_fails(engine):
    verdict = ex.checkout_trace(send(engine, metadata={"default": {"customer": "c-42"}}))
    assert not verdict.passed and "which X-Ray does not index" in verdict.message


def test_missing_subsegment_fails(engine):
    verdict = ex.checkout_trace(send(engine, annotations={"customer": "c-42"}, subsegments=("db",)))
    assert not verdict.passed and "No subsegment named 'charge-card'" in verdict.message


def test_wrong_segment_name_fails(engine):
    verdict = ex.checkout_trace(send(engine, annotations={"customer": "c-42"}, name="orders"))
    assert not verdict.passed and "no segment named 'checkout'" in verdict.message


def test_unknown_trace_fails(engine):
    verdict = ex.checkout_trace("1-00000000-000000000000000000000000")
    assert not verdict.passed and "has no trace" in verdict.message


def test_nothing_fails():
    assert "my_trace is still None" in evaluate(ex.checkout_trace, None).message
