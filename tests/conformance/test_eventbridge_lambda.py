"""An EventBridge rule invokes its Lambda target as AWS documents.

Pages: "Amazon EventBridge events" (the event's fields), "PutTargets" (Amazon EventBridge API Reference: ``Input``,
``InputPath``, ``InputTransformer``), "Invoking a Lambda function asynchronously", "Using resource-based policies for
Amazon EventBridge" (events.amazonaws.com must be allowed to invoke the function), "Using dead-letter queues to
process undelivered events in EventBridge" and "Monitoring Amazon EventBridge" (a permission failure is not retried
and counts in FailedInvocations).
"""
from __future__ import annotations

import json
import re
import time

import pytest


@pytest.fixture(scope="module")
def recorder(engine):
    """A function that copies every event it gets into an SQS queue; ``rule(...)`` wires a rule to it."""
    import labkit

    sqs, lam, events = labkit.client("sqs"), labkit.client("lambda"), labkit.client("events")
    queue = sqs.create_queue(QueueName=labkit.name("conf-eb"))["QueueUrl"]
    code = ("import json, time, boto3\ndef handler(event, context):\n"
            "    time.sleep(event.get('sleep', 0) if isinstance(event, dict) else 0)\n"
            f"    boto3.client('sqs').send_message(QueueUrl='{queue}', MessageBody=json.dumps(event))\n")
    name = labkit.name("conf-eb")
    arn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(),
                              Handler="app.handler", Code={"ZipFile": labkit.zip_code({"app.py": code})})["FunctionArn"]
    rules = []

    def rule(source: str, allow: bool = True, **target) -> str:
        rule_name = labkit.name("conf-eb")
        rule_arn = events.put_rule(Name=rule_name, EventPattern=json.dumps({"source": [source]}))["RuleArn"]
        events.put_targets(Rule=rule_name, Targets=[{"Id": "fn", "Arn": arn, **target}])
        if allow:
            lam.add_permission(FunctionName=name, StatementId=rule_name, Action="lambda:InvokeFunction",
                               Principal="events.amazonaws.com", SourceArn=rule_arn)
        rules.append(rule_name)
        return rule_name

    def received(timeout: float = 15.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for message in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", []):
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
                return json.loads(message["Body"])
        return None

    yield arn, rule, received
    for rule_name in rules:
        events.remove_targets(Rule=rule_name, Ids=["fn"])
        events.delete_rule(Name=rule_name)
    lam.delete_function(FunctionName=name)
    sqs.delete_queue(QueueUrl=queue)


def _put(source: str, detail: dict, resources=()):
    import labkit

    answer = labkit.client("events").put_events(Entries=[{
        "Source": source, "DetailType": "order placed", "Detail": json.dumps(detail), "Resources": list(resources)}])
    assert answer["FailedEntryCount"] == 0
    return answer["Entries"][0]["EventId"]


def test_lambda_target_gets_the_event_asynchronously(recorder):
    """'Amazon EventBridge events' and 'Invoking a Lambda function asynchronously': the function receives version
    "0", id (PutEvents' EventId), detail-type, source, account, time (ISO 8601), region, resources and detail, and
    PutEvents does not wait for it."""
    arn, rule, received = recorder
    rule("conf.eb.envelope")
    started = time.perf_counter()
    event_id = _put("conf.eb.envelope", {"order": 7, "sleep": 1}, resources=["arn:aws:s3:::orders"])
    assert time.perf_counter() - started < 0.9  # the handler sleeps 1 s: PutEvents did not wait for it
    event = received()
    assert event is not None, "the function was not invoked"
    region, account = arn.split(":")[3], arn.split(":")[4]
    assert set(event) == {"version", "id", "detail-type", "source", "account", "time", "region", "resources",
                          "detail"}
    assert (event["version"], event["id"], event["detail-type"], event["source"]) == (
        "0", event_id, "order placed", "conf.eb.envelope")
    assert (event["account"], event["region"], event["resources"]) == (account, region, ["arn:aws:s3:::orders"])
    assert event["detail"] == {"order": 7, "sleep": 1}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["time"]), event["time"]


def test_input_replaces_the_event(recorder):
    """'PutTargets': with Input, the target receives that JSON text and nothing from the event."""
    _, rule, received = recorder
    rule("conf.eb.input", Input=json.dumps({"constant": True}))
    _put("conf.eb.input", {"order": 8})
    assert received() == {"constant": True}


def test_input_path_passes_part_of_the_event(recorder):
    """'PutTargets': InputPath "$.detail" passes only the event's detail."""
    _, rule, received = recorder
    rule("conf.eb.path", InputPath="$.detail")
    _put("conf.eb.path", {"order": 9})
    assert received() == {"order": 9}


def test_input_transformer_builds_the_input(recorder):
    """'PutTargets' (InputTransformer): InputPathsMap values are placed into InputTemplate."""
    _, rule, received = recorder
    rule("conf.eb.transform", InputTransformer={"InputPathsMap": {"o": "$.detail.order", "s": "$.source"},
                                                "InputTemplate": '{"order": <o>, "from": "<s>"}'})
    _put("conf.eb.transform", {"order": 10})
    assert received() == {"order": 10, "from": "conf.eb.transform"}


def test_without_permission_the_function_is_not_invoked(recorder):
    """'Using resource-based policies for Amazon EventBridge': without a statement letting events.amazonaws.com
    invoke the function for this rule, it is not invoked; 'Using dead-letter queues to process undelivered events in
    EventBridge' / 'Monitoring Amazon EventBridge': not retried, counted in the rule's FailedInvocations."""
    import datetime as dt

    import labkit
    from labkit.emulator.lambda_ import async_invoke

    _, rule, received = recorder
    rule_name = rule("conf.eb.denied", allow=False)  # the function's other statements name other rules
    _put("conf.eb.denied", {"order": 11})
    async_invoke.drain()
    assert received(timeout=2) is None
    now = dt.datetime.now(dt.timezone.utc)
    stats = labkit.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Events", MetricName="FailedInvocations",
        Dimensions=[{"Name": "RuleName", "Value": rule_name}], StartTime=now - dt.timedelta(minutes=5),
        EndTime=now + dt.timedelta(minutes=1), Period=60, Statistics=["Sum"])
    assert sum(p["Sum"] for p in stats["Datapoints"]) == 1


def test_moto_still_fails_a_lambda_target(recorder):
    """moto 5.2.5's Rule.send_to_targets raises NotImplementedError for a Lambda target (PutEvents → 500): the
    reason for labkit.emulator.eventbridge. When this fails, moto delivers to Lambda itself: revisit the patch."""
    from moto.events.models import events_backends

    from labkit.emulator import eventbridge

    arn, rule, _ = recorder
    rule_name = rule("conf.eb.moto")
    moto_rule = events_backends[arn.split(":")[4]][arn.split(":")[3]].event_buses["default"].rules[rule_name]
    event = {"version": "0", "id": "x", "detail-type": "t", "source": "conf.eb.moto", "account": arn.split(":")[4],
             "time": time.time(), "region": arn.split(":")[3], "resources": [], "detail": {},
             "ingestion-time": time.time()}
    with pytest.raises(NotImplementedError):
        eventbridge._original_send_to_targets(moto_rule, event)
