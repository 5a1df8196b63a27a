"""API Gateway resource policies (``execute-api:Invoke``) and the policy documents Lambda authorizers return.

The resource policy evaluated is the one the stage's deployment froze (a changed policy applies after a new
deployment: "Updates to REST APIs that require redeployment"). Evaluated: ``Effect``, ``Action``, ``Resource``
(``execute-api:/stage/METHOD/path`` shorthand included) and the ``aws:SourceIp`` condition key with
``IpAddress``/``NotIpAddress``; an explicit ``Deny`` wins. Other condition keys are not evaluated.
"""
from __future__ import annotations

import fnmatch
import ipaddress
import json

from .routing import Reply


def check_resource_policy(policy, method_arn: str, source_ip: str) -> None:
    """Raise :class:`Reply` 403 unless resource policy ``policy`` (JSON text or dict; None = no policy) allows
    ``execute-api:Invoke`` on ``method_arn`` from ``source_ip``."""
    if not policy:
        return
    document = json.loads(policy) if isinstance(policy, str) else policy
    base = method_arn.split("/")[0]
    allowed = False
    for statement in as_list(document.get("Statement")):
        if not matches_action(statement, "execute-api:Invoke"):
            continue
        resources = [base + r[len("execute-api:"):] if r.startswith("execute-api:/") else r
                     for r in as_list(statement.get("Resource", "*"))]
        if not any(fnmatch.fnmatchcase(method_arn, r) for r in resources):
            continue
        if not conditions_hold(statement.get("Condition", {}), source_ip):
            continue
        if statement.get("Effect") == "Deny":
            raise Reply(403, {"Message": f"User: anonymous is not authorized to perform: execute-api:Invoke "
                                         f"on resource: {method_arn} with an explicit deny"},
                        "the API's resource policy denies this request", kind="ACCESS_DENIED")
        allowed = allowed or statement.get("Effect") == "Allow"
    if not allowed:
        raise Reply(403, {"Message": f"User: anonymous is not authorized to perform: execute-api:Invoke on "
                                     f"resource: {method_arn}"},
                    "the API's resource policy allows nothing that matches this request", kind="ACCESS_DENIED")


def policy_effect(document, method_arn: str) -> str | None:
    """'Deny' if a statement denies ``method_arn``, else 'Allow' if one allows it, else None."""
    if isinstance(document, str):
        document = json.loads(document)
    effect = None
    for statement in as_list(document.get("Statement")):
        if not matches_action(statement, "execute-api:Invoke"):
            continue
        if any(fnmatch.fnmatchcase(method_arn, r) for r in as_list(statement.get("Resource", "*"))):
            if statement.get("Effect") == "Deny":
                return "Deny"
            if statement.get("Effect") == "Allow":
                effect = "Allow"
    return effect


def conditions_hold(conditions: dict, source_ip: str) -> bool:
    """Whether the ``aws:SourceIp`` conditions of a statement hold for ``source_ip`` (other keys are ignored)."""
    address = ipaddress.ip_address(source_ip)
    for operator, tests in (conditions or {}).items():
        for key, values in tests.items():
            if key.lower() != "aws:sourceip":
                continue  # other condition keys are not evaluated
            inside = any(address in ipaddress.ip_network(v, strict=False) for v in as_list(values))
            if operator == "IpAddress" and not inside:
                return False
            if operator == "NotIpAddress" and inside:
                return False
    return True


def matches_action(statement: dict, action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in as_list(statement.get("Action", "*")))


def as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]
