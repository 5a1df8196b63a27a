"""Checks for labs/cloudwatch-logs-insights (the EMF reading they use is :mod:`labkit.emf`)."""
from __future__ import annotations

import json

from ..checks import Verdict, expect, failed, passed
from ..emf import EmfError, emf_metrics
from ..engines import current

__all__ = ["EmfError", "checkout_emf", "emf_metrics"]


def checkout_emf(event: str, log_group: str, namespace: str = "DVA/EMF", metric: str = "CheckoutLatency",
                 unit: str = "Milliseconds", dimension: tuple[str, str] = ("Service", "checkout"),
                 amount: float = 250, prop: str = "orderId") -> Verdict:
    """``event`` is an EMF log event (as sent) that is in the log group ``log_group`` and makes CloudWatch record
    ``metric`` = ``amount`` (``unit``) in ``namespace`` with the one dimension ``dimension``, and carries the
    property ``prop``.

    The document is judged by the rules of "Specification: Embedded metric format" (:func:`emf_metrics`). The
    dimensions must be exactly ``dimension``: dimensions are part of a metric's identity, each new combination a
    new variation of the metric ("Dimension", Amazon CloudWatch API Reference), so the library's default
    dimensions added next to it make another metric. The log group is read with ``FilterLogEvents``.
    """
    expect(event, "my_event", str, "the EMF line your metrics logger wrote (one JSON object, as text)")
    expect(log_group, "group", str, "the lab's log group name (step 1 sets it; run that cell again)")
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
    wanted = {"Name": name, "Value": value}
    in_namespace = [d for d in mine if d["Namespace"] == namespace]
    exact = [d for d in in_namespace if d["Dimensions"] == [wanted]]
    if not exact:
        with_more = [d for d in in_namespace if wanted in d["Dimensions"]]
        if with_more:
            names = ", ".join(d["Name"] for d in with_more[0]["Dimensions"])
            return failed(f"{metric} is recorded with the dimensions {names}: CloudWatch treats each combination of "
                          f"dimensions as a separate metric, so this is not the metric with the one dimension "
                          f"{name}={value}. Use metrics.set_dimensions({{{name!r}: {value!r}}}), which replaces the "
                          "library's default dimensions (as in step 4); put_dimensions adds to them.")
        return failed(f"{metric} has no dimension {name}={value}; set it with "
                      f"metrics.set_dimensions({{{name!r}: {value!r}}}). (set_property adds a field that is "
                      "logged but is not a dimension.)")
    if not any(d["Unit"] == unit for d in exact):
        return failed(f"{metric} has unit {exact[0]['Unit']!r}; record it in {unit!r}.")
    if not any(d.get("Value") == amount or d.get("Values") == [amount] for d in exact):
        recorded = exact[0].get("Value", exact[0].get("Values"))
        return failed(f"{metric} is {recorded!r}; the checkout to record took {amount:g} ms.")
    if prop not in json.loads(event):
        return failed(f"The line has no {prop} member: add it with metrics.set_property({prop!r}, ...) (logged and "
                      "searchable with the metric, not a dimension).")
    logs = current().client("logs")
    messages = [e["message"].strip() for e in
                logs.filter_log_events(logGroupName=log_group, limit=10000).get("events", [])]
    if event.strip() not in messages:
        return failed(f"The document is right, but the log group {log_group} has no event with this text: "
                      "send it with put_log_events (CloudWatch extracts metrics only from events it ingests).")
    return passed(f"CloudWatch would record {metric} in {namespace} with {name}={value}, from the log line "
                  "alone: no PutMetricData call.")
