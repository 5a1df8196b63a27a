"""labs/cognito: the ID-token check passes a fresh token with the group and names each wrong token."""
from __future__ import annotations

import base64
import json

import pytest

from labkit import name
from labkit.checks import evaluate
from labkit.exercises import cognito as checks

PASSWORD = "Correct-horse-42"


@pytest.fixture()
def pool(engine):
    idp = engine.client("cognito-idp")
    pool_id = idp.create_user_pool(PoolName=name("pool"))["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=client_id, Username="ana", Password=PASSWORD)
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="ana")
    idp.create_group(UserPoolId=pool_id, GroupName="editors")
    yield {"pool": pool_id, "client": client_id}
    idp.delete_user_pool(UserPoolId=pool_id)


def sign_in(engine, pool):
    return engine.client("cognito-idp").initiate_auth(
        ClientId=pool["client"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ana", "PASSWORD": PASSWORD})["AuthenticationResult"]


def join(engine, pool):
    engine.client("cognito-idp").admin_add_user_to_group(UserPoolId=pool["pool"], Username="ana",
                                                         GroupName="editors")


def test_fresh_id_token_with_group_passes(engine, pool):
    join(engine, pool)
    verdict = checks.group_in_id_token(sign_in(engine, pool)["IdToken"], pool["pool"], pool["client"])
    assert verdict.passed, verdict.message


def test_token_from_before_joining_fails(engine, pool):
    token = sign_in(engine, pool)["IdToken"]
    join(engine, pool)
    verdict = checks.group_in_id_token(token, pool["pool"], pool["client"])
    assert not verdict.passed and "sign in again" in verdict.message


def test_access_token_fails(engine, pool):
    join(engine, pool)
    verdict = checks.group_in_id_token(sign_in(engine, pool)["AccessToken"], pool["pool"], pool["client"])
    assert not verdict.passed and "access token" in verdict.message


def test_forged_claims_fail(engine, pool):
    header, payload, signature = sign_in(engine, pool)["IdToken"].split(".")
    claims = json.loads(checks.b64url(payload))
    claims["cognito:groups"] = ["editors"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    verdict = checks.group_in_id_token(f"{header}.{forged}.{signature}", pool["pool"], pool["client"])
    assert not verdict.passed and "signature does not match" in verdict.message


def test_not_a_token_fails(pool):
    verdict = evaluate(checks.group_in_id_token, None, pool["pool"], pool["client"])
    assert verdict.kind == "failed" and "my_id_token is still None" in verdict.message
    assert "three base64url parts" in checks.group_in_id_token("abc", pool["pool"], pool["client"]).message
    assert "does not decode" in checks.group_in_id_token("a.!!!.c", pool["pool"], pool["client"]).message
    verdict = checks.group_in_id_token({"AuthenticationResult": {}}, pool["pool"], pool["client"])
    assert "keep only its" in verdict.message
