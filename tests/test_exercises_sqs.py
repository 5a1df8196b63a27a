"""labkit.exercises.sqs: right and wrong answers, on the embedded engine."""
from __future__ import annotations

import json

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import sqs as exercise


@pytest.fixture
def make_queue(engine):
    sqs = labkit.client("sqs")
    made = []

    def make(wait="20", visibility="120", count=4, dlq=True, delete_dlq=False):
        attributes = {"ReceiveMessageWaitTimeSeconds": wait, "VisibilityTimeout": visibility}
        if dlq:
            dlq_url = sqs.create_queue(QueueName=labkit.name("ex-dlq"))["QueueUrl"]
            made.append(dlq_url)
            arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": count})
        url = sqs.create_queue(QueueName=labkit.name("ex-orders"), Attributes=attributes)["QueueUrl"]
        made.append(url)
        if dlq and delete_dlq:
            sqs.delete_queue(QueueUrl=made[-2])
        return url

    yield make
    for url in made:
        try:
            sqs.delete_queue(QueueUrl=url)
        except Exception:  # noqa: BLE001 - already deleted by the test
            pass


def test_right_answer_passes(make_queue):
    verdict = evaluate(exercise.consumer_queue, make_queue())
    assert verdict.passed, verdict.message


def test_visibility_equal_to_the_timeout_passes(make_queue):
    assert evaluate(exercise.consumer_queue, make_queue(visibility="20")).passed


def test_short_polling_fails(make_queue):
    verdict = evaluate(exercise.consumer_queue, make_queue(wait="0"))
    assert verdict.kind == "failed" and "ReceiveMessageWaitTimeSeconds is 0" in verdict.message


def test_visibility_shorter_than_function_timeout_fails(make_queue):
    verdict = evaluate(exercise.consumer_queue, make_queue(visibility="10"))
    assert verdict.kind == "failed" and "VisibilityTimeout is 10 s" in verdict.message


def test_no_dead_letter_queue_fails(make_queue):
    verdict = evaluate(exercise.consumer_queue, make_queue(dlq=False))
    assert verdict.kind == "failed" and "no RedrivePolicy" in verdict.message


def test_wrong_receive_count_fails(make_queue):
    verdict = evaluate(exercise.consumer_queue, make_queue(count=10))
    assert verdict.kind == "failed" and "maxReceiveCount is 10" in verdict.message


def test_deleted_dead_letter_queue_fails(make_queue):
    verdict = evaluate(exercise.consumer_queue, make_queue(delete_dlq=True))
    assert verdict.kind == "failed" and "no longer exists" in verdict.message


def test_queue_that_is_its_own_dead_letter_queue_fails(make_queue):
    sqs = labkit.client("sqs")
    url = make_queue(dlq=False)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 4})})
    verdict = evaluate(exercise.consumer_queue, url)
    assert verdict.kind == "failed" and "the queue's own ARN" in verdict.message, verdict.message


def test_placeholder_and_missing_queue_are_hints(make_queue):
    assert "my_queue_url is still None" in evaluate(exercise.consumer_queue, None).message
    assert "not a queue URL" in evaluate(exercise.consumer_queue, "orders").message
    url = make_queue(dlq=False)
    labkit.client("sqs").delete_queue(QueueUrl=url)
    verdict = evaluate(exercise.consumer_queue, url)
    assert verdict.kind == "failed" and "No queue answers" in verdict.message
