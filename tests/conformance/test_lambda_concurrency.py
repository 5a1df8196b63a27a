"""Lambda concurrency on the embedded engine: each test asserts the value AWS documents.

Pages: "Configuring reserved concurrency for a function", "Understanding Lambda function scaling" and "Lambda
quotas" (AWS Lambda Developer Guide); "Invoke" (TooManyRequestsException, its Reason values), "PutFunctionConcurrency"
and "AccountLimit" (AWS Lambda API Reference); "How Lambda handles errors and retries with asynchronous invocation"
(throttled events are retried).

The account limit is lowered with labkit.emulator.lambda_.concurrency.set_account_limit (AWS's default: 1,000).
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
import time

import pytest
from botocore.exceptions import ClientError

from _lambda_conformance import create_function, max_overlap, runs


@pytest.fixture(scope="module")
def lam(engine):
    """A client that does not retry: a throttled call shows its 429 at once (the SDK would retry it twice)."""
    import labkit
    from botocore.config import Config

    return labkit.client("lambda", config=Config(retries={"max_attempts": 1, "mode": "standard"}))


@pytest.fixture
def reserved(lam):
    """Functions given reserved concurrency in a test lose it afterwards (reservations count account-wide)."""
    names: list[str] = []
    yield names
    for name in names:
        lam.delete_function_concurrency(FunctionName=name)


@pytest.fixture(scope="module")
def role(engine):
    import labkit

    return labkit.lambda_role()


@pytest.fixture
def trace():
    handle, path = tempfile.mkstemp(prefix="conf-conc-", suffix=".trace")
    os.close(handle)
    os.unlink(path)
    yield path
    if os.path.exists(path):
        os.unlink(path)


def busy(lam, name: str, seconds: float, trace: str | None = None, hold: str | None = None) -> threading.Thread:
    """Start a synchronous invocation that runs ``seconds`` in a thread, and wait until the function has started.
    With ``hold`` (a path), the run then lasts until that file exists (20 s at most), however slow the machine."""
    thread = threading.Thread(target=lam.invoke, kwargs={
        "FunctionName": name, "Payload": json.dumps({"sleep": seconds, "trace": trace, "hold": hold})}, daemon=True)
    thread.start()
    if trace:
        deadline = time.time() + 10
        while not os.path.exists(trace) and time.time() < deadline:
            time.sleep(0.02)
    else:
        time.sleep(0.5)
    return thread


def test_reserved_concurrency_zero_throttles_synchronous_invoke(lam, role, reserved):
    """"Invoke" (API Reference): TooManyRequestsException, HTTP 429, Reason
    ReservedFunctionConcurrentInvocationLimitExceeded; "Configuring reserved concurrency": 0 stops the function."""
    name = create_function(lam, role)
    reserved.append(name)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName=name, Payload=b"{}")
    error = caught.value.response
    assert error["Error"]["Code"] == "TooManyRequestsException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    lam.delete_function_concurrency(FunctionName=name)
    assert lam.invoke(FunctionName=name, Payload=b"{}")["StatusCode"] == 200


def test_reserved_concurrency_one_refuses_a_second_concurrent_invoke(lam, role, trace, reserved):
    """"Configuring reserved concurrency for a function": a function never runs more invocations at once than its
    reserved concurrency; the one beyond is throttled (429)."""
    name = create_function(lam, role)
    reserved.append(name)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    release = trace + ".release"  # the first run lasts until the second invoke has had its answer
    thread = busy(lam, name, 0, trace, hold=release)
    try:
        with pytest.raises(ClientError) as caught:
            lam.invoke(FunctionName=name, Payload=b"{}")
    finally:
        open(release, "w").close()
        thread.join()
        os.unlink(release)
    assert caught.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert lam.invoke(FunctionName=name, Payload=b"{}")["StatusCode"] == 200


def test_asynchronous_events_wait_for_reserved_concurrency_and_all_run(lam, role, trace, reserved):
    """"How Lambda handles errors and retries with asynchronous invocation": a throttled event returns to the queue
    and is tried again, so every event runs, never more at once than the reserved concurrency (2)."""
    from labkit.emulator.lambda_ import async_invoke

    name = create_function(lam, role)
    reserved.append(name)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    for _ in range(5):
        lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"sleep": 0.3, "trace": trace}))
    assert async_invoke.drain(30)
    spans = runs(trace)
    assert len(spans) == 5
    assert max_overlap(spans) <= 2


def test_account_limit_throttles_unreserved_functions(lam, role, trace):
    """"Understanding Lambda function scaling": functions without reserved concurrency share the account's
    concurrency; beyond it Invoke fails with Reason ConcurrentInvocationLimitExceeded ("Invoke", API Reference)."""
    from labkit.emulator.lambda_ import async_invoke, concurrency

    name = create_function(lam, role)
    other = create_function(lam, role)
    async_invoke.drain(30)
    # Room for exactly one unreserved run (reservations left by other tests of this session count account-wide).
    concurrency.set_account_limit(1 + sum(concurrency.reservations("123456789012", "us-east-1").values()))
    try:
        thread = busy(lam, name, 1.0, trace)
        with pytest.raises(ClientError) as caught:
            lam.invoke(FunctionName=other, Payload=b"{}")
        assert caught.value.response["Error"]["Code"] == "TooManyRequestsException"
        assert caught.value.response["Reason"] == "ConcurrentInvocationLimitExceeded"
        thread.join()
    finally:
        concurrency.set_account_limit(None)
    assert concurrency.account_limit() == 1000


def test_put_function_concurrency_keeps_100_unreserved(lam, role, reserved):
    """"Configuring reserved concurrency for a function" / "PutFunctionConcurrency": Lambda keeps at least 100 of the
    account's concurrency (1,000 by default) unreserved, so 901 cannot be reserved and 900 can."""
    name = create_function(lam, role)
    reserved.append(name)
    with pytest.raises(ClientError) as caught:
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=901)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=900)[
        "ReservedConcurrentExecutions"] == 900


def test_account_settings_show_the_limit_and_what_reservations_leave(lam, role, reserved):
    """"Lambda quotas": 1,000 concurrent executions by default; "AccountLimit" (API Reference):
    UnreservedConcurrentExecutions is the limit minus what PutFunctionConcurrency reserved."""
    before = lam.get_account_settings()["AccountLimit"]
    assert before["ConcurrentExecutions"] == 1000
    name = create_function(lam, role)
    reserved.append(name)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=25)
    after = lam.get_account_settings()["AccountLimit"]
    assert after["UnreservedConcurrentExecutions"] == before["UnreservedConcurrentExecutions"] - 25


def test_a_throttled_event_that_outlives_its_maximum_age_goes_to_on_failure(lam, role, trace, reserved):
    """"How Lambda handles errors and retries with asynchronous invocation": a throttled event is retried until it
    exceeds its maximum age; then ("Capturing records of Lambda asynchronous invocations") it goes to the on-failure
    destination, never having run."""
    import labkit

    from _lambda_conformance import create_queue, records

    sqs = labkit.client("sqs")
    url, arn = create_queue(sqs, "conf-throttled")
    from _lambda_conformance import DESTINATION_POLICIES

    name = create_function(lam, labkit.lambda_role(base="conf-conc-dest", policies=DESTINATION_POLICIES))
    reserved.append(name)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=60,
                                         DestinationConfig={"OnFailure": {"Destination": arn}})
    thread = busy(lam, name, 1.5, trace)  # holds the only unit of concurrency longer than 60 s × the time scale
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"late": True}))
    [document] = records(sqs, url)
    thread.join()
    assert document["requestContext"]["condition"] != "Success"
    assert document["requestContext"]["approximateInvokeCount"] == 0
    assert document["requestPayload"] == {"late": True}
    assert len(runs(trace)) == 1  # only the synchronous invocation ran
