"""CodeBuild: a started build describes the project's own source and environment ("Build", API Reference)."""
from __future__ import annotations

import json

import pytest

import labkit


@pytest.fixture
def project(engine):
    codebuild, iam, s3 = labkit.client("codebuild"), labkit.client("iam"), labkit.client("s3")
    bucket = labkit.name("conf-cb")
    s3.create_bucket(Bucket=bucket)
    role = iam.create_role(RoleName=labkit.name("conf-cb"), AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "codebuild.amazonaws.com"}}]}))["Role"]
    name = labkit.name("conf-cb")
    codebuild.create_project(
        name=name, source={"type": "S3", "location": f"{bucket}/src.zip", "buildspec": "version: 0.2\n"},
        artifacts={"type": "S3", "location": bucket, "name": "out.zip"}, serviceRole=role["Arn"],
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                     "computeType": "BUILD_GENERAL1_SMALL"})
    yield codebuild, name, bucket
    codebuild.delete_project(name=name)
    iam.delete_role(RoleName=role["RoleName"])
    s3.delete_bucket(Bucket=bucket)


def test_a_build_uses_the_projects_source_and_environment(project):
    codebuild, name, bucket = project
    build = codebuild.start_build(projectName=name)["build"]
    assert build["projectName"] == name
    assert build["source"]["type"] == "S3" and build["source"]["location"] == f"{bucket}/src.zip"
    assert build["environment"]["image"] == "aws/codebuild/standard:7.0"
    again = codebuild.batch_get_builds(ids=[build["id"]])["builds"][0]
    assert again["source"]["location"] == f"{bucket}/src.zip"
