"""The differences the Logs Insights and X-Ray sampling labs announce still hold on the embedded engine (if
moto learns one, the notice and the lab's workaround must go), and the notice fires only when a lab meets it."""
from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

import labkit
from labkit.emulator.cloudwatch import beyond_moto


@pytest.mark.parametrize("query, beyond", [
    ("fields @timestamp, @message | sort @timestamp desc | limit 5", False),
    ("fields @timestamp, @logStream, @log | limit 3", False),
    ('filter level = "ERROR" | fields @timestamp', True),
    ("stats avg(latency_ms) by bin(1m)", True),
    ('parse @message "user=*" as user', True),
    ("fields latency_ms | limit 3", True),
    ("fields @timestamp | sort latency_ms desc", True),
])
def test_beyond_moto(query, beyond):
    assert beyond_moto(query) is beyond


@pytest.fixture
def group(engine):
    logs = labkit.client("logs")
    name = labkit.name("differences")
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    yield logs, name
    logs.delete_log_group(logGroupName=name)


def run(logs, group, query):
    now = int(time.time())
    query_id = logs.start_query(logGroupName=group, startTime=now - 600, endTime=now + 60,
                                queryString=query)["queryId"]
    return logs.get_query_results(queryId=query_id)["results"]


def test_moto_still_ignores_filter_and_stats(group):
    logs, name = group
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=name, logStreamName="s", logEvents=[
        {"timestamp": now - 1000 + i, "message": json.dumps({"level": level})}
        for i, level in enumerate(["INFO", "ERROR", "INFO"])])
    assert len(run(logs, name, 'filter level = "ERROR" | fields @message')) == 3      # AWS: 1
    assert len(run(logs, name, "stats count(*) by level")) == 3                        # AWS: 2 rows


def test_the_engine_still_has_no_sampling_targets(engine):
    """xray-sampling-targets-unimplemented: sampling rules are kept (labkit/emulator/xray_sampling.py), but
    GetSamplingTargets is not answered."""
    with pytest.raises(ClientError) as error:
        labkit.client("xray").get_sampling_targets(SamplingStatisticsDocuments=[])
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
