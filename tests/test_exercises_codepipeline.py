"""The CodePipeline lab's exercise check: a right answer passes, wrong answers fail with the right hint."""
from __future__ import annotations

import json

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import codepipeline as ex


def action(name, category, provider, inputs=(), outputs=()):
    return {"name": name, "actionTypeId": {"category": category, "owner": "AWS", "provider": provider,
                                           "version": "1"},
            "inputArtifacts": [{"name": i} for i in inputs], "outputArtifacts": [{"name": o} for o in outputs]}


SOURCE = {"name": "Source", "actions": [action("Source", "Source", "S3", outputs=["src"])]}
BUILD = {"name": "Build", "actions": [action("Build", "Build", "CodeBuild", ["src"], ["built"])]}
APPROVE = {"name": "Approve", "actions": [action("Approve", "Approval", "Manual")]}
PROD = {"name": "DeployProd", "actions": [action("Deploy", "Deploy", "CloudFormation", ["built"])]}


@pytest.fixture
def pipeline(engine):
    cp, iam = labkit.client("codepipeline"), labkit.client("iam")
    name = labkit.name("pipe-test")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "codepipeline.amazonaws.com"}}]}
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

    def make(stages, update=None):
        cp.create_pipeline(pipeline={"name": name, "roleArn": role,
                                     "artifactStore": {"type": "S3", "location": "bucket"}, "stages": stages})
        if update:
            cp.update_pipeline(pipeline={**cp.get_pipeline(name=name)["pipeline"], "stages": update})
        return name
    yield make
    cp.delete_pipeline(name=name)
    iam.delete_role(RoleName=name)


def test_right_answer_passes(pipeline):
    assert ex.manual_gate(pipeline([SOURCE, BUILD, PROD], update=[SOURCE, BUILD, APPROVE, PROD])).passed


def test_no_approval_fails(pipeline):
    verdict = ex.manual_gate(pipeline([SOURCE, BUILD, PROD]))
    assert not verdict.passed and "No stage has an action of category Approval" in verdict.message


def test_approval_after_prod_fails(pipeline):
    verdict = ex.manual_gate(pipeline([SOURCE, BUILD, PROD], update=[SOURCE, BUILD, PROD, APPROVE]))
    assert not verdict.passed and "gates nothing" in verdict.message


def test_approval_before_build_fails(pipeline):
    verdict = ex.manual_gate(pipeline([SOURCE, BUILD, PROD], update=[SOURCE, APPROVE, BUILD, PROD]))
    assert not verdict.passed and "comes before the build" in verdict.message


def test_nothing_fails():
    assert "my_pipeline is still None" in evaluate(ex.manual_gate, None).message
