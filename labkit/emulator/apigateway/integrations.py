"""Integrations: Lambda proxy (``AWS_PROXY``, payload format 1.0) and ``MOCK``.

Lambda proxy, as AWS documents it in "Lambda proxy integrations in API Gateway":

- the event ("Input format of a Lambda function for proxy integration"): ``resource``, ``path``, ``httpMethod``,
  ``headers`` and ``multiValueHeaders``, ``queryStringParameters`` and ``multiValueQueryStringParameters`` (a
  repeated name keeps every value in the ``multiValue…`` map and its last value in the single-value map),
  ``pathParameters``, ``stageVariables``, ``requestContext``, ``body`` and ``isBase64Encoded``; maps with nothing
  in them are ``null``;
- the body is text unless the request's ``Content-Type`` is one of the API's binary media types, in which case it is
  base64-encoded with ``isBase64Encoded: true`` ("Binary media types for REST APIs in API Gateway"; see
  :mod:`.binary`); text that is not UTF-8 reaches the function with U+FFFD in place of the bad bytes;
- the function's answer ("Output format of a Lambda function for proxy integration") must be a JSON object with an
  integer ``statusCode``, optional ``headers``, ``multiValueHeaders``, ``body`` (a string) and ``isBase64Encoded``;
  anything else — or a function error — is ``502 {"message": "Internal server error"}``;
- ``headers`` and ``multiValueHeaders`` are merged; a name in both takes its values from ``multiValueHeaders``;
  every value of a multi-value header is its own header line (several ``Set-Cookie``);
- a base64 body (``isBase64Encoded: true``) is decoded to bytes when the first ``Accept`` media type of the request
  is a binary media type of the API; otherwise the client receives the base64 text;
- the integration's ``timeoutInMillis`` (default 29 s) bounds the wait: past it the client gets ``504`` while the
  function runs on (in the page, where Python has no threads, the function runs to its end first and the client
  gets the same ``504`` if it took longer: :func:`lambda_proxy`);
- the URI may use ``${stageVariables.x}``; the function must grant ``lambda:InvokeFunction`` to
  ``apigateway.amazonaws.com`` (else ``500``, "Invalid permissions on Lambda function", as on AWS).

``MOCK``: the status comes from the JSON request template's ``statusCode``, static ``'...'`` response parameters
become headers and the response template is returned as is (VTL is not evaluated: a notice says so).
"""
from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import re
import threading
import time
import uuid
from datetime import datetime, timezone

from ...engines.browser import running_in_browser
from ..notices import notice
from .binary import first_accept, is_binary
from .policies import as_list
from .routing import Reply

INTERNAL_ERROR = {"message": "Internal server error"}
#: "Quotas for configuring and running a REST API in API Gateway": integration timeout 50 ms – 29 s (default 29 s)
DEFAULT_TIMEOUT_MILLIS = 29_000


def integration_timeout(integration) -> float:
    """Seconds API Gateway waits for the integration: its ``timeoutInMillis``, else the default 29 s."""
    try:
        millis = int(integration.timeout_in_millis or DEFAULT_TIMEOUT_MILLIS)
    except (TypeError, ValueError):
        millis = DEFAULT_TIMEOUT_MILLIS
    return max(millis, 50) / 1000


def substitute(text: str, variables: dict) -> str:
    """``${stageVariables.name}`` in ``text`` replaced by the stage variable's value (``""`` when unset)."""
    return re.sub(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}", lambda m: str(variables.get(m[1], "")), text)


def function_of(uri: str) -> str:
    """``arn:aws:apigateway:…:lambda:path/2015-03-31/functions/<function ARN>/invocations`` → the function ARN."""
    if "/functions/" in uri:
        return uri.split("/functions/", 1)[1].rsplit("/invocations", 1)[0]
    return uri


def request_context(request, *, api, stage_name: str, resource, request_id: str) -> dict:
    """The ``requestContext`` of a proxy event: the ``$context`` variables API Gateway passes to the function.

    ``domainName`` is the Host the client called (the engine's address, not ``…execute-api…amazonaws.com``).
    """
    now = datetime.now(timezone.utc)
    host = request.header("Host") or ""
    return {
        "accountId": api.account_id, "apiId": api.id, "domainName": host, "domainPrefix": host.split(".")[0],
        "extendedRequestId": uuid.uuid4().hex[:16], "httpMethod": request.method,
        "identity": {"accessKey": None, "accountId": None, "apiKey": None, "apiKeyId": None, "caller": None,
                     "cognitoAuthenticationProvider": None, "cognitoAuthenticationType": None,
                     "cognitoIdentityId": None, "cognitoIdentityPoolId": None, "principalOrgId": None,
                     "sourceIp": request.source_ip, "user": None, "userAgent": request.header("User-Agent"),
                     "userArn": None},
        "path": f"/{stage_name}{request.path}", "protocol": request.protocol, "requestId": request_id,
        "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"), "requestTimeEpoch": int(time.time() * 1000),
        "resourceId": resource.id, "resourcePath": resource.path, "stage": stage_name,
    }


def proxy_event(request, *, resource_path: str, stage_variables: dict, context: dict,
                binary_media_types=()) -> dict:
    """The Lambda proxy event (payload format 1.0) for ``request`` (a :class:`.routing.Request`)."""
    body, encoded = request_body(request, binary_media_types)
    return {
        "resource": resource_path, "path": request.path, "httpMethod": request.method,
        "headers": request.single_headers() or None, "multiValueHeaders": dict(request.headers) or None,
        "queryStringParameters": request.single_query() or None,
        "multiValueQueryStringParameters": dict(request.query) or None,
        "pathParameters": dict(request.path_parameters) or None, "stageVariables": dict(stage_variables) or None,
        "requestContext": context, "body": body, "isBase64Encoded": encoded,
    }


def request_body(request, binary_media_types=()) -> tuple[str | None, bool]:
    """``(body, isBase64Encoded)`` of the event: base64 when the Content-Type is a binary media type, else text."""
    if not request.body:
        return None, False
    if is_binary(request.header("Content-Type"), binary_media_types):
        return base64.b64encode(request.body).decode("ascii"), True
    return request.body.decode("utf-8", errors="replace"), False


def lambda_proxy(integration, event: dict, request, *, stage_variables: dict, method_arn: str,
                 binary_media_types=(), request_id: str):
    """Run an ``AWS_PROXY`` integration: ``(status, [(header, value), …], body bytes)``; raises :class:`Reply`."""
    function = function_of(substitute(integration.uri or "", stage_variables))
    if not may_invoke(function, method_arn):
        raise Reply(500, INTERNAL_ERROR, "Execution failed due to configuration error: Invalid permissions on "
                    "Lambda function (add_permission for apigateway.amazonaws.com)", kind="API_CONFIGURATION_ERROR")
    timeout = integration_timeout(integration)
    outcome: list = []

    def call():
        try:
            outcome.append(invoke_lambda(function, event))
        except BaseException as exc:  # noqa: BLE001 - handed to the request's thread
            outcome.append(exc)

    if running_in_browser():  # the browser engine: no threads, so the call ends before the clock is read
        began = time.monotonic()
        call()
        if time.monotonic() - began > timeout:
            notice("apigateway-browser-integration-timeout")
            outcome.clear()
    else:
        caller = threading.Thread(target=call, name="labkit-apigateway-integration", daemon=True)
        caller.start()
        caller.join(timeout)
    if not outcome:  # the function runs on, as on AWS; the client is answered now
        raise Reply(504, {"message": "Endpoint request timed out"},
                    f"the integration did not answer within its timeout ({timeout:g} s)", kind="INTEGRATION_TIMEOUT")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    payload, error = outcome[0]
    if error:
        raise Reply(502, INTERNAL_ERROR, f"the function failed: {json.dumps(payload)[:300]}")
    return proxy_response(payload, accept=request.header("Accept"), binary_media_types=binary_media_types,
                          request_id=request_id)


def proxy_response(payload, *, accept: str | None, binary_media_types=(), request_id: str):
    """The client's response for a function's proxy answer ``payload`` (parsed JSON, or the raw text if not JSON).

    Returns ``(status, [(header, value), …], body bytes)``; a malformed answer raises :class:`Reply` 502.
    """
    def malformed(why: str) -> Reply:
        return Reply(502, INTERNAL_ERROR, f"Malformed Lambda proxy response: {why}. Return a dict such as "
                     "{'statusCode': 200, 'headers': {...}, 'body': json.dumps(...)}")

    if not isinstance(payload, dict):
        raise malformed(f"the function returned {type(payload).__name__}, not a JSON object")
    status = payload.get("statusCode")
    if isinstance(status, bool) or not isinstance(status, int):
        raise malformed("no integer statusCode")
    single = payload.get("headers") or {}
    multi = payload.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise malformed("headers and multiValueHeaders must be objects")
    body = payload.get("body")
    if body is not None and not isinstance(body, str):
        raise malformed("body must be a string (json.dumps it)")
    lines: list[tuple[str, str]] = []
    in_multi = {name.lower() for name in multi}
    for name, value in single.items():
        if name.lower() not in in_multi:  # a name in both: multiValueHeaders' values only
            lines.append((name, str(value)))
    for name, values in multi.items():
        lines.extend((name, str(v)) for v in as_list(values))
    if not any(name.lower() == "content-type" for name, _ in lines):
        lines.insert(0, ("Content-Type", "application/json"))
    lines.append(("x-amzn-RequestId", request_id))
    text = body or ""
    if payload.get("isBase64Encoded") is True and is_binary(first_accept(accept), binary_media_types):
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):  # "Gateway response types": base64 decoding failed, 500
            raise Reply(500, INTERNAL_ERROR, "isBase64Encoded is true but the body is not base64",
                        kind="API_CONFIGURATION_ERROR") from None
    else:
        data = text.encode("utf-8")
    return status, lines, data


def invoke_lambda(function_arn: str, event) -> tuple[object, bool]:
    """Invoke ``function_arn`` synchronously with ``event``: ``(payload, function_error)``.

    ``payload`` is the parsed JSON answer, or the raw text when it is not JSON.
    """
    from moto.awslambda.models import lambda_backends

    region, account = function_arn.split(":")[3], function_arn.split(":")[4]
    backend = lambda_backends[account][region]
    response_headers: dict[str, str] = {}
    raw = backend.invoke(function_arn, None, json.dumps(event), {"x-amz-invocation-type": "RequestResponse"},
                         response_headers)
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        payload = raw
    return payload, "x-amz-function-error" in response_headers


def may_invoke(function_arn: str, method_arn: str) -> bool:
    """Whether the function's resource policy lets ``apigateway.amazonaws.com`` invoke it for ``method_arn``."""
    from moto.awslambda.models import lambda_backends

    parts = function_arn.split(":")
    region, account = parts[3], parts[4]
    name, qualifier = parts[6], (parts[7] if len(parts) > 7 else None)
    try:
        wire = json.loads(lambda_backends[account][region].get_policy(name, qualifier))
        statements = as_list(json.loads(wire["Policy"]).get("Statement"))
    except Exception:  # noqa: BLE001 - no policy at all
        return False
    for statement in statements:
        principal = statement.get("Principal")
        service = principal.get("Service") if isinstance(principal, dict) else principal
        if statement.get("Effect", "Allow") != "Allow" or "apigateway.amazonaws.com" not in as_list(service):
            continue
        source = ((statement.get("Condition") or {}).get("ArnLike") or {}).get("AWS:SourceArn")
        if source is None or any(fnmatch.fnmatchcase(method_arn, s) for s in as_list(source)):
            return True
    return False


def mock(integration, request_id: str):
    """Answer a ``MOCK`` integration: ``(status, [(header, value), …], body bytes)``; raises :class:`Reply`.

    A template holding VTL (``$input``, ``#if`` …), which the engine does not evaluate, shows a notice.
    """
    templates = integration.request_templates or {}
    template = templates.get("application/json") or next(iter(templates.values()), "") or ""
    try:
        status = str(json.loads(template).get("statusCode", 200))
    except (ValueError, AttributeError):
        status = "200"
    responses = integration.integration_responses or {}
    chosen = next((r for r in responses.values() if r.selection_pattern and re.fullmatch(r.selection_pattern, status)),
                  None) or next((r for r in responses.values() if not r.selection_pattern), None)
    if chosen is None:
        raise Reply(500, INTERNAL_ERROR, "the MOCK integration has no integration response",
                    kind="API_CONFIGURATION_ERROR")
    lines = [("Content-Type", "application/json")]
    for target, value in (chosen.response_parameters or {}).items():
        if target.startswith("method.response.header.") and value.startswith("'") and value.endswith("'"):
            lines.append((target[len("method.response.header."):], value[1:-1]))
    lines.append(("x-amzn-RequestId", request_id))
    body = (chosen.response_templates or {}).get("application/json") or ""
    if any(mark in text for text in (template, body) for mark in ("$input", "$context", "#if", "#set",
                                                                             "#foreach", "$util")):
        notice("apigateway-vtl-not-evaluated")
    return int(chosen.status_code), lines, body.encode()
