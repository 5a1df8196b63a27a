"""The CloudWatch lab's exercise check: a right answer passes, wrong answers fail with the right hint."""
from __future__ import annotations

import pytest

import labkit
from labkit.exercises import cloudwatch as ex

TOPIC = "arn:aws:sns:us-east-1:123456789012:dva-alarms-test"
RIGHT = dict(Namespace="DVA/Lab", MetricName="Errors", Statistic="Sum", Period=60, Threshold=5,
             ComparisonOperator="GreaterThanOrEqualToThreshold", EvaluationPeriods=3, DatapointsToAlarm=2,
             TreatMissingData="notBreaching", AlarmActions=[TOPIC])


@pytest.fixture
def alarm(engine):
    cw = labkit.client("cloudwatch")
    names = []

    def make(**changes):
        name = labkit.name("alarm-test")
        cw.put_metric_alarm(AlarmName=name, **{**RIGHT, **changes})
        names.append(name)
        return name
    yield make
    cw.delete_alarms(AlarmNames=names)


def test_right_answer_passes(alarm):
    assert ex.error_alarm(alarm(), TOPIC).passed


def test_average_fails(alarm):
    verdict = ex.error_alarm(alarm(Statistic="Average"), TOPIC)
    assert not verdict.passed and "Statistic='Sum', Period=60" in verdict.message


def test_strictly_greater_fails(alarm):
    verdict = ex.error_alarm(alarm(ComparisonOperator="GreaterThanThreshold"), TOPIC)
    assert not verdict.passed and "GreaterThanOrEqualToThreshold" in verdict.message


def test_three_of_three_fails(alarm):
    verdict = ex.error_alarm(alarm(DatapointsToAlarm=3), TOPIC)
    assert not verdict.passed and "DatapointsToAlarm=2" in verdict.message


def test_missing_data_default_fails(alarm):
    verdict = ex.error_alarm(alarm(TreatMissingData="missing"), TOPIC)
    assert not verdict.passed and "notBreaching" in verdict.message


def test_no_action_fails(alarm):
    verdict = ex.error_alarm(alarm(AlarmActions=[]), TOPIC)
    assert not verdict.passed and "nobody would be told" in verdict.message


def test_missing_alarm_fails(engine):
    assert "no metric alarm named" in ex.error_alarm("dva-nope-00000", TOPIC).message
