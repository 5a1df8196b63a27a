"""Probes of CloudWatch Logs capabilities that both emulators lack, shared by tests/test_ministack.py and
tests/test_localstack.py (each engine module's ``LACKS`` lists the lack, each test module's ``PROBES`` probes it).

A probe takes a started engine and answers "does it still lack this?": True while the lack is there. Each runs in
a log group of its own, named from the probe and a random suffix, so it can run on an engine other tests share.
"""
from __future__ import annotations

import json
import time
import uuid


def _log_group(engine, word: str) -> tuple[object, str]:
    logs = engine.client("logs")
    group = f"probe-{word}-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    return logs, group


def probe_insights_stats(engine) -> bool:
    """True when a Logs Insights ``stats avg(...) by path`` query completes without the ``avg_ms`` column (the
    engine returned the events themselves); AWS returns one row per path with it (stats, CloudWatch Logs User
    Guide)."""
    logs, group = _log_group(engine, "insights")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": now + i, "message": json.dumps({"path": "/a", "latency_ms": 10 * i})} for i in (1, 2, 3)])
    query = logs.start_query(logGroupName=group, startTime=now // 1000 - 600, endTime=now // 1000 + 600,
                             queryString="stats avg(latency_ms) as avg_ms by path")["queryId"]
    for _ in range(40):
        answer = logs.get_query_results(queryId=query)
        if answer["status"] not in ("Scheduled", "Running"):
            break
        time.sleep(0.25)
    logs.delete_log_group(logGroupName=group)
    return answer["status"] == "Complete" and not any(f["field"] == "avg_ms" for row in answer["results"] for f in row)


EMF_WAIT_SECONDS = 5.0  # neither emulator has any code that reads an _aws member; AWS extracts within seconds


def probe_emf_extraction(engine, wait: float = EMF_WAIT_SECONDS) -> bool:
    """True when a log event in the embedded metric format (one metric, one dimension, in a namespace of its own)
    yields no metric in CloudWatch within ``wait`` seconds; CloudWatch Logs extracts it (Specification: Embedded
    metric format, Amazon CloudWatch User Guide)."""
    logs, group = _log_group(engine, "emf")
    namespace = f"Probe/EMF-{uuid.uuid4().hex[:8]}"
    now = int(time.time() * 1000)
    document = {"_aws": {"Timestamp": now, "CloudWatchMetrics": [
        {"Namespace": namespace, "Dimensions": [["Service"]],
         "Metrics": [{"Name": "Latency", "Unit": "Milliseconds"}]}]},
        "Service": "probe", "Latency": 42}
    logs.put_log_events(logGroupName=group, logStreamName="s",
                        logEvents=[{"timestamp": now, "message": json.dumps(document)}])
    cloudwatch = engine.client("cloudwatch")
    began = time.monotonic()
    while True:
        if cloudwatch.list_metrics(Namespace=namespace)["Metrics"]:
            found = True
            break
        if time.monotonic() - began > wait:
            found = False
            break
        time.sleep(0.25)
    logs.delete_log_group(logGroupName=group)
    return not found
