"""Load test of workshop mode: N simulated students (one thread and one issued key each) on one ``labkit serve``.

Starts ``python -m labkit serve --students N`` on a free port (tests/workshop_server.py), then every student, at
once: creates a bucket, puts, gets and lists 5 objects, creates a queue, sends and receives 5 messages. Afterwards it asserts isolation through
each student's own key: each lists only their own bucket and queue, and reading the next student's object (by its
global bucket name) is refused with 403 AccessDenied. It reports per-call latency (p50, p95 over every call), the
wall time and the server's resident memory (its process and children)::

    python bench/workshop_load.py --students 100 --json data/workshop-load.json

Not a timed test: tests/test_workshop_load.py runs it with 10 students and a 30-second read timeout.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from workshop_server import WorkshopServer  # noqa: E402

OBJECTS = MESSAGES = 5


def engine_of(server: WorkshopServer, key: dict, read_timeout: float):
    """The student's client factory: no retries, ``read_timeout`` seconds per call."""
    from botocore.config import Config

    engine = server.engine(key)
    engine.config = Config(retries={"max_attempts": 1, "mode": "standard"}, max_pool_connections=4,
                           read_timeout=read_timeout)
    return engine


def names(number: int) -> tuple[str, str]:
    return f"ws-load-{number:03d}-bucket", f"ws-load-{number:03d}-queue"


def student(server: WorkshopServer, number: int, key: dict, read_timeout: float = 120) -> dict:
    """One student's workload; returns each call's latency (seconds) and what they made."""
    engine = engine_of(server, key, read_timeout)
    s3, sqs = (engine.client(service, config=engine.config) for service in ("s3", "sqs"))
    latencies = []

    def call(client, operation, **kwargs):
        began = time.perf_counter()
        result = getattr(client, operation)(**kwargs)
        latencies.append(time.perf_counter() - began)
        return result

    bucket, queue_name = names(number)
    call(s3, "create_bucket", Bucket=bucket)
    for i in range(OBJECTS):
        body = f"student {number} object {i}".encode()
        call(s3, "put_object", Bucket=bucket, Key=f"k{i}", Body=body)
        assert call(s3, "get_object", Bucket=bucket, Key=f"k{i}")["Body"].read() == body
    assert call(s3, "list_objects_v2", Bucket=bucket)["KeyCount"] == OBJECTS
    queue = call(sqs, "create_queue", QueueName=queue_name)["QueueUrl"]
    for i in range(MESSAGES):
        call(sqs, "send_message", QueueUrl=queue, MessageBody=f"{number}:{i}")
    received = []
    while len(received) < MESSAGES:
        got = call(sqs, "receive_message", QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        assert got or len(received) == MESSAGES, f"student {number}: queue empty after {len(received)} messages"
        received += [m["Body"] for m in got]
    assert sorted(received) == sorted(f"{number}:{i}" for i in range(MESSAGES)), received
    return {"latencies": latencies, "bucket": bucket, "queue": queue_name}


def check_isolation(server: WorkshopServer, keys: list[dict], read_timeout: float = 120) -> int:
    """Each student sees only their own bucket and queue, and is refused the next student's object; returns the
    number of refused cross-account reads (one per student). Raises AssertionError otherwise."""
    from botocore.exceptions import ClientError

    refused = 0
    for number, key in enumerate(keys):
        engine = engine_of(server, key, read_timeout)
        s3, sqs = engine.client("s3", config=engine.config), engine.client("sqs", config=engine.config)
        bucket, queue = names(number)
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [bucket], f"student {number} sees others' buckets"
        assert [u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"]] == [queue], \
            f"student {number} sees others' queues"
        neighbour, _ = names((number + 1) % len(keys))
        if neighbour == bucket:
            continue
        try:
            s3.get_object(Bucket=neighbour, Key="k0")
        except ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            assert (status, error.response["Error"]["Code"]) == (403, "AccessDenied"), error.response
            refused += 1
        else:
            raise AssertionError(f"student {number} read student {(number + 1) % len(keys)}'s object")
    return refused


def run(students: int, read_timeout: float = 120) -> dict:
    """Start a server, run the workload for ``students`` students at once, assert isolation; the report.
    ``read_timeout``: seconds a call may wait for its answer (botocore raises ReadTimeoutError after it)."""
    with WorkshopServer(students) as server:
        keys = server.students
        idle_mb = server.rss_mb()
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=students) as pool:
            sessions = list(pool.map(lambda n: student(server, n, keys[n], read_timeout), range(students)))
        wall = time.perf_counter() - began
        loaded_mb = server.rss_mb()
        refused = check_isolation(server, keys, read_timeout)
    latencies = sorted(value for session in sessions for value in session["latencies"])
    return {"students": students, "requests": len(latencies), "wall_s": round(wall, 2),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p95_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] * 1000, 1),
            "server_rss_mb_idle": round(idle_mb, 1), "server_rss_mb_after": round(loaded_mb, 1),
            "cross_account_reads_refused": refused,
            "workload": f"per student: CreateBucket, {OBJECTS} PutObject+GetObject, ListObjectsV2, CreateQueue, "
                        f"{MESSAGES} SendMessage, ReceiveMessage until all {MESSAGES} arrive",
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": sys.platform},
            "measured": time.strftime("%Y-%m-%d", time.gmtime())}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--json", help="write the report here (e.g. data/workshop-load.json)")
    args = parser.parse_args(argv)
    if args.students < 1:
        parser.error("--students must be 1 or more")
    report = run(args.students)
    print(json.dumps(report, indent=2))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
