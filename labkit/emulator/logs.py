"""CloudWatch Logs: labkit makes the embedded engine extract embedded metric format (EMF) metrics, as AWS does.

"The CloudWatch embedded metric format is a JSON specification used to instruct CloudWatch Logs to automatically
extract metric values embedded in structured log events" ("Specification: Embedded metric format", Amazon
CloudWatch User Guide); events sent with PutLogEvents are extracted with or without the optional
``x-amzn-logs-format: json/emf`` header ("Using the PutLogEvents API to send manually-created embedded metric
format logs"). moto stores such events as text only. After moto stores a PutLogEvents batch, labkit reads each
accepted event with :func:`labkit.emf.emf_metrics` and records what it extracts in moto's CloudWatch backend of the
same account and Region; an event that is not a valid EMF document stays a plain log event, as on AWS. Lambda
functions on the embedded engine write their output through the same call, so a handler that prints EMF publishes
metrics too. Not emulated: the ``AWS/Logs`` metrics that count EMF validation and parsing errors.

Upstream: moto's ``LogsBackend.put_log_events`` could extract EMF metrics into ``cloudwatch_backends``.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from ..emf import EmfError, emf_metrics
from .registry import Patch

log = logging.getLogger(__name__)

DIFFERENCES: list = []

PATCHES = [
    Patch(name="logs-emf-extraction",
          changes="PutLogEvents extracts the metrics of embedded metric format events into CloudWatch, as AWS does",
          symbols=("moto.logs.models.LogsBackend.put_log_events",
                   "moto.cloudwatch.models.CloudWatchBackend.put_metric_data",
                   "moto.cloudwatch.models.cloudwatch_backends"),
          upstream="moto's LogsBackend.put_log_events could extract EMF metrics into cloudwatch_backends"),
]

_original_put_log_events = None
# PutLogEvents accepts events from the last 14 days up to 2 hours ahead (moto applies the same window)
_PAST, _FUTURE = dt.timedelta(days=14), dt.timedelta(hours=2)


def metric_data_for(events) -> dict[str, list[dict]]:
    """The PutMetricData items CloudWatch extracts from ``events`` (PutLogEvents' ``logEvents``), by namespace.

    Events outside the window PutLogEvents accepts, and events that are not EMF documents, give nothing.
    Timestamps come out as naive UTC datetimes, as moto's CloudWatch backend stores them.
    """
    now = dt.datetime.now(dt.timezone.utc)
    oldest, newest = (now - _PAST).timestamp() * 1000, (now + _FUTURE).timestamp() * 1000
    by_namespace: dict[str, list[dict]] = defaultdict(list)
    for event in events:
        if not oldest <= event.get("timestamp", 0) <= newest:
            continue
        try:
            items = emf_metrics(event.get("message", ""))
        except EmfError:
            continue
        for item in items:
            item = dict(item)
            namespace = item.pop("Namespace")
            item["Timestamp"] = dt.datetime.fromtimestamp(item["Timestamp"] / 1000, dt.timezone.utc).replace(tzinfo=None)
            by_namespace[namespace].append(item)
    return by_namespace


def put_log_events_extracting_emf(self, log_group_name, log_stream_name, log_events):
    """moto's ``put_log_events``, then the EMF metrics of the stored events recorded in CloudWatch."""
    result = _original_put_log_events(self, log_group_name, log_stream_name, log_events)
    try:
        extracted = metric_data_for(log_events)
        if extracted:
            from moto.cloudwatch.models import cloudwatch_backends

            backend = cloudwatch_backends[self.account_id][self.region_name]
            for namespace, items in extracted.items():
                backend.put_metric_data(namespace, items)
    except Exception:  # the log events are stored whatever happens to the metrics, as on AWS
        log.exception("labkit: extracting EMF metrics failed")
    return result


def install() -> None:
    """Make PutLogEvents extract EMF metrics (idempotent)."""
    global _original_put_log_events
    from moto.logs.models import LogsBackend

    if _original_put_log_events is None:
        _original_put_log_events = LogsBackend.put_log_events
        LogsBackend.put_log_events = put_log_events_extracting_emf
