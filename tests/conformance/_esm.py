"""Helpers shared by the event source mapping conformance tests: a recording function, sources, reading results."""
from __future__ import annotations

import json
import os
import tempfile
import time

import pytest

# The function writes each event it gets (one JSON line) to the file named by OUT, then, by MODE:
#   ok      - succeeds;
#   raise   - fails (raises) when a record's payload contains "bad";
#   report  - returns batchItemFailures naming the records whose payload contains "bad";
#   respond - returns the JSON in RESPONSE as it is;
#   sleep   - sleeps SLEEP seconds, then succeeds.
HANDLER = r'''
import base64, json, os, time

def payload(record):
    if "body" in record:
        return record["body"]
    if "kinesis" in record:
        return base64.b64decode(record["kinesis"]["data"]).decode("utf-8", "replace")
    return json.dumps(record.get("dynamodb", {}).get("NewImage", {}))

def identifier(record):
    if "messageId" in record:
        return record["messageId"]
    if "kinesis" in record:
        return record["kinesis"]["sequenceNumber"]
    return record["dynamodb"]["SequenceNumber"]

def handler(event, context):
    with open(os.environ["OUT"], "a") as f:
        f.write(json.dumps({"at": time.time(), "event": event}) + "\n")
    mode = os.environ.get("MODE", "ok")
    bad = [r for r in event["Records"] if "bad" in payload(r)]
    if mode == "sleep":
        time.sleep(float(os.environ.get("SLEEP", "1")))
    if mode == "raise" and bad:
        raise ValueError("a bad record")
    if mode == "report":
        return {"batchItemFailures": [{"itemIdentifier": identifier(r)} for r in bad]}
    if mode == "respond":
        return json.loads(os.environ["RESPONSE"])
    return None
'''


class Recorder:
    """A Lambda function that records its events in a local file; ``calls()`` reads them back."""

    created: list["Recorder"] = []

    def __init__(self, lam, mode: str = "ok", **env):
        import labkit

        Recorder.created.append(self)

        fd, self.path = tempfile.mkstemp(prefix="esm-", suffix=".jsonl")
        os.close(fd)
        self.lam = lam
        self.name = labkit.name("esm-fn")
        variables = {"OUT": self.path, "MODE": mode, **{k: str(v) for k, v in env.items()}}
        self.arn = lam.create_function(
            FunctionName=self.name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
            Code={"ZipFile": labkit.zip_code({"app.py": HANDLER})}, Timeout=1,  # ≤ the queues' visibility timeout
            Environment={"Variables": variables})["FunctionArn"]

    def calls(self) -> list[dict]:
        """Every invocation so far: ``{"at": epoch seconds, "event": {...}}``, in order."""
        with open(self.path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def batches(self) -> list[list[dict]]:
        return [call["event"]["Records"] for call in self.calls()]

    def wait_calls(self, count: int, timeout: float = 10.0) -> list[dict]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            calls = self.calls()
            if len(calls) >= count:
                return calls
            time.sleep(0.05)
        return self.calls()


def queue(sqs, base: str = "esm-q", **attributes) -> tuple[str, str]:
    """An SQS queue: (URL, ARN)."""
    import labkit

    url = sqs.create_queue(QueueName=labkit.name(base), Attributes={k: str(v) for k, v in attributes.items()})[
        "QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def counts(sqs, url: str) -> tuple[int, int]:
    """(visible, in flight) messages of a queue."""
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])


def drain(sqs, url: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
    """Receive (and delete) up to ``count`` messages, waiting up to ``timeout`` seconds."""
    found: list[dict] = []
    deadline = time.time() + timeout
    while len(found) < count and time.time() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                           MessageAttributeNames=["All"]).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            found.append(message)
        if len(found) < count:
            time.sleep(0.05)
    return found


SETTLE_SECONDS = 3.0
"""Another engine's pollers cannot be watched from here: wait_idle gives them this long to settle."""


def wait_idle(timeout: float = 15.0) -> None:
    import labkit

    if labkit.engine().name != "embedded":
        time.sleep(SETTLE_SECONDS)
        return
    from labkit.emulator.event_sources import wait_idle as idle

    assert idle(timeout), "the event source mappings did not drain in time"


def cleanup() -> None:
    """Delete the mappings and functions the test created (their pollers stop with them) and the event files."""
    while Recorder.created:
        fn = Recorder.created.pop()
        for mapping in fn.lam.list_event_source_mappings(FunctionName=fn.arn)["EventSourceMappings"]:
            fn.lam.delete_event_source_mapping(UUID=mapping["UUID"])
        fn.lam.delete_function(FunctionName=fn.name)
        os.unlink(fn.path)


@pytest.fixture(autouse=True)
def delete_mappings():
    """Autouse in every module that imports it: after each test, its mappings, functions and event files go."""
    yield
    cleanup()
