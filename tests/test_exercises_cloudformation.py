"""The CloudFormation lab's exercise check: a right answer passes, wrong answers fail with the right hint."""
from __future__ import annotations

import json

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import cloudformation as ex


def template(retention=None, output=None):
    retention = retention if retention is not None else {"Ref": "RetentionSeconds"}
    return json.dumps({
        "Parameters": {"RetentionSeconds": {"Type": "Number", "Default": 345600}},
        "Resources": {"Archive": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": retention}}},
        "Outputs": {"ArchiveArn": {"Value": output or {"Fn::GetAtt": ["Archive", "Arn"]}}},
    })


@pytest.fixture
def cfn(engine):
    client = labkit.client("cloudformation")
    made = []
    yield client, made
    for name in made:
        client.delete_stack(StackName=name)


def create(cfn, body, value="86400"):
    client, made = cfn
    name = labkit.name("cfn-test")
    client.create_stack(StackName=name, TemplateBody=body,
                        Parameters=[{"ParameterKey": "RetentionSeconds", "ParameterValue": value}])
    made.append(name)
    return name


def test_right_answer_passes(cfn):
    assert ex.archive_queue(create(cfn, template())).passed


def test_hard_coded_retention_fails(cfn):
    verdict = ex.archive_queue(create(cfn, template(retention=86400)))
    assert not verdict.passed and "MessageRetentionPeriod must be" in verdict.message


def test_ref_output_gives_url_and_fails(cfn):
    verdict = ex.archive_queue(create(cfn, template(output={"Ref": "Archive"})))
    assert not verdict.passed and "Ref would give the queue URL" in verdict.message


def test_default_value_fails(cfn):
    verdict = ex.archive_queue(create(cfn, template(), value="345600"))
    assert not verdict.passed and "Create the stack with RetentionSeconds = 86400" in verdict.message


def test_no_stack_fails():
    assert "my_stack is still None" in evaluate(ex.archive_queue, None).message


def test_yaml_short_forms_pass(cfn):
    body = """
Parameters:
  RetentionSeconds: {Type: Number, Default: 345600}
Resources:
  Archive:
    Type: AWS::SQS::Queue
    Properties: {MessageRetentionPeriod: !Ref RetentionSeconds}
Outputs:
  ArchiveArn: {Value: !GetAtt Archive.Arn}
"""
    assert ex.archive_queue(create(cfn, body)).passed
