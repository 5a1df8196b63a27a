"""Checks for labs/cloudwatch-logs-insights (the EMF reading they use is :mod:`labkit.emf`)."""
from __future__ import annotations

from ..checks import Verdict, expect, failed, passed
from ..emf import EmfError, emf_metrics
from ..engines import current

__all__ = ["EmfError", "checkout_emf", "emf_metrics"]


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
