"""CloudWatch Logs extracts metrics from embedded metric format (EMF) log events sent with PutLogEvents.

AWS pages: "Specification: Embedded metric format" and "Using the PutLogEvents API to send manually-created
embedded metric format logs" (Amazon CloudWatch User Guide).
"""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest

import labkit

NAMESPACE = "DVA/Conformance/EMF"


@pytest.fixture
def stream(engine):
    logs = labkit.client("logs")
    group = "/dva/" + labkit.name("emf-conformance")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")

    def put(*documents):
        now = int(time.time() * 1000)
        logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
            {"timestamp": now + i, "message": d if isinstance(d, str) else json.dumps(d)}
            for i, d in enumerate(documents)])
    yield put
    logs.delete_log_group(logGroupName=group)


def emf(metric, value, service, unit="Milliseconds", dimension_sets=(("Service",),), **members):
    return {"Service": service, metric: value, **members,
            "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [
                {"Namespace": NAMESPACE, "Dimensions": [list(s) for s in dimension_sets],
                 "Metrics": [{"Name": metric, "Unit": unit}]}]}}


def statistics(metric, dimensions, within=30):
    """Sum and SampleCount of ``metric`` over the last minutes; waits up to ``within`` s (AWS extracts in seconds)."""
    cw = labkit.client("cloudwatch")
    now = dt.datetime.now(dt.timezone.utc)
    for _ in range(within):
        points = cw.get_metric_statistics(Namespace=NAMESPACE, MetricName=metric, Dimensions=dimensions,
                                          StartTime=now - dt.timedelta(minutes=5),
                                          EndTime=now + dt.timedelta(minutes=5), Period=600,
                                          Statistics=["Sum", "SampleCount"])["Datapoints"]
        if points:
            return points[0]["Sum"], points[0]["SampleCount"]
        time.sleep(1)
    return None


def test_emf_event_becomes_a_metric_with_its_dimensions(stream):
    """The specification: each metric named in a directive is recorded in its Namespace, once per dimension set,
    with the values of the dimension members of the same event."""
    service = labkit.name("svc")
    stream(emf("Latency", 120, service), emf("Latency", 80, service))
    assert statistics("Latency", [{"Name": "Service", "Value": service}]) == (200.0, 2.0)


def test_each_dimension_set_is_a_metric(stream):
    """A directive with the dimension sets [["Service"], []] records the value under both."""
    service = labkit.name("svc")
    stream(emf("Orders", 3, service, unit="Count", dimension_sets=(("Service",), ())))
    assert statistics("Orders", [{"Name": "Service", "Value": service}]) == (3.0, 1.0)
    names = {tuple(d["Name"] for d in m["Dimensions"])
             for m in labkit.client("cloudwatch").list_metrics(Namespace=NAMESPACE, MetricName="Orders")["Metrics"]}
    assert {("Service",), ()} <= names


def test_invalid_documents_stay_plain_log_events(stream):
    """Not a metric: a JSON event without _aws, and a directive whose metric member is not a number."""
    service = labkit.name("svc")
    stream(json.dumps({"Service": service, "Broken": 5}), emf("Broken", "five", service))
    assert statistics("Broken", [{"Name": "Service", "Value": service}], within=3) is None


def test_moto_alone_extracts_nothing(engine):
    """Without labkit's patch moto stores the event and records no metric: when this fails, moto extracts EMF
    itself and labkit.emulator.logs can go."""
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.logs.models import logs_backends

    from labkit.emulator import logs as emulator_logs

    account, region = labkit.engine().account_id, labkit.engine().region
    logs_backend = logs_backends[account][region]
    group = "/dva/" + labkit.name("emf-moto")
    logs_backend.create_log_group(group, {})
    logs_backend.create_log_stream(group, "s")
    service = labkit.name("svc")
    before = len(cloudwatch_backends[account][region].metric_data)
    emulator_logs._original_put_log_events(logs_backend, group, "s", [
        {"timestamp": int(time.time() * 1000), "message": json.dumps(emf("Latency", 1, service))}])
    assert len(cloudwatch_backends[account][region].metric_data) == before
    logs_backend.delete_log_group(group)


EMF_HANDLER = """
import json, time

def handler(event, context):
    print(json.dumps({"Service": event["service"], "Latency": 42, "_aws": {
        "Timestamp": int(time.time() * 1000),
        "CloudWatchMetrics": [{"Namespace": "DVA/Conformance/EMF", "Dimensions": [["Service"]],
                               "Metrics": [{"Name": "Latency", "Unit": "Milliseconds"}]}]}}))
    return "ok"
"""


def test_a_lambda_function_printing_emf_publishes_the_metric(engine):
    """In Lambda, what a function prints goes to its CloudWatch Logs stream, and an EMF line there becomes a metric
    ("Specification: Embedded metric format"): no PutMetricData call from the function."""
    lam, iam, logs = labkit.client("lambda"), labkit.client("iam"), labkit.client("logs")
    role = labkit.lambda_role()
    name, service = labkit.name("emf-fn"), labkit.name("svc")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": EMF_HANDLER})}, Timeout=10)
    try:
        lam.get_waiter("function_active_v2").wait(FunctionName=name)
        assert lam.invoke(FunctionName=name, Payload=json.dumps({"service": service}))["StatusCode"] == 200
        assert statistics("Latency", [{"Name": "Service", "Value": service}]) == (42.0, 1.0)
    finally:
        lam.delete_function(FunctionName=name)
        try:
            logs.delete_log_group(logGroupName=f"/aws/lambda/{name}")
        except logs.exceptions.ResourceNotFoundException:
            pass
        role_name = role.rsplit("/", 1)[-1]
        for policy in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=role_name, PolicyArn=policy["PolicyArn"])
        iam.delete_role(RoleName=role_name)
