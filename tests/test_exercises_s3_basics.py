"""The S3 basics exercise check: right answer passes, wrong ones fail with the hint that helps."""
from __future__ import annotations

import labkit
from labkit.exercises.s3_basics import versioned_report

KEY = "reports/summary.txt"


def bucket(versioning: bool) -> str:
    s3 = labkit.client("s3")
    name = labkit.name("ex-s3")
    s3.create_bucket(Bucket=name)
    if versioning:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def test_two_versions_in_a_versioned_bucket_pass(engine):
    name = bucket(versioning=True)
    for body in (b"one", b"two"):
        labkit.client("s3").put_object(Bucket=name, Key=KEY, Body=body)
    assert versioned_report(name).passed


def test_unversioned_bucket_fails_with_the_call_to_make(engine):
    name = bucket(versioning=False)
    labkit.client("s3").put_object(Bucket=name, Key=KEY, Body=b"one")
    verdict = versioned_report(name)
    assert not verdict.passed and "put_bucket_versioning" in verdict.message


def test_a_single_version_fails(engine):
    name = bucket(versioning=True)
    labkit.client("s3").put_object(Bucket=name, Key=KEY, Body=b"one")
    verdict = versioned_report(name)
    assert not verdict.passed and "1 version(s)" in verdict.message


def test_a_deleted_report_fails(engine):
    name = bucket(versioning=True)
    s3 = labkit.client("s3")
    for body in (b"one", b"two"):
        s3.put_object(Bucket=name, Key=KEY, Body=body)
    s3.delete_object(Bucket=name, Key=KEY)
    verdict = versioned_report(name)
    assert not verdict.passed and "delete marker" in verdict.message


def test_a_missing_bucket_is_a_hint_not_a_traceback(engine):
    verdict = labkit.checks.evaluate(versioned_report, "dva-no-such-bucket-00000")
    assert not verdict.passed and "NoSuchBucket" in verdict.message


def test_the_placeholder_is_a_hint_not_a_broken_check(engine):
    verdict = labkit.checks.evaluate(versioned_report, None)
    assert verdict.kind == "failed" and "my_bucket is still None" in verdict.message
    verdict = labkit.checks.evaluate(versioned_report, {"Location": "/x"})
    assert verdict.kind == "failed" and "my_bucket should be a string" in verdict.message
    verdict = labkit.checks.evaluate(versioned_report, "arn:aws:s3:::dva-reports-k3x9q")
    assert verdict.kind == "failed" and "is not a bucket name" in verdict.message


def test_the_same_body_twice_fails(engine):
    name = bucket(versioning=True)
    for _ in range(2):
        labkit.client("s3").put_object(Bucket=name, Key=KEY, Body=b"one")
    verdict = versioned_report(name)
    assert not verdict.passed and "same ETag" in verdict.message


def test_writes_before_versioning_do_not_count(engine):
    name = bucket(versioning=False)
    s3 = labkit.client("s3")
    for body in (b"one", b"two"):
        s3.put_object(Bucket=name, Key=KEY, Body=body)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=name, Key=KEY, Body=b"three")
    verdict = versioned_report(name)
    assert not verdict.passed and "VersionId 'null'" in verdict.message
    s3.put_object(Bucket=name, Key=KEY, Body=b"four")
    verdict = versioned_report(name)
    assert verdict.passed, verdict.message
