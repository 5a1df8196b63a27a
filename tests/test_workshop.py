"""Workshop mode: ``python -m labkit serve`` shared by 30 simulated students, each in their own account.

Verifies isolation (no student sees another's resources), that no request fails, and that every check verdict
reaches the instructor's progress table; reports p50/p95 latency and the server's memory
(tests/artifacts/workshop-load.json).
"""
from __future__ import annotations

import json
import pathlib
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from labkit import progress, zip_code
from labkit.engines.shared import SharedEngine
from workshop_server import WorkshopServer

STUDENTS = 30
ARTIFACTS = pathlib.Path(__file__).resolve().parent / "artifacts"
HANDLER = "def handler(event, context):\n    return {'student': event['student'], 'fn': context.function_name}\n"


@pytest.fixture(scope="module")
def server():
    """``python -m labkit serve`` in open mode (no keys: each student's account comes from the request header)."""
    with WorkshopServer(students=None) as running:
        yield running
        running.check()


def student_session(url: str, number: int) -> dict:
    """One student's lab-like API sequence; returns their resource names and each call's latency."""
    account = f"{100000000000 + number:012d}"
    engine = SharedEngine("us-east-1", url, account)
    latencies = []

    def call(client, operation, **kwargs):
        began = time.perf_counter()
        result = getattr(client, operation)(**kwargs)
        latencies.append(time.perf_counter() - began)
        return result

    s3, dynamodb, sqs, lam, iam = (engine.client(s) for s in ("s3", "dynamodb", "sqs", "lambda", "iam"))
    bucket, table, queue_name, function = (f"dva-s{number}-{kind}" for kind in ("bucket", "table", "queue", "fn"))
    call(s3, "create_bucket", Bucket=bucket)
    for i in range(5):
        call(s3, "put_object", Bucket=bucket, Key=f"k{i}", Body=f"student {number}".encode())
        call(s3, "get_object", Bucket=bucket, Key=f"k{i}")["Body"].read()
    call(dynamodb, "create_table", TableName=table, BillingMode="PAY_PER_REQUEST",
         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    for i in range(5):
        call(dynamodb, "put_item", TableName=table, Item={"pk": {"S": str(i)}})
        call(dynamodb, "get_item", TableName=table, Key={"pk": {"S": str(i)}})
    queue = call(sqs, "create_queue", QueueName=queue_name)["QueueUrl"]
    call(sqs, "send_message", QueueUrl=queue, MessageBody=str(number))
    call(sqs, "receive_message", QueueUrl=queue)
    role = call(iam, "create_role", RoleName=f"dva-s{number}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    call(lam, "create_function", FunctionName=function, Runtime="python3.12", Role=role, Handler="app.handler",
         Code={"ZipFile": zip_code({"app.py": HANDLER})})
    answers = [json.loads(call(lam, "invoke", FunctionName=function,
                               Payload=json.dumps({"student": number}))["Payload"].read()) for _ in range(3)]
    progress.record("s3_basics.versioned_report", passed=number % 3 != 0, engine=engine)
    return {"engine": engine, "bucket": bucket, "table": table, "queue": queue_name, "function": function,
            "answers": answers, "latencies": latencies}


def test_thirty_students_are_isolated_and_served(server):
    url = server.url
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=STUDENTS) as pool:
        sessions = list(pool.map(lambda n: student_session(url, n), range(STUDENTS)))
    wall = time.perf_counter() - began

    for number, session in enumerate(sessions):
        engine = session["engine"]
        assert [b["Name"] for b in engine.client("s3").list_buckets()["Buckets"]] == [session["bucket"]]
        assert engine.client("dynamodb").list_tables()["TableNames"] == [session["table"]]
        assert [q.rsplit("/", 1)[1] for q in engine.client("sqs").list_queues()["QueueUrls"]] == [session["queue"]]
        assert [f["FunctionName"] for f in engine.client("lambda").list_functions()["Functions"]] == [session["function"]]
        assert session["answers"] == [{"student": number, "fn": session["function"]}] * 3

    rows = progress.class_progress(sessions[0]["engine"])
    assert len(rows) == STUDENTS
    assert sum(r["passed"] for r in rows) == len([n for n in range(STUDENTS) if n % 3 != 0])

    latencies = sorted(l for s in sessions for l in s["latencies"])
    report = {"students": STUDENTS, "requests": len(latencies), "wall_s": round(wall, 2),
              "p50_ms": round(statistics.median(latencies) * 1000, 1),
              "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
              "server_rss_mb_with_lambda_workers": round(server.rss_mb(), 1)}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "workshop-load.json").write_text(json.dumps(report, indent=2))
    print("\nworkshop load:", report)
