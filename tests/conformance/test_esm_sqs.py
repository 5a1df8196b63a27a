"""SQS event source mappings on the embedded engine behave as AWS documents.

Pages: "Using Lambda with Amazon SQS", "Handling errors for an SQS event source in Lambda", "Lambda event source
mappings". Visibility timeouts are the queue's own (1 s here, so that retries come quickly).
"""
from __future__ import annotations

import hashlib
import json
import time

import botocore.exceptions
import pytest

import labkit
from _esm import delete_mappings, Recorder, counts, drain, queue, wait_idle  # delete_mappings: autouse




@pytest.fixture
def clients(engine):
    return labkit.client("lambda"), labkit.client("sqs")


def _map(lam, recorder, arn, **settings):
    return lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=recorder.arn, **settings)["UUID"]


def _enable(lam, uuid):
    lam.update_event_source_mapping(UUID=uuid, Enabled=True)


def test_send_message_returns_at_once(clients):
    """Using Lambda with Amazon SQS: Lambda polls the queue; the producer's SendMessage does not wait for the
    function (moto ran the function inside SendMessage)."""
    lam, sqs = clients
    fn = Recorder(lam, mode="sleep", SLEEP=1.5)
    url, arn = queue(sqs)
    _map(lam, fn, arn)
    began = time.perf_counter()
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    assert time.perf_counter() - began < 0.5
    assert len(fn.wait_calls(1)) == 1


def test_batch_of_records_in_the_sqs_event_shape(clients):
    """Using Lambda with Amazon SQS: one invocation per batch; each record has messageId, receiptHandle, body,
    attributes (ApproximateReceiveCount, SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp),
    messageAttributes, md5OfBody, eventSource aws:sqs, eventSourceARN and awsRegion; processed messages are
    deleted."""
    lam, sqs = clients
    fn = Recorder(lam)
    url, arn = queue(sqs)
    uuid = _map(lam, fn, arn, BatchSize=10, Enabled=False)
    entries = [{"Id": str(i), "MessageBody": f"order {i}",
                "MessageAttributes": {"priority": {"DataType": "String", "StringValue": "high"}}} for i in range(4)]
    sent = sqs.send_message_batch(QueueUrl=url, Entries=entries)["Successful"]
    _enable(lam, uuid)
    wait_idle()
    batches = fn.batches()
    assert len(batches) == 1 and len(batches[0]) == 4
    record = batches[0][0]
    assert set(record) == {"messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody",
                           "eventSource", "eventSourceARN", "awsRegion"}
    assert {r["messageId"] for r in batches[0]} == {s["MessageId"] for s in sent}
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == arn
    assert record["awsRegion"] == arn.split(":")[3]
    assert set(record["attributes"]) == {"ApproximateReceiveCount", "SentTimestamp", "SenderId",
                                         "ApproximateFirstReceiveTimestamp"}
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert abs(int(record["attributes"]["SentTimestamp"]) / 1000 - time.time()) < 60
    assert record["messageAttributes"] == {"priority": {"stringValue": "high", "stringListValues": [],
                                                        "binaryListValues": [], "dataType": "String"}}
    assert record["md5OfBody"] == hashlib.md5(record["body"].encode()).hexdigest()
    assert counts(sqs, url) == (0, 0)


def test_batch_size_limits_each_invocation(clients):
    """Using Lambda with Amazon SQS: BatchSize is the most records sent to the function in one call."""
    lam, sqs = clients
    fn = Recorder(lam)
    url, arn = queue(sqs)
    uuid = _map(lam, fn, arn, BatchSize=3, Enabled=False)
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(7)])
    _enable(lam, uuid)
    wait_idle()
    sizes = [len(b) for b in fn.batches()]
    assert sum(sizes) == 7 and max(sizes) == 3 and len(sizes) == 3


def test_batching_window_gathers_records(clients):
    """Using Lambda with Amazon SQS: with MaximumBatchingWindowInSeconds, Lambda keeps polling until the window
    ends or the batch is full before it invokes the function."""
    lam, sqs = clients
    fn = Recorder(lam)
    url, arn = queue(sqs)
    _map(lam, fn, arn, BatchSize=10, MaximumBatchingWindowInSeconds=1)
    sqs.send_message(QueueUrl=url, MessageBody="first")
    time.sleep(0.3)
    sqs.send_message(QueueUrl=url, MessageBody="second")
    calls = fn.wait_calls(1)
    time.sleep(0.3)
    assert [[r["body"] for r in b] for b in fn.batches()] == [["first", "second"]]
    assert len(calls) == 1


def test_batch_size_over_ten_needs_a_window(clients):
    """Using Lambda with Amazon SQS: for a batch size over 10, MaximumBatchingWindowInSeconds must be at least 1."""
    lam, sqs = clients
    fn = Recorder(lam)
    _, arn = queue(sqs)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        _map(lam, fn, arn, BatchSize=50)
    assert error.value.response["Error"]["Code"] == "InvalidParameterValueException"
    _map(lam, fn, arn, BatchSize=50, MaximumBatchingWindowInSeconds=1)


def test_failed_batch_returns_after_the_visibility_timeout(clients):
    """Handling errors for an SQS event source in Lambda: when the function fails, the messages stay in the queue
    and reappear after the visibility timeout (moto made them visible at once)."""
    lam, sqs = clients
    fn = Recorder(lam, mode="raise")
    url, arn = queue(sqs, VisibilityTimeout=1)
    _map(lam, fn, arn)
    sqs.send_message(QueueUrl=url, MessageBody="bad order")
    first = fn.wait_calls(1)
    time.sleep(0.2)
    assert counts(sqs, url) == (0, 1)  # in flight, not deleted
    calls = fn.wait_calls(2)
    assert len(calls) >= 2
    # The clock starts at the receive that hid the message, not at the first call: that call begins later by the
    # function's start-up (over 0.3 s on a loaded machine). ApproximateFirstReceiveTimestamp is that receive, in
    # whole milliseconds rounded down (moto, and the function, read the same system clock).
    received = int(first[0]["event"]["Records"][0]["attributes"]["ApproximateFirstReceiveTimestamp"]) / 1000
    assert calls[1]["at"] - received >= 1.0 - 0.001  # the queue's 1 s visibility timeout, to the millisecond
    assert calls[1]["event"]["Records"][0]["attributes"]["ApproximateReceiveCount"] == "2"


def test_dead_letter_queue_after_max_receive_count(clients):
    """Using Lambda with Amazon SQS: after maxReceiveCount failed receives, the queue's redrive policy moves the
    message to its dead-letter queue."""
    lam, sqs = clients
    fn = Recorder(lam, mode="raise")
    dlq_url, dlq_arn = queue(sqs, "esm-dlq")
    url, arn = queue(sqs, VisibilityTimeout=1,
                     RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}))
    _map(lam, fn, arn)
    sqs.send_message(QueueUrl=url, MessageBody="bad order")
    moved = drain(sqs, dlq_url, 1, timeout=10)
    assert [m["Body"] for m in moved] == ["bad order"]
    assert len(fn.calls()) == 2
    assert counts(sqs, url) == (0, 0)


def test_report_batch_item_failures_keeps_only_the_failed(clients):
    """Handling errors for an SQS event source in Lambda: with ReportBatchItemFailures, only the messages named in
    batchItemFailures become visible again; the others are deleted."""
    lam, sqs = clients
    fn = Recorder(lam, mode="report")
    url, arn = queue(sqs, VisibilityTimeout=1)
    uuid = _map(lam, fn, arn, FunctionResponseTypes=["ReportBatchItemFailures"], Enabled=False)
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "good 1"},
                                                   {"Id": "2", "MessageBody": "bad 2"},
                                                   {"Id": "3", "MessageBody": "good 3"}])
    _enable(lam, uuid)
    fn.wait_calls(1)
    time.sleep(0.3)
    assert counts(sqs, url) == (0, 1)
    calls = fn.wait_calls(2)
    assert [r["body"] for r in calls[1]["event"]["Records"]] == ["bad 2"]


def test_batch_item_failures_ignored_without_the_setting(clients):
    """Handling errors for an SQS event source in Lambda: batchItemFailures count only when the mapping's
    FunctionResponseTypes include ReportBatchItemFailures; otherwise a returned batch is a success."""
    lam, sqs = clients
    fn = Recorder(lam, mode="report")
    url, arn = queue(sqs, VisibilityTimeout=1)
    uuid = _map(lam, fn, arn, Enabled=False)
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "good"},
                                                   {"Id": "2", "MessageBody": "bad"}])
    _enable(lam, uuid)
    wait_idle()
    assert counts(sqs, url) == (0, 0)
    assert len(fn.calls()) == 1


@pytest.mark.parametrize("response", [{"batchItemFailures": [{"itemIdentifier": "not-a-message-id"}]},
                                      {"batchItemFailures": [{"itemIdentifier": ""}]},
                                      {"batchItemFailures": [{"messageId": "x"}]}],
                         ids=["unknown-id", "empty-id", "bad-key"])
def test_invalid_batch_item_failures_fail_the_whole_batch(clients, response):
    """Handling errors for an SQS event source in Lambda: an itemIdentifier that is empty, has a bad key name or
    names a message not in the batch makes the whole batch a failure."""
    lam, sqs = clients
    fn = Recorder(lam, mode="respond", RESPONSE=json.dumps(response))
    url, arn = queue(sqs, VisibilityTimeout=5)
    uuid = _map(lam, fn, arn, FunctionResponseTypes=["ReportBatchItemFailures"], Enabled=False)
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "a"}, {"Id": "2", "MessageBody": "b"}])
    _enable(lam, uuid)
    fn.wait_calls(1)
    time.sleep(0.3)
    assert counts(sqs, url) == (0, 2)


def test_empty_batch_item_failures_is_a_success(clients):
    """Handling errors for an SQS event source in Lambda: an empty batchItemFailures list is a complete success."""
    lam, sqs = clients
    fn = Recorder(lam, mode="respond", RESPONSE=json.dumps({"batchItemFailures": []}))
    url, arn = queue(sqs, VisibilityTimeout=5)
    _map(lam, fn, arn, FunctionResponseTypes=["ReportBatchItemFailures"])
    sqs.send_message(QueueUrl=url, MessageBody="a")
    fn.wait_calls(1)
    wait_idle()
    assert counts(sqs, url) == (0, 0)


def test_deleted_or_disabled_mapping_stops_polling(clients):
    """Lambda event source mappings: a disabled mapping pauses polling; a deleted one stops it."""
    lam, sqs = clients
    fn = Recorder(lam)
    url, arn = queue(sqs)
    uuid = _map(lam, fn, arn)
    lam.update_event_source_mapping(UUID=uuid, Enabled=False)
    sqs.send_message(QueueUrl=url, MessageBody="while disabled")
    time.sleep(0.4)
    assert fn.calls() == [] and counts(sqs, url) == (1, 0)
    _enable(lam, uuid)
    assert len(fn.wait_calls(1)) == 1
    lam.delete_event_source_mapping(UUID=uuid)
    time.sleep(0.2)
    sqs.send_message(QueueUrl=url, MessageBody="after delete")
    time.sleep(0.4)
    assert len(fn.calls()) == 1 and counts(sqs, url) == (1, 0)


def test_pollers_stop_with_the_engine_and_resume(clients):
    """Lambda event source mappings: the mapping, not the caller, polls; in the engine the pollers are threads
    that stop with the last embedded engine (stop_all) and start again with the next (resume_all)."""
    from labkit.emulator import event_sources

    lam, sqs = clients
    fn = Recorder(lam)
    url, arn = queue(sqs)
    uuid = _map(lam, fn, arn)
    assert uuid in {p.uuid for p in event_sources.pollers()}
    event_sources.stop_all()
    try:
        assert event_sources.pollers() == []
        sqs.send_message(QueueUrl=url, MessageBody="queued while stopped")
        time.sleep(0.3)
        assert fn.calls() == []
    finally:
        event_sources.resume_all()
    fn.wait_calls(1)
    assert [r["body"] for b in fn.batches() for r in b] == ["queued while stopped"]


def test_moto_still_pushes_each_message_synchronously(clients):
    """Guard for the workaround (not an AWS behaviour): moto 5.2.5's ``Queue.add_message`` runs the function of a
    mapping in ``queue.lambda_event_source_mappings`` inside SendMessage. When this fails, moto has changed: check
    that labkit's detaching is still needed."""
    from moto.awslambda.models import lambda_backends
    from moto.sqs.models import sqs_backends

    lam, sqs = clients
    fn = Recorder(lam)
    url, arn = queue(sqs)
    uuid = _map(lam, fn, arn, Enabled=False)
    engine = labkit.engine()
    esm = lambda_backends[engine.account_id][engine.region].get_event_source_mapping(uuid)
    esm.enabled = True  # moto pushes only for enabled mappings; labkit's poller stays stopped
    model = next(q for q in sqs_backends[engine.account_id][engine.region].queues.values() if q.queue_arn == arn)
    model.lambda_event_source_mappings[esm.function_arn] = esm
    try:
        sqs.send_message(QueueUrl=url, MessageBody="pushed")
        assert len(fn.calls()) == 1  # ran inside SendMessage
    finally:
        model.lambda_event_source_mappings.clear()
        esm.enabled = False
