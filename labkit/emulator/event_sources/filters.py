"""``FilterCriteria`` of event source mappings: AWS's event-filtering pattern syntax ("Lambda event filtering").

A mapping's ``FilterCriteria`` is ``{"Filters": [{"Pattern": "<JSON>"}, ...]}``. A record goes to the function when
it matches **any** filter; otherwise Lambda drops it (an SQS message is deleted from the queue, a stream's iterator
moves past the record). A pattern is matched against the record as the function would see it, with its data field
parsed as JSON: ``body`` for SQS, ``data`` (base64-decoded) for Kinesis, ``dynamodb`` for DynamoDB Streams.

Pattern syntax (the EventBridge syntax Lambda documents): nested objects narrow to a field; a leaf is a list of
rules, any of which may match: a value (string, number, ``null``; ``""`` for empty), ``{"prefix": s}``,
``{"suffix": s}``, ``{"equals-ignore-case": s}``, ``{"anything-but": value | [values] | {"prefix": s}}``,
``{"numeric": [op, n, (op, n)]}`` with ``= < <= > >=``, ``{"exists": true|false}``; ``"$or": [patterns]`` at any
level. A field the record lacks matches only ``{"exists": false}``. An array in the record matches when one of its
elements does. Strings match character by character; numbers outside ``numeric`` by their JSON text (300 ≠ 300.0).
"""
from __future__ import annotations

import base64
import json
from typing import Any

MISSING = object()
MAX_FILTERS = 5  # "By default, you can have five different filters per event source" (Lambda event filtering)


class FilterError(ValueError):
    """A ``FilterCriteria`` that Lambda would refuse (CreateEventSourceMapping → InvalidParameterValueException)."""


DATA_KEYS = {"sqs": "body", "kinesis": "data", "dynamodb": "dynamodb"}


def compile_criteria(criteria: dict | None, source: str = "") -> list[dict]:
    """The parsed patterns of a ``FilterCriteria`` (``[]`` when there is none); raises FilterError if invalid.

    ``source`` (``"sqs"``, ``"kinesis"``, ``"dynamodb"``): for the stream sources the rules for the data field must
    be a JSON object, or Lambda refuses the mapping ("Lambda event filtering", Kinesis and DynamoDB table).
    """
    if not criteria:
        return []
    filters = criteria.get("Filters") or []
    if len(filters) > MAX_FILTERS:
        raise FilterError(f"FilterCriteria has {len(filters)} filters; the default quota is {MAX_FILTERS}.")
    patterns = []
    for item in filters:
        text = item.get("Pattern", "")
        try:
            pattern = json.loads(text)
        except (TypeError, ValueError):
            raise FilterError(f"Invalid filter pattern definition: {text!r} is not valid JSON.") from None
        if not isinstance(pattern, dict):
            raise FilterError(f"Invalid filter pattern definition: {text!r} must be a JSON object.")
        _check(pattern)
        data_key = DATA_KEYS.get(source)
        if source in ("kinesis", "dynamodb") and data_key in pattern and not isinstance(pattern[data_key], dict):
            raise FilterError(f"Invalid filter pattern definition: the pattern for {data_key!r} must be a JSON "
                              "object for a stream event source.")
        patterns.append(pattern)
    return patterns


def _check(pattern: dict) -> None:
    for key, value in pattern.items():
        if key == "$or":
            if not isinstance(value, list) or not all(isinstance(p, dict) for p in value):
                raise FilterError("Invalid filter pattern definition: $or takes a list of patterns.")
            for sub in value:
                _check(sub)
        elif isinstance(value, dict):
            _check(value)
        elif not isinstance(value, list):
            raise FilterError(f"Invalid filter pattern definition: the rules for {key!r} must be a list.")


def matches_any(patterns: list[dict], view: dict) -> bool:
    """True if ``view`` (a record as :func:`record_view` gives it) matches one of ``patterns`` (or there are none)."""
    return not patterns or any(matches(p, view) for p in patterns)


def matches(pattern: dict, event: Any) -> bool:
    """True if ``event`` matches one pattern (an object of fields → rules)."""
    for key, rule in pattern.items():
        if key == "$or":
            if not any(matches(sub, event) for sub in rule):
                return False
            continue
        value = event.get(key, MISSING) if isinstance(event, dict) else MISSING
        if isinstance(rule, dict):
            if value is MISSING or not isinstance(value, (dict, list)):
                return False
            if isinstance(value, list):
                if not any(isinstance(v, dict) and matches(rule, v) for v in value):
                    return False
            elif not matches(rule, value):
                return False
        elif not _leaf(rule, value):
            return False
    return True


def _leaf(rules: list, value: Any) -> bool:
    candidates = value if isinstance(value, list) else [value]
    if value is not MISSING and isinstance(value, list) and not value:
        candidates = []
    for rule in rules:
        if isinstance(rule, dict) and "exists" in rule:
            if bool(rule["exists"]) == (value is not MISSING):
                return True
            continue
        if value is MISSING:
            continue
        if any(_one(rule, v) for v in candidates):
            return True
    return False


def _same(rule: Any, value: Any) -> bool:
    if isinstance(rule, bool) or isinstance(value, bool) or rule is None or value is None:
        return rule is value or (rule == value and type(rule) is type(value))
    if isinstance(rule, (int, float)) and isinstance(value, (int, float)):
        return json.dumps(rule) == json.dumps(value)
    return isinstance(rule, str) and isinstance(value, str) and rule == value


def _one(rule: Any, value: Any) -> bool:
    if not isinstance(rule, dict):
        return _same(rule, value)
    if "prefix" in rule:
        prefix = rule["prefix"]
        if isinstance(prefix, dict):  # {"prefix": {"equals-ignore-case": "ab"}}
            wanted = str(prefix.get("equals-ignore-case", "")).lower()
            return isinstance(value, str) and value.lower().startswith(wanted)
        return isinstance(value, str) and value.startswith(prefix)
    if "suffix" in rule:
        suffix = rule["suffix"]
        if isinstance(suffix, dict):
            wanted = str(suffix.get("equals-ignore-case", "")).lower()
            return isinstance(value, str) and value.lower().endswith(wanted)
        return isinstance(value, str) and value.endswith(suffix)
    if "equals-ignore-case" in rule:
        return isinstance(value, str) and value.lower() == str(rule["equals-ignore-case"]).lower()
    if "anything-but" in rule:
        but = rule["anything-but"]
        if isinstance(but, dict):
            return not _one(but, value)
        excluded = but if isinstance(but, list) else [but]
        return not any(_same(b, value) for b in excluded)
    if "numeric" in rule:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        terms = rule["numeric"]
        for op, bound in zip(terms[::2], terms[1::2]):
            if not {"=": value == bound, "<": value < bound, "<=": value <= bound,
                    ">": value > bound, ">=": value >= bound}.get(op, False):
                return False
        return True
    return False


def _parsed(text: Any) -> Any:
    """JSON text → its value; text that isn't JSON stays the plain string it is."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def record_view(source: str, record: dict) -> dict:
    """The object a pattern is matched against: the event record with its data field parsed.

    ``source``: ``"sqs"``, ``"kinesis"`` or ``"dynamodb"``. For SQS the ``body`` is parsed as JSON when it is JSON
    (a JSON pattern for ``body`` then never matches a plain-string body, and a plain-string rule never matches a
    JSON object body, as the page's table says); for Kinesis the pattern sees the fields of ``record["kinesis"]``
    with ``data`` base64-decoded and parsed; for DynamoDB the record as it is (``dynamodb`` is already an object).
    """
    if source == "sqs":
        return {**record, "body": _parsed(record.get("body"))}
    if source == "kinesis":
        fields = dict(record.get("kinesis", {}))
        try:
            fields["data"] = _parsed(base64.b64decode(fields.get("data", "")).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            pass  # binary data: only metadata rules can match
        return fields
    return record
