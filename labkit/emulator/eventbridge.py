"""EventBridge rule → Lambda target: the event, delivered asynchronously, when the function's policy allows it.

What AWS documents:

- "Amazon EventBridge events": an event is a JSON object with ``version`` ("0"), ``id``, ``detail-type``,
  ``source``, ``account``, ``time`` (ISO 8601, ``2024-01-31T12:00:00Z``), ``region``, ``resources`` and ``detail``.
- "PutTargets" (Amazon EventBridge API Reference): by default the target receives that whole event; ``Input`` (JSON
  text) is passed *instead of* the event, ``InputPath`` (JSONPath) passes only part of it, ``InputTransformer``
  (``InputPathsMap`` + ``InputTemplate``) builds the input from parts of it.
- "Invoking a Lambda function asynchronously": EventBridge invokes a function asynchronously (the event goes to
  Lambda's queue; Lambda's own retries, dead-letter queue and destinations then apply — :mod:`.lambda_.async_invoke`).
- "Using resource-based policies for Amazon EventBridge": for a rule to invoke a function, the function's
  resource-based policy must allow ``lambda:InvokeFunction`` to the principal ``events.amazonaws.com`` (usually with
  the rule's ARN as ``SourceArn``). Without it the function is not invoked. "Using dead-letter queues to process
  undelivered events in EventBridge": a missing permission or a target that no longer exists is not retried; the
  event goes to the target's dead-letter queue if it has one. "Monitoring Amazon EventBridge": such an invocation
  counts in the rule's ``FailedInvocations`` metric (namespace ``AWS/Events``, dimension ``RuleName``), which the
  engine records in CloudWatch.

moto 5.2.5 (``moto.events.models.Rule.send_to_targets``) raises ``NotImplementedError`` for a ``lambda`` target,
so ``PutEvents`` answers 500 and nothing runs. Here lambda targets are taken out of the rule's targets and delivered
as above; every other target still goes through moto. Upstream change (moto ``events/models.py``): a ``lambda``
branch in ``Rule.send_to_targets`` that builds the event with an ISO 8601 ``time`` and ``account`` (moto's default
``EventTemplateParser`` template drops ``account``), honours ``Input``/``InputPath``, checks the function's policy
and invokes it with ``InvocationType=Event``.
"""
from __future__ import annotations

import copy
import fnmatch
import json
from datetime import datetime, timezone
from typing import Any

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference, Patch

PRINCIPAL = "events.amazonaws.com"
ENVELOPE_FIELDS = ("version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")

TRIGGERS = [
    Trigger("moto.events.responses.EventsHandler.put_rule", "eventbridge-schedules-not-run",
            when=lambda response: bool(response._get_param("ScheduleExpression"))),
]

PATCHES = [
    trigger_patch("eventbridge-notices", TRIGGERS),
    Patch(
        name="eventbridge-test-event-pattern",
        changes="TestEventPattern answers {\"Result\": true|false} with moto's own pattern matcher (the one its rules "
                "use); an invalid pattern is InvalidEventPatternException. moto answers an empty body (its handler "
                "is a stub), so boto3 finds no Result.",
        symbols=("moto.events.responses.EventsHandler.test_event_pattern", "moto.events.models.EventPattern.load",
                 "moto.events.exceptions.InvalidEventPatternException"),
        upstream="moto events/responses.py EventsHandler.test_event_pattern: return EventPattern.load(pattern)"
                 ".matches_event(event).",
    ),
    Patch(
        name="eventbridge-lambda-target",
        changes="A rule's Lambda target gets the documented event (or its Input / InputPath / InputTransformer), "
                "invoked asynchronously, only if the function's policy allows events.amazonaws.com; otherwise the "
                "rule's FailedInvocations metric counts it. moto answers PutEvents with 500 (NotImplementedError).",
        symbols=("moto.events.models.Rule.send_to_targets", "moto.events.utils.EventTemplateParser.parse",
                 "moto.awslambda.models.LambdaBackend.get_policy", "moto.awslambda.utils.get_backend",
                 "moto.cloudwatch.models.CloudWatchBackend.put_metric_data"),
        upstream="moto events/models.py Rule.send_to_targets: add a lambda branch (see this module's docstring).",
    ),
]

DIFFERENCES = [
    Difference(
        id="eventbridge-schedules-not-run",
        service="events",
        aws="A rule with a ScheduleExpression (rate or cron, in UTC, to the minute) sends an event to its targets "
            "on that schedule; EventBridge Scheduler schedules invoke their targets likewise.",
        engine="Scheduled rules are stored (PutRule, DescribeRule, targets) but never fire: no event reaches their "
               "targets.",
        doc="Creating a scheduled rule (legacy) in Amazon EventBridge",
        labs=("eventbridge",),
    ),
    Difference(
        id="eventbridge-target-dead-letter-queue",
        service="events",
        aws="An event EventBridge cannot deliver to a target (missing permission, target deleted, retries "
            "exhausted) goes to the target's dead-letter queue (DeadLetterConfig) with attributes naming the error.",
        engine="The target's DeadLetterConfig is stored but not used: the undelivered event is only counted in the "
               "rule's FailedInvocations metric. The target's RetryPolicy is not used either.",
        doc="Using dead-letter queues to process undelivered events in EventBridge",
    ),
    Difference(
        id="eventbridge-archive-without-delay",
        service="events",
        aws="An event can reach the archive some time after the bus received it; AWS recommends waiting 10 minutes "
            "before replaying archived events, so that every event is replayed. A replay then works through its "
            "time window one minute at a time.",
        engine="An event is archived the moment the bus receives it (DescribeArchive counts it at once), and a "
               "replay of a short window is COMPLETED within a second.",
        doc="Archiving and replaying events in Amazon EventBridge",
        labs=("eventbridge",),
    ),
]

_original_send_to_targets = None
moto_had_test_event_pattern_stub = None  # whether moto's TestEventPattern handler was still its empty stub

MANDATORY_EVENT_FIELDS = ("id", "account", "source", "time", "region", "resources", "detail-type")
"""Fields TestEventPattern requires in the event ("TestEventPattern", Amazon EventBridge API Reference)."""


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def is_lambda_target(target: dict) -> bool:
    """Whether a rule target's ``Arn`` is a Lambda function's."""
    parts = str(target.get("Arn", "")).split(":")
    return len(parts) > 6 and parts[2] == "lambda" and parts[5] == "function"


def envelope(event: dict) -> dict:
    """The event as AWS delivers it ("Amazon EventBridge events"): the nine fields, ``time`` in ISO 8601 (UTC)."""
    out = {name: copy.deepcopy(event.get(name)) for name in ENVELOPE_FIELDS}
    when = out["time"]
    if isinstance(when, (int, float)) or (isinstance(when, str) and when.replace(".", "", 1).isdigit()):
        out["time"] = datetime.fromtimestamp(float(when), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    out["resources"] = out["resources"] or []
    return out


def target_input(target: dict, event: dict, ingestion_time: Any = None) -> Any:
    """What the target receives ("PutTargets"): ``Input`` as given, the ``InputPath`` part, the ``InputTransformer``
    result, or else the whole event."""
    if target.get("Input") is not None:
        return json.loads(target["Input"])
    if target.get("InputPath"):
        from jsonpath_ng.ext import parse

        found = parse(target["InputPath"]).find(event)
        return found[0].value if found else None
    transformer = target.get("InputTransformer")
    if transformer:
        from moto.events.utils import EventTemplateParser

        return EventTemplateParser.parse(input_template=transformer.get("InputTemplate"),
                                         input_paths_map=transformer.get("InputPathsMap", {}),
                                         event={**event, "ingestion-time": ingestion_time or event["time"]})
    return event


def allows(function_arn: str, rule_arn: str, account: str) -> bool:
    """Whether the function's resource-based policy lets ``events.amazonaws.com`` invoke it for ``rule_arn``."""
    from moto.awslambda.utils import get_backend

    parts = function_arn.split(":")
    name, qualifier = parts[6], (parts[7] if len(parts) > 7 else None)
    try:
        wire = json.loads(get_backend(parts[4], parts[3]).get_policy(name, qualifier))
        statements = _as_list(json.loads(wire["Policy"]).get("Statement"))
    except Exception:  # noqa: BLE001 - no function, or no policy at all
        return False
    for statement in statements:
        principal = statement.get("Principal")
        service = principal.get("Service") if isinstance(principal, dict) else principal
        if statement.get("Effect", "Allow") != "Allow" or PRINCIPAL not in _as_list(service):
            continue
        if not {"lambda:InvokeFunction", "lambda:*", "*"} & set(_as_list(statement.get("Action"))):
            continue
        condition = {op: {key.lower(): value for key, value in (keys or {}).items()}
                     for op, keys in (statement.get("Condition") or {}).items()}  # condition keys: any case
        sources = [s for op in ("ArnLike", "ArnEquals") for s in _as_list(condition.get(op, {}).get(
            "aws:sourcearn"))]
        accounts = _as_list(condition.get("StringEquals", {}).get("aws:sourceaccount"))
        if sources and not any(fnmatch.fnmatchcase(rule_arn, s) for s in sources):
            continue
        if accounts and account not in accounts:
            continue
        return True
    return False


def _function(function_arn: str):
    from moto.awslambda.utils import get_backend

    parts = function_arn.split(":")
    try:
        return get_backend(parts[4], parts[3])._lambdas.get_function_by_name_or_arn_with_qualifier(
            parts[6], parts[7] if len(parts) > 7 else None)
    except Exception:  # noqa: BLE001 - the function no longer exists
        return None


def count_failed_invocation(rule) -> None:
    """Add 1 to the rule's ``FailedInvocations`` metric (``AWS/Events``, dimension ``RuleName``)."""
    from moto.cloudwatch.models import cloudwatch_backends

    cloudwatch_backends[rule.account_id][rule.region_name].put_metric_data("AWS/Events", [{
        "MetricName": "FailedInvocations", "Dimensions": [{"Name": "RuleName", "Value": rule.name}],
        "Value": 1.0, "Unit": "Count"}])


def deliver(rule, target: dict, event: dict, transform_input: bool = True) -> str | None:
    """Invoke the target's function asynchronously with the event; the request ID, or None if not delivered."""
    payload = (target_input(target, envelope(event), event.get("ingestion-time")) if transform_input
               else envelope(event))
    function = _function(target["Arn"])
    if function is None or not allows(target["Arn"], rule.arn, rule.account_id):
        count_failed_invocation(rule)
        return None
    from .lambda_ import async_invoke

    parts = target["Arn"].split(":")
    return async_invoke.submit(function, json.dumps(payload), parts[7] if len(parts) > 7 else None)


def send_to_targets(self, original_event, transform_input: bool = True) -> None:
    """``Rule.send_to_targets``: Lambda targets delivered here, the others by moto."""
    lambda_targets = [t for t in self.targets if is_lambda_target(t)]
    if not lambda_targets:
        return _original_send_to_targets(self, original_event, transform_input)
    if not self.event_pattern.matches_event(original_event):
        return None
    others = [t for t in self.targets if not is_lambda_target(t)]
    if others:
        rule = copy.copy(self)
        rule.targets = others
        _original_send_to_targets(rule, original_event, transform_input)
    for target in lambda_targets:
        deliver(self, target, original_event, transform_input)
    return None


def test_event_pattern(self):
    """``TestEventPattern``: ``{"Result": bool}``, matched as moto's rules match (``EventPattern``)."""
    from moto.events.exceptions import InvalidEventPatternException
    from moto.events.models import EventPattern

    try:
        event = json.loads(self._get_param("Event") or "")
    except ValueError:
        raise InvalidEventPatternException("Event is not valid JSON.") from None
    missing = [f for f in MANDATORY_EVENT_FIELDS if not isinstance(event, dict) or f not in event]
    if missing:
        raise InvalidEventPatternException(f"Event is missing the mandatory field(s) {', '.join(missing)}.")
    pattern = EventPattern.load(self._get_param("EventPattern"))  # raises InvalidEventPatternException
    try:
        result = bool(pattern.matches_event(event))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # moto checks operators only when matching
        raise InvalidEventPatternException(f"Unrecognized match type or operand: {exc}") from None
    return json.dumps({"Result": result}), self.response_headers


def install() -> None:
    """Route the Lambda targets of moto's EventBridge rules through :func:`deliver` (once per process)."""
    global _original_send_to_targets, moto_had_test_event_pattern_stub
    from moto.events.models import Rule
    from moto.events.responses import EventsHandler

    install_triggers(TRIGGERS)
    if _original_send_to_targets is None:
        import inspect

        source = inspect.getsource(EventsHandler.test_event_pattern)
        moto_had_test_event_pattern_stub = source.rstrip().endswith("pass")
        EventsHandler.test_event_pattern = test_event_pattern
        _original_send_to_targets = Rule.send_to_targets
        Rule.send_to_targets = send_to_targets
