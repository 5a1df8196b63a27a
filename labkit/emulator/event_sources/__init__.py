"""Event source mappings that poll, as Lambda's pollers do: SQS (:mod:`.sqs`), DynamoDB Streams and Kinesis
(:mod:`.streams`), with ``FilterCriteria`` (:mod:`.filters`).

moto 5.2.5 pushes synchronously instead: ``SendMessage``, ``PutItem`` and ``PutRecord`` call the function inside the
request, one record at a time, and moto then deletes failed SQS messages' invisibility and empties the DynamoDB
stream shard. labkit owns every mapping instead: when a mapping is created (or enabled), moto's push is switched
off for it (it is taken out of the source's ``lambda_event_source_mappings``) and a poller thread starts; the
poller stops when the mapping is deleted or disabled, or when :func:`stop_all` runs (the embedded engine's stop).
Pollers read through moto's own models, so SQS receive counts, visibility timeouts and dead-letter queues, and
the stream's ``GetRecords``, stay the services' own.

Waiting for a mapping in a lab or a test — records now arrive a moment after the put, as on AWS::

    from labkit.emulator.event_sources import wait_idle
    table.put_item(Item=...)
    wait_idle()          # True once every mapping has handed over what its source holds (False after timeout)

Create/update validation added here (what AWS refuses with ``InvalidParameterValueException``, "Lambda event
source mappings" / CreateEventSourceMapping): an invalid ``FilterCriteria``; a stream mapping without
``StartingPosition``; ``AT_TIMESTAMP`` on a DynamoDB stream; an SQS ``BatchSize`` over 10 without a
``MaximumBatchingWindowInSeconds`` of at least 1; ``MaximumRecordAgeInSeconds`` other than -1 or 60–604800;
``MaximumRetryAttempts`` outside -1–10000.

Upstream change (moto): ``Queue.add_message``, ``StreamShard.add`` and ``kinesis Stream.put_record`` should not
invoke Lambda; a poller (or at least batching, leaving failures invisible, keeping stream records) belongs in
``moto/awslambda``.
"""
from __future__ import annotations

import functools
import threading
import time

from ..registry import Difference, Patch
from ._poller import POLL_INTERVAL, Poller

__all__ = ["wait_idle", "stop_all", "pollers"]

PATCHES = [
    Patch(
        name="esm-pollers",
        changes="CreateEventSourceMapping/UpdateEventSourceMapping/DeleteEventSourceMapping start and stop labkit's "
                "pollers, and take each mapping out of moto's synchronous push (the source's "
                "lambda_event_source_mappings).",
        symbols=("moto.awslambda.models.LambdaBackend.create_event_source_mapping",
                 "moto.awslambda.models.LambdaBackend.update_event_source_mapping",
                 "moto.awslambda.models.LambdaBackend.delete_event_source_mapping",
                 "moto.awslambda.models.LambdaBackend.get_event_source_mapping",
                 "moto.awslambda.models.LambdaBackend.invoke",
                 "moto.awslambda.models.EventSourceMapping.get_configuration"),
        upstream="moto/awslambda: poll event sources instead of pushing from the source services.",
    ),
    Patch(
        name="esm-sqs-no-push",
        changes="SQS: moto's Queue.add_message invokes the function per message and makes failed messages "
                "visible at once; labkit's poller receives through SQSBackend.receive_message instead.",
        symbols=("moto.sqs.models.Queue.add_message", "moto.sqs.models.SQSBackend.receive_message",
                 "moto.sqs.models.SQSBackend.delete_message", "moto.sqs.models.Message.visible",
                 "moto.sqs.models.Message.delayed", "moto.sqs.models.sqs_backends"),
        upstream="moto/sqs/models.py Queue.add_message: drop the Lambda push.",
    ),
    Patch(
        name="esm-dynamodb-streams-no-push",
        changes="DynamoDB: moto's StreamShard.add invokes the function and then empties the shard (GetRecords loses "
                "the records, sequence numbers repeat); with the push off, the shard keeps every record.",
        symbols=("moto.dynamodb.models.table.StreamShard.add", "moto.dynamodb.models.table.StreamRecord.to_json",
                 "moto.dynamodb.models.dynamodb_backends"),
        upstream="moto/dynamodb/models/table.py StreamShard.add: never clear self.items.",
    ),
    Patch(
        name="esm-kinesis-no-push",
        changes="Kinesis: moto's Stream.put_record invokes the function with one record per put; labkit reads "
                "Shard.records in batches instead.",
        symbols=("moto.kinesis.models.Stream.put_record", "moto.kinesis.models.Shard.get_max_sequence_number",
                 "moto.kinesis.models.kinesis_backends"),
        upstream="moto/kinesis/models.py Stream.put_record: drop the Lambda push.",
    ),
]

DIFFERENCES = [
    Difference(
        id="esm-sqs-role-permissions-not-checked",
        service="Lambda",
        aws="An SQS event source mapping needs the function's execution role to allow sqs:ReceiveMessage, "
            "sqs:DeleteMessage and sqs:GetQueueAttributes on the queue.",
        engine="The execution role's permissions are not checked: the mapping is created and polls the queue "
               "whatever the role allows.",
        doc="Creating and configuring an Amazon SQS event source mapping",
    ),
    Difference(
        id="esm-stream-retry-delay",
        service="lambda",
        aws="A failed stream batch is retried until it succeeds, its records expire or reach "
            "MaximumRecordAgeInSeconds, or MaximumRetryAttempts is reached.",
        engine="The same, retrying every 0.1 s; MaximumRecordAgeInSeconds is counted in seconds "
               "(labkit.emulator.event_sources.streams.TIME_SCALE can shorten it).",
        doc="Using Lambda with Kinesis Data Streams",
    ),
    Difference(
        id="esm-record-age-condition",
        service="lambda",
        aws="The on-failure invocation record's requestContext.condition for a batch discarded after its retries is "
            "\"RetryAttemptsExhausted\" (the only value the page shows).",
        engine="A batch discarded for its records' age gets \"RecordAgeExceeded\", a value AWS does not document.",
        doc="Using AWS Lambda with Amazon DynamoDB",
    ),
    Difference(
        id="esm-not-emulated-settings",
        service="lambda",
        aws="ParallelizationFactor processes a shard with up to 10 concurrent batches; TumblingWindowInSeconds "
            "aggregates state across invocations; SQS ScalingConfig caps concurrent invocations.",
        engine="They are stored and returned, but ignored: one batch per shard (or queue) at a time.",
        doc="Lambda event source mappings",
    ),
    Difference(
        id="esm-stream-retention",
        service="kinesis",
        aws="Records older than the stream's retention period (24 hours by default) are no longer readable.",
        engine="Pollers skip them, but GetRecords keeps returning them for as long as the engine runs.",
        doc="Using Lambda with Kinesis Data Streams",
    ),
]

# Only Lambda's CreateEventSourceMapping makes a mapping: SQS, DynamoDB or Kinesis alone never need this module's
# install (which loads Lambda's models, and with them a good part of moto); the source services' symbols above are
# read (a mapping is taken out of their push) once a mapping exists.
INSTALL_WHEN = ("moto.awslambda.models",)

_lock = threading.RLock()
_pollers: dict[str, Poller] = {}
_stream_states: dict[str, dict] = {}  # mapping UUID → shard states, kept while a mapping is disabled
_installed = False


def _kind(arn: str) -> str:
    return arn.split(":")[2] if arn.count(":") >= 5 else ""


def _invalid(message: str):
    from moto.awslambda.exceptions import InvalidParameterValueException

    return InvalidParameterValueException(message)


def validate(spec: dict, arn: str, creating: bool) -> None:
    """Refuse what Lambda refuses (raises moto's InvalidParameterValueException, shown as HTTP 400)."""
    from . import filters

    kind = _kind(arn)
    if "FilterCriteria" in spec:
        try:
            filters.compile_criteria(spec.get("FilterCriteria"), "dynamodb" if kind == "dynamodb" else kind)
        except filters.FilterError as exc:
            raise _invalid(str(exc)) from None
    if creating and kind in ("kinesis", "dynamodb"):
        position = spec.get("StartingPosition")
        allowed = ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP") if kind == "kinesis" else ("TRIM_HORIZON", "LATEST")
        if not position:
            raise _invalid("StartingPosition is required for Kinesis and DynamoDB Streams event sources.")
        if position not in allowed:
            raise _invalid(f"Unsupported starting position {position!r} for this event source; "
                           f"use one of {', '.join(allowed)}.")
        if position == "AT_TIMESTAMP" and spec.get("StartingPositionTimestamp") is None:
            raise _invalid("StartingPositionTimestamp is required when StartingPosition is AT_TIMESTAMP.")
    if kind == "sqs" and spec.get("BatchSize") is not None and int(spec["BatchSize"]) > 10 \
            and not arn.endswith(".fifo") and float(spec.get("MaximumBatchingWindowInSeconds") or 0) < 1:
        raise _invalid("A BatchSize over 10 needs MaximumBatchingWindowInSeconds of at least 1 second "
                       "(Using Lambda with Amazon SQS).")
    age = spec.get("MaximumRecordAgeInSeconds")
    if age is not None and int(age) != -1 and not 60 <= int(age) <= 604800:
        raise _invalid("MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)")
    retries = spec.get("MaximumRetryAttempts")
    if retries is not None and not -1 <= int(retries) <= 10000:
        raise _invalid("MaximumRetryAttempts must be between -1 and 10000 (inclusive)")


def check_visibility_timeout(backend, spec: dict) -> None:
    """CreateEventSourceMapping for an SQS queue: refuse a queue whose visibility timeout is shorter than the
    function's timeout (AWS: InvalidParameterValueException, "Queue visibility timeout: 30 seconds is less than
    Function timeout: 60 seconds"; "Creating and configuring an Amazon SQS event source mapping")."""
    arn = spec.get("EventSourceArn") or ""
    if _kind(arn) != "sqs":
        return
    try:
        from moto.sqs.models import sqs_backends

        _, _, _, region, account, queue_name = arn.split(":", 5)
        queue = sqs_backends[account][region].get_queue(queue_name)
        function = backend.get_function(spec.get("FunctionName"))
        visibility, timeout = int(queue.visibility_timeout), int(function.timeout)
    except Exception:  # a missing queue or function: moto's own checks answer
        return
    if visibility < timeout:
        raise _invalid(f"Queue visibility timeout: {visibility} seconds is less than Function timeout: "
                       f"{timeout} seconds")


def _notice_ignored(spec: dict) -> None:
    """One notice line when a mapping asks for a setting the pollers don't emulate."""
    try:
        if int(spec.get("ParallelizationFactor") or 1) > 1 or spec.get("TumblingWindowInSeconds") \
                or spec.get("ScalingConfig"):
            from ..notices import notice

            notice("esm-not-emulated-settings")
    except Exception:  # noqa: BLE001 - a notice never breaks the request it comments on
        pass


def _detach(esm) -> None:
    """Take a mapping out of moto's synchronous push (the dicts the source models push from)."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.kinesis.models import kinesis_backends
    from moto.sqs.models import sqs_backends

    kind = _kind(esm.event_source_arn)
    if kind == "sqs":
        holders = list(sqs_backends[esm.account_id][esm.region].queues.values())
    elif kind == "dynamodb":
        holders = list(dynamodb_backends[esm.account_id][esm.region].tables.values())
    elif kind == "kinesis":
        holders = list(kinesis_backends[esm.account_id][esm.region].streams.values())
    else:
        holders = []
    for holder in holders:
        pushes = getattr(holder, "lambda_event_source_mappings", None) or {}
        for key in [k for k, v in pushes.items() if v is esm]:
            del pushes[key]


def _start(backend, esm) -> None:
    from .sqs import SqsPoller
    from .streams import StreamPoller, source_for, starting_checkpoints

    with _lock:
        if esm.uuid in _pollers or not esm.enabled:
            return
        if _kind(esm.event_source_arn) == "sqs":
            poller = SqsPoller(backend, esm)
        else:
            states = _stream_states.get(esm.uuid)
            if states is None:
                states = _stream_states[esm.uuid] = {}
                poller = StreamPoller(backend, esm, starting_checkpoints(esm, source_for(esm)), states)
            else:
                poller = StreamPoller(backend, esm, None, states)
        _pollers[esm.uuid] = poller.start()


def _stop(uuid: str, forget_position: bool = False) -> None:
    with _lock:
        poller = _pollers.pop(uuid, None)
        if forget_position:
            _stream_states.pop(uuid, None)
    if poller is not None:
        poller.stop()


def _forget(poller: Poller) -> None:
    """A poller's thread ended by itself (mapping deleted, disabled, or moto reset)."""
    with _lock:
        if _pollers.get(poller.uuid) is poller:
            del _pollers[poller.uuid]
        if poller.backend._event_source_mappings.get(poller.uuid) is not poller.esm:
            _stream_states.pop(poller.uuid, None)


def pollers() -> list[Poller]:
    """The running pollers (one per enabled mapping)."""
    with _lock:
        return list(_pollers.values())


def wait_idle(timeout: float = 10.0, uuid: str | None = None) -> bool:
    """Wait until event source mappings have handed everything their sources hold to their functions.

    ``uuid``: one mapping's UUID (default: every mapping of the embedded engine). Returns True once each poller is
    idle — not processing a batch, no visible SQS message left, no unread or retried stream record — and False if
    ``timeout`` seconds pass first. SQS messages that a failed batch left invisible count as handed over until their
    visibility timeout ends; a stream batch that keeps failing keeps its mapping busy until it is discarded.
    Only the embedded engine's mappings are seen: on LocalStack or AWS there is no poller here and it returns True
    at once, so a lab meant for every engine waits for the outcome itself (the function's logs, an item written).
    """
    deadline = time.monotonic() + timeout
    quiet = 0
    while True:
        current = [p for p in pollers() if uuid is None or p.uuid == uuid]
        if all(p.idle() for p in current):
            quiet += 1
            if quiet >= 2:  # twice in a row: a function that writes to another mapped source has been seen through
                return True
        else:
            quiet = 0
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_INTERVAL / 2)


def stop_all() -> None:
    """Stop every poller (the embedded engine's stop calls this). Mappings restart with :func:`resume_all`."""
    with _lock:
        uuids = list(_pollers)
    for uuid in uuids:
        _stop(uuid)


def resume_all() -> None:
    """Start a poller for every enabled mapping in moto's backends that has none (after :func:`stop_all`)."""
    from moto.awslambda.models import lambda_backends

    for account, regions in list(lambda_backends.items()):
        for region, backend in list(regions.items()):
            for esm in list(backend._event_source_mappings.values()):
                _detach(esm)
                _start(backend, esm)


def install() -> None:
    """Wrap moto's Create/Update/DeleteEventSourceMapping (once per process)."""
    global _installed
    from moto.awslambda.models import LambdaBackend

    if _installed:
        resume_all()
        return
    original_create = LambdaBackend.create_event_source_mapping
    original_update = LambdaBackend.update_event_source_mapping
    original_delete = LambdaBackend.delete_event_source_mapping

    @functools.wraps(original_create)
    def create_event_source_mapping(self, spec):
        validate(spec, spec.get("EventSourceArn") or "", creating=True)
        check_visibility_timeout(self, spec)
        _notice_ignored(spec)
        esm = original_create(self, spec)
        _detach(esm)
        _start(self, esm)
        return esm

    @functools.wraps(original_update)
    def update_event_source_mapping(self, uuid, spec):
        current = self.get_event_source_mapping(uuid)
        if current is not None:
            validate(spec, current.event_source_arn, creating=False)
            _notice_ignored(spec)
        esm = original_update(self, uuid, spec)
        if esm is not None:
            if esm.enabled:
                _start(self, esm)
            else:
                _stop(esm.uuid)
        return esm

    @functools.wraps(original_delete)
    def delete_event_source_mapping(self, uuid):
        esm = original_delete(self, uuid)
        _stop(uuid, forget_position=True)
        return esm

    LambdaBackend.create_event_source_mapping = create_event_source_mapping
    LambdaBackend.update_event_source_mapping = update_event_source_mapping
    LambdaBackend.delete_event_source_mapping = delete_event_source_mapping
    _installed = True
    resume_all()
