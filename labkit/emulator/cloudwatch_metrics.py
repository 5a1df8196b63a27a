"""CloudWatch metric statistics on the embedded engine, as AWS documents them.

moto 5.2.5 differs from AWS in two ways labkit fixes here:

- **Which metric.** "CloudWatch treats each unique combination of dimensions as a separate metric … You must specify
  the same dimensions that were used when the metrics were created" (GetMetricStatistics, Dimensions). moto's
  GetMetricStatistics returned every datapoint whose dimensions *include* the ones asked for (A=1 found the points
  published with A=1,B=2), and its GetMetricData, asked for no dimension, took every dimension combination (and,
  asked for some, ignored the namespace). labkit picks the datapoints of the one metric: same namespace, same name,
  exactly the same set of dimensions (none asked for → the metric published without dimensions).
- **Which periods.** AWS rounds StartTime down (GetMetricStatistics and GetMetricData, StartTime): to the whole minute
  when it is less than 15 days ago, to a 5-minute clock interval between 15 and 63 days, to the hour beyond; with a
  Period of 5, 10, 20 or 30 seconds, to that division of the minute. Periods then follow from that start. moto's
  GetMetricStatistics started its first period at the first datapoint's time instead.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .registry import Patch

PATCHES = [
    Patch(
        name="cloudwatch-metric-selection",
        changes="GetMetricStatistics and GetMetricData read the datapoints of the one metric asked for (namespace, "
                "name and exactly the dimensions given; none given → the metric without dimensions), and their "
                "periods start at StartTime rounded down as AWS documents, not at the first datapoint.",
        symbols=("moto.cloudwatch.models.CloudWatchBackend.get_metric_statistics",
                 "moto.cloudwatch.models.CloudWatchBackend.get_metric_data",
                 "moto.cloudwatch.models.CloudWatchBackend.get_all_metrics",
                 "moto.cloudwatch.models.Statistics",
                 "moto.cloudwatch.metric_data_expression_parser.parse_expression"),
        upstream="moto cloudwatch: match the exact dimension set and align periods to the rounded StartTime.",
    ),
]

SUB_MINUTE_PERIODS = (5, 10, 20, 30)
"""Periods (seconds) for which AWS rounds StartTime to an even division of the minute (GetMetricStatistics)."""


def aligned_start(start: datetime, period: int, now: datetime | None = None) -> datetime:
    """``start`` rounded down as CloudWatch does (GetMetricStatistics / GetMetricData reference, StartTime).

    Less than 15 days before ``now``: to the whole minute; 15 to 63 days: to a 5-minute clock interval; older: to
    the hour. With a ``period`` of 5, 10, 20 or 30 seconds: down to that division of the minute. ``now`` defaults
    to the current time, naive or aware as ``start`` is. Raises nothing."""
    if now is None:
        now = datetime.now(timezone.utc)
        if start.tzinfo is None:
            now = now.replace(tzinfo=None)
    start = start.replace(microsecond=0)
    if period in SUB_MINUTE_PERIODS:
        return start.replace(second=start.second - start.second % period)
    age = now - start
    if age < timedelta(days=15):
        return start.replace(second=0)
    if age <= timedelta(days=63):
        return start.replace(minute=start.minute - start.minute % 5, second=0)
    return start.replace(minute=0, second=0)


def same_metric(datum, namespace: str, name: str, dimensions) -> bool:
    """True when a stored datum belongs to the metric (namespace, name, exact set of ``dimensions``: a list of
    ``{"Name", "Value"}`` dicts, empty for the metric published without dimensions)."""
    if datum.namespace != namespace or datum.name != name:
        return False
    wanted = {(d.get("Name"), d.get("Value")) for d in dimensions or []}
    have = {(d.name, d.value) for d in datum.dimensions}
    return wanted == have and len(have) == len(datum.dimensions)


def get_metric_statistics(self, namespace, metric_name, start_time, end_time, period, stats, dimensions,
                          unit=None):
    """moto's ``CloudWatchBackend.get_metric_statistics`` as AWS documents it (see the module docstring): the
    statistics of each period, from StartTime rounded down, that holds datapoints of exactly this metric.

    Raises InvalidParameterValue when StartTime is not before EndTime (as moto did)."""
    from moto.cloudwatch.exceptions import InvalidParameterValue
    from moto.cloudwatch.models import Statistics

    start_time = start_time.replace(microsecond=0)
    end_time = end_time.replace(microsecond=0)
    if start_time >= end_time:
        raise InvalidParameterValue("The parameter StartTime must be less than the parameter EndTime.")
    start = aligned_start(start_time, int(period))
    step = timedelta(seconds=int(period))
    points = sorted((md for md in self.get_all_metrics()
                     if same_metric(md, namespace, metric_name, dimensions)
                     and start <= md.timestamp < end_time and (not unit or md.unit == unit)),
                    key=lambda md: md.timestamp)
    data = []
    for md in points:
        bin_start = start + step * ((md.timestamp - start) // step)
        if not data or data[-1].timestamp != bin_start:
            data.append(Statistics(stats, bin_start))
        data[-1].metric_data.append(md)
        data[-1].unit = md.unit
    return data


def metric_stat_result(self, query, start_time, end_time, scan_by):
    """One MetricStat query of GetMetricData: the statistic of each period, from StartTime rounded down, that holds
    datapoints of exactly the metric asked for (and its Unit, if given), in moto's result shape."""
    from moto.cloudwatch.models import Statistics

    stat = query["MetricStat"]
    metric, name = stat["Metric"], stat["Metric"]["MetricName"]
    step = timedelta(seconds=int(stat["Period"]))
    start = aligned_start(start_time, int(stat["Period"]))
    end = end_time.replace(microsecond=0)
    unit = stat.get("Unit")
    chosen = sorted((md for md in self.get_all_metrics()
                     if same_metric(md, metric["Namespace"], name, metric.get("Dimensions", []))
                     and start <= md.timestamp < end and (not unit or md.unit == unit)),
                    key=lambda md: md.timestamp)
    periods: dict = {}
    for md in chosen:
        periods.setdefault(start + step * ((md.timestamp - start) // step), []).append(md)
    values, timestamps = [], []
    for timestamp in sorted(periods, reverse=scan_by == "TimestampDescending"):
        statistics = Statistics([stat["Stat"]], timestamp)
        statistics.metric_data = periods[timestamp]
        values.append(statistics.get_statistics_for_type(stat["Stat"]))
        timestamps.append(timestamp)
    return {"id": query["Id"], "label": query.get("Label") or f"{name} {stat['Stat']}", "values": values,
            "timestamps": timestamps, "status_code": "Complete"}


def _metric_data(original):
    def get_metric_data(self, queries, start_time, end_time, scan_by="TimestampAscending"):
        from moto.cloudwatch.metric_data_expression_parser import parse_expression

        if start_time.replace(microsecond=0) >= end_time.replace(microsecond=0):
            return original(self, queries, start_time, end_time, scan_by)  # moto's ValidationError
        math_queries = [q for q in queries if "Expression" in q and not q["Expression"].startswith("SELECT")]
        insights = [q for q in queries if "Expression" in q and q["Expression"].startswith("SELECT")]
        results, shown = [], []
        for query in (q for q in queries if "MetricStat" in q):
            result = metric_stat_result(self, query, start_time, end_time, scan_by)
            results.append(result)
            if query.get("ReturnData", True):
                shown.append(result)
        for query in math_queries:
            values, timestamps = parse_expression(query["Expression"], results)
            shown.append({"id": query["Id"], "label": query.get("Label") or query["Id"], "values": values,
                          "timestamps": timestamps, "status_code": "Complete"})
        if insights:
            shown.extend(original(self, insights, start_time, end_time, scan_by))
        return shown
    get_metric_data.labkit_original = original
    return get_metric_data


def install() -> None:
    """Replace moto's metric selection and period alignment (idempotent)."""
    from moto.cloudwatch.models import CloudWatchBackend

    if not hasattr(CloudWatchBackend.get_metric_statistics, "labkit_original"):
        original = CloudWatchBackend.get_metric_statistics
        get_metric_statistics.labkit_original = original
        CloudWatchBackend.get_metric_statistics = get_metric_statistics
    if not hasattr(CloudWatchBackend.get_metric_data, "labkit_original"):
        CloudWatchBackend.get_metric_data = _metric_data(CloudWatchBackend.get_metric_data)
