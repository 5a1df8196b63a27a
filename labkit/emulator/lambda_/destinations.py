"""Records of asynchronous invocations: destinations (OnSuccess / OnFailure) and the dead-letter queue.

What AWS documents ("Capturing records of Lambda asynchronous invocations"):

- an *invocation record* is a JSON document: ``version`` "1.0", ``timestamp``, ``requestContext`` (``requestId``,
  ``functionArn``, ``condition``, ``approximateInvokeCount``), ``requestPayload`` (the event), ``responseContext``
  (``statusCode``, ``executedVersion``, ``functionError`` when the function failed) and ``responsePayload``;
- to SQS and SNS the record is the message; to a Lambda function it is the (asynchronous) event; to EventBridge it
  is the ``detail`` of an event whose ``source`` is ``lambda`` and whose ``detail-type`` is
  "Lambda Function Invocation Result - Success" or "... - Failure", with the function's and the destination's ARNs
  in ``resources``;
- a dead-letter queue (``DeadLetterConfig``: SQS queue or SNS topic) gets the event itself, with the message
  attributes ``RequestID`` (String), ``ErrorCode`` (Number, the HTTP status code) and ``ErrorMessage`` (String, the
  first 1 KB of the error message);
- the function's execution role must allow the send (``sqs:SendMessage``, ``sns:Publish``,
  ``lambda:InvokeFunction``, ``events:PutEvents``); a record Lambda cannot deliver (no permission, an unsupported
  destination such as a FIFO queue) is dropped (Lambda counts it in the ``DestinationDeliveryFailures`` /
  ``DeadLetterErrors`` metrics; here it is listed in :data:`failures`).

``condition`` values: "Success" and "RetriesExhausted" are documented on that page. For an event that expires in
the queue the engine writes "EventAgeExceeded", and for an event dropped because the function's reserved
concurrency is 0 it writes "ZeroReservedConcurrency" (with ``approximateInvokeCount`` 0 and no response): these
are the values Lambda sends, but no AWS page documents them.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from typing import Any

from ..registry import Difference, Patch

PATCHES = [
    Patch(
        name="lambda-destinations-delivery",
        changes="Asynchronous invocation records go to OnSuccess/OnFailure destinations (SQS, SNS, Lambda, "
                "EventBridge) and failed events to the function's dead-letter queue; moto delivers none.",
        symbols=("moto.sqs.models.sqs_backends", "moto.sqs.models.SQSBackend.send_message",
                 "moto.sns.models.sns_backends", "moto.sns.models.SNSBackend.publish",
                 "moto.events.models.events_backends", "moto.events.models.EventsBackend.put_events",
                 "moto.awslambda.models.LambdaBackend.get_function"),
        upstream="moto/awslambda/models.py: deliver invocation records after an asynchronous invocation.",
    ),
]

DIFFERENCES = [
    Difference(
        id="lambda-destination-s3-not-delivered",
        service="lambda",
        aws="An Amazon S3 bucket can be an on-failure destination of asynchronous invocations.",
        engine="Records for an S3 bucket destination are not written.",
        doc="Capturing records of Lambda asynchronous invocations",
    ),
]

DETAIL_TYPES = {True: "Lambda Function Invocation Result - Success",
                False: "Lambda Function Invocation Result - Failure"}
ERROR_MESSAGE_BYTES = 1024

ACTIONS = {"sqs": "sqs:SendMessage", "sns": "sns:Publish", "lambda": "lambda:InvokeFunction",
           "events": "events:PutEvents"}
"""The permission the function's execution role needs for each kind of destination or dead-letter queue."""

failures: deque = deque(maxlen=50)
"""The last records the engine could not deliver: (destination ARN, reason). AWS counts them in a metric."""
_lock = threading.Lock()


def timestamp(seconds: float | None = None) -> str:
    """ISO 8601 with milliseconds and ``Z``, as in the documented record (``2019-11-14T18:16:05.568Z``)."""
    seconds = time.time() if seconds is None else seconds
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds * 1000) % 1000:03d}Z"


def _json_or_text(data: Any) -> Any:
    if isinstance(data, (bytes, bytearray)):
        data = data.decode("utf-8", "replace")
    if isinstance(data, str):
        try:
            return json.loads(data) if data else None
        except ValueError:
            return data
    return data


def record(*, request_id: str, function_arn: str, condition: str, invoke_count: int, request_payload: Any,
           executed_version: str | None = None, function_error: str | None = None,
           response_payload: Any = None, responded: bool = True) -> dict:
    """An invocation record in AWS's documented shape.

    ``function_arn``: the qualified ARN of the version that ran (``...:function:f:$LATEST``); ``responded``: False
    when the function never answered (no ``responseContext`` / ``responsePayload``).
    """
    document = {
        "version": "1.0",
        "timestamp": timestamp(),
        "requestContext": {"requestId": request_id, "functionArn": function_arn, "condition": condition,
                           "approximateInvokeCount": invoke_count},
        "requestPayload": _json_or_text(request_payload),
    }
    if responded:
        context = {"statusCode": 200, "executedVersion": executed_version}
        if function_error:
            context["functionError"] = function_error
        document["responseContext"] = context
        document["responsePayload"] = _json_or_text(response_payload)
    return document


def _parts(arn: str) -> tuple[str, str, str, str]:
    """``arn:aws:<service>:<region>:<account>:<resource>`` → (service, region, account, resource)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        raise ValueError(f"not an ARN: {arn!r}")
    return parts[2], parts[3], parts[4], parts[5]


def _send_sqs(arn: str, body: str, attributes: dict | None = None) -> None:
    from moto.sqs.models import sqs_backends

    _, region, account, name = _parts(arn)
    sqs_backends[account][region].send_message(name, body, message_attributes=attributes or {})


def _publish_sns(arn: str, message: str, attributes: dict | None = None) -> None:
    from moto.sns.models import sns_backends

    _, region, account, _ = _parts(arn)
    # moto's SNS backend takes attributes as its Publish handler leaves them: {"Type": ..., "Value": ...}
    attributes = {k: {"Type": v["DataType"], "Value": v["StringValue"]} for k, v in (attributes or {}).items()}
    sns_backends[account][region].publish(message, arn=arn, message_attributes=attributes)


def _put_event(bus_arn: str, document: dict, success: bool, function_arn: str) -> None:
    from moto.events.models import events_backends

    _, region, account, _ = _parts(bus_arn)
    entries = events_backends[account][region].put_events([{
        "Source": "lambda", "DetailType": DETAIL_TYPES[success], "Detail": json.dumps(document),
        "Resources": [function_arn, bus_arn], "EventBusName": bus_arn}])
    if entries and entries[0].get("ErrorCode"):
        raise RuntimeError(entries[0].get("ErrorMessage") or entries[0]["ErrorCode"])


def _invoke_function(arn: str, document: dict) -> None:
    from moto.awslambda.models import lambda_backends

    from . import async_invoke

    from .invoke_config import split

    _, region, account, _ = _parts(arn)
    target = lambda_backends[account][region].get_function(arn)
    async_invoke.submit(target, json.dumps(document), split(arn)[1])


def role_allows(role_arn: str, target_arn: str) -> bool:
    """True if the execution role's identity policies (inline and attached) allow sending to ``target_arn``
    (:data:`ACTIONS`) with no explicit deny, as IAM evaluates them ("Policy evaluation logic")."""
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.iam.models import iam_backends

    try:
        action = ACTIONS[_parts(target_arn)[0]]
        role_parts = role_arn.split(":")
        backend = iam_backends[role_parts[4]][role_parts[1]]
        role_name = role_arn.split("/")[-1]
        policies = [backend.get_role_policy(role_name, name)[1] for name in backend.list_role_policies(role_name)]
        policies += backend.list_attached_role_policies(role_name)[0]
    except Exception:  # noqa: BLE001 - an unknown role or destination kind allows nothing
        return False
    allowed = False
    for policy in policies:
        result = IAMPolicy(policy).is_action_permitted(action, target_arn)
        if result == PermissionResult.DENIED:
            return False
        allowed = allowed or result == PermissionResult.PERMITTED
    return allowed


def _refused(role_arn: str | None, target_arn: str) -> bool:
    if role_arn is None or role_allows(role_arn, target_arn):
        return False
    with _lock:
        failures.append((target_arn, f"AccessDenied: the execution role {role_arn} may not "
                                     f"{ACTIONS.get(target_arn.split(':')[2], 'send to')} {target_arn}"))
    return True


def deliver(destination: str, document: dict, success: bool, role_arn: str | None = None) -> bool:
    """Send an invocation record to a destination ARN; False (and a line in :data:`failures`) if it cannot.

    ``role_arn``: the function's execution role, which must allow the send (:func:`role_allows`); ``None`` skips
    the check (records a caller has already authorized)."""
    if _refused(role_arn, destination):
        return False
    try:
        service = _parts(destination)[0]
        if service == "sqs":
            _send_sqs(destination, json.dumps(document))
        elif service == "sns":
            _publish_sns(destination, json.dumps(document))
        elif service == "lambda":
            _invoke_function(destination, document)
        elif service == "events":
            _put_event(destination, document, success, document["requestContext"]["functionArn"])
        else:
            raise ValueError(f"{service} destinations are not emulated")
        return True
    except Exception as exc:  # noqa: BLE001 - AWS drops an undeliverable record (and counts it in a metric)
        with _lock:
            failures.append((destination, f"{type(exc).__name__}: {exc}"))
        return False


def dead_letter(target_arn: str, body: str, request_id: str, error_code: int, error_message: str,
                role_arn: str | None = None) -> bool:
    """Send a failed event to the function's dead-letter queue (SQS queue or SNS topic) with AWS's attributes.

    ``role_arn``: the function's execution role, which must allow the send (``None`` skips the check)."""
    if _refused(role_arn, target_arn):
        return False
    attributes = {
        "RequestID": {"DataType": "String", "StringValue": request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": str(error_code)},
        "ErrorMessage": {"DataType": "String",
                         "StringValue": error_message.encode()[:ERROR_MESSAGE_BYTES].decode("utf-8", "ignore")
                         or "(no message)"},
    }
    try:
        service = _parts(target_arn)[0]
        if service == "sqs":
            _send_sqs(target_arn, body, attributes)
        elif service == "sns":
            _publish_sns(target_arn, body, attributes)
        else:
            raise ValueError("a dead-letter queue is an SQS queue or an SNS topic")
        return True
    except Exception as exc:  # noqa: BLE001 - AWS deletes the event (DeadLetterErrors metric)
        with _lock:
            failures.append((target_arn, f"{type(exc).__name__}: {exc}"))
        return False
