"""Background work without threads, for the browser engine: Lambda's event queue and event source mappings.

On the embedded engine, asynchronous invocations (``InvocationType=Event``, S3/SNS/EventBridge targets) wait in
:class:`labkit.emulator.lambda_.async_invoke.EventQueue`, read by worker threads, and each event source mapping
(SQS, Kinesis, DynamoDB Streams) has a poller thread. Pyodide cannot start threads, so in the browser:

- :class:`SyncEventQueue` processes an event as soon as it is queued, inside the request that queued it (Invoke
  still answers 202 with no payload; the function's logs, destinations and dead-letter queue are filled by then).
  Retries follow at once, without Lambda's waits between attempts;
- pollers do not run on their own: :func:`wrap` makes the engine's WSGI app run one round of every event source
  mapping's ``poll_once`` after each request from the notebook (not after the handlers' own nested calls), until a
  round finds nothing more, so a lab that sends messages and then reads logs, or waits in a loop of calls, sees
  them processed. Between two calls nothing happens, as in a paused page.

Both are registered differences; the browser engine shows their notices when they apply.
"""
from __future__ import annotations

import heapq

from .registry import Difference

MAX_ROUNDS = 50  # poll rounds after one request (each round reads a batch per mapping)

DIFFERENCES = [
    Difference(
        id="lambda-browser-async-at-once",
        service="lambda",
        aws="An asynchronous invocation is queued and Invoke returns 202 at once; Lambda runs the function soon "
            "after and, on an error, retries twice, waiting about one and then two minutes between attempts.",
        engine="In the browser (no threads) the function runs inside the Invoke request that queued the event, "
               "before the 202 answer; retries follow at once, without the waits.",
        doc="How Lambda handles errors and retries with asynchronous invocation",
    ),
    Difference(
        id="lambda-browser-esm-between-calls",
        service="lambda",
        aws="An event source mapping polls its queue or stream continuously, whatever the caller does.",
        engine="In the browser (no threads) event source mappings poll after each API call the notebook makes, "
               "until nothing is left to read; between two calls nothing is polled.",
        doc="How Lambda processes records from stream and queue-based event sources",
    ),
]

_pollers: list = []
_depth = 0


def sync_event_queue():
    """An :class:`EventQueue` that processes each event when it is queued (made lazily: it imports the queue)."""
    from .lambda_ import async_invoke

    class SyncEventQueue(async_invoke.EventQueue):
        """Lambda's event queue without worker threads (see the module docstring)."""

        _running = False

        def _push(self, event) -> None:
            heapq.heappush(self._heap, event)
            if self._running:
                return  # a retry queued while an event runs: processed by the loop below
            from .notices import notice

            notice("lambda-browser-async-at-once")
            self._running = True
            try:
                while self._heap:
                    queued = heapq.heappop(self._heap)
                    self._busy += 1
                    try:
                        self._process(queued)
                    except Exception as exc:  # noqa: BLE001 - as the threaded queue: one bad event is recorded
                        from .lambda_ import destinations

                        destinations.failures.append((queued.function.function_arn, f"{type(exc).__name__}: {exc}"))
                    finally:
                        self._busy -= 1
            finally:
                self._running = False

    return SyncEventQueue()


def install_cooperative_pollers() -> None:
    """Event source mappings' pollers register here instead of starting a thread (browser engine only)."""
    from .event_sources import _poller

    def start(self):
        from .notices import notice

        notice("lambda-browser-esm-between-calls")
        _pollers.append(self)
        return self

    _poller.Poller.start = start


def poll_round() -> bool:
    """One ``poll_once`` of every live mapping; True if any handed records to its function."""
    from .event_sources import _forget

    worked = False
    for poller in list(_pollers):
        if poller._stopping.is_set() or not poller.alive():
            _pollers.remove(poller)
            _forget(poller)
            continue
        with poller._busy:
            try:
                worked = bool(poller.poll_once()) or worked
            except Exception:  # noqa: BLE001 - as the threaded poller: a bad record must not stop the others
                pass
    return worked


class wrap:
    """The engine's WSGI app, followed by poll rounds after each outermost request."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        global _depth
        _depth += 1
        try:
            return self.app(environ, start_response)
        finally:
            _depth -= 1
            if _depth == 0 and _pollers:
                _depth += 1  # the pollers' own calls are nested
                try:
                    for _ in range(MAX_ROUNDS):
                        if not poll_round():
                            break
                finally:
                    _depth -= 1
