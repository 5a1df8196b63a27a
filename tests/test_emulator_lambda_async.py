"""labkit's Lambda async/concurrency/alias workarounds: moto still has each bug, and the settings refuse bad input.

Each ``test_moto_still_...`` fails once moto fixes the bug upstream: then the workaround in
``labkit/emulator/lambda_/`` can go (its module docstring names the upstream change).
"""
from __future__ import annotations

import inspect

import pytest

import moto.awslambda.models as lambda_models


def test_moto_still_drops_dead_letter_config():
    source = inspect.getsource(lambda_models.LambdaFunction)
    assert "DeadLetterConfig" not in source


def test_moto_still_appends_each_put_function_event_invoke_config():
    source = inspect.getsource(lambda_models)
    assert "fn.event_invoke_config.append(event_config)" in source
    assert "return self.put_function_event_invoke_config(function_name, config)" in source


def test_moto_still_runs_event_invocations_once_and_synchronously():
    source = inspect.getsource(lambda_models).split("class LambdaFunction(")[1].split("\nclass ")[0]
    invoke = source.split("    def invoke(")[1].split("\n    def ")[0]
    assert "self._invoke_lambda(event=body)" in invoke and "retr" not in invoke.lower()


def test_moto_still_accepts_any_alias_routing():
    source = inspect.getsource(lambda_models.LambdaStorage.put_alias)
    assert "AdditionalVersionWeights" not in source and "routing_config" in source


def test_moto_still_never_throttles_invoke():
    assert "TooManyRequests" not in inspect.getsource(lambda_models)
    assert "MOTO_LAMBDA_CONCURRENCY_QUOTA" in inspect.getsource(lambda_models.LambdaBackend.put_function_concurrency)


def test_moto_still_runs_invoke_async_synchronously_and_accepts_any_payload():
    import moto.awslambda.responses as lambda_responses

    source = inspect.getsource(lambda_responses).split("def invoke_async(")[1].split("\n    def ")[0]
    assert "fn.invoke(self.body" in source
    assert "RequestTooLarge" not in inspect.getsource(lambda_responses)


def test_moto_still_has_no_get_account_settings():
    import moto.awslambda.urls as lambda_urls

    assert "account-settings" not in inspect.getsource(lambda_urls)


def test_time_scale_and_account_limit_refuse_bad_values():
    from labkit.emulator.lambda_ import async_invoke, concurrency

    with pytest.raises(ValueError, match="positive number"):
        async_invoke.set_time_scale(0)
    with pytest.raises(ValueError, match="at least 1"):
        concurrency.set_account_limit(0)
    concurrency.set_account_limit(7)
    assert concurrency.account_limit() == 7
    concurrency.set_account_limit(None)
    assert concurrency.account_limit() == concurrency.DEFAULT_ACCOUNT_LIMIT == 1000


def test_account_limit_from_the_environment(monkeypatch):
    from labkit.emulator.lambda_ import concurrency

    monkeypatch.setenv(concurrency.ENV_ACCOUNT_LIMIT, "12")
    assert concurrency.account_limit() == 12
    monkeypatch.setenv(concurrency.ENV_ACCOUNT_LIMIT, "lots")
    assert concurrency.account_limit() == 1000


def test_a_record_without_a_response_has_no_response_fields():
    from labkit.emulator.lambda_.destinations import record

    document = record(request_id="r", function_arn="arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
                      condition="ZeroReservedConcurrency", invoke_count=0, request_payload='{"a": 1}',
                      responded=False)
    assert document["requestPayload"] == {"a": 1}
    assert "responseContext" not in document and "responsePayload" not in document
