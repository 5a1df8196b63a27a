"""labkit.exercises.s3_security: right and wrong answers, on the embedded engine."""
from __future__ import annotations

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import s3_security
from labkit.inventory.core import delete_bucket


@pytest.fixture(scope="module")
def setting(engine):
    s3, kms = labkit.client("s3"), labkit.client("kms")
    bucket = labkit.name("practice")
    s3.create_bucket(Bucket=bucket)
    keys = [kms.create_key(Description="s3-security check test")["KeyMetadata"] for _ in range(2)]
    yield bucket, keys[0]["Arn"], keys[1]["Arn"]
    delete_bucket(s3, bucket)
    for key in keys:
        kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)


def statement(bucket, condition):
    return {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
            "Condition": condition}


def test_right_answer_passes(setting):
    bucket, key, other = setting
    policy = {"Version": "2012-10-17", "Statement": [
        statement(bucket, {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}),
        statement(bucket, {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key}})]}
    verdict = evaluate(s3_security.kms_only_policy, policy, bucket, key, other)
    assert verdict.passed, verdict.message


def test_both_keys_in_one_statement_lets_another_kms_key_in(setting):
    bucket, key, other = setting
    policy = {"Version": "2012-10-17", "Statement": [statement(bucket, {"StringNotEquals": {
        "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": key}})]}
    verdict = evaluate(s3_security.kms_only_policy, policy, bucket, key, other)
    assert verdict.kind == "failed" and "SSE-KMS with another KMS key" in verdict.message
    assert "ANDed" in verdict.message


def test_requiring_only_kms_lets_another_key_in(setting):
    bucket, key, other = setting
    policy = {"Version": "2012-10-17", "Statement": [
        statement(bucket, {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}})]}
    verdict = evaluate(s3_security.kms_only_policy, policy, bucket, key, other)
    assert verdict.kind == "failed" and "these uploads got in: SSE-KMS with another KMS key" in verdict.message


def test_denying_every_upload_is_a_hint(setting):
    bucket, key, other = setting
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}
    verdict = evaluate(s3_security.kms_only_policy, policy, bucket, key, other)
    assert verdict.kind == "failed" and "lab's key was refused too" in verdict.message


def test_the_bucket_arn_alone_is_a_hint(setting):
    bucket, key, other = setting
    policy = {"Version": "2012-10-17", "Statement": [dict(statement(bucket, {}), Resource=f"arn:aws:s3:::{bucket}")]}
    verdict = evaluate(s3_security.kms_only_policy, policy, bucket, key, other)
    assert verdict.kind == "failed" and "No statement names the objects" in verdict.message


def test_a_statement_without_effect_is_a_hint(setting):
    bucket, key, other = setting
    incomplete = {k: v for k, v in statement(bucket, {}).items() if k != "Effect"}
    verdict = evaluate(s3_security.kms_only_policy, {"Version": "2012-10-17", "Statement": [incomplete]},
                       bucket, key, other)
    assert verdict.kind == "failed" and "Statement 1 has no Effect" in verdict.message, verdict.message


def test_placeholder_is_a_hint(setting):
    bucket, key, other = setting
    verdict = evaluate(s3_security.kms_only_policy, None, bucket, key, other)
    assert verdict.kind == "failed" and "my_policy is still None" in verdict.message


def test_check_leaves_no_policy_nor_objects(setting):
    bucket, key, other = setting
    s3 = labkit.client("s3")
    s3_security.uploads(bucket, {"Version": "2012-10-17", "Statement": [statement(bucket, {})]}, key, other)
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_policy(Bucket=bucket)
