"""labkit.exercises.lambda_: right and wrong answers, on the embedded engine."""
from __future__ import annotations

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import lambda_


@pytest.fixture(scope="module")
def function(engine):
    lam = labkit.client("lambda")
    name = labkit.name("check")
    role = labkit.lambda_role()
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": "def handler(e, c):\n    return 1\n"})})
    lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, Description="second")
    lam.publish_version(FunctionName=name)
    yield name
    lam.delete_function(FunctionName=name)
    iam = labkit.client("iam")
    role_name = role.split("/")[-1]
    for policy in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=role_name, PolicyArn=policy["PolicyArn"])
    iam.delete_role(RoleName=role_name)


def make_alias(function, alias, version, weights):
    lam = labkit.client("lambda")
    lam.create_alias(FunctionName=function, Name=alias, FunctionVersion=version,
                     RoutingConfig={"AdditionalVersionWeights": weights})


def test_right_answer_passes(function):
    make_alias(function, "canary", "1", {"2": 0.1})
    verdict = evaluate(lambda_.canary_alias, function)
    assert verdict.passed, verdict.message


def test_missing_alias_fails(function):
    verdict = evaluate(lambda_.canary_alias, function, alias="nope")
    assert not verdict.passed and "has no alias named 'nope'" in verdict.message


def test_wrong_main_version_fails(function):
    make_alias(function, "swapped", "2", {"1": 0.1})
    verdict = evaluate(lambda_.canary_alias, function, alias="swapped")
    assert not verdict.passed and "points at version 2" in verdict.message


def test_percentage_instead_of_fraction_fails(function):
    make_alias(function, "percent", "1", {"2": 0.5})
    verdict = evaluate(lambda_.canary_alias, function, alias="percent")
    assert not verdict.passed and "a fraction between 0 and 1" in verdict.message


def test_no_weights_fails(function):
    make_alias(function, "plain", "1", {})
    verdict = evaluate(lambda_.canary_alias, function, alias="plain")
    assert not verdict.passed and "sends no traffic to version 2" in verdict.message


def test_empty_answer_fails(function):
    verdict = evaluate(lambda_.canary_alias, None)
    assert verdict.kind == "failed" and "my_function is still None" in verdict.message
