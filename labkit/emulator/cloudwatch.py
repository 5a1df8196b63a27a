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
    Difference(
        id="logs-insights-partial",
        service="CloudWatch Logs",
        aws="A Logs Insights query runs its whole pipeline: fields (with the fields discovered in JSON log events), "
            "filter, stats … by (with bin()), parse, sort on any field, limit and the other commands.",
        engine="Only fields @timestamp, @message, @logStream and @log, sort by time and limit are honoured; "
               "filter, stats, parse and any other command or field are silently ignored (every event comes back, "
               "with only @ptr for fields it does not know).",
        doc="CloudWatch Logs Insights language query syntax",
        labs=("cloudwatch-logs-insights",),
    ),
]

SUPPORTED_QUERY_COMMANDS = {"fields", "sort", "limit"}
KNOWN_QUERY_FIELDS = {"@timestamp", "@message", "@logStream", "@log"}


def beyond_moto(query: str) -> bool:
    """True when a Logs Insights query uses a command or a field moto's query engine ignores (see
    ``logs-insights-partial``): anything but ``fields`` of the four built-in fields, ``sort`` and ``limit``."""
    for command in (part.strip() for part in (query or "").split("|")):
        if not command:
            continue
        word, _, rest = command.partition(" ")
        if word.lower() not in SUPPORTED_QUERY_COMMANDS:
            return True
        if word.lower() == "fields" and any(f.strip() not in KNOWN_QUERY_FIELDS for f in rest.split(",")):
            return True
        if word.lower() == "sort" and rest.split()[:1] != ["@timestamp"]:
            return True
    return False


TRIGGERS = [
    Trigger("moto.cloudwatch.responses.CloudWatchResponse.put_metric_alarm", "cloudwatch-alarms-not-evaluated"),
    Trigger("moto.cloudwatch.responses.CloudWatchResponse.set_alarm_state", "cloudwatch-alarm-actions-not-run"),
    Trigger("moto.logs.responses.LogsResponse.put_metric_filter", "logs-metric-filters-not-applied"),
    Trigger("moto.logs.responses.LogsResponse.start_query", "logs-insights-partial",
            when=lambda response: beyond_moto(response._get_param("queryString"))),
]

PATCHES = [trigger_patch("cloudwatch-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
