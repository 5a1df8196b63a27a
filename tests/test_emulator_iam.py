"""labkit.emulator.iam (used through labkit.engines.iam_enforcement): the embedded engine authorizes IAM users and role sessions, not itself."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from labkit import name
from labkit.engines.iam_enforcement import enforce_iam, enforcement_available, is_enforcing

def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture()
def world(engine):
    iam, s3 = engine.client("iam"), engine.client("s3")
    bucket, user, role = name("enf"), name("enf-user"), name("enf-role")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="open/a.txt", Body=b"a")
    user_arn = iam.create_user(UserName=user)["User"]["Arn"]
    key = iam.create_access_key(UserName=user)["AccessKey"]
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sts:AssumeRole"}))["Role"]["Arn"]
    creds = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    yield {"bucket": bucket, "user": user, "role": role, "role_arn": role_arn, "creds": creds}
    from labkit.inventory.core import delete_bucket
    from labkit.inventory.iam import delete_role, delete_user

    delete_bucket(s3, bucket)
    delete_user(iam, user)
    delete_role(iam, role)


def code(call):
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"]
    return "OK"


def test_available_on_embedded(engine):
    assert enforcement_available(engine) == "enforced"


def test_without_enforcement_everything_is_allowed(engine, world):
    s3 = engine.client("s3", **world["creds"])
    assert not is_enforcing()
    assert code(lambda: s3.list_buckets()) == "OK"


def test_user_implicit_deny_allow_and_explicit_deny(engine, world):
    iam, bucket = engine.client("iam"), world["bucket"]
    s3 = engine.client("s3", **world["creds"])
    with enforce_iam():
        assert is_enforcing()
        assert code(lambda: s3.get_object(Bucket=bucket, Key="open/a.txt")) == "AccessDenied"
        assert code(lambda: engine.client("s3").list_buckets()) == "OK"  # the engine's own key is not restricted
        iam.put_user_policy(UserName=world["user"], PolicyName="allow", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}))
        assert code(lambda: s3.get_object(Bucket=bucket, Key="open/a.txt")) == "OK"
        assert code(lambda: s3.put_object(Bucket=bucket, Key="open/b.txt", Body=b"")) == "AccessDenied"
        iam.put_user_policy(UserName=world["user"], PolicyName="deny", PolicyDocument=doc(
            {"Effect": "Deny", "Action": "s3:*", "Resource": f"arn:aws:s3:::{bucket}/open/*"}))
        assert code(lambda: s3.get_object(Bucket=bucket, Key="open/a.txt")) == "AccessDenied"
    assert not is_enforcing()


def test_group_policy_applies_to_members(engine, world):
    iam, bucket = engine.client("iam"), world["bucket"]
    group = name("enf-group")
    iam.create_group(GroupName=group)
    try:
        iam.put_group_policy(GroupName=group, PolicyName="read", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))
        iam.add_user_to_group(GroupName=group, UserName=world["user"])
        with enforce_iam():
            assert code(lambda: engine.client("s3", **world["creds"]).get_object(
                Bucket=bucket, Key="open/a.txt")) == "OK"
    finally:
        from labkit.inventory.iam import delete_group

        delete_group(iam, group)


def test_wrong_secret_is_rejected(engine, world):
    s3 = engine.client("s3", aws_access_key_id=world["creds"]["aws_access_key_id"], aws_secret_access_key="nope")
    with enforce_iam():
        assert code(lambda: s3.list_buckets()) == "SignatureDoesNotMatch"


def test_assume_role_needs_permission_and_session_policy_narrows(engine, world):
    iam, bucket = engine.client("iam"), world["bucket"]
    iam.put_role_policy(RoleName=world["role"], PolicyName="s3", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    sts = engine.client("sts", **world["creds"])
    with enforce_iam():
        assert code(lambda: sts.assume_role(RoleArn=world["role_arn"], RoleSessionName="t1")) == "AccessDenied"
        iam.put_user_policy(UserName=world["user"], PolicyName="assume", PolicyDocument=doc(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": world["role_arn"]}))
        full = sts.assume_role(RoleArn=world["role_arn"], RoleSessionName="full")["Credentials"]
        narrow = sts.assume_role(RoleArn=world["role_arn"], RoleSessionName="narrow", Policy=doc(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}))["Credentials"]

        def s3(c, token=True):
            return engine.client("s3", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                                 **({"aws_session_token": c["SessionToken"]} if token else {}))

        assert code(lambda: s3(full).list_buckets()) == "OK"
        assert code(lambda: s3(narrow).get_object(Bucket=bucket, Key="open/a.txt")) == "OK"
        assert code(lambda: s3(narrow).list_buckets()) == "AccessDenied"
        assert code(lambda: s3(full, token=False).list_buckets()) != "OK"



def narrow_session(engine, world):
    """A role session (role: s3:*) whose session policy allows only s3:GetObject; returns its S3 client."""
    iam, bucket = engine.client("iam"), world["bucket"]
    iam.put_role_policy(RoleName=world["role"], PolicyName="s3", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    iam.put_user_policy(UserName=world["user"], PolicyName="assume", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": world["role_arn"]}))
    with enforce_iam():
        c = engine.client("sts", **world["creds"]).assume_role(
            RoleArn=world["role_arn"], RoleSessionName="narrow", Policy=doc(
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}))["Credentials"]
    return engine.client("s3", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                         aws_session_token=c["SessionToken"])


def test_moto_still_ignores_session_policies(engine, world, monkeypatch):
    """With moto's own checker the session policy does not narrow the session; when this fails, moto evaluates
    session policies itself: drop labkit.emulator.iam._with_session_policies."""
    from labkit.emulator import iam as emulator_iam

    s3 = narrow_session(engine, world)
    with enforce_iam():
        assert code(lambda: s3.list_buckets()) == "AccessDenied"  # labkit's rule
        monkeypatch.setattr(emulator_iam, "_with_session_policies", lambda base: base)
        assert code(lambda: s3.list_buckets()) == "OK"  # moto alone: the session policy is ignored


def test_a_conditional_policy_shows_the_notice(engine, world, monkeypatch):
    from labkit.emulator import iam as emulator_iam

    shown = []
    monkeypatch.setattr(emulator_iam, "notice", shown.append)
    iam, bucket = engine.client("iam"), world["bucket"]
    s3 = engine.client("s3", **world["creds"])
    iam.put_user_policy(UserName=world["user"], PolicyName="plain", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))
    with enforce_iam():
        s3.get_object(Bucket=bucket, Key="open/a.txt")
        assert shown == []
        iam.put_user_policy(UserName=world["user"], PolicyName="https-only", PolicyDocument=doc(
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))
        code(lambda: s3.get_object(Bucket=bucket, Key="open/a.txt"))
    assert shown and set(shown) == {"iam-conditions-not-evaluated"}
