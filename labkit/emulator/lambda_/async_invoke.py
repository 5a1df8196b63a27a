"""Asynchronous invocation: Lambda's internal event queue, read by a bounded pool of workers.

What AWS documents ("Invoking a Lambda function asynchronously", "How Lambda handles errors and retries with
asynchronous invocation", "Configuring error handling settings for Lambda asynchronous invocations", "Capturing
records of Lambda asynchronous invocations"):

- ``Invoke`` with ``InvocationType="Event"`` puts the event in a queue and answers ``202`` at once; a separate
  process reads the queue and runs the function;
- on a function error (an exception, a timeout, a runtime error) Lambda runs it two more times, waiting one minute
  before the second attempt and two minutes before the third; ``MaximumRetryAttempts`` (0–2) lowers that;
- a throttled event (no concurrency left) goes back to the queue and is tried again with a delay growing
  exponentially from 1 second to 5 minutes, for up to ``MaximumEventAgeInSeconds`` (60 s – 6 hours, 6 hours by
  default); an event older than that is discarded;
- with reserved concurrency 0, new events go to the dead-letter queue or on-failure destination without any attempt;
- when an event fails all attempts or expires, Lambda sends it to the function's dead-letter queue and an
  invocation record to the on-failure destination; a success sends a record to the on-success destination
  (:mod:`.destinations`).

**Time is scaled.** :data:`TIME_SCALE` multiplies every delay and age: AWS waits 1 min, then 2 min, between
retries, and keeps an event up to 6 h; with the default scale of 1/100 the engine waits 0.6 s, then 1.2 s, and
keeps an event up to 216 s (``MaximumEventAgeInSeconds=60`` expires after 0.6 s). ``set_time_scale(1.0)`` (or
``LABKIT_LAMBDA_TIME_SCALE=1``) gives AWS's real timing.

The queue is this module's :class:`EventQueue` (one per process, :data:`WORKERS` worker threads, started at the
first event); :func:`submit` is how other emulator modules (S3 and SNS notifications, EventBridge targets,
destinations) invoke a function asynchronously. :func:`drain` waits until the queue is empty (tests, labs).

Upstream: moto runs an ``Event`` invocation synchronously, once, and discards errors; none of the above exists in
moto. It stays labkit's (it needs the real runtime of :mod:`labkit.lambda_runtime`).
"""
from __future__ import annotations

import heapq
import itertools
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..registry import Difference, Patch
from . import concurrency, destinations
from .invoke_config import INVOKED, dead_letter_target, event_invoke_config

TIME_SCALE = 0.01
"""Every asynchronous-invocation delay and age is multiplied by this: AWS waits 1 min then 2 min between retries,
the engine 0.6 s then 1.2 s (see the module docstring). Change it with :func:`set_time_scale`."""
ENV_TIME_SCALE = "LABKIT_LAMBDA_TIME_SCALE"
WORKERS = 4
"""Worker threads reading the queue (the functions themselves run in labkit's worker processes)."""
RETRY_DELAYS = (60.0, 120.0)
"""AWS's waits before the second and third attempt after a function error, in seconds (unscaled)."""
DEFAULT_RETRY_ATTEMPTS = 2
DEFAULT_MAXIMUM_EVENT_AGE = 21600.0
THROTTLE_FIRST_DELAY, THROTTLE_MAX_DELAY = 1.0, 300.0

EVENT_PAYLOAD_LIMIT = 1024 * 1024
"""Largest asynchronous Invoke payload ("Invoke", AWS Lambda API Reference: 1 MB), in bytes."""
SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
"""Largest synchronous Invoke payload ("Invoke": 6 MB), in bytes."""
INVOKE_ASYNC_PAYLOAD_LIMIT = 256 * 1024
"""Largest InvokeAsync payload ("InvokeAsync", deprecated: 256 KB), in bytes."""

PATCHES = [
    Patch(
        name="lambda-invoke-payload-limits",
        changes="Invoke refuses a payload over 1 MB (Event) or 6 MB (RequestResponse), InvokeAsync over 256 KB, "
                "with RequestTooLargeException (413); moto accepts any size.",
        symbols=("moto.awslambda.responses.LambdaResponse.invoke",),
        upstream="moto/awslambda/responses.py invoke: check the request body's size.",
    ),
    Patch(
        name="lambda-invoke-async-queued",
        changes="InvokeAsync (deprecated) queues the event like Invoke with InvocationType=Event and answers 202; "
                "moto runs the function synchronously.",
        symbols=("moto.awslambda.responses.LambdaResponse.invoke_async",),
        upstream="moto/awslambda/responses.py invoke_async: queue the event instead of running it.",
    ),
    Patch(
        name="lambda-async-event-queue",
        changes="Invoke with InvocationType=Event queues the event for a bounded pool of workers that retry, "
                "honour the event-invoke config and send records to destinations and the dead-letter queue "
                "(invoke_hook.function_invoke hands Event invocations to submit()).",
        symbols=("labkit.emulator.lambda_.invoke_hook.function_invoke", "moto.awslambda.models.LambdaFunction.invoke",
                 "moto.awslambda.models.lambda_backends", "labkit.lambda_runtime.environments.REQUEST_ID"),
        upstream="None in moto: it runs Event invocations synchronously, once.",
    ),
]

DIFFERENCES = [
    Difference(
        id="lambda-async-time-scaled",
        service="lambda",
        aws="An asynchronous event is retried 1 minute and then 2 minutes after a function error, and kept in the "
            "queue for up to MaximumEventAgeInSeconds (6 hours by default).",
        engine="The same, with every delay and age divided by 100 (0.6 s and 1.2 s; 216 s), so a lab sees retries "
               "and expiry in seconds.",
        doc="How Lambda handles errors and retries with asynchronous invocation",
    ),
]


_scale: float | None = None


def time_scale() -> float:
    """The factor applied to AWS's delays and ages: :func:`set_time_scale`, else the environment, else 0.01."""
    if _scale is not None:
        return _scale
    try:
        value = float(os.environ.get(ENV_TIME_SCALE, "") or TIME_SCALE)
    except ValueError:
        value = TIME_SCALE
    return value if value > 0 else TIME_SCALE


def set_time_scale(scale: float | None) -> None:
    """Set the factor applied to AWS's asynchronous-invocation delays (``1.0`` = AWS's timing; ``None`` = default).

    Raises ``ValueError`` unless ``scale`` is a positive number.
    """
    global _scale
    if scale is not None and not (isinstance(scale, (int, float)) and scale > 0):
        raise ValueError("The time scale is a positive number: 1.0 is AWS's timing, 0.01 the engine's default.")
    _scale = None if scale is None else float(scale)


@dataclass(order=True)
class QueuedEvent:
    """One event in the queue. ``attempts``: runs so far; ``throttles``: times no concurrency was left."""

    due: float
    seq: int
    function: Any = field(compare=False)
    body: str = field(compare=False)
    request_id: str = field(compare=False)
    accepted: float = field(compare=False)
    attempts: int = field(default=0, compare=False)
    throttles: int = field(default=0, compare=False)
    qualifier: str | None = field(default=None, compare=False)
    last_payload: Any = field(default=None, compare=False)
    last_error: str | None = field(default=None, compare=False)


def _qualified_arn(function) -> str:
    """``arn:aws:lambda:<region>:<account>:function:<name>:<version>`` (``$LATEST`` included), as in the record."""
    return f"{function.function_arn.split(':function:')[0]}:function:{function.function_name}:{function.version}"


def _exists(function) -> bool:
    from moto.awslambda.models import lambda_backends

    try:
        lambda_backends[function.account_id][function.region].get_function(
            function.function_name, str(function.version))
        return True
    except Exception:  # noqa: BLE001 - moto's ResourceNotFoundException
        return False


def _error_message(payload: Any) -> str:
    try:
        document = json.loads(payload)
        return str(document.get("errorMessage") or document.get("errorType") or payload)
    except (ValueError, TypeError, AttributeError):
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)


class EventQueue:
    """Lambda's asynchronous event queue: a time-ordered heap read by ``workers`` threads."""

    def __init__(self, workers: int = WORKERS):
        self.workers = workers
        self._heap: list[QueuedEvent] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._busy = 0

    def submit(self, function, body: str | bytes, qualifier: str | None = None) -> str:
        """Queue an event for ``function`` (moto's model of the version to run); returns its request ID.

        ``qualifier``: the alias, version or ``$LATEST`` the caller invoked, whose event-invoke config applies
        (default: the one the current Invoke request named, else ``function``'s version)."""
        if isinstance(body, (bytes, bytearray)):
            body = body.decode("utf-8")
        now = time.time()
        qualifier = qualifier or getattr(INVOKED, "qualifier", None) or str(function.version)
        event = QueuedEvent(now, next(self._seq), function, body or "{}", str(uuid.uuid4()), now,
                            qualifier=qualifier)
        self._push(event)
        return event.request_id

    def _push(self, event: QueuedEvent) -> None:
        with self._cond:
            heapq.heappush(self._heap, event)
            while len(self._threads) < self.workers:
                thread = threading.Thread(target=self._work, name=f"labkit-lambda-async-{len(self._threads)}",
                                          daemon=True)
                self._threads.append(thread)
                thread.start()
            self._cond.notify()

    def _requeue(self, event: QueuedEvent, delay: float) -> None:
        event.due = time.time() + delay
        event.seq = next(self._seq)
        self._push(event)

    def pending(self) -> int:
        """Events waiting or being processed."""
        with self._cond:
            return len(self._heap) + self._busy

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until no event is waiting or running; False if ``timeout`` seconds passed first."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.pending() == 0:
                return True
            time.sleep(0.02)
        return self.pending() == 0

    def clear(self) -> None:
        """Forget every waiting event (an engine reset)."""
        with self._cond:
            self._heap.clear()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0].due > time.time():
                    wait = (self._heap[0].due - time.time()) if self._heap else None
                    self._cond.wait(timeout=wait)
                event = heapq.heappop(self._heap)
                self._busy += 1
            try:
                self._process(event)
            except Exception as exc:  # noqa: BLE001 - one bad event must not stop the queue
                destinations.failures.append((event.function.function_arn, f"{type(exc).__name__}: {exc}"))
            finally:
                with self._cond:
                    self._busy -= 1

    def _process(self, event: QueuedEvent) -> None:
        function = event.function
        if not _exists(function):  # deleted while its event waited: nothing left to run or to report
            return
        scale = time_scale()
        config = event_invoke_config(function, event.qualifier)
        max_age = float(config.get("MaximumEventAgeInSeconds") or DEFAULT_MAXIMUM_EVENT_AGE) * scale
        retries = config.get("MaximumRetryAttempts")
        retries = DEFAULT_RETRY_ATTEMPTS if retries is None else int(retries)
        account, region, name = function.account_id, function.region, function.function_name
        if time.time() - event.accepted > max_age:
            return self._fail(event, config, "EventAgeExceeded")
        if concurrency.reserved_concurrency(account, region, name) == 0:
            return self._fail(event, config, "ZeroReservedConcurrency")
        try:
            slot = concurrency.holding(account, region, name)
            slot.__enter__()
        except concurrency.TooManyRequestsException:
            event.throttles += 1
            delay = min(THROTTLE_FIRST_DELAY * 2 ** (event.throttles - 1), THROTTLE_MAX_DELAY) * scale
            return self._requeue(event, delay)  # back to the queue; it expires there once older than max_age
        response_headers: dict = {}
        from ...lambda_runtime.environments import REQUEST_ID

        REQUEST_ID.value = event.request_id  # every attempt of the event runs with its request ID
        try:
            payload = function.invoke(event.body, {"x-amz-invocation-type": "RequestResponse"}, response_headers)
        finally:
            REQUEST_ID.value = None
            slot.__exit__(None, None, None)
        event.attempts += 1
        event.last_payload = payload
        event.last_error = response_headers.get("x-amz-function-error")
        if not event.last_error:
            return self._succeed(event, config, payload, response_headers)
        if event.attempts > retries:
            return self._fail(event, config, "RetriesExhausted")
        delay = RETRY_DELAYS[min(event.attempts - 1, len(RETRY_DELAYS) - 1)] * scale
        self._requeue(event, delay)  # when it is due, an event older than max_age is discarded instead of run

    def _record(self, event: QueuedEvent, condition: str, responded: bool) -> dict:
        return destinations.record(
            request_id=event.request_id, function_arn=_qualified_arn(event.function), condition=condition,
            invoke_count=event.attempts, request_payload=event.body,
            executed_version=str(event.function.version), function_error=event.last_error,
            response_payload=event.last_payload, responded=responded)

    def _succeed(self, event: QueuedEvent, config: dict, payload, response_headers) -> None:
        target = ((config.get("DestinationConfig") or {}).get("OnSuccess") or {}).get("Destination")
        if target:
            destinations.deliver(target, self._record(event, "Success", True), success=True,
                                 role_arn=event.function.role)

    def _fail(self, event: QueuedEvent, config: dict, condition: str) -> None:
        responded = event.attempts > 0
        dlq = dead_letter_target(event.function)
        if dlq:
            code, message = (429, "Rate Exceeded.") if not responded else (200, _error_message(event.last_payload))
            destinations.dead_letter(dlq, event.body, event.request_id, code, message, role_arn=event.function.role)
        target = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        if target:
            destinations.deliver(target, self._record(event, condition, responded), success=False,
                                 role_arn=event.function.role)


_queue: EventQueue | None = None
_queue_lock = threading.Lock()


def queue() -> EventQueue:
    """The process's event queue (created at first use)."""
    global _queue
    with _queue_lock:
        if _queue is None:
            _queue = EventQueue()
        return _queue


def submit(function, body: str | bytes, qualifier: str | None = None) -> str:
    """Invoke ``function`` (moto's ``LambdaFunction`` of the version to run) asynchronously with the JSON ``body``.

    ``qualifier``: the alias, version or ``$LATEST`` invoked (its event-invoke config applies; default: the one the
    current Invoke request named, else the function's version). Returns the request ID at once; the function runs
    on the queue's workers as Lambda runs queued events.
    """
    return queue().submit(function, body, qualifier)


def drain(timeout: float = 30.0) -> bool:
    """Wait until every queued event has been processed (retries included); False on timeout."""
    return queue().drain(timeout)


def _too_large(limit: int):
    from moto.core.exceptions import JsonRESTError

    error = JsonRESTError("RequestTooLargeException",
                          f"Request must be smaller than {limit} bytes for the InvokeFunction operation")
    error.code = 413
    return error


_installed = False


def install() -> None:
    """Check Invoke payload sizes and queue InvokeAsync events (idempotent)."""
    global _installed
    if _installed:
        return
    import functools
    from urllib.parse import unquote

    from moto.awslambda.responses import LambdaResponse

    original_invoke = LambdaResponse.invoke

    @functools.wraps(original_invoke)
    def invoke(self):
        kind = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
        limit = EVENT_PAYLOAD_LIMIT if kind == "Event" else SYNC_PAYLOAD_LIMIT
        if len(self.body or b"") > limit:
            raise _too_large(limit)
        return original_invoke(self)

    def invoke_async(self):
        if len(self.body or b"") > INVOKE_ASYNC_PAYLOAD_LIMIT:
            raise _too_large(INVOKE_ASYNC_PAYLOAD_LIMIT)
        index = -3 if self.path.endswith("/") else -2
        name = unquote(self.path.rsplit("/", 3)[index])
        function = self.backend.get_function(name, None)
        submit(function, self.body or b"{}", "$LATEST")
        return 202, {"status": 202}, ""

    LambdaResponse.invoke = invoke
    LambdaResponse.invoke_async = invoke_async
    _installed = True
