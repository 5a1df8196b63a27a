"""The rds exercise check: a right answer passes, wrong answers fail with a useful hint."""
from __future__ import annotations

import labkit
from labkit.checks import evaluate
from labkit.exercises import rds as checks


def group(engine, family="mysql8.0", **parameters):
    rds = engine.client("rds")
    name = labkit.name("test-slow")
    rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily=family, Description="test")
    if parameters:
        rds.modify_db_parameter_group(DBParameterGroupName=name, Parameters=[
            {"ParameterName": k, "ParameterValue": v, "ApplyMethod": "immediate"} for k, v in parameters.items()])
    return name


def test_right_answer_passes(engine):
    verdict = checks.slow_log_group(group(engine, slow_query_log="1", long_query_time="1"))
    assert verdict.passed, verdict.message


def test_log_off_fails(engine):
    verdict = checks.slow_log_group(group(engine, long_query_time="1"))
    assert not verdict.passed
    assert "slow_query_log is not on" in verdict.message


def test_threshold_too_high_fails(engine):
    verdict = checks.slow_log_group(group(engine, slow_query_log="1", long_query_time="10"))
    assert not verdict.passed
    assert "long_query_time is 10 s" in verdict.message


def test_threshold_missing_fails(engine):
    verdict = checks.slow_log_group(group(engine, slow_query_log="1"))
    assert not verdict.passed
    assert "long_query_time is None" in verdict.message


def test_wrong_family_fails(engine):
    verdict = checks.slow_log_group(group(engine, family="postgres16", slow_query_log="1", long_query_time="1"))
    assert not verdict.passed
    assert "postgres16 family" in verdict.message


def test_unset_answer_fails():
    verdict = evaluate(checks.slow_log_group, None)
    assert verdict.kind == "failed"
    assert "my_group is still None" in verdict.message


def test_a_group_that_does_not_exist_is_a_hint(engine):
    verdict = evaluate(checks.slow_log_group, labkit.name("no-such-group"))
    assert verdict.kind == "failed" and "create_db_parameter_group" in verdict.message
