"""The CloudWatch embedded metric format (EMF): which metric values CloudWatch extracts from one log event.

:func:`emf_metrics` follows the AWS page "Specification: Embedded metric format": a log event is an EMF document
when it is a JSON object whose ``_aws`` member holds a ``Timestamp`` (milliseconds since the epoch) and a
``CloudWatchMetrics`` array of directives; each directive names a ``Namespace``, ``Dimensions`` (an array of
dimension sets, each an array of member names) and ``Metrics`` (objects with a ``Name`` and an optional
``Unit``); every name a directive refers to is a member of the root object that holds the value. Used by the
embedded engine (:mod:`labkit.emulator.logs` extracts the metrics on PutLogEvents, as CloudWatch Logs does) and by
the Logs Insights/EMF lab's check.
"""
from __future__ import annotations

import json


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
            if not isinstance(name, str):
                raise EmfError(f"a dimension set names {name!r}, not a member name (a string)")
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
