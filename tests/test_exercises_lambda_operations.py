"""labkit.exercises.lambda_operations: right and wrong configurations, on the embedded engine."""
from __future__ import annotations

import pytest

from labkit.checks import evaluate
from labkit.exercises import lambda_operations

HANDLER = "def handler(event, context):\n    return event\n"


@pytest.fixture
def made(engine):
    """A function and a queue, deleted afterwards: (lambda client, function name, queue ARN)."""
    import labkit

    lam, sqs = labkit.client("lambda"), labkit.client("sqs")
    name = labkit.name("ops-check")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": HANDLER})})
    url = sqs.create_queue(QueueName=labkit.name("ops-fail"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    yield lam, name, arn
    lam.delete_function(FunctionName=name)
    sqs.delete_queue(QueueUrl=url)


def configure(lam, name, arn, reserved=2, retries=0, where="OnFailure"):
    if reserved is not None:
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)
    if retries is not None or where:
        settings = {"DestinationConfig": {where: {"Destination": arn}}} if where else {}
        if retries is not None:
            settings["MaximumRetryAttempts"] = retries
        lam.put_function_event_invoke_config(FunctionName=name, **settings)


def test_right_configuration_passes(made):
    lam, name, arn = made
    configure(lam, name, arn)
    verdict = evaluate(lambda_operations.async_settings, name, arn)
    assert verdict.passed, verdict.message


def test_placeholder_is_a_hint(engine):
    verdict = evaluate(lambda_operations.async_settings, None, "arn:aws:sqs:us-east-1:123456789012:q")
    assert verdict.kind == "failed" and "my_function is still None" in verdict.message


def test_unknown_function_is_named(engine):
    verdict = evaluate(lambda_operations.async_settings, "no-such-function-xyz", "arn:aws:sqs:us-east-1:123456789012:q")
    assert verdict.kind == "failed" and "no function named 'no-such-function-xyz'" in verdict.message


def test_nothing_configured_names_both_settings(made):
    _, name, arn = made
    verdict = evaluate(lambda_operations.async_settings, name, arn)
    assert verdict.kind == "failed"
    assert "no reserved concurrency" in verdict.message and "no asynchronous invocation configuration" in verdict.message


def test_zero_reserved_concurrency_is_explained(made):
    lam, name, arn = made
    configure(lam, name, arn, reserved=0)
    verdict = evaluate(lambda_operations.async_settings, name, arn)
    assert verdict.kind == "failed" and "stops every invocation" in verdict.message


def test_default_retries_fail(made):
    lam, name, arn = made
    configure(lam, name, arn, retries=2)
    verdict = evaluate(lambda_operations.async_settings, name, arn)
    assert verdict.kind == "failed" and "MaximumRetryAttempts is 2" in verdict.message


def test_on_success_instead_of_on_failure_is_explained(made):
    lam, name, arn = made
    configure(lam, name, arn, where="OnSuccess")
    verdict = evaluate(lambda_operations.async_settings, name, arn)
    assert verdict.kind == "failed" and "records of failed events go to OnFailure" in verdict.message


def test_a_deleted_queue_is_noticed(made):
    lam, name, arn = made
    configure(lam, name, arn.rsplit(":", 1)[0] + ":dva-gone-queue")
    verdict = evaluate(lambda_operations.async_settings, name, arn)
    assert verdict.kind == "failed" and "does not exist" in verdict.message


def test_another_existing_queue_is_not_the_failures_queue(made):
    """The exercise names the failures queue: the lab's dlq (or any other queue that exists) is a hint, not a pass."""
    import labkit

    lam, name, arn = made
    sqs = labkit.client("sqs")
    url = sqs.create_queue(QueueName=labkit.name("ops-dlq"))["QueueUrl"]
    try:
        other = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        configure(lam, name, other)
        verdict = evaluate(lambda_operations.async_settings, name, arn)
    finally:
        sqs.delete_queue(QueueUrl=url)
    assert verdict.kind == "failed" and "is another queue" in verdict.message and "failures_arn" in verdict.message
