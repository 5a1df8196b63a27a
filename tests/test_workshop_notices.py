"""The first rule on a workshop server: a "Differs from AWS" notice raised while ``python -m labkit serve`` serves a
student's call reaches that student's cell (the ``x-labkit-differences`` response header, shown by the shared
engine's clients), for every student, not only the first of the class; a call that meets no difference shows
nothing."""
from __future__ import annotations

import warnings

import pytest

from labkit.emulator import notices
from workshop_server import WorkshopServer

ALARMS = "cloudwatch-alarms-not-evaluated"  # labkit/emulator/cloudwatch.py: PutMetricAlarm's trigger


@pytest.fixture(scope="module")
def server():
    with WorkshopServer(students=2) as running:
        yield running
        running.check()


@pytest.fixture(autouse=True)
def fresh_kernel():
    """Each student works in a kernel of their own: nothing shown yet."""
    notices.reset()
    yield
    notices.reset()


def put_alarm(client) -> dict:
    return client.put_metric_alarm(AlarmName="notice-alarm", MetricName="Errors", Namespace="DVA/Test",
                                   Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1.0,
                                   ComparisonOperator="GreaterThanOrEqualToThreshold")


def differences_shown(call) -> tuple[list[str], dict]:
    """The AwsDifferenceWarning lines ``call()`` shows (outside IPython), and what it returned."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return [str(w.message) for w in caught if issubclass(w.category, notices.AwsDifferenceWarning)], result


def test_every_student_sees_the_notice_their_call_raised_on_the_server(server):
    expected = notices.text(notices.lookup(ALARMS))
    for key in server.students:  # the second student's call raises it again on the server: it must reach them too
        notices.reset()  # this student's own, fresh kernel
        cloudwatch = server.engine(key).client("cloudwatch")
        shown, answer = differences_shown(lambda: put_alarm(cloudwatch))
        assert shown == [expected], key["student"]
        assert answer["ResponseMetadata"]["HTTPHeaders"][notices.HEADER] == ALARMS
        again, _ = differences_shown(lambda: put_alarm(cloudwatch))
        assert again == []  # once per kernel, as on the embedded engine


def test_a_call_that_meets_no_difference_shows_nothing(server):
    cloudwatch = server.engine(server.students[0]).client("cloudwatch")
    shown, answer = differences_shown(lambda: cloudwatch.describe_alarms())
    assert shown == []
    assert notices.HEADER not in answer["ResponseMetadata"]["HTTPHeaders"]
