"""SQS dead-letter queue redrive: StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask.

What AWS documents ("StartMessageMoveTask", "ListMessageMoveTasks", Amazon SQS API Reference; "Learn how to
configure a dead-letter queue redrive in Amazon SQS"):

- StartMessageMoveTask starts an asynchronous task that moves the messages of a queue configured as the
  dead-letter queue of other SQS queues (``SourceArn``) to ``DestinationArn``; without ``DestinationArn`` the
  messages go back to the queues they came from. It returns a ``TaskHandle``. Only one active task per queue.
- ListMessageMoveTasks lists the tasks of a source queue (most recent first), each with ``Status`` (RUNNING,
  COMPLETED, CANCELLING, CANCELLED, FAILED), ``SourceArn``, ``DestinationArn`` (when given),
  ``ApproximateNumberOfMessagesMoved``, ``ApproximateNumberOfMessagesToMove`` and ``StartedTimestamp``; only a
  RUNNING task shows its ``TaskHandle``.

moto 5.2.5 answers these three actions with 500 (NotImplementedError). Here the move is done at once, so the task
is COMPLETED by the time it is listed, and CancelMessageMoveTask (only valid on a RUNNING task) always refuses.
To send a message back to the queue it came from, labkit remembers, when moto's ``receive_message`` moves a message
to a dead-letter queue, which queue it left. A moved message is sent again to its destination (new message ID,
receive count 0). Upstream change: the three actions in ``moto/sqs/responses.py`` and ``models.py``.

Receipt handles are drawn in one call of moto's generator (:func:`receipt_handle`), and a message's retention is
checked against its queue's MessageRetentionPeriod directly (:func:`within_retention`): speed-ups only.
"""
from __future__ import annotations

import itertools
import string
import time
import uuid

from .notices import notice
from .registry import Difference, Patch

PATCHES = [
    Patch(
        name="sqs-receipt-handles",
        changes="Receipt handles (185 lower-case letters) are drawn in one random.choices call of moto's generator "
                "instead of one random.choice call per letter (labkit/emulator/speedups.py says why).",
        symbols=("moto.sqs.models.generate_receipt_handle",),
        upstream="moto/sqs/utils.py: random.choices(string.ascii_lowercase, k=185) in generate_receipt_handle.",
    ),
    Patch(
        name="sqs-retention-check",
        changes="SQSBackend.is_message_valid_based_on_retention_period reads the queue's message_retention_period "
                "instead of building every queue attribute (message counts included) through get_queue_attributes, "
                "for each message a receive looks at; same comparison.",
        symbols=("moto.sqs.models.SQSBackend.is_message_valid_based_on_retention_period",
                 "moto.sqs.models.SQSBackend.get_queue", "moto.sqs.models.Queue"),
        upstream="moto/sqs/models.py: read queue.message_retention_period in is_message_valid_based_on_retention_period.",
    ),
    Patch(
        name="sqs-message-move-task",
        changes="StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask: a dead-letter queue's messages "
                "are moved back to their source queue (or to DestinationArn); moto answers 500 (NotImplementedError).",
        symbols=("moto.sqs.responses.SQSResponse", "moto.sqs.models.SQSBackend.receive_message",
                 "moto.sqs.models.SQSBackend.send_message", "moto.sqs.models.SQSBackend.list_dead_letter_source_queues"),
        upstream="moto sqs: implement start_message_move_task, list_message_move_tasks, cancel_message_move_task.",
    ),
]

DIFFERENCES = [
    Difference(
        id="sqs-message-move-task-instant",
        service="sqs",
        aws="StartMessageMoveTask starts an asynchronous task (RUNNING until it has moved the messages, at up to "
            "MaxNumberOfMessagesPerSecond) that can be cancelled while it runs.",
        engine="The messages are moved at once: the task is COMPLETED when first listed, so it cannot be "
               "cancelled; a source queue that is no queue's dead-letter queue is refused with "
               "InvalidParameterValue (the error AWS returns there is not documented).",
        doc="StartMessageMoveTask",
        labs=("sqs",),
    ),
]

_original_receive = None
moto_had_start_message_move_task = None  # what moto's SQSResponse defined itself before install()
_tasks: dict[str, list[dict]] = {}  # source ARN -> tasks, most recent first
_counter = itertools.count()
SOURCE_ATTRIBUTE = "_labkit_source_queue_arn"


def _remember_sources(self, queue_name, *args, **kwargs):
    """moto's ``receive_message``, then: each message now in the dead-letter queue remembers where it came from."""
    result = _original_receive(self, queue_name, *args, **kwargs)
    try:
        queue = self.get_queue(queue_name)
    except Exception:  # noqa: BLE001 - the original call raised nothing, but be safe
        return result
    dlq = queue.dead_letter_queue
    if dlq is not None:
        for message in list(dlq._messages):
            if not hasattr(message, SOURCE_ATTRIBUTE):
                setattr(message, SOURCE_ATTRIBUTE, queue.queue_arn)
    return result


def _queue_by_arn(backend, arn: str):
    from moto.sqs.exceptions import QueueDoesNotExist

    for queue in backend.queues.values():
        if queue.queue_arn == arn:
            return queue
    raise QueueDoesNotExist()


def start_message_move_task(self):
    """``StartMessageMoveTask``: move the dead-letter queue's visible messages now; return the task handle."""
    from moto.core.responses import ActionResult
    from moto.sqs.exceptions import InvalidParameterValue

    backend = self.sqs_backend
    source_arn = self._get_param("SourceArn")
    destination_arn = self._get_param("DestinationArn")
    source = _queue_by_arn(backend, source_arn)
    if not backend.list_dead_letter_source_queues(source.name):
        raise InvalidParameterValue(f"Source queue {source_arn} is not configured as a dead-letter queue of any "
                                    "queue.")
    destination = _queue_by_arn(backend, destination_arn) if destination_arn else None
    moved = 0
    to_move = [m for m in list(source._messages) if m.visible]
    for message in to_move:
        target = destination or _queue_by_arn(backend, getattr(message, SOURCE_ATTRIBUTE, ""))
        backend.send_message(target.name, message.body, message_attributes=message.message_attributes,
                             deduplication_id=message.deduplication_id, group_id=message.group_id,
                             validate_group_id=False)
        source._messages.remove(message)
        moved += 1
    handle = f"labkit-move-{next(_counter)}-{uuid.uuid4()}"
    task = {"Status": "COMPLETED", "SourceArn": source_arn, "ApproximateNumberOfMessagesMoved": moved,
            "ApproximateNumberOfMessagesToMove": len(to_move), "StartedTimestamp": int(time.time() * 1000),
            "_handle": handle}
    if destination_arn:
        task["DestinationArn"] = destination_arn
    max_rate = self._get_param("MaxNumberOfMessagesPerSecond")
    if max_rate:
        task["MaxNumberOfMessagesPerSecond"] = int(max_rate)
    _tasks.setdefault(source_arn, []).insert(0, task)
    notice("sqs-message-move-task-instant")
    return ActionResult({"TaskHandle": handle})


def list_message_move_tasks(self):
    """``ListMessageMoveTasks``: the source queue's tasks, most recent first (``MaxResults``, default 1)."""
    from moto.core.responses import ActionResult

    source_arn = self._get_param("SourceArn")
    _queue_by_arn(self.sqs_backend, source_arn)
    limit = int(self._get_param("MaxResults") or 1)
    results = [{k: v for k, v in task.items() if not k.startswith("_")} for task in _tasks.get(source_arn, [])]
    return ActionResult({"Results": results[:limit]})


def cancel_message_move_task(self):
    """``CancelMessageMoveTask``: only a RUNNING task can be cancelled, and here none is ever running."""
    from moto.sqs.exceptions import InvalidParameterValue

    raise InvalidParameterValue("The task is not running: only a RUNNING message move task can be cancelled.")


RECEIPT_HANDLE_LENGTH = 185  # moto's (moto/sqs/utils.py)
moto_generate_receipt_handle = None  # moto's own, once replaced (the guard test calls it)


def receipt_handle() -> str:
    """A receipt handle as moto makes one (185 lower-case letters from moto's seedable generator), in one draw."""
    from moto.moto_api._internal import mock_random

    return "".join(mock_random.choices(string.ascii_lowercase, k=RECEIPT_HANDLE_LENGTH))


moto_within_retention = None  # moto's own retention check, once replaced (the guard test calls it)


def within_retention(self, queue_name: str, message) -> bool:
    """moto's ``SQSBackend.is_message_valid_based_on_retention_period``: whether ``message`` (sent at its
    ``sent_timestamp``, ms) is still within its queue's MessageRetentionPeriod (s) now; QueueDoesNotExist for an
    unknown queue. moto reads the period through ``get_queue_attributes``, which builds every attribute of the queue
    (counting its messages) for each message a receive looks at."""
    from moto.core.utils import unix_time

    retention_period = self.get_queue(queue_name).message_retention_period
    return retention_period + message.sent_timestamp / 1000 > unix_time()


def install() -> None:
    """Add the three message-move actions to moto's SQS, remember the source of dead-lettered messages, and draw
    receipt handles at once."""
    global _original_receive, moto_had_start_message_move_task, moto_generate_receipt_handle, moto_within_retention
    import moto.sqs.models as models
    from moto.sqs.models import SQSBackend
    from moto.sqs.responses import SQSResponse

    if SQSBackend.is_message_valid_based_on_retention_period is not within_retention:
        moto_within_retention = SQSBackend.is_message_valid_based_on_retention_period
        SQSBackend.is_message_valid_based_on_retention_period = within_retention

    if models.generate_receipt_handle is not receipt_handle:
        moto_generate_receipt_handle = models.generate_receipt_handle
        models.generate_receipt_handle = receipt_handle

    if _original_receive is None:
        moto_had_start_message_move_task = "start_message_move_task" in vars(SQSResponse)
        _original_receive = SQSBackend.receive_message
        SQSBackend.receive_message = _remember_sources
        SQSResponse.start_message_move_task = start_message_move_task
        SQSResponse.list_message_move_tasks = list_message_move_tasks
        SQSResponse.cancel_message_move_task = cancel_message_move_task
