"""labs/secrets-manager: the rollback check passes a real rollback and names each half-done one."""
from __future__ import annotations

import json

import pytest

from labkit import name
from labkit.exercises import secrets_manager as checks


@pytest.fixture()
def world(engine):
    sm, ddb = engine.client("secretsmanager"), engine.client("dynamodb")
    table = name("users")
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "username", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "username", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    secret = sm.create_secret(Name=name("db"), SecretString=json.dumps({"username": "app", "password": "old"}))
    rotated = sm.put_secret_value(SecretId=secret["ARN"], SecretString=json.dumps(
        {"username": "app", "password": "new"}))["VersionId"]
    ddb.put_item(TableName=table, Item={"username": {"S": "app"}, "password": {"S": "new"}})
    yield {"arn": secret["ARN"], "original": secret["VersionId"], "rotated": rotated, "table": table}
    sm.delete_secret(SecretId=secret["ARN"], ForceDeleteWithoutRecovery=True)
    ddb.delete_table(TableName=table)


def move_back(engine, w):
    engine.client("secretsmanager").update_secret_version_stage(
        SecretId=w["arn"], VersionStage="AWSCURRENT", MoveToVersionId=w["original"], RemoveFromVersionId=w["rotated"])


def reset_db(engine, w, password="old"):
    engine.client("dynamodb").put_item(TableName=w["table"], Item={"username": {"S": "app"},
                                                                   "password": {"S": password}})


def test_full_rollback_passes(engine, world):
    move_back(engine, world)
    reset_db(engine, world)
    verdict = checks.rolled_back(world["arn"], world["original"], world["table"])
    assert verdict.passed, verdict.message


def test_nothing_done_fails(engine, world):
    verdict = checks.rolled_back(world["arn"], world["original"], world["table"])
    assert not verdict.passed and "not on the original" in verdict.message


def test_copy_instead_of_label_move_fails(engine, world):
    engine.client("secretsmanager").put_secret_value(SecretId=world["arn"], SecretString=json.dumps(
        {"username": "app", "password": "old"}))
    reset_db(engine, world)
    verdict = checks.rolled_back(world["arn"], world["original"], world["table"])
    assert not verdict.passed and "wrote the old value again" in verdict.message


def test_database_not_reset_fails(engine, world):
    move_back(engine, world)
    verdict = checks.rolled_back(world["arn"], world["original"], world["table"])
    assert not verdict.passed and "database still has the rotated password" in verdict.message
