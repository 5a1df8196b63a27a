"""labs/iam: the least-privilege check passes a right policy and explains what a wrong one lets through."""
from __future__ import annotations

import pytest

from labkit import name
from labkit.checks import evaluate
from labkit.exercises import iam as checks


def policy(actions, resource):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]}


@pytest.fixture()
def bucket(engine):
    s3 = engine.client("s3")
    bucket = name("exercise")
    s3.create_bucket(Bucket=bucket)
    yield bucket
    from labkit.inventory.core import delete_bucket

    delete_bucket(s3, bucket)


def no_probe_users_left(engine):
    return not [u for u in engine.client("iam").list_users()["Users"] if "-probe-" in u["UserName"]]


def test_right_policy_passes(engine, bucket):
    verdict = checks.least_privilege_prefix(
        policy(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{bucket}/reports/*"), bucket)
    assert verdict.passed, verdict.message
    assert no_probe_users_left(engine)


def test_right_policy_as_json_string_passes(engine, bucket):
    import json

    verdict = checks.least_privilege_prefix(json.dumps(
        policy(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{bucket}/reports/*")), bucket)
    assert verdict.passed, verdict.message


def test_whole_bucket_fails(engine, bucket):
    verdict = checks.least_privilege_prefix(policy(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{bucket}/*"),
                                            bucket)
    assert not verdict.passed
    assert "PutObject outside the prefix was allowed" in verdict.message
    assert no_probe_users_left(engine)


def test_missing_slash_fails(engine, bucket):
    verdict = checks.least_privilege_prefix(
        policy(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{bucket}/reports*"), bucket)
    assert not verdict.passed
    assert "look-alike prefix" in verdict.message


def test_s3_star_fails(engine, bucket):
    verdict = checks.least_privilege_prefix(policy("s3:*", f"arn:aws:s3:::{bucket}/reports/*"), bucket)
    assert not verdict.passed
    assert "DeleteObject inside the prefix was allowed" in verdict.message


def test_too_narrow_fails(engine, bucket):
    verdict = checks.least_privilege_prefix(policy("s3:GetObject", f"arn:aws:s3:::{bucket}/reports/*"), bucket)
    assert not verdict.passed
    assert "PutObject inside the prefix was denied" in verdict.message


def test_none_fails(bucket):
    verdict = evaluate(checks.least_privilege_prefix, None, bucket)
    assert verdict.kind == "failed" and "still None" in verdict.message
    verdict = evaluate(checks.least_privilege_prefix, "{not json", bucket)
    assert verdict.kind == "failed" and "not JSON" in verdict.message


def test_on_a_workshop_server_the_policy_is_judged_by_the_embedded_engines_evaluator(monkeypatch):
    """The shared engine (labkit serve) neither enforces IAM for a student's users nor offers SimulateCustomPolicy:
    the check evaluates the document with the evaluator the embedded engine enforces IAM with, and never calls the
    simulator (which would break the check there)."""
    from types import SimpleNamespace

    def no_simulator(**_):
        raise AssertionError("SimulateCustomPolicy called on a workshop server")

    shared = SimpleNamespace(name="shared", client=lambda service: SimpleNamespace(simulate_custom_policy=no_simulator))
    monkeypatch.setattr(checks, "current", lambda: shared)
    right = checks.least_privilege_prefix(policy(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::b/reports/*"), "b")
    assert right.passed, right.message
    wrong = checks.least_privilege_prefix(policy("s3:*", "arn:aws:s3:::b/*"), "b")
    assert not wrong.passed and "DeleteObject inside the prefix was allowed" in wrong.message


def test_a_right_policy_reads_the_same_on_a_workshop_server_and_the_embedded_engine(engine, bucket, monkeypatch):
    """nbval compares a lab's solved run in a workshop student's account with the book's embedded run: the verdict of
    a right policy must not depend on how the engine judged it."""
    from types import SimpleNamespace

    right = policy(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{bucket}/reports/*")
    embedded = checks.least_privilege_prefix(right, bucket)
    monkeypatch.setattr(checks, "current", lambda: SimpleNamespace(name="shared", client=lambda service: None))
    shared = checks.least_privilege_prefix(right, bucket)
    assert embedded.passed and shared.passed and embedded.message == shared.message, (embedded, shared)
