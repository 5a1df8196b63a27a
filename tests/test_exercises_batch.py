"""labkit.exercises.batch: right and wrong answers, on the embedded engine."""
from __future__ import annotations

from labkit.checks import evaluate
from labkit.exercises import batch

QUEUE = "arn:aws:batch:us-east-1:123456789012:job-queue/nightly"


def test_right_answer_passes(engine):
    pattern = {"source": ["aws.batch"], "detail-type": ["Batch Job State Change"],
               "detail": {"jobQueue": [QUEUE], "status": ["FAILED"]}}
    verdict = evaluate(batch.failed_jobs_pattern, pattern, QUEUE)
    assert verdict.passed, verdict.message


def test_missing_status_fails(engine):
    pattern = {"source": ["aws.batch"], "detail": {"jobQueue": [QUEUE]}}
    verdict = evaluate(batch.failed_jobs_pattern, pattern, QUEUE)
    assert not verdict.passed and "also matches a SUCCEEDED job of your queue" in verdict.message


def test_status_at_top_level_fails(engine):
    pattern = {"source": ["aws.batch"], "status": ["FAILED"]}
    verdict = evaluate(batch.failed_jobs_pattern, pattern, QUEUE)
    assert not verdict.passed and "does not match a FAILED job of your queue" in verdict.message


def test_no_source_fails(engine):
    verdict = evaluate(batch.failed_jobs_pattern, {"detail": {"jobQueue": [QUEUE], "status": ["FAILED"]}}, QUEUE)
    assert not verdict.passed and "another source" in verdict.message


def test_not_a_dict_fails(engine):
    verdict = evaluate(batch.failed_jobs_pattern, None, QUEUE)
    assert verdict.kind == "failed" and "my_pattern is still None" in verdict.message
    verdict = evaluate(batch.failed_jobs_pattern, {"source": "aws.batch"}, QUEUE)
    assert verdict.kind == "failed" and "list of allowed values" in verdict.message
