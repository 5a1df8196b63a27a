"""Asynchronous Lambda invocation on the embedded engine: each test asserts the value AWS documents.

Pages (AWS Lambda Developer Guide): "Invoking a Lambda function asynchronously", "How Lambda handles errors and
retries with asynchronous invocation", "Configuring error handling settings for Lambda asynchronous invocations",
"Capturing records of Lambda asynchronous invocations" (destinations, invocation records, dead-letter queues).

Time is scaled (labkit.emulator.lambda_.async_invoke.TIME_SCALE, 1/100 by default): AWS waits 1 min, then 2 min,
between attempts; the engine 0.6 s, then 1.2 s.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import time

import pytest

from _lambda_conformance import (DESTINATION_POLICIES, create_function, create_queue, receive, records,
                                 runs)


@pytest.fixture(scope="module")
def aws(engine):
    import labkit

    return {"lambda": labkit.client("lambda"), "sqs": labkit.client("sqs"), "sns": labkit.client("sns"),
            "events": labkit.client("events"), "logs": labkit.client("logs"),
            "role": labkit.lambda_role(base="conf-async", policies=DESTINATION_POLICIES), "iam": labkit.client("iam")}


@pytest.fixture(scope="module")
def scale():
    from labkit.emulator.lambda_ import async_invoke

    return async_invoke.time_scale()


@pytest.fixture
def trace():
    handle, path = tempfile.mkstemp(prefix="conf-async-", suffix=".trace")
    os.close(handle)
    os.unlink(path)
    yield path
    if os.path.exists(path):
        os.unlink(path)


def invoke_event(lam, name: str, event: dict, **kwargs) -> dict:
    return lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event), **kwargs)


def destinations(aws, name: str, **config) -> tuple[str, str]:
    """Send both records of ``name`` to one fresh queue; returns (URL, ARN)."""
    url, arn = create_queue(aws["sqs"], "conf-dest")
    aws["lambda"].put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": arn}, "OnFailure": {"Destination": arn}},
        **config)
    return url, arn


def test_an_event_invocation_is_queued_and_answered_202_at_once(aws, trace):
    """"Invoking a Lambda function asynchronously": Lambda queues the event and answers 202 with no payload; the
    function runs afterwards."""
    name = create_function(aws["lambda"], aws["role"])
    began = time.time()
    answer = invoke_event(aws["lambda"], name, {"trace": trace, "sleep": 1.0})
    assert answer["StatusCode"] == 202
    assert answer["Payload"].read() == b""
    assert time.time() - began < 0.8, "Invoke waited for the function"
    deadline = time.time() + 15
    while not runs(trace) and time.time() < deadline:
        time.sleep(0.05)
    assert len(runs(trace)) == 1


def test_a_failing_event_runs_three_times_one_then_two_minutes_apart(aws, trace, scale):
    """"How Lambda handles errors and retries with asynchronous invocation": on a function error Lambda runs it two
    more times, one minute before the second attempt and two minutes before the third (scaled here)."""
    name = create_function(aws["lambda"], aws["role"])
    url, _ = destinations(aws, name)
    invoke_event(aws["lambda"], name, {"trace": trace, "fail": True})
    [document] = records(aws["sqs"], url)
    spans = runs(trace)
    assert len(spans) == 3
    assert spans[1][0] - spans[0][1] >= 60 * scale * 0.95
    assert spans[2][0] - spans[1][1] >= 120 * scale * 0.95
    assert document["requestContext"]["condition"] == "RetriesExhausted"
    assert document["requestContext"]["approximateInvokeCount"] == 3


def test_maximum_retry_attempts_zero_runs_once(aws, trace):
    """"Configuring error handling settings for Lambda asynchronous invocations": MaximumRetryAttempts is the number
    of retries after a function error (0–2)."""
    name = create_function(aws["lambda"], aws["role"])
    url, _ = destinations(aws, name, MaximumRetryAttempts=0)
    invoke_event(aws["lambda"], name, {"trace": trace, "fail": True})
    [document] = records(aws["sqs"], url)
    assert document["requestContext"]["approximateInvokeCount"] == 1
    assert len(runs(trace)) == 1


def test_an_event_older_than_maximum_event_age_goes_to_on_failure(aws, trace):
    """"Capturing records of Lambda asynchronous invocations": the on-failure destination gets a record when the event
    fails all processing attempts *or exceeds the maximum age*; with MaximumEventAgeInSeconds=60 the retry due one
    minute later never comes."""
    name = create_function(aws["lambda"], aws["role"])
    url, _ = destinations(aws, name, MaximumEventAgeInSeconds=60)
    invoke_event(aws["lambda"], name, {"trace": trace, "fail": True})
    [document] = records(aws["sqs"], url)
    assert document["requestContext"]["condition"] != "Success"
    assert document["requestContext"]["approximateInvokeCount"] == 1
    assert len(runs(trace)) == 1


def test_on_success_record_has_the_documented_shape(aws):
    """"Capturing records of Lambda asynchronous invocations": the invocation record (version, timestamp,
    requestContext, requestPayload, responseContext, responsePayload), delivered to SQS as the message body."""
    name = create_function(aws["lambda"], aws["role"])
    url, _ = destinations(aws, name)
    invoke_event(aws["lambda"], name, {"order": 7})
    [document] = records(aws["sqs"], url)
    assert document["version"] == "1.0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", document["timestamp"])
    context = document["requestContext"]
    assert context["condition"] == "Success"
    assert context["approximateInvokeCount"] == 1
    assert context["functionArn"].endswith(f":function:{name}:$LATEST")
    assert re.fullmatch(r"[0-9a-f-]{36}", context["requestId"])
    assert document["requestPayload"] == {"order": 7}
    assert document["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert document["responsePayload"] == {"echo": {"order": 7}}


def test_on_failure_record_carries_the_function_error(aws):
    """"Capturing records of Lambda asynchronous invocations": a failure record's responseContext has
    functionError "Unhandled" and its responsePayload is the error."""
    name = create_function(aws["lambda"], aws["role"])
    url, _ = destinations(aws, name, MaximumRetryAttempts=0)
    invoke_event(aws["lambda"], name, {"fail": True, "message": "no stock"})
    [document] = records(aws["sqs"], url)
    assert document["requestContext"]["condition"] == "RetriesExhausted"
    assert document["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                           "functionError": "Unhandled"}
    assert document["responsePayload"]["errorMessage"] == "no stock"
    assert document["requestPayload"] == {"fail": True, "message": "no stock"}


def test_a_published_version_is_named_in_the_record(aws):
    """"Capturing records of Lambda asynchronous invocations": functionArn and executedVersion name the version
    that ran."""
    lam = aws["lambda"]
    name = create_function(lam, aws["role"])
    version = lam.publish_version(FunctionName=name)["Version"]
    url, _ = destinations(aws, name, Qualifier=version)
    invoke_event(lam, name, {"v": 1}, Qualifier=version)
    [document] = records(aws["sqs"], url)
    assert document["requestContext"]["functionArn"].endswith(f":function:{name}:{version}")
    assert document["responseContext"]["executedVersion"] == version


def test_the_config_of_the_invoked_alias_applies(aws):
    """"Configuring error handling settings for Lambda asynchronous invocations" and "Capturing records of Lambda
    asynchronous invocations": settings and destinations belong to a function, a version or an alias; an event
    invoked through an alias follows the alias's, an unqualified one the function's ($LATEST)."""
    import labkit

    lam = aws["lambda"]
    name = create_function(lam, aws["role"])
    version = lam.publish_version(FunctionName=name)["Version"]
    alias = labkit.name("live")
    lam.create_alias(FunctionName=name, Name=alias, FunctionVersion=version)
    alias_url, _ = destinations(aws, name, Qualifier=alias)
    latest_url, _ = destinations(aws, name)
    invoke_event(lam, name, {"via": "alias"}, Qualifier=alias)
    invoke_event(lam, name, {"via": "latest"})
    assert [r["requestPayload"] for r in records(aws["sqs"], alias_url)] == [{"via": "alias"}]
    assert [r["requestPayload"] for r in records(aws["sqs"], latest_url)] == [{"via": "latest"}]


def test_event_invoke_configs_are_kept_per_qualifier(aws):
    """"PutFunctionEventInvokeConfig", "GetFunctionEventInvokeConfig" and "ListFunctionEventInvokeConfigs" (AWS
    Lambda API Reference): a config per function, version or alias (Qualifier), named by its qualified ARN."""
    lam = aws["lambda"]
    name = create_function(lam, aws["role"])
    version = lam.publish_version(FunctionName=name)["Version"]
    put = lam.put_function_event_invoke_config(FunctionName=name, Qualifier=version, MaximumRetryAttempts=0)
    assert put["FunctionArn"].endswith(f":function:{name}:{version}")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function_event_invoke_config(FunctionName=name)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=2)
    assert lam.get_function_event_invoke_config(FunctionName=name, Qualifier=version)["MaximumRetryAttempts"] == 0
    listed = lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
    assert sorted(c["FunctionArn"].rsplit(":", 1)[1] for c in listed) == sorted([version, "$LATEST"])
    lam.delete_function_event_invoke_config(FunctionName=name, Qualifier=version)
    assert len(lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]) == 1


def test_a_recreated_function_starts_without_the_old_config(aws):
    """"DeleteFunction" (AWS Lambda API Reference) deletes the function with all its versions and aliases; a new
    function of the same name has no event-invoke config ("GetFunctionEventInvokeConfig": ResourceNotFoundException)."""
    import labkit

    lam = aws["lambda"]
    name = create_function(lam, aws["role"])
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    lam.delete_function(FunctionName=name)
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=aws["role"], Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": "def handler(e, c):\n    return e\n"})})
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function_event_invoke_config(FunctionName=name)


def test_cloudformation_event_invoke_config_and_dead_letter_config(aws):
    """"AWS::Lambda::EventInvokeConfig" and "AWS::Lambda::Function DeadLetterConfig" (CloudFormation template
    reference): a stack sets a function's asynchronous-invocation settings and its dead-letter queue."""
    import labkit

    s3, cfn = labkit.client("s3"), labkit.client("cloudformation")
    bucket = labkit.name("conf-code")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="app.zip", Body=labkit.zip_code({"app.py": "def handler(e, c):\n    return e\n"}))
    _, dlq = create_queue(aws["sqs"], "conf-cfn-dlq")
    template = {"Resources": {
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.handler", "Role": aws["role"],
            "Code": {"S3Bucket": bucket, "S3Key": "app.zip"}, "DeadLetterConfig": {"TargetArn": dlq}}},
        "Async": {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
            "FunctionName": {"Ref": "Fn"}, "Qualifier": "$LATEST", "MaximumRetryAttempts": 0,
            "MaximumEventAgeInSeconds": 120}}}}
    stack = labkit.name("conf-async-stack")
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    function = cfn.describe_stack_resource(StackName=stack, LogicalResourceId="Fn")["StackResourceDetail"][
        "PhysicalResourceId"]
    config = aws["lambda"].get_function_event_invoke_config(FunctionName=function)
    assert (config["MaximumRetryAttempts"], config["MaximumEventAgeInSeconds"]) == (0, 120)
    assert aws["lambda"].get_function_configuration(FunctionName=function)["DeadLetterConfig"] == {"TargetArn": dlq}
    cfn.delete_stack(StackName=stack)


def test_records_need_the_execution_roles_permission(aws):
    """"Capturing records of Lambda asynchronous invocations": the function's execution role needs
    sqs:SendMessage for an SQS destination; without it the record is not delivered (a permissions error)."""
    import labkit
    from labkit.emulator.lambda_ import async_invoke

    lam = aws["lambda"]
    role = labkit.lambda_role(base="conf-no-sqs")
    name = create_function(lam, role)
    url, arn = destinations(aws, name)
    invoke_event(lam, name, {"first": 1})
    assert async_invoke.drain(15)
    assert receive(aws["sqs"], url, timeout=0.3) == []
    aws["iam"].put_role_policy(RoleName=role.split("/")[-1], PolicyName="send", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn}]}))
    invoke_event(lam, name, {"second": 2})
    assert [r["requestPayload"] for r in records(aws["sqs"], url)] == [{"second": 2}]


def test_sns_destination_gets_the_record_as_the_message(aws):
    """"Capturing records of Lambda asynchronous invocations": to SNS the invocation record is the Message."""
    import labkit

    topic = aws["sns"].create_topic(Name=labkit.name("conf-topic"))["TopicArn"]
    url, queue_arn = create_queue(aws["sqs"], "conf-sub")
    aws["sns"].subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    name = create_function(aws["lambda"], aws["role"])
    aws["lambda"].put_function_event_invoke_config(FunctionName=name,
                                                   DestinationConfig={"OnSuccess": {"Destination": topic}})
    invoke_event(aws["lambda"], name, {"via": "sns"})
    [message] = receive(aws["sqs"], url)
    document = json.loads(json.loads(message["Body"])["Message"])
    assert document["requestContext"]["condition"] == "Success"
    assert document["requestPayload"] == {"via": "sns"}


def test_lambda_destination_gets_the_record_as_its_event(aws):
    """"Capturing records of Lambda asynchronous invocations": to a Lambda function the record is the payload."""
    lam = aws["lambda"]
    target = create_function(lam, aws["role"], "conf-target")
    target_arn = lam.get_function(FunctionName=target)["Configuration"]["FunctionArn"]
    name = create_function(lam, aws["role"])
    lam.put_function_event_invoke_config(FunctionName=name,
                                         DestinationConfig={"OnSuccess": {"Destination": target_arn}})
    invoke_event(lam, name, {"via": "lambda"})
    deadline, got = time.time() + 15, None
    while got is None and time.time() < deadline:
        try:
            events = aws["logs"].filter_log_events(logGroupName=f"/aws/lambda/{target}")["events"]
        except aws["logs"].exceptions.ResourceNotFoundException:
            events = []
        for event in events:
            if event["message"].startswith('{"got"'):
                got = json.loads(event["message"])["got"]
        time.sleep(0.05)
    assert got is not None, "the destination function never ran"
    assert got["requestContext"]["condition"] == "Success"
    assert got["requestPayload"] == {"via": "lambda"}


def test_eventbridge_destination_gets_the_record_as_detail(aws):
    """"Capturing records of Lambda asynchronous invocations": to EventBridge the record is the detail of an event
    with source "lambda", detail-type "Lambda Function Invocation Result - Success", and the function's ARN among
    its resources."""
    import labkit

    bus = aws["events"].create_event_bus(Name=labkit.name("conf-bus"))["EventBusArn"]
    url, queue_arn = create_queue(aws["sqs"], "conf-bus-q")
    rule = labkit.name("conf-rule")
    aws["events"].put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": ["lambda"]}))
    aws["events"].put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
    name = create_function(aws["lambda"], aws["role"])
    aws["lambda"].put_function_event_invoke_config(FunctionName=name,
                                                   DestinationConfig={"OnSuccess": {"Destination": bus}})
    invoke_event(aws["lambda"], name, {"via": "eventbridge"})
    [event] = records(aws["sqs"], url)
    assert event["source"] == "lambda"
    assert event["detail-type"] == "Lambda Function Invocation Result - Success"
    assert any(r.endswith(f":function:{name}:$LATEST") or r.endswith(f":function:{name}")
               for r in event["resources"])
    assert event["detail"]["requestPayload"] == {"via": "eventbridge"}


def test_dead_letter_queue_gets_the_event_with_its_attributes(aws):
    """"Capturing records of Lambda asynchronous invocations" (dead-letter queues): the event itself, with the
    attributes RequestID (String), ErrorCode (Number) and ErrorMessage (String)."""
    lam = aws["lambda"]
    dlq_url, dlq_arn = create_queue(aws["sqs"], "conf-dlq")
    name = create_function(lam, aws["role"], DeadLetterConfig={"TargetArn": dlq_arn})
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    invoke_event(lam, name, {"fail": True, "message": "card declined"})
    [message] = receive(aws["sqs"], dlq_url)
    assert json.loads(message["Body"]) == {"fail": True, "message": "card declined"}
    attributes = message["MessageAttributes"]
    assert attributes["RequestID"]["DataType"] == "String"
    assert re.fullmatch(r"[0-9a-f-]{36}", attributes["RequestID"]["StringValue"])
    assert attributes["ErrorCode"]["DataType"] == "Number"
    assert attributes["ErrorMessage"]["DataType"] == "String"
    assert attributes["ErrorMessage"]["StringValue"] == "card declined"


def test_the_dead_letter_request_id_is_the_one_in_the_function_logs(aws, trace):
    """"Capturing records of Lambda asynchronous invocations": RequestID is the ID of the invocation request, and
    request IDs appear in function logs (every attempt of the event runs with it)."""
    lam = aws["lambda"]
    dlq_url, dlq_arn = create_queue(aws["sqs"], "conf-dlq-id")
    name = create_function(lam, aws["role"], DeadLetterConfig={"TargetArn": dlq_arn})
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    invoke_event(lam, name, {"fail": True, "trace": trace})
    [message] = receive(aws["sqs"], dlq_url)
    request_id = message["MessageAttributes"]["RequestID"]["StringValue"]
    with open(trace) as f:
        seen = [line.split()[2] for line in f if line.startswith("start")]
    assert seen == [request_id, request_id]
    lines = [e["message"] for e in aws["logs"].filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]]
    assert any(line.startswith(f"START RequestId: {request_id}") for line in lines)


def test_sns_dead_letter_topic_gets_the_event(aws):
    """"Capturing records of Lambda asynchronous invocations": an SNS topic can be the dead-letter queue; it gets
    the event with the same attributes."""
    import labkit

    lam = aws["lambda"]
    topic = aws["sns"].create_topic(Name=labkit.name("conf-dlt"))["TopicArn"]
    url, queue_arn = create_queue(aws["sqs"], "conf-dlt-sub")
    aws["sns"].subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    name = create_function(lam, aws["role"], DeadLetterConfig={"TargetArn": topic})
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    invoke_event(lam, name, {"fail": True})
    [message] = receive(aws["sqs"], url)
    envelope = json.loads(message["Body"])
    assert json.loads(envelope["Message"]) == {"fail": True}
    assert set(envelope["MessageAttributes"]) == {"RequestID", "ErrorCode", "ErrorMessage"}


def test_dead_letter_config_is_returned_and_locked_into_a_version(aws):
    """"Capturing records of Lambda asynchronous invocations": a dead-letter queue is part of a function's
    version-specific configuration, locked in when a version is published."""
    lam = aws["lambda"]
    _, first = create_queue(aws["sqs"], "conf-dlq-a")
    _, second = create_queue(aws["sqs"], "conf-dlq-b")
    name = create_function(lam, aws["role"], DeadLetterConfig={"TargetArn": first})
    assert lam.get_function_configuration(FunctionName=name)["DeadLetterConfig"] == {"TargetArn": first}
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": second})
    assert lam.get_function_configuration(FunctionName=name)["DeadLetterConfig"] == {"TargetArn": second}
    assert lam.get_function_configuration(FunctionName=name, Qualifier=version)["DeadLetterConfig"] == {
        "TargetArn": first}


def test_put_overwrites_and_update_merges_the_event_invoke_config(aws):
    """"Configuring error handling settings for Lambda asynchronous invocations": put-function-event-invoke-config
    overwrites any existing configuration; update-function-event-invoke-config changes only what it names."""
    lam = aws["lambda"]
    name = create_function(lam, aws["role"])
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=3600)
    config = lam.get_function_event_invoke_config(FunctionName=name)
    assert config["MaximumEventAgeInSeconds"] == 3600
    assert "MaximumRetryAttempts" not in config
    lam.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    config = lam.get_function_event_invoke_config(FunctionName=name)
    assert (config["MaximumEventAgeInSeconds"], config["MaximumRetryAttempts"]) == (3600, 1)


def test_reserved_concurrency_zero_sends_events_to_on_failure_without_running(aws, trace):
    """"Capturing records of Lambda asynchronous invocations" (note): with reserved concurrency 0, Lambda sends new
    events to the dead-letter queue or on-failure destination without any retries."""
    lam = aws["lambda"]
    dlq_url, dlq_arn = create_queue(aws["sqs"], "conf-zero-dlq")
    name = create_function(lam, aws["role"], DeadLetterConfig={"TargetArn": dlq_arn})
    url, _ = destinations(aws, name)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    assert invoke_event(lam, name, {"trace": trace})["StatusCode"] == 202
    [document] = records(aws["sqs"], url)
    assert document["requestContext"]["condition"] != "Success"
    assert document["requestPayload"] == {"trace": trace}
    assert json.loads(receive(aws["sqs"], dlq_url)[0]["Body"]) == {"trace": trace}
    assert runs(trace) == []


def test_an_event_payload_over_1_mb_is_refused(aws):
    """"Invoke" (AWS Lambda API Reference): for asynchronous invocations the maximum payload size is 1 MB; a larger
    request fails with RequestTooLargeException (HTTP 413)."""
    from botocore.exceptions import ClientError

    name = create_function(aws["lambda"], aws["role"])
    big = json.dumps({"data": "x" * (1024 * 1024)})
    with pytest.raises(ClientError) as caught:
        invoke_event(aws["lambda"], name, json.loads(big))
    assert caught.value.response["Error"]["Code"] == "RequestTooLargeException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert invoke_event(aws["lambda"], name, {"data": "x" * 1000})["StatusCode"] == 202


def test_invoke_async_queues_the_event(aws, trace):
    """"InvokeAsync" (AWS Lambda API Reference, deprecated): invokes a function asynchronously, answering 202."""
    name = create_function(aws["lambda"], aws["role"])
    began = time.time()
    answer = aws["lambda"].invoke_async(FunctionName=name, InvokeArgs=json.dumps({"trace": trace, "sleep": 1.0}))
    assert answer["Status"] == 202
    assert time.time() - began < 0.8, "InvokeAsync waited for the function"
    deadline = time.time() + 15
    while not runs(trace) and time.time() < deadline:
        time.sleep(0.05)
    assert len(runs(trace)) == 1
