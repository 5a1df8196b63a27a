"""What every event source poller shares: its thread, its idle state, invoking the function, failure destinations."""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass

from . import filters

POLL_INTERVAL = 0.05
"""Seconds between two polls of a source that had nothing to read (AWS polls continuously; labs stay fast)."""

log = logging.getLogger("labkit.event_sources")


@dataclass
class Invocation:
    """The outcome of one synchronous invocation of the mapping's function with one batch."""
    invoked: bool            # False: the function could not be run (deleted, throttled, engine error)
    function_error: str | None
    payload: bytes
    executed_version: str
    error: str = ""          # why it could not be invoked

    @property
    def ok(self) -> bool:
        return self.invoked and not self.function_error

    def response(self):
        """The function's response parsed as JSON; raises ValueError if it is not JSON."""
        text = self.payload.decode("utf-8") if isinstance(self.payload, bytes) else (self.payload or "")
        return json.loads(text) if text.strip() else None


def invoke(esm, event: dict) -> Invocation:
    """Invoke the mapping's function synchronously (RequestResponse), as Lambda's pollers do."""
    from moto.awslambda.models import lambda_backends

    backend = lambda_backends[esm.account_id][esm.region]
    response_headers: dict = {}
    try:
        payload = backend.invoke(esm.function_arn, None, json.dumps(event), {}, response_headers)
    except Exception as exc:  # noqa: BLE001 - function gone, throttled: the poller retries as Lambda does
        return Invocation(False, None, b"", "", error=f"{type(exc).__name__}: {exc}")
    if isinstance(payload, str):
        payload = payload.encode()
    return Invocation(True, response_headers.get("x-amz-function-error"), payload or b"",
                      response_headers.get("x-amz-executed-version", "$LATEST"))


def send_to_destination(arn: str, document: dict) -> None:
    """Send a JSON document to an SQS queue or SNS topic named by ARN (an on-failure destination)."""
    parts = arn.split(":")
    if len(parts) < 6:
        log.warning("on-failure destination %r is not an ARN", arn)
        return
    service, region, account, name = parts[2], parts[3], parts[4], parts[5]
    body = json.dumps(document)
    try:
        if service == "sqs":
            from moto.sqs.models import sqs_backends

            sqs_backends[account][region].send_message(name, body)
        elif service == "sns":
            from moto.sns.models import sns_backends

            sns_backends[account][region].publish(body, arn=arn)
        else:
            log.warning("on-failure destination %r: the engine sends only to SQS and SNS", arn)
    except Exception as exc:  # noqa: BLE001 - a missing destination must not stop the poller
        log.warning("could not send to on-failure destination %s: %s", arn, exc)


class Poller:
    """A background thread that polls one event source mapping until it is deleted, disabled or stopped.

    Subclasses implement :meth:`poll_once` (returns True if it did work, so the next poll follows at once) and
    :meth:`pending` (True while the source holds records the mapping has yet to hand to the function).
    """

    source = ""

    def __init__(self, backend, esm):
        self.backend, self.esm = backend, esm
        self.uuid = esm.uuid
        self._stopping = threading.Event()
        self._busy = threading.Lock()  # held while a batch is read and processed
        self._thread: threading.Thread | None = None
        self._filter_text = None
        self._patterns: list = []

    # lifecycle -----------------------------------------------------------------------------------------------
    def start(self) -> "Poller":
        self._thread = threading.Thread(target=self._run, name=f"labkit-esm-{self.uuid[:8]}", daemon=True)
        self._thread.start()
        return self

    def stop(self, wait: float = 2.0) -> None:
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(wait)

    def alive(self) -> bool:
        """The mapping still exists in moto's backend and is enabled."""
        return self.backend._event_source_mappings.get(self.uuid) is self.esm and bool(self.esm.enabled)

    def _run(self) -> None:
        from . import _forget

        while not self._stopping.is_set():
            if not self.alive():
                break
            worked = False
            try:
                with self._busy:
                    worked = self.poll_once()
            except Exception:  # noqa: BLE001 - a poller must survive a bad record or a moto hiccup
                log.exception("event source mapping %s: poll failed", self.uuid)
            if not worked:
                self._stopping.wait(POLL_INTERVAL)
        _forget(self)

    # state ---------------------------------------------------------------------------------------------------
    def idle(self) -> bool:
        """Nothing is being processed and nothing is waiting to be read."""
        if not self.alive():
            return True
        if not self._busy.acquire(blocking=False):
            return False
        try:
            return not self.pending()
        finally:
            self._busy.release()

    def patterns(self) -> list:
        """The mapping's filter patterns (re-read when UpdateEventSourceMapping changes them)."""
        text = json.dumps(self.esm.filter_criteria, sort_keys=True)
        if text != self._filter_text:
            self._patterns = filters.compile_criteria(self.esm.filter_criteria, self.source)
            self._filter_text = text
        return self._patterns

    def poll_once(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def pending(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


def now() -> float:
    return time.time()
