"""The s3-in-depth exercise check: a right answer passes, wrong answers fail with a useful hint."""
from __future__ import annotations

import labkit
from labkit.checks import evaluate
from labkit.exercises import s3_in_depth


def make_bucket(engine, rules=None):
    s3 = engine.client("s3")
    bucket = labkit.name("test-archive")
    s3.create_bucket(Bucket=bucket)
    if rules is not None:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    return bucket


def rule(prefix="archive/", days=90, storage_class="GLACIER", expire=365, status="Enabled"):
    return {"ID": "r", "Status": status, "Filter": {"Prefix": prefix},
            "Transitions": [{"Days": days, "StorageClass": storage_class}], "Expiration": {"Days": expire}}


def test_right_answer_passes(engine):
    verdict = s3_in_depth.archive_rule(make_bucket(engine, [rule()]))
    assert verdict.passed, verdict.message


def test_no_configuration_fails(engine):
    verdict = s3_in_depth.archive_rule(make_bucket(engine))
    assert not verdict.passed
    assert "no lifecycle configuration" in verdict.message


def test_wrong_prefix_fails(engine):
    verdict = s3_in_depth.archive_rule(make_bucket(engine, [rule(prefix="logs/")]))
    assert not verdict.passed
    assert "No rule filters on the prefix 'archive/'" in verdict.message


def test_wrong_transition_fails(engine):
    verdict = s3_in_depth.archive_rule(make_bucket(engine, [rule(days=30, storage_class="STANDARD_IA")]))
    assert not verdict.passed
    assert "transition to GLACIER after 90 days" in verdict.message


def test_wrong_expiration_fails(engine):
    verdict = s3_in_depth.archive_rule(make_bucket(engine, [rule(expire=730)]))
    assert not verdict.passed
    assert '"Expiration": {"Days": 365}' in verdict.message


def test_disabled_rule_fails(engine):
    verdict = s3_in_depth.archive_rule(make_bucket(engine, [rule(status="Disabled")]))
    assert not verdict.passed
    assert "not 'Enabled'" in verdict.message


def test_unset_answer_fails(engine):
    verdict = evaluate(s3_in_depth.archive_rule, None)
    assert verdict.kind == "failed"
    assert "my_bucket is still None" in verdict.message
