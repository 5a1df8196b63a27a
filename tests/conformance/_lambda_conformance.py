"""Helpers shared by the Lambda conformance tests (functions, queues, waiting for messages)."""
from __future__ import annotations

import json
import time

# A handler for every test: it appends "start <t>" / "end <t>" to the file named in the event (to see when and how
# often it ran), sleeps if asked, waits (up to 20 s) until the file named "hold" exists if asked, fails if asked,
# and returns the event it got.
HANDLER = """
import json, os, time

def handler(event, context):
    trace = event.get("trace")
    if trace:
        with open(trace, "a") as f:
            f.write(f"start {time.time()} {context.aws_request_id}\\n")
    time.sleep(event.get("sleep", 0))
    hold, waited = event.get("hold"), 0
    while hold and not os.path.exists(hold) and waited < 20:
        time.sleep(0.02)
        waited += 0.02
    if trace:
        with open(trace, "a") as f:
            f.write(f"end {time.time()}\\n")
    if event.get("fail"):
        raise ValueError(event.get("message", "the function failed"))
    print(json.dumps({"got": event}))
    return {"echo": event}
"""


DESTINATION_POLICIES = tuple(f"arn:aws:iam::aws:policy/{name}" for name in (
    "AmazonSQSFullAccess", "AmazonSNSFullAccess", "AWSLambda_FullAccess", "AmazonEventBridgeFullAccess"))
"""What an execution role needs to send records to destinations and dead-letter queues (sqs:SendMessage,
sns:Publish, lambda:InvokeFunction, events:PutEvents)."""


def create_function(lam, role: str, base: str = "conf-fn", **extra) -> str:
    """A Python function running :data:`HANDLER`; returns its name."""
    import labkit

    name = labkit.name(base)
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": HANDLER})}, Timeout=10, **extra)
    return name


def create_queue(sqs, base: str = "conf-q") -> tuple[str, str]:
    """A standard SQS queue: (URL, ARN)."""
    import labkit

    url = sqs.create_queue(QueueName=labkit.name(base))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive(sqs, url: str, count: int = 1, timeout: float = 15.0) -> list[dict]:
    """Wait for ``count`` messages on the queue (with all message attributes); returns them (maybe fewer)."""
    found: list[dict] = []
    deadline = time.time() + timeout
    while len(found) < count and time.time() < deadline:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                                    WaitTimeSeconds=0).get("Messages", [])
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        found += batch
        if len(found) < count:
            time.sleep(0.05)
    return found


def records(sqs, url: str, count: int = 1, timeout: float = 15.0) -> list[dict]:
    """The JSON bodies of ``count`` messages (invocation records)."""
    return [json.loads(m["Body"]) for m in receive(sqs, url, count, timeout)]


def runs(trace_path: str) -> list[tuple[float, float]]:
    """(start, end) of each run recorded in a trace file, in start order."""
    starts, ends = [], []
    try:
        with open(trace_path) as f:
            for line in f:
                kind, stamp, *_ = line.split()
                (starts if kind == "start" else ends).append(float(stamp))
    except FileNotFoundError:
        return []
    return list(zip(sorted(starts), sorted(ends)))


def max_overlap(spans: list[tuple[float, float]]) -> int:
    """The largest number of runs in progress at the same moment."""
    points = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans], key=lambda p: (p[0], p[1]))
    best = current = 0
    for _, step in points:
        current += step
        best = max(best, current)
    return best
