"""labkit's Lambda hook on moto: every moto path that runs a function reaches labkit's runtime, for real.

The hook replaces ``LambdaFunction.invoke`` (moto runs code only in Docker) and ``LambdaBackend.invoke`` (alias
weights). These tests call moto's real callers on the embedded engine and look at what the handler did, so a moto
upgrade that routes a caller around ``LambdaFunction.invoke`` fails here, not in a learner's lab.
"""
from __future__ import annotations

import json
import time

import pytest

import labkit
from labkit.emulator.lambda_ import invoke_hook as moto_hook
from labkit.emulator.lambda_.invoke_hook import routed_qualifier, split_qualifier

RECORDER = """import json, os, boto3
def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["QUEUE"], MessageBody=json.dumps(event))
    return {"ok": True}
"""


@pytest.fixture(scope="module")
def recorder(engine):
    """A function that copies every event it gets into an SQS queue; ``events(n)`` reads n of them back."""
    sqs, lam = labkit.client("sqs"), labkit.client("lambda")
    queue = sqs.create_queue(QueueName=labkit.name("hook"))["QueueUrl"]
    name = labkit.name("hook")
    arn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(),
                              Handler="app.handler", Code={"ZipFile": labkit.zip_code({"app.py": RECORDER})},
                              Environment={"Variables": {"QUEUE": queue}})["FunctionArn"]

    def events(count: int, timeout: float = 20.0) -> list[dict]:
        found, deadline = [], time.time() + timeout
        while len(found) < count and time.time() < deadline:
            for message in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1,
                                               MaxNumberOfMessages=10).get("Messages", []):
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
                found.append(json.loads(message["Body"]))
        return found

    yield arn, events
    lam.delete_function(FunctionName=name)
    sqs.delete_queue(QueueUrl=queue)


def test_moto_invoke_signatures_are_the_ones_the_hook_replaces():
    assert moto_hook.signatures() == moto_hook.EXPECTED_SIGNATURES, (
        "moto's Lambda invoke methods changed: update labkit/emulator/lambda_/invoke_hook.py for this moto version")


def test_the_hook_is_installed_by_the_embedded_engine(engine):
    from moto.awslambda.models import LambdaFunction

    assert LambdaFunction.invoke is moto_hook.function_invoke


def test_invoke_runs_the_handler(recorder):
    arn, events = recorder
    answer = labkit.client("lambda").invoke(FunctionName=arn, Payload=json.dumps({"via": "Invoke"}))
    assert "FunctionError" not in answer and json.load(answer["Payload"]) == {"ok": True}
    assert events(1) == [{"via": "Invoke"}]


def test_s3_event_notifications_run_the_handler(recorder):
    """moto's s3/notifications.py calls the function for ObjectCreated (``_invoke_awslambda``)."""
    arn, events = recorder
    s3, bucket = labkit.client("s3"), labkit.name("hook")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_object(Bucket=bucket, Key="hook.txt", Body=b"x")
    try:
        records = [r for e in events(1) for r in e.get("Records", [])]
        assert [(r["eventSource"], r["s3"]["object"]["key"]) for r in records] == [("aws:s3", "hook.txt")]
    finally:
        s3.delete_object(Bucket=bucket, Key="hook.txt")
        s3.delete_bucket(Bucket=bucket)


def test_secrets_manager_rotation_runs_the_handler_for_each_step(recorder):
    """moto's RotateSecret calls ``LambdaBackend.invoke`` once per step ("How rotation works", AWS Secrets
    Manager User Guide: createSecret, setSecret, testSecret, finishSecret)."""
    arn, events = recorder
    secrets = labkit.client("secretsmanager")
    secret = secrets.create_secret(Name=labkit.name("hook"), SecretString="v1")["ARN"]
    try:
        secrets.rotate_secret(SecretId=secret, RotationLambdaARN=arn, RotateImmediately=True,
                              RotationRules={"AutomaticallyAfterDays": 30})
        assert [e.get("Step") for e in events(4)] == ["createSecret", "setSecret", "testSecret", "finishSecret"]
    finally:
        secrets.delete_secret(SecretId=secret, ForceDeleteWithoutRecovery=True)


def test_qualifiers_are_read_from_names_and_arns():
    assert split_qualifier("fn", None) == ("fn", None)
    assert split_qualifier("fn:live", None) == ("fn", "live")
    assert split_qualifier("arn:aws:lambda:us-east-1:123456789012:function:fn:3", None) == ("fn", "3")
    assert split_qualifier("fn", "2") == ("fn", "2")


@pytest.fixture
def two_versions(engine):
    """A function with versions 1 and 2 published, and moto's own Lambda backend that holds it."""
    from moto.awslambda.models import lambda_backends

    lam, name = labkit.client("lambda"), labkit.name("hook-route")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": "def handler(e, c):\n    return 1\n"})})
    for description in ("one", "two"):
        lam.update_function_configuration(FunctionName=name, Description=description)
        lam.get_waiter("function_updated_v2").wait(FunctionName=name)
        lam.publish_version(FunctionName=name)
    yield lam, name, lambda_backends[engine.account_id][engine.region]
    lam.delete_function(FunctionName=name)


def test_an_alias_routes_by_its_weights_on_moto_backend(two_versions):
    """"Implementing Lambda canary deployments using a weighted alias": AdditionalVersionWeights sends that share
    of invocations to the other version."""
    lam, name, backend = two_versions
    lam.create_alias(FunctionName=name, Name="all-to-two", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 1.0}})
    lam.create_alias(FunctionName=name, Name="none-to-two", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.0}})
    lam.create_alias(FunctionName=name, Name="plain", FunctionVersion="2")
    assert {routed_qualifier(backend, f"{name}:all-to-two", None) for _ in range(20)} == {(name, "2")}
    assert {routed_qualifier(backend, name, "none-to-two") for _ in range(20)} == {(name, "1")}
    assert routed_qualifier(backend, name, "plain") == (name, "2")


def test_versions_and_unknown_qualifiers_are_not_rerouted(two_versions):
    lam, name, backend = two_versions
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 1.0}})
    assert routed_qualifier(backend, f"{name}:1", None) == (name, "1")
    assert routed_qualifier(backend, name, "$LATEST") == (name, "$LATEST")
    assert routed_qualifier(backend, name, "no-such-alias") == (name, "no-such-alias")
