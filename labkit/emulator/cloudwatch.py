"""CloudWatch and CloudWatch Logs: where the embedded engine differs from AWS (moto stores alarms and metric
filters but runs neither). Notices are shown when a lab creates an alarm, sets its state or adds a metric filter.
"""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="cloudwatch-alarms-not-evaluated",
        service="CloudWatch",
        aws="A new alarm starts in INSUFFICIENT_DATA and is then evaluated against its metric every period, "
            "moving to OK or ALARM by its threshold, evaluation periods and datapoints to alarm.",
        engine="A new alarm reports OK and is never evaluated: its state changes only through SetAlarmState.",
        doc="PutMetricAlarm",
        labs=("cloudwatch", "rds"),
    ),
    Difference(
        id="cloudwatch-alarm-actions-not-run",
        service="CloudWatch",
        aws="When an alarm's state changes (also through SetAlarmState), the actions configured for the new state "
            "run (for example a message to an SNS topic) and the change is kept in the alarm history.",
        engine="No alarm action runs and no history is kept (DescribeAlarmHistory is not implemented).",
        doc="SetAlarmState",
        labs=("cloudwatch",),
    ),
    Difference(
        id="logs-metric-filters-not-applied",
        service="CloudWatch Logs",
        aws="A metric filter turns the log events ingested after its creation that match its pattern into metric "
            "values in CloudWatch.",
        engine="The filter is stored (and FilterLogEvents finds the lines), but no metric value is ever published.",
        doc="Creating metrics from log events using filters",
        labs=("cloudwatch",),
    ),
]

TRIGGERS = [
    Trigger("moto.cloudwatch.responses.CloudWatchResponse.put_metric_alarm", "cloudwatch-alarms-not-evaluated"),
    Trigger("moto.cloudwatch.responses.CloudWatchResponse.set_alarm_state", "cloudwatch-alarm-actions-not-run"),
    Trigger("moto.logs.responses.LogsResponse.put_metric_filter", "logs-metric-filters-not-applied"),
]

PATCHES = [trigger_patch("cloudwatch-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
