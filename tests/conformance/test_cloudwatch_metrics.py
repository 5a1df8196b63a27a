"""CloudWatch metric statistics as AWS documents them: one metric per exact dimension combination
("GetMetricStatistics", Dimensions) and periods from StartTime rounded down ("GetMetricStatistics" and
"GetMetricData", StartTime)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import labkit


@pytest.fixture
def published(engine):
    """A namespace with Latency published three ways: {Api=a}, {Api=a, Stage=prod} and without dimensions, at
    hh:mm:30 and hh:mm+1:10 (two minutes: a 60 s period from the first datapoint would put both in one period)."""
    cw = labkit.client("cloudwatch")
    namespace = labkit.name("Conf/Metrics")
    minute = datetime.now(timezone.utc).replace(second=0, microsecond=0) - timedelta(minutes=10)
    for dims, value in (([{"Name": "Api", "Value": "a"}], 1.0),
                        ([{"Name": "Api", "Value": "a"}, {"Name": "Stage", "Value": "prod"}], 100.0),
                        ([], 10_000.0)):
        cw.put_metric_data(Namespace=namespace, MetricData=[
            {"MetricName": "Latency", "Dimensions": dims, "Value": value, "Timestamp": minute + timedelta(seconds=30)},
            {"MetricName": "Latency", "Dimensions": dims, "Value": value, "Timestamp": minute + timedelta(seconds=70)},
        ])
    return cw, namespace, minute


def statistics(cw, namespace, start, dimensions, period=60):
    points = cw.get_metric_statistics(Namespace=namespace, MetricName="Latency", Dimensions=dimensions,
                                      StartTime=start, EndTime=start + timedelta(minutes=5), Period=period,
                                      Statistics=["Sum", "SampleCount"])["Datapoints"]
    return sorted((p["Timestamp"], p["Sum"], p["SampleCount"]) for p in points)


def test_statistics_read_the_exact_dimension_combination(published):
    cw, namespace, minute = published
    one = statistics(cw, namespace, minute, [{"Name": "Api", "Value": "a"}])
    assert [s for _, s, _ in one] == [1.0, 1.0]  # not 101: {Api=a, Stage=prod} is another metric
    both = statistics(cw, namespace, minute, [{"Name": "Stage", "Value": "prod"}, {"Name": "Api", "Value": "a"}])
    assert [s for _, s, _ in both] == [100.0, 100.0]
    assert [s for _, s, _ in statistics(cw, namespace, minute, [])] == [10_000.0, 10_000.0]
    assert statistics(cw, namespace, minute, [{"Name": "Stage", "Value": "prod"}]) == []  # never published alone


def test_periods_start_at_the_rounded_start_time(published):
    cw, namespace, minute = published
    dims = [{"Name": "Api", "Value": "a"}]
    # StartTime hh:mm:20 is rounded down to hh:mm:00: the periods are hh:mm and hh:mm+1, one datapoint each
    points = statistics(cw, namespace, minute + timedelta(seconds=20), dims)
    assert [(t, n) for t, _, n in points] == [(minute, 1.0), (minute + timedelta(minutes=1), 1.0)]
    # a 10-second period rounds StartTime hh:mm:27 down to hh:mm:20: the datapoint at :30 opens the period :30
    fine = statistics(cw, namespace, minute + timedelta(seconds=27), dims, period=10)
    assert [t for t, _, _ in fine] == [minute + timedelta(seconds=30), minute + timedelta(seconds=70)]


def test_metric_data_reads_the_exact_dimension_combination(published):
    cw, namespace, minute = published

    def query(qid, dims):
        return {"Id": qid, "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": "Latency",
                                                     "Dimensions": dims}, "Period": 60, "Stat": "Sum"}}
    answer = cw.get_metric_data(
        MetricDataQueries=[query("none", []), query("api", [{"Name": "Api", "Value": "a"}])],
        StartTime=minute + timedelta(seconds=20), EndTime=minute + timedelta(minutes=5))
    results = {r["Id"]: r for r in answer["MetricDataResults"]}
    assert sorted(results["none"]["Values"]) == [10_000.0, 10_000.0]
    assert sorted(results["api"]["Values"]) == [1.0, 1.0]
    assert sorted(t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t
                  for t in results["api"]["Timestamps"]) == [minute, minute + timedelta(minutes=1)]


def test_moto_still_matches_a_subset_of_dimensions():
    """Guard: moto's own GetMetricStatistics still matches a subset of dimensions and bins from the first
    datapoint, so labkit's replacement (labkit/emulator/cloudwatch_metrics.py) is still needed."""
    from moto.cloudwatch.models import CloudWatchBackend
    from labkit.emulator import cloudwatch_metrics

    cloudwatch_metrics.install()
    original = CloudWatchBackend.get_metric_statistics.labkit_original
    backend = CloudWatchBackend("us-east-1", "123456789012")
    minute = datetime(2030, 1, 1, 12, 0, 0)
    backend.put_metric_data("Guard", [
        {"MetricName": "M", "Value": 1, "Timestamp": minute + timedelta(seconds=30),
         "Dimensions": [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}]},
        {"MetricName": "M", "Value": 1, "Timestamp": minute + timedelta(seconds=70),
         "Dimensions": [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}]}])
    found = original(backend, "Guard", "M", minute, minute + timedelta(minutes=5), 60, ["SampleCount"],
                     [{"Name": "A", "Value": "1"}])
    assert found, "moto now matches the exact dimension set: drop labkit's cloudwatch-metric-selection patch"
    assert [s.timestamp for s in found] == [minute + timedelta(seconds=30)], "moto now aligns periods"
