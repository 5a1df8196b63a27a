"""Gateway responses: how an API customises the errors API Gateway itself returns.

AWS ("Gateway responses for REST APIs in API Gateway", "Gateway response types for API Gateway"): every error API
Gateway produces has a response type (``MISSING_AUTHENTICATION_TOKEN`` 403, ``UNAUTHORIZED`` 401, ``ACCESS_DENIED``
403, ``THROTTLED`` 429 …). An API may customise a type — its status code, headers (``gatewayresponse.header.X``
mapped from a static ``'value'``, a method request parameter or a stage variable) and a body template with simple
variable substitution (``$context.error.messageString`` …, no VTL). A type not customised falls back to
``DEFAULT_4XX`` or ``DEFAULT_5XX``; a status code set on those changes every response of its class that sets none.
Gateway responses are part of the deployment ("Updates to REST APIs that require redeployment").

Substituted in templates: ``$context.error.message``, ``$context.error.messageString`` (the message as a JSON
string), ``$context.error.responseType``, ``$context.requestId``, ``$context.apiId``, ``$context.stage``,
``$context.httpMethod``, ``$context.resourcePath``, ``$context.identity.sourceIp`` and ``$stageVariables.name``;
other variables are left as written.
"""
from __future__ import annotations

import json
import re

from .routing import Reply


def kind_of(reply: Reply) -> str | None:
    """The response type of an API Gateway error (set where it is raised), else the class default."""
    if reply.kind:
        return reply.kind
    return "DEFAULT_4XX" if 400 <= reply.status < 500 else "DEFAULT_5XX" if reply.status >= 500 else None


def apply(reply: Reply, responses: dict, *, request=None, context: dict | None = None,
          stage_variables: dict | None = None) -> Reply:
    """``reply`` as the API's gateway responses (moto ``GatewayResponse`` by type) customise it; unchanged if none."""
    kind = kind_of(reply)
    if not responses or kind is None:
        return reply
    fallback = responses.get("DEFAULT_4XX" if reply.status < 500 else "DEFAULT_5XX")
    chosen = responses.get(kind) or fallback
    if chosen is None:
        return reply
    status = reply.status
    for source in (chosen, fallback):
        if source is not None and source.status_code:
            status = int(source.status_code)
            break
    headers = dict(reply.headers)
    for target, source in (chosen.response_parameters or {}).items():
        if target.startswith("gatewayresponse.header."):
            value = parameter_value(source, request, stage_variables or {})
            if value is not None:
                headers[target[len("gatewayresponse.header."):]] = value
    body = reply.body
    templates = chosen.response_templates or {}
    template = templates.get("application/json") or next(iter(templates.values()), None)
    if template:
        body = render(template, message=message_of(reply), kind=kind, context=context or {},
                      stage_variables=stage_variables or {})
    return Reply(status, body, reply.reason + f" (gateway response {kind})", headers=headers, kind=kind)


def message_of(reply: Reply) -> str:
    try:
        document = json.loads(reply.body)
    except (TypeError, ValueError):
        return str(reply.body)
    if isinstance(document, dict):
        value = document.get("message", document.get("Message"))
        return "" if value is None else str(value)
    return str(document)


def parameter_value(source: str, request, stage_variables: dict) -> str | None:
    """A header mapping's value: ``'static'``, ``method.request.header|querystring|path.name`` or
    ``stageVariables.name``; None when the request has no such value."""
    if len(source) >= 2 and source.startswith("'") and source.endswith("'"):
        return source[1:-1]
    if source.startswith("stageVariables."):
        return stage_variables.get(source.split(".", 1)[1])
    parts = source.split(".", 3)
    if request is None or len(parts) != 4 or parts[:2] != ["method", "request"]:
        return None
    where, name = parts[2], parts[3]
    if where == "header":
        return request.header(name)
    if where == "querystring":
        return (request.query.get(name) or [None])[-1]
    if where == "path":
        return request.path_parameters.get(name)
    return None


def render(template: str, *, message: str, kind: str, context: dict, stage_variables: dict) -> str:
    """Substitute the variables a gateway response template may use (see the module docstring)."""
    values = {
        "context.error.message": message, "context.error.messageString": json.dumps(message),
        "context.error.responseType": kind, "context.requestId": context.get("requestId", ""),
        "context.apiId": context.get("apiId", ""), "context.stage": context.get("stage", ""),
        "context.httpMethod": context.get("httpMethod", ""), "context.resourcePath": context.get("resourcePath", ""),
        "context.identity.sourceIp": (context.get("identity") or {}).get("sourceIp", ""),
    }
    values.update({f"stageVariables.{k}": str(v) for k, v in stage_variables.items()})

    def replace(match):
        name = match.group(1) or match.group(2)
        return values.get(name, match.group(0))

    return re.sub(r"\$\{([A-Za-z0-9_.]+)\}|\$([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)", replace, template)
