"""The embedded engine runs Python Lambda code for real: payloads, errors, timeouts, env, logs, S3, SQS triggers."""
from __future__ import annotations

import base64
import json
import time

import pytest

import labkit

HANDLER = '''
import os, time, boto3

def handler(event, context):
    print("event keys:", sorted(event))
    action = event.get("action")
    if action == "fail":
        raise ValueError("bad input: " + event.get("why", "?"))
    if action == "sleep":
        time.sleep(event["seconds"])
    if action == "s3":
        s3 = boto3.client("s3")
        s3.put_object(Bucket=event["bucket"], Key="from-lambda.txt", Body=b"written by the handler")
        return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=event["bucket"])["Contents"])
    if action == "sqs":
        return {"bodies": [r["body"] for r in event["Records"]]}
    if action == "set":
        return {"ids": {1, 2}}
    if action == "decimal":  # numbers as boto3's DynamoDB resource returns them
        from decimal import Decimal
        return {"price": Decimal("19.90"), "stock": [Decimal("3"), Decimal("NaN")]}
    return {"name": context.function_name, "request_id": context.aws_request_id,
            "remaining_ms": context.get_remaining_time_in_millis(), "greeting": os.environ.get("GREETING"),
            "endpoint": os.environ.get("AWS_ENDPOINT_URL"), "version": context.function_version}
'''


@pytest.fixture(scope="module")
def function(engine):
    lam = labkit.client("lambda")
    name = labkit.name("runtime-test")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": HANDLER})}, Timeout=2,
                        Environment={"Variables": {"GREETING": "hello"}})
    yield name
    lam.delete_function(FunctionName=name)


def invoke(name, event, **kwargs):
    response = labkit.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event), **kwargs)
    return response, json.loads(response["Payload"].read() or "null")


def test_return_value_context_and_environment(function, engine):
    response, payload = invoke(function, {})
    assert "FunctionError" not in response
    assert payload["name"] == function
    assert len(payload["request_id"]) == 36
    assert 0 < payload["remaining_ms"] <= 2000
    assert payload["greeting"] == "hello"
    assert payload["endpoint"] == engine.endpoint_url
    assert payload["version"] == "$LATEST"


def test_exception_is_shaped_like_aws(function):
    response, payload = invoke(function, {"action": "fail", "why": "no id"})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "ValueError"
    assert payload["errorMessage"] == "bad input: no id"
    assert any("app.py" in frame and "handler" in frame for frame in payload["stackTrace"])
    assert not any("lambda_runtime" in frame for frame in payload["stackTrace"])


def test_a_result_json_cannot_hold_is_the_runtimes_marshal_error(function):
    """AWS's Python runtime (awslambdaric lambda_runtime_marshaller.marshal_response) answers a handler's result that
    is not JSON with a fault of its own, Runtime.MarshalError, no stack trace, and logs it; not the encoder's
    TypeError with the json module's frames."""
    response, payload = invoke(function, {"action": "set"}, LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    message = "Unable to marshal response: Object of type set is not JSON serializable"
    assert {k: payload[k] for k in ("errorType", "errorMessage", "stackTrace")} == {
        "errorType": "Runtime.MarshalError", "errorMessage": message, "stackTrace": []}
    assert len(payload["requestId"]) == 36
    assert f"[ERROR] Runtime.MarshalError: {message}" in base64.b64decode(response["LogResult"]).decode()


def test_a_decimal_in_the_result_is_a_json_number(function):
    """AWS's Python runtime encodes a Decimal (a DynamoDB item's numbers) as a JSON number written as the Decimal
    reads (awslambdaric lambda_runtime_marshaller.Encoder: RawJSON(str(value)), NaN for a NaN); not an error."""
    response = labkit.client("lambda").invoke(FunctionName=function, Payload=json.dumps({"action": "decimal"}))
    assert "FunctionError" not in response
    assert response["Payload"].read() == b'{"price": 19.90, "stock": [3, NaN]}'


def test_timeout_is_enforced_and_environment_replaced(function):
    began = time.perf_counter()
    response, payload = invoke(function, {"action": "sleep", "seconds": 5})
    assert time.perf_counter() - began < 4
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 2.00 seconds" in payload["errorMessage"]
    response, payload = invoke(function, {})  # a fresh environment serves the next call
    assert "FunctionError" not in response and payload["name"] == function


def test_print_output_reaches_log_tail_and_cloudwatch_logs(function):
    response, _ = invoke(function, {"marker": 1}, LogType="Tail")
    tail = base64.b64decode(response["LogResult"]).decode()
    assert "event keys: ['marker']" in tail and "REPORT RequestId:" in tail
    logs = labkit.client("logs")
    streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{function}")["logStreams"]
    messages = [e["message"] for s in streams
                for e in logs.get_log_events(logGroupName=f"/aws/lambda/{function}",
                                             logStreamName=s["logStreamName"])["events"]]
    assert "event keys: ['marker']" in messages


def test_handler_calls_s3_through_the_engine(function):
    s3 = labkit.client("s3")
    bucket = labkit.name("runtime")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="before.txt", Body=b"x")
    _, keys = invoke(function, {"action": "s3", "bucket": bucket})
    assert keys == ["before.txt", "from-lambda.txt"]
    assert s3.get_object(Bucket=bucket, Key="from-lambda.txt")["Body"].read() == b"written by the handler"


def test_sqs_event_source_mapping_runs_the_handler(engine):
    lam, sqs, s3 = labkit.client("lambda"), labkit.client("sqs"), labkit.client("s3")
    bucket = labkit.name("esm")
    s3.create_bucket(Bucket=bucket)
    code = '''
import boto3, os
def handler(event, context):
    for record in event["Records"]:
        boto3.client("s3").put_object(Bucket=os.environ["BUCKET"], Key=record["messageId"], Body=record["body"].encode())
'''
    name = labkit.name("esm")
    arn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(),
                              Handler="app.handler", Code={"ZipFile": labkit.zip_code({"app.py": code})},
                              Environment={"Variables": {"BUCKET": bucket}})["FunctionArn"]
    queue = sqs.create_queue(QueueName=labkit.name("esm"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=arn, BatchSize=1)
    sqs.send_message(QueueUrl=queue, MessageBody="order 42")
    deadline = time.time() + 10
    bodies = []
    while time.time() < deadline and not bodies:
        bodies = [s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
                  for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        time.sleep(0.2)
    assert bodies == [b"order 42"]


def test_weighted_alias_routes_by_weight(engine):
    lam = labkit.client("lambda")
    name = labkit.name("weights")
    code = 'def handler(event, context):\n    return context.function_version\n'
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": code})})
    v1 = lam.publish_version(FunctionName=name)["Version"]
    lam.update_function_code(FunctionName=name, ZipFile=labkit.zip_code({"app.py": code + "# v2\n"}))
    v2 = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=v1,
                     RoutingConfig={"AdditionalVersionWeights": {v2: 0.3}})
    answers = [invoke(name, {}, Qualifier="live")[1] for _ in range(200)]
    share = answers.count(v2) / len(answers)
    assert set(answers) == {v1, v2}
    assert 0.18 < share < 0.42


def test_other_runtimes_get_a_clear_error(engine):
    lam = labkit.client("lambda")
    name = labkit.name("node")
    lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=labkit.lambda_role(), Handler="index.handler",
                        Code={"ZipFile": labkit.zip_code({"index.js": "exports.handler = async () => 1;"})})
    response, payload = invoke(name, {})
    assert response["FunctionError"] == "Unhandled"
    assert "runs Python Lambda functions only" in payload["errorMessage"]
    assert "LABKIT_ENGINE=localstack" in payload["errorMessage"]


def test_idle_environments_are_retired(function, monkeypatch):
    from labkit.emulator.lambda_ import invoke_hook as moto_hook
    from labkit.lambda_runtime import environments

    invoke(function, {})
    pool = moto_hook._pool
    warm = [e for idle in pool._idle.values() for e in idle if e.spec.name == function]
    assert warm and all(e.process.poll() is None for e in warm)
    monkeypatch.setattr(environments, "IDLE_SECONDS", -1)
    invoke(function, {})  # acquiring retires every environment idle longer than IDLE_SECONDS
    assert all(e.process.poll() is not None for e in warm)


def test_a_second_engine_stopping_leaves_functions_calling_the_first(function, engine):
    from labkit.engines.embedded import EmbeddedEngine

    EmbeddedEngine("us-east-1").start().stop()  # e.g. a test or a tool that starts its own
    _, payload = invoke(function, {})
    assert payload["endpoint"] == engine.endpoint_url


@pytest.mark.parametrize("update", ["configuration", "code"])
def test_an_update_ends_the_idle_environments_it_made_stale(engine, update):
    """UpdateFunctionConfiguration / UpdateFunctionCode: the version's idle environments that run what was replaced
    end at once (Lambda never uses them again); a published version's environments and the next warm start stay."""
    from labkit.emulator.lambda_ import invoke_hook as moto_hook

    lam = labkit.client("lambda")
    name = labkit.name("stale")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": HANDLER})}, Timeout=2,
                        Environment={"Variables": {"GREETING": "v1"}})
    try:
        version = lam.publish_version(FunctionName=name)["Version"]
        invoke(name, {})
        invoke(name, {}, Qualifier=version)

        def workers(qualifier):
            return [e for idle in moto_hook._pool._idle.values() for e in idle
                    if e.spec.name == name and e.spec.version == qualifier and e.process.poll() is None]

        latest, published = workers("$LATEST"), workers(version)
        assert len(latest) == 1 and len(published) == 1
        if update == "configuration":
            lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"GREETING": "v2"}})
        else:
            lam.update_function_code(FunctionName=name, ZipFile=labkit.zip_code({"app.py": HANDLER + "\n# v2\n"}))
        lam.get_waiter("function_updated_v2").wait(FunctionName=name)
        assert latest[0].process.poll() is not None  # ended by the update, not at the next invoke
        assert workers(version) == published  # version 1 did not change: still warm
        first = lam.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
        second = lam.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
        assert "Init Duration" in base64.b64decode(first["LogResult"]).decode()  # the new code's cold start
        assert "Init Duration" not in base64.b64decode(second["LogResult"]).decode()  # then warm, as on AWS
    finally:
        lam.delete_function(FunctionName=name)


IMPORTS_LOGGING_LATER = '''
import sys

def handler(event, context):
    if event.get("log"):
        import logging
        logging.getLogger().warning("careful: %s", event["log"])
    return sorted(m for m in ("contextlib", "logging", "traceback") if m in sys.modules)
'''


def test_a_worker_holds_no_logging_until_the_handler_imports_it(engine):
    """The worker imports logging, traceback and contextlib only when needed (~0.9 MB per warm environment); a
    handler that imports logging inside its function still logs in the runtime's format from that invocation on."""
    lam = labkit.client("lambda")
    name = labkit.name("lazy-logging")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": IMPORTS_LOGGING_LATER})}, Timeout=5)
    try:
        assert invoke(name, {})[1] == [] and invoke(name, {})[1] == []  # cold, then warm
        for word in ("first", "second"):  # logging imported in this invocation, then already imported
            response, payload = invoke(name, {"log": word}, LogType="Tail")
            tail = base64.b64decode(response["LogResult"]).decode()
            assert "logging" in payload
            assert any(line.startswith("[WARNING]\t") and line.endswith(f"\tcareful: {word}")
                       for line in tail.splitlines()), tail
    finally:
        lam.delete_function(FunctionName=name)


def test_an_environment_whose_init_failed_is_not_kept(engine):
    """AWS's Python runtime posts an init error and exits (awslambdaric ``bootstrap.run``): each invocation of a
    function whose module cannot load gets the error from a new Init, and no worker stays up holding only it."""
    from labkit.emulator.lambda_ import invoke_hook as moto_hook

    lam = labkit.client("lambda")
    name = labkit.name("init-fails")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": "import not_in_the_zip\n"})}, Timeout=5)
    try:
        for _ in range(2):
            response, payload = invoke(name, {}, LogType="Tail")
            assert response["FunctionError"] == "Unhandled"
            assert payload["errorType"] == "Runtime.ImportModuleError"
            assert "Init Duration" in base64.b64decode(response["LogResult"]).decode()  # Init ran again
            assert not [e for idle in moto_hook._pool._idle.values() for e in idle if e.spec.name == name]
    finally:
        lam.delete_function(FunctionName=name)
