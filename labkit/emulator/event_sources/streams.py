"""DynamoDB Streams and Kinesis → Lambda: a poller per mapping that reads each shard in order, as Lambda does.

What AWS documents ("Using AWS Lambda with Amazon DynamoDB", "Using Lambda with Kinesis Data Streams",
"Lambda event source mappings"):

- ``StartingPosition``: ``TRIM_HORIZON`` (the oldest record still in the stream), ``LATEST`` (records added after
  the mapping is created) or, for Kinesis only, ``AT_TIMESTAMP`` (``StartingPositionTimestamp``).
- Lambda reads each shard in order and invokes the function synchronously with batches of up to ``BatchSize``
  records (``MaximumBatchingWindowInSeconds`` lets it wait for a fuller batch); records keep their sequence numbers
  (unique and increasing in a shard), and the stream keeps them for its retention period whoever has read them —
  a mapping's reading does not remove them from ``GetRecords``.
- On a function error Lambda retries the whole batch (the shard waits) until it succeeds, the records are older
  than ``MaximumRecordAgeInSeconds`` or the batch has been retried ``MaximumRetryAttempts`` times (default -1:
  until the records expire). ``BisectBatchOnFunctionError`` splits a failed batch in two and retries each half;
  splitting does not count towards the retry quota. With ``ReportBatchItemFailures`` the function returns
  ``batchItemFailures`` (``itemIdentifier`` = sequence number) and Lambda retries from the lowest one reported.
- A discarded batch is described, not copied, to the mapping's on-failure destination (SQS queue or SNS topic):
  ``requestContext`` (``requestId``, ``functionArn``, ``condition``, ``approximateInvokeCount``),
  ``responseContext`` (``statusCode``, ``executedVersion``, ``functionError``), ``version``, ``timestamp`` and
  ``DDBStreamBatchInfo`` / ``KinesisBatchInfo`` (``shardId``, ``startSequenceNumber``, ``endSequenceNumber``,
  ``approximateArrivalOfFirstRecord``, ``approximateArrivalOfLastRecord``, ``batchSize``, ``streamArn``).
- Records that don't match the mapping's ``FilterCriteria`` are skipped ("Lambda event filtering").

moto pushes each change to the function inside ``PutItem``/``PutRecord`` (one record at a time for Kinesis), and for
DynamoDB it then *empties the shard* (``StreamShard.add`` sets ``items = []`` when the function returns), so
``GetRecords`` loses records once a mapping has seen them and later records reuse the same sequence numbers. With
moto's push switched off for the mappings labkit polls (:mod:`labkit.emulator.event_sources`), the shard keeps
every record and its sequence numbers stay unique and increasing. Upstream change (moto): drop the synchronous push
from ``StreamShard.add`` and ``Stream.put_record`` (or never clear ``StreamShard.items``).
"""
from __future__ import annotations

import base64
import functools
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from . import filters
from ._poller import Poller, invoke, now, send_to_destination

TIME_SCALE = 1.0
"""The engine counts ``MaximumRecordAgeInSeconds`` in units of ``TIME_SCALE`` seconds (1.0: as AWS does). The
conformance tests set 0.01 so that AWS's minimum age, 60 s, passes in 0.6 s."""
RETRY_DELAY = 0.1
"""Seconds the engine waits before retrying a failed batch (AWS does not document its stream retry delay)."""
DYNAMODB_RETENTION_HOURS = 24  # "The data retention limit for DynamoDB Streams is 24 hours" (DynamoDB params page)


class Entry:
    """One stream record: its sequence number (int), arrival time (epoch seconds) and its Lambda event record
    (built when first asked for: a poll looks at every record of a shard, but shapes only the unread ones)."""

    __slots__ = ("seq", "arrival", "_make", "_record")

    def __init__(self, seq: int, arrival: float, make):
        self.seq, self.arrival, self._make, self._record = seq, arrival, make, None

    @property
    def record(self) -> dict:
        if self._record is None:
            self._record = self._make()
        return self._record


@dataclass
class ShardState:
    """Where a mapping stands in one shard: the last sequence number handed over (checkpoint) and retries."""
    checkpoint: int
    batch: list[Entry] = field(default_factory=list)  # the batch being retried (empty: read new records)
    halves: list[list[Entry]] = field(default_factory=list)  # what bisecting left to do after ``batch``
    attempts: int = 0  # invocations of the current batch that failed (retries so far = attempts)
    retry_at: float = 0.0
    batch_end: int = 0  # the last sequence number read for this batch (filtered-out records included)
    last: object = None  # the last failed Invocation (for the destination record)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class StreamSource:
    """Reads one stream's shards from moto's models (no API call, so GetRecords stays the learner's)."""

    kind = ""
    batch_info = ""

    def __init__(self, esm):
        self.esm = esm

    def shards(self) -> dict[str, list[Entry]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def retention_seconds(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def newest(self) -> dict[str, int]:
        """Each shard's newest sequence number (0 if empty), without shaping any record."""
        return {shard_id: (entries[-1].seq if entries else 0) for shard_id, entries in self.shards().items()}


class KinesisSource(StreamSource):
    kind, batch_info = "kinesis", "KinesisBatchInfo"

    def stream(self):
        from moto.kinesis.models import kinesis_backends

        for stream in list(kinesis_backends[self.esm.account_id][self.esm.region].streams.values()):
            if stream.arn == self.esm.event_source_arn:
                return stream
        return None

    def shards(self) -> dict[str, list[Entry]]:
        stream = self.stream()
        if stream is None:
            return {}
        found = {}
        for shard in list(stream.shards.values()):
            found[shard.shard_id] = [Entry(seq, r.created_at, functools.partial(self._record, shard.shard_id, r))
                                     for seq, r in list(shard.records.items())]
        return found

    def _role(self) -> str:
        from moto.awslambda.models import lambda_backends

        try:
            return lambda_backends[self.esm.account_id][self.esm.region].get_function(self.esm.function_arn).role
        except Exception:  # noqa: BLE001 - function deleted: the invocation will say so
            return ""

    def newest(self) -> dict[str, int]:
        stream = self.stream()
        if stream is None:
            return {}
        return {shard.shard_id: shard.get_max_sequence_number() for shard in list(stream.shards.values())}

    def _record(self, shard_id: str, r) -> dict:
        role = self._role()
        data = r.data if isinstance(r.data, str) else base64.b64encode(r.data).decode()
        return {
            "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": r.partition_key,
                        "sequenceNumber": str(r.sequence_number), "data": data,
                        "approximateArrivalTimestamp": round(r.created_at, 3)},
            "eventSource": "aws:kinesis", "eventVersion": "1.0",
            "eventID": f"{shard_id}:{r.sequence_number}", "eventName": "aws:kinesis:record",
            "invokeIdentityArn": role, "awsRegion": self.esm.region, "eventSourceARN": self.esm.event_source_arn,
        }

    def retention_seconds(self) -> float:
        stream = self.stream()
        return float(getattr(stream, "retention_period_hours", 24) or 24) * 3600


class DynamoDBSource(StreamSource):
    kind, batch_info = "dynamodb", "DDBStreamBatchInfo"

    def table(self):
        from moto.dynamodb.models import dynamodb_backends

        for table in list(dynamodb_backends[self.esm.account_id][self.esm.region].tables.values()):
            label = getattr(table, "latest_stream_label", None)
            if label and f"{table.table_arn}/stream/{label}" == self.esm.event_source_arn:
                return table
        return None

    def shards(self) -> dict[str, list[Entry]]:
        table = self.table()
        shard = getattr(table, "stream_shard", None)
        if shard is None:
            return {}
        entries = []
        for item in list(shard.items):
            raw = item.to_json()
            created = raw["dynamodb"].get("ApproximateCreationDateTime")
            arrival = created.replace(tzinfo=timezone.utc).timestamp() if isinstance(created, datetime) else now()
            entries.append(Entry(int(raw["dynamodb"]["SequenceNumber"]), arrival,
                                 functools.partial(self._record, raw, arrival)))
        return {shard.id: entries}

    def newest(self) -> dict[str, int]:
        shard = getattr(self.table(), "stream_shard", None)
        if shard is None:
            return {}
        items = list(shard.items)
        return {shard.id: int(items[-1].to_json()["dynamodb"]["SequenceNumber"]) if items else 0}

    def _record(self, raw: dict, arrival: float) -> dict:
        change = dict(raw["dynamodb"])  # a copy: moto's StreamRecord keeps its datetime
        change["ApproximateCreationDateTime"] = int(arrival)
        return {"eventID": raw["eventID"], "eventName": raw["eventName"], "eventVersion": raw["eventVersion"],
                "eventSource": "aws:dynamodb", "awsRegion": self.esm.region, "dynamodb": change,
                "eventSourceARN": self.esm.event_source_arn}

    def retention_seconds(self) -> float:
        return DYNAMODB_RETENTION_HOURS * 3600.0


def source_for(esm) -> StreamSource:
    return KinesisSource(esm) if esm.event_source_arn.split(":")[2] == "kinesis" else DynamoDBSource(esm)


def _timestamp(value) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value or 0)


def starting_checkpoints(esm, source: StreamSource) -> dict[str, int]:
    """Each shard's checkpoint for the mapping's ``StartingPosition``, taken when the mapping is created."""
    position = (esm.starting_position or "TRIM_HORIZON").upper()
    checkpoints = {}
    for shard_id, entries in source.shards().items():
        if position == "LATEST":
            checkpoints[shard_id] = entries[-1].seq if entries else 0
        elif position == "AT_TIMESTAMP":
            at = _timestamp(esm.starting_position_timestamp)
            before = [e.seq for e in entries if e.arrival < at]
            checkpoints[shard_id] = before[-1] if before else 0
        else:
            checkpoints[shard_id] = 0
    return checkpoints


class StreamPoller(Poller):
    """Polls every shard of one DynamoDB or Kinesis stream for one event source mapping."""

    def __init__(self, backend, esm, checkpoints: dict[str, int] | None = None, states=None):
        super().__init__(backend, esm)
        self.stream = source_for(esm)
        self.source = self.stream.kind
        self.states: dict[str, ShardState] = states if states is not None else {}
        for shard_id, checkpoint in (checkpoints or {}).items():
            self.states.setdefault(shard_id, ShardState(checkpoint))

    # reading --------------------------------------------------------------------------------------------------
    def _state(self, shard_id: str) -> ShardState:
        # a shard that appeared after the mapping was created (resharding, re-enabled stream): read from its start
        return self.states.setdefault(shard_id, ShardState(0))

    def _unread(self, state: ShardState, entries: list[Entry]) -> list[Entry]:
        return [e for e in entries if e.seq > state.checkpoint]

    def pending(self) -> bool:
        for shard_id, newest in self.stream.newest().items():
            state = self._state(shard_id)
            if state.batch or newest > state.checkpoint:
                return True
        return False

    def poll_once(self) -> bool:
        if not self.pending():
            return False  # nothing new: shape no record
        worked = False
        for shard_id, entries in self.stream.shards().items():
            if self._stopping.is_set() or not self.alive():
                break
            worked = self._poll_shard(shard_id, self._state(shard_id), entries) or worked
        return worked

    def _expired(self, entry: Entry) -> str:
        """Why a record may no longer be handed to the function ('' if it still may)."""
        age = now() - entry.arrival
        maximum = self.esm.max_record_age
        if maximum is not None and int(maximum) != -1 and age > int(maximum) * TIME_SCALE:
            return "RecordAgeExceeded"
        if age > self.stream.retention_seconds():
            return "RecordAgeExceeded"
        return ""

    def _poll_shard(self, shard_id: str, state: ShardState, entries: list[Entry]) -> bool:
        if not state.batch:
            unread = self._unread(state, entries)
            if not unread:
                return False
            patterns = self.patterns()
            size = int(self.esm.batch_size)
            window = float(self.esm.max_batch_window or 0)
            if window > 0 and len(unread) < size and now() - unread[0].arrival < window:
                return False  # wait for a fuller batch until the window ends
            taken = unread[:size]
            kept = [e for e in taken if not self._expired(e)
                    and filters.matches_any(patterns, filters.record_view(self.source, e.record))]
            if not kept:
                state.checkpoint = taken[-1].seq  # filtered out (or expired): the iterator moves past them
                return True
            state.batch, state.attempts, state.halves = kept, 0, []
            state.batch_end = taken[-1].seq
        elif now() < state.retry_at:
            return False
        self._invoke(shard_id, state)
        return True

    # invoking -------------------------------------------------------------------------------------------------
    def _invoke(self, shard_id: str, state: ShardState) -> None:
        batch = state.batch
        reason = next((r for r in (self._expired(e) for e in batch) if r), "")
        if reason:
            self._discard(shard_id, state, reason)
            return
        result = invoke(self.esm, {"Records": [e.record for e in batch]})
        failed_from = "all"
        if result.ok:
            failed_from = self._first_failed(result, batch)
            if failed_from is None:
                self._advance(state)
                return
            if failed_from == "all":
                result.function_error = result.function_error or "Unhandled"
            else:  # checkpoint at the lowest failed sequence number; retry from there
                done = [e for e in batch if e.seq < failed_from]
                if done:
                    state.checkpoint = done[-1].seq
                state.batch = [e for e in batch if e.seq >= failed_from]
        state.last = result
        if not result.invoked:  # throttled or gone: retried until the records expire, not counted as a retry
            state.retry_at = now() + RETRY_DELAY
            return
        if self.esm.bisect_on_error and len(state.batch) > 1 and not (result.ok and failed_from != "all"):
            middle = len(state.batch) // 2
            state.halves.insert(0, state.batch[middle:])
            state.batch = state.batch[:middle]  # splitting a batch does not count towards the retry quota
            state.retry_at = now()
            return
        state.attempts += 1
        retries = self.esm.max_retry_attempts
        if retries is not None and int(retries) != -1 and state.attempts > int(retries):
            self._discard(shard_id, state, "RetryAttemptsExhausted")
            return
        state.retry_at = now() + RETRY_DELAY

    def _first_failed(self, result, batch: list[Entry]):
        """None: complete success; "all": complete failure; else the lowest failed sequence number (int)."""
        if "ReportBatchItemFailures" not in (self.esm.function_response_types or []):
            return None
        try:
            response = result.response()
        except ValueError:
            return "all"
        if not isinstance(response, dict):
            return None
        failures = response.get("batchItemFailures")
        if not failures:
            return None
        numbers = []
        for item in failures if isinstance(failures, list) else [None]:
            identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
            if not isinstance(identifier, str) or not identifier.isdigit():
                return "all"  # empty, null, or a bad key name: the batch failed as a whole
            numbers.append(int(identifier))
        lowest = min(numbers)
        return lowest if any(e.seq >= lowest for e in batch) else None

    def _advance(self, state: ShardState) -> None:
        state.checkpoint = max(state.checkpoint, state.batch[-1].seq)
        state.last = None
        if state.halves:  # the next half of a bisected batch, with its own retries
            state.batch, state.attempts = state.halves.pop(0), 0
            state.retry_at = now()
            return
        state.checkpoint = max(state.checkpoint, getattr(state, "batch_end", state.checkpoint))
        state.batch, state.attempts = [], 0

    def _discard(self, shard_id: str, state: ShardState, condition: str) -> None:
        batch = state.batch
        destination = ((self.esm.destination_config or {}).get("OnFailure") or {}).get("Destination")
        if destination and batch:
            last = state.last
            send_to_destination(destination, {
                "requestContext": {"requestId": str(uuid.uuid4()), "functionArn": self.esm.function_arn,
                                   "condition": condition, "approximateInvokeCount": state.attempts},
                "responseContext": {"statusCode": 200 if last is not None and last.invoked else 429,
                                    "executedVersion": (last.executed_version if last is not None else "") or "$LATEST",
                                    "functionError": (last.function_error if last is not None else "") or "Unhandled"},
                "version": "1.0",
                "timestamp": _iso(now()),
                self.stream.batch_info: {
                    "shardId": shard_id,
                    "startSequenceNumber": str(batch[0].seq),
                    "endSequenceNumber": str(batch[-1].seq),
                    "approximateArrivalOfFirstRecord": _iso(batch[0].arrival),
                    "approximateArrivalOfLastRecord": _iso(batch[-1].arrival),
                    "batchSize": len(batch),
                    "streamArn": self.esm.event_source_arn,
                },
            })
        state.attempts = 0
        self._advance(state)
