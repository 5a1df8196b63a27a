"""SQS dead-letter queue redrive: StartMessageMoveTask moves a DLQ's messages back to their source queue."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import labkit


def _arn(sqs, url):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


@pytest.fixture
def queues(engine):
    sqs = labkit.client("sqs")
    dlq = sqs.create_queue(QueueName=labkit.name("conf-dlq"))["QueueUrl"]
    src = sqs.create_queue(QueueName=labkit.name("conf-src"), Attributes={
        "VisibilityTimeout": "0",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": 2})})["QueueUrl"]
    other = sqs.create_queue(QueueName=labkit.name("conf-other"))["QueueUrl"]
    yield sqs, src, dlq, other
    for url in (src, dlq, other):
        sqs.delete_queue(QueueUrl=url)


def _poison(sqs, src, body="poison"):
    sqs.send_message(QueueUrl=src, MessageBody=body)
    for _ in range(3):  # two receives, then the third finds ReceiveCount > maxReceiveCount and moves it
        sqs.receive_message(QueueUrl=src)


def test_move_task_without_destination_returns_messages_to_their_source(queues):
    """StartMessageMoveTask (Amazon SQS API Reference): "the destination queue can be the original source queue
    (from which the messages were driven to the dead-letter-queue)" — the default when DestinationArn is omitted;
    ListMessageMoveTasks reports the task with its counts."""
    sqs, src, dlq, _ = queues
    _poison(sqs, src)
    assert sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"] == "1"
    assert sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))["TaskHandle"]
    task = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"][0]
    assert task["Status"] in ("RUNNING", "COMPLETED") and task["SourceArn"] == _arn(sqs, dlq)
    got = sqs.receive_message(QueueUrl=src, VisibilityTimeout=30).get("Messages", [])
    assert [m["Body"] for m in got] == ["poison"]
    assert not sqs.receive_message(QueueUrl=dlq).get("Messages")


def test_move_task_to_a_custom_destination(queues):
    """StartMessageMoveTask: DestinationArn names "a custom destination queue"."""
    sqs, src, dlq, other = queues
    _poison(sqs, src, "to-other")
    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq), DestinationArn=_arn(sqs, other))
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=other).get("Messages", [])] == ["to-other"]
    assert sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"][0]["DestinationArn"] == _arn(sqs, other)


def test_a_queue_that_is_no_dead_letter_queue_is_refused(queues):
    """StartMessageMoveTask: "limited to supporting message redrive from queues that are configured as dead-letter
    queues (DLQs) of other Amazon SQS queues only"."""
    sqs, _, _, other = queues
    with pytest.raises(ClientError):
        sqs.start_message_move_task(SourceArn=_arn(sqs, other))


def test_moto_still_lacks_message_move_tasks(engine):
    """When this fails, moto implements the actions upstream and labkit.emulator.sqs can go."""
    from labkit.emulator import sqs as patch

    assert patch.moto_had_start_message_move_task is False
