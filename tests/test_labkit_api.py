"""labkit's public functions answer bad input with a short LabkitError saying what to pass, never a traceback
from deep inside boto3 and never by accepting it."""
from __future__ import annotations

import pytest

import labkit
from labkit.errors import LabkitError


@pytest.mark.parametrize("call", [lambda: labkit.require("s3", "dynamo"), lambda: labkit.client("dynamo"),
                                  lambda: labkit.resource("dynamo"), lambda: labkit.require(["s3", "dynamo"])])
def test_a_misspelt_service_is_refused_with_the_close_name(call):
    with pytest.raises(LabkitError, match="dynamo is not an AWS service name boto3 .* did you mean dynamodb"):
        call()


def test_an_unknown_service_without_close_names_says_to_check_the_spelling():
    with pytest.raises(LabkitError, match="nope is not an AWS service name boto3 knows — check the spelling"):
        labkit.require("nope")


def test_a_service_without_a_boto3_resource_points_to_client():
    with pytest.raises(LabkitError, match=r"no resource for lambda; use labkit.client\('lambda'\)"):
        labkit.resource("lambda")


def test_require_takes_a_list_as_well_as_separate_names(monkeypatch):
    class Engine:
        name, region = "fake", "us-east-1"

        def unavailable(self, services):
            return {}

    monkeypatch.setattr(labkit.services, "current", Engine)
    monkeypatch.setattr(labkit.services.hygiene, "track", lambda services: None)
    assert labkit.require(["s3", "lambda"]).services == ("s3", "lambda")
    assert labkit.require("s3", "lambda").services == ("s3", "lambda")


def test_name_refuses_a_non_string_with_an_example():
    with pytest.raises(LabkitError, match=r"name\(\) takes a short word .* name\('orders'\), not None"):
        labkit.name(None)


@pytest.mark.parametrize("files", ["def handler(event, context): ...", {"handler.py": None}])
def test_zip_code_wants_a_dict_of_file_names_to_sources(files):
    with pytest.raises(LabkitError, match=r"zip_code takes .*zip_code\(\{'handler.py': code\}\)"):
        labkit.zip_code(files)


class FakeIam:
    def __init__(self):
        self.attached = []

    def client(self, service):
        return self

    def create_role(self, RoleName, AssumeRolePolicyDocument):
        return {"Role": {"RoleName": RoleName, "Arn": f"arn:aws:iam::123456789012:role/{RoleName}"}}

    def attach_role_policy(self, RoleName, PolicyArn):
        self.attached.append(PolicyArn)


def test_lambda_role_takes_one_arn_string_as_one_policy(monkeypatch):
    iam = FakeIam()
    monkeypatch.setattr(labkit.functions, "current", lambda: iam)
    arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    labkit.lambda_role(policies=arn)
    assert iam.attached == [labkit.functions.BASIC_EXECUTION, arn]


def test_lambda_role_refuses_what_is_not_a_policy_arn(monkeypatch):
    iam = FakeIam()
    monkeypatch.setattr(labkit.functions, "current", lambda: iam)
    with pytest.raises(LabkitError, match="lambda_role takes policies as managed-policy ARNs"):
        labkit.lambda_role(policies=["AmazonS3ReadOnlyAccess"])
    assert iam.attached == []
