"""Checks for labs/cloudwatch-logs-insights, and the embedded metric format (EMF) reading the lab uses.

:func:`emf_metrics` follows the AWS page "Specification: Embedded metric format": a log event is an EMF document
when it is a JSON object whose ``_aws`` member holds a ``Timestamp`` (milliseconds since the epoch) and a
``CloudWatchMetrics`` array of directives; each directive names a ``Namespace``, ``Dimensions`` (an array of
dimension sets, each an array of member names) and ``Metrics`` (objects with a ``Name`` and an optional
``Unit``); every name a directive refers to is a member of the root object that holds the value.
"""
from __future__ import annotations

import json

from ..checks import Verdict, expect, failed, passed
from ..engines import current


class EmfError(ValueError):
    """The text is not a valid embedded metric format document; the message says what is wrong."""


def emf_metrics(message: str) -> list[dict]:
    """The metric values CloudWatch would extract from one EMF log event, as ``PutMetricData`` ``MetricData``
    items (``MetricName``, ``Dimensions``, ``Value`` or ``Values``, ``Unit``, ``Timestamp`` in ms).

    One item per metric per dimension set (a directive with no dimension set gives metrics without dimensions).
    Raises :class:`EmfError` naming the first rule of the specification the document breaks.
    """
    try:
        root = json.loads(message)
    except (TypeError, ValueError) as error:
        raise EmfError(f"it is not JSON ({error})") from None
    if not isinstance(root, dict):
        raise EmfError("the root is not a JSON object")
    meta = root.get("_aws")
    if not isinstance(meta, dict):
        raise EmfError("it has no _aws metadata object")
    if not isinstance(meta.get("Timestamp"), (int, float)) or isinstance(meta.get("Timestamp"), bool):
        raise EmfError("_aws.Timestamp (milliseconds since the epoch) is missing")
    directives = meta.get("CloudWatchMetrics")
    if not isinstance(directives, list) or not directives:
        raise EmfError("_aws.CloudWatchMetrics is not a non-empty array of metric directives")
    data = []
    for directive in directives:
        if not isinstance(directive, dict) or not isinstance(directive.get("Namespace"), str):
            raise EmfError("a metric directive has no Namespace")
        sets = directive.get("Dimensions", [])
        if not isinstance(sets, list) or not all(isinstance(s, list) for s in sets):
            raise EmfError("Dimensions is not an array of dimension sets (arrays of names)")
        for name in (n for s in sets for n in s):
            if not isinstance(root.get(name), str):
                raise EmfError(f"dimension {name!r} has no string value in the root object")
        metrics = directive.get("Metrics")
        if not isinstance(metrics, list) or not metrics:
            raise EmfError("a metric directive has no Metrics")
        for metric in metrics:
            name = metric.get("Name") if isinstance(metric, dict) else None
            value = root.get(name) if isinstance(name, str) else None
            values = value if isinstance(value, list) else [value]
            if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                raise EmfError(f"metric {name!r} has no numeric value in the root object")
            for dimension_set in sets or [[]]:
                item = {"Namespace": directive["Namespace"], "MetricName": name,
                        "Dimensions": [{"Name": d, "Value": root[d]} for d in dimension_set],
                        "Timestamp": meta["Timestamp"], "Unit": metric.get("Unit", "None")}
                item.update({"Values": values} if isinstance(value, list) else {"Value": value})
                data.append(item)
    return data


def checkout_emf(event: str, log_group: str, namespace: str = "DVA/EMF", metric: str = "CheckoutLatency",
                 unit: str = "Milliseconds", dimension: tuple[str, str] = ("Service", "checkout")) -> Verdict:
    """``event`` is an EMF log event (as sent) that is in the log group ``log_group`` and makes CloudWatch record
    ``metric`` (``unit``) in ``namespace`` with the dimension ``dimension``.

    The document is judged by the rules of "Specification: Embedded metric format" (:func:`emf_metrics`); the log
    group is read with ``FilterLogEvents``.
    """
    expect(event, "my_event", str, "the EMF line your metrics logger wrote (one JSON object, as text)")
    try:
        data = emf_metrics(event)
    except EmfError as error:
        return failed(f"CloudWatch would extract no metric from my_event: {error}. Use the aws-embedded-metrics "
                      "logger and keep the line it prints.")
    mine = [d for d in data if d["MetricName"] == metric]
    if not mine:
        return failed(f"The document records {sorted({d['MetricName'] for d in data})}, not {metric!r}.")
    if not any(d["Namespace"] == namespace for d in mine):
        return failed(f"{metric} goes to namespace {mine[0]['Namespace']!r}; set it to {namespace!r} "
                      "(metrics.set_namespace).")
    name, value = dimension
    if not any({"Name": name, "Value": value} in d["Dimensions"] for d in mine if d["Namespace"] == namespace):
        return failed(f"{metric} has no dimension {name}={value}; add it with "
                      f"metrics.put_dimensions({{{name!r}: {value!r}}}). (set_property adds a field that is "
                      "logged but is not a dimension.)")
    if not any(d["Unit"] == unit for d in mine):
        return failed(f"{metric} has unit {mine[0]['Unit']!r}; record it in {unit!r}.")
    logs = current().client("logs")
    messages = [e["message"].strip() for e in
                logs.filter_log_events(logGroupName=log_group, limit=10000).get("events", [])]
    if event.strip() not in messages:
        return failed(f"The document is right, but the log group {log_group} has no event with this text: "
                      "send it with put_log_events (CloudWatch extracts metrics only from events it ingests).")
    return passed(f"CloudWatch would record {metric} in {namespace} with {name}={value}, from the log line "
                  "alone: no PutMetricData call.")
