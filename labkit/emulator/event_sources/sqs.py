"""SQS → Lambda: a poller that receives from the queue through moto's SQS, as Lambda's pollers do.

What AWS documents ("Using Lambda with Amazon SQS", "Handling errors for an SQS event source in Lambda"):

- Lambda polls the queue and invokes the function synchronously with a batch of messages (``BatchSize``, default
  10); with ``MaximumBatchingWindowInSeconds`` it keeps polling until the batch is full or the window ends;
  ``SendMessage`` returns at once.
- Each record carries ``messageId``, ``receiptHandle``, ``body``, ``attributes`` (``ApproximateReceiveCount``,
  ``SentTimestamp``, ``SenderId``, ``ApproximateFirstReceiveTimestamp``; for FIFO queues also ``SequenceNumber``,
  ``MessageGroupId``, ``MessageDeduplicationId``), ``messageAttributes``, ``md5OfBody``, ``eventSource``
  (``aws:sqs``), ``eventSourceARN`` and ``awsRegion``.
- Received messages stay in the queue, hidden for the queue's visibility timeout. When the function succeeds, Lambda
  deletes them; when it fails, it leaves them, and they become visible again after the visibility timeout; after
  ``maxReceiveCount`` receives, the queue's redrive policy moves them to its dead-letter queue.
- With ``FunctionResponseTypes: ["ReportBatchItemFailures"]``, only the messages named in the response's
  ``batchItemFailures`` (by ``itemIdentifier`` = ``messageId``) stay; an empty or null list or response is a complete
  success; an invalid JSON response, an empty or null ``itemIdentifier``, a bad key name or an unknown message ID is
  a complete failure. Without that setting Lambda ignores ``batchItemFailures``.
- Messages that don't match the mapping's ``FilterCriteria`` are deleted ("Lambda event filtering").

Receiving goes through moto's ``SQSBackend.receive_message``, so receive counts, visibility and redrive to the
dead-letter queue are SQS's own. moto's synchronous push (``Queue.add_message`` hands each message to the function
at once, one at a time, and makes failed ones visible at once) is switched off for the mappings labkit polls
(:mod:`labkit.emulator.event_sources`).
"""
from __future__ import annotations

from . import filters
from ._poller import Poller

RECEIVE_MAX = 10
"""SQS ReceiveMessage returns at most 10 messages per call."""


def message_attributes(message) -> dict:
    """moto's stored message attributes → the shape of an SQS event record's ``messageAttributes``."""
    shaped = {}
    for name, value in (message.message_attributes or {}).items():
        entry = {"stringListValues": [], "binaryListValues": [], "dataType": value.get("DataType", "String")}
        if value.get("StringValue") is not None:
            entry["stringValue"] = value["StringValue"]
        if value.get("BinaryValue") is not None:
            binary = value["BinaryValue"]
            entry["binaryValue"] = binary.decode() if isinstance(binary, bytes) else binary
        shaped[name] = entry
    return shaped


def record(message, queue_arn: str, region: str, fifo: bool) -> dict:
    """One SQS event record, in the shape "Using Lambda with Amazon SQS" shows."""
    attributes = {
        "ApproximateReceiveCount": str(message.approximate_receive_count),
        "SentTimestamp": str(message.sent_timestamp),
        "SenderId": message.sender_id,
        "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
    }
    if fifo:
        attributes.update({"SequenceNumber": str(message.sequence_number),
                           "MessageGroupId": message.group_id,
                           "MessageDeduplicationId": message.deduplication_id})
    trace = (message.system_attributes or {}).get("AWSTraceHeader")
    if trace:
        attributes["AWSTraceHeader"] = trace.get("StringValue") if isinstance(trace, dict) else trace
    return {
        "messageId": message.id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": attributes,
        "messageAttributes": message_attributes(message),
        "md5OfBody": message.body_md5,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def failed_ids(response, ids: set[str]) -> set[str] | None:
    """The message IDs a ``ReportBatchItemFailures`` response names as failed; None = the whole batch failed.

    Follows "Handling errors for an SQS event source in Lambda" (success and failure conditions).
    """
    if response is None or response == {} or not isinstance(response, dict):
        return set()
    failures = response.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return None
    found = set()
    for item in failures:
        if not isinstance(item, dict) or "itemIdentifier" not in item:
            return None  # a bad key name
        identifier = item["itemIdentifier"]
        if not isinstance(identifier, str) or not identifier or identifier not in ids:
            return None  # empty, null, or a message ID that isn't in the batch
        found.add(identifier)
    return found


class SqsPoller(Poller):
    """Polls one SQS queue for one event source mapping."""

    source = "sqs"

    def __init__(self, backend, esm):
        super().__init__(backend, esm)
        from moto.sqs.models import sqs_backends

        self.sqs = sqs_backends[esm.account_id][esm.region]

    def queue(self):
        for queue in list(self.sqs.queues.values()):
            if queue.queue_arn == self.esm.event_source_arn:
                return queue
        return None

    def pending(self) -> bool:
        queue = self.queue()
        return bool(queue is not None and any(m.visible and not m.delayed for m in list(queue._messages)))

    def _receive(self, queue, count: int) -> list:
        return self.sqs.receive_message(queue.name, count, 0, queue.visibility_timeout, message_attribute_names=["All"])

    def _keep(self, queue, messages: list, patterns: list) -> list:
        kept = []
        fifo = bool(queue.fifo_queue)
        for message in messages:
            shaped = record(message, queue.queue_arn, self.esm.region, fifo)
            if filters.matches_any(patterns, filters.record_view("sqs", shaped)):
                kept.append(shaped)
            else:  # "Lambda automatically removes the message from the queue"
                self.sqs.delete_message(queue.name, message.receipt_handle)
        return kept

    def poll_once(self) -> bool:
        queue = self.queue()
        if queue is None:
            return False
        if not self.pending():
            return False  # cheaper than a ReceiveMessage that finds nothing
        patterns = self.patterns()
        size = int(self.esm.batch_size)
        received = self._receive(queue, min(RECEIVE_MAX, size))
        if not received:
            return False
        batch = self._keep(queue, received, patterns)
        window = float(self.esm.max_batch_window or 0)
        if window > 0:
            from ._poller import POLL_INTERVAL, now

            deadline = now() + window
            while len(batch) < size and now() < deadline and self.alive() and not self._stopping.is_set():
                more = self._receive(queue, min(RECEIVE_MAX, size - len(batch)))
                if more:
                    batch += self._keep(queue, more, patterns)
                else:
                    self._stopping.wait(POLL_INTERVAL)
        if batch:
            self.process(queue, batch)
        return True

    def process(self, queue, batch: list[dict]) -> None:
        from ._poller import invoke

        result = invoke(self.esm, {"Records": batch})
        if not result.ok:
            return  # the messages reappear after the visibility timeout; SQS's redrive policy does the rest
        failed: set[str] | None = set()
        if "ReportBatchItemFailures" in (self.esm.function_response_types or []):
            try:
                failed = failed_ids(result.response(), {r["messageId"] for r in batch})
            except ValueError:
                failed = None  # an invalid JSON response
        if failed is None:
            return
        for item in batch:
            if item["messageId"] not in failed:
                try:
                    self.sqs.delete_message(queue.name, item["receiptHandle"])
                except Exception:  # noqa: BLE001 - already gone (purged, queue deleted)
                    pass
