"""AWS X-Ray sampling rules on the embedded engine: moto 5.2.5 has no sampling-rule operations, labkit adds three.

CreateSamplingRule, GetSamplingRules and DeleteSamplingRule, shaped as the AWS X-Ray API Reference documents them
("CreateSamplingRule", "GetSamplingRules", "DeleteSamplingRule", "SamplingRule"): each account and Region starts
with the rule named ``Default`` (priority 10000, evaluated last; reservoir 1 request a second and 5 % of the rest,
"Configuring sampling rules" in the X-Ray Developer Guide). A new rule's Priority is 1–9999, its FixedRate 0–1,
its ReservoirSize 0 or more, its Version 1, its RuleName 1 to 32 characters; anything else, a missing field, or a
name already in use is refused with InvalidRequestException (HTTP 400). GetSamplingTargets and
GetSamplingStatisticSummaries stay unimplemented (a difference below): nothing reports sampling statistics here.
"""
from __future__ import annotations

import json
import time

from .registry import Difference, Patch

DIFFERENCES = [
    Difference(
        id="xray-sampling-targets-unimplemented",
        service="X-Ray",
        aws="SDKs with centralized sampling report to GetSamplingTargets how many requests each rule matched and "
            "receive their share of each rule's reservoir (a quota, in requests per second).",
        engine="GetSamplingTargets and GetSamplingStatisticSummaries are not implemented (the engine answers 404), "
               "so the lab decides with the SDK's local sampler and a rules document.",
        doc="Using sampling rules with the X-Ray API",
        labs=("xray-sampling",),
    ),
]

OPERATIONS = ("CreateSamplingRule", "GetSamplingRules", "DeleteSamplingRule")
"""The X-Ray operations (POST /<name>) labkit adds to moto's X-Ray responses."""

PATCHES = [
    Patch(
        name="xray-sampling-rules",
        changes="CreateSamplingRule, GetSamplingRules (with the Default rule) and DeleteSamplingRule answer from "
                "rules kept on moto's X-Ray backend; moto has no route for them (HTTP 404).",
        symbols=("moto.xray.urls.url_paths", "moto.xray.responses.XRayResponse.dispatch",
                 "moto.xray.responses.XRayResponse.xray_backend", "moto.xray.responses.XRayResponse._get_param"),
        upstream="moto xray: implement the sampling-rule operations.",
    ),
]

REQUIRED = ("ResourceARN", "Priority", "FixedRate", "ReservoirSize", "ServiceName", "ServiceType", "Host",
            "HTTPMethod", "URLPath", "Version")
"""The fields a SamplingRule must have ("SamplingRule", AWS X-Ray API Reference; RuleName or RuleARN names it)."""


def _arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:xray:{region}:{account}:sampling-rule/{name}"


def _rules(response) -> dict:
    """The backend's rules ``{name: SamplingRuleRecord}``, created with the Default rule on first use."""
    backend = response.xray_backend
    rules = getattr(backend, "labkit_sampling_rules", None)
    if rules is None:
        rules = {"Default": {
            "SamplingRule": {
                "RuleName": "Default", "RuleARN": _arn(response.region, response.current_account, "Default"),
                "ResourceARN": "*", "Priority": 10000, "FixedRate": 0.05, "ReservoirSize": 1, "ServiceName": "*",
                "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "*", "Version": 1, "Attributes": {}},
            "CreatedAt": 0.0, "ModifiedAt": 0.0}}
        backend.labkit_sampling_rules = rules
    return rules


def _invalid(message: str):
    """An InvalidRequestException answer, in moto's X-Ray convention (body, headers with the status)."""
    return json.dumps({"__type": "InvalidRequestException", "message": message}), {"status": 400}


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def rule_problem(rule) -> str | None:
    """Why a SamplingRule (dict) would be refused, or None. Checks the required fields, RuleName (1–32
    characters), Priority (1–9999), FixedRate (0–1), ReservoirSize (0 or more) and Version (1) ("SamplingRule",
    AWS X-Ray API Reference). Raises nothing."""
    if not isinstance(rule, dict):
        return "SamplingRule is required."
    missing = [name for name in REQUIRED if name not in rule]
    if missing:
        return f"SamplingRule is missing {', '.join(missing)}."
    name = rule.get("RuleName")
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        return "RuleName must be 1 to 32 characters."
    if not isinstance(rule["Priority"], int) or not 1 <= rule["Priority"] <= 9999:
        return "Priority must be between 1 and 9999."
    if not _number(rule["FixedRate"]) or not 0 <= rule["FixedRate"] <= 1:
        return "FixedRate must be between 0 and 1."
    if not isinstance(rule["ReservoirSize"], int) or rule["ReservoirSize"] < 0:
        return "ReservoirSize must be 0 or more."
    if rule["Version"] != 1:
        return "Version must be 1."
    return None


def create_sampling_rule(self):
    """CreateSamplingRule: store the rule; answer ``{"SamplingRuleRecord": {...}}``."""
    rule = self._get_param("SamplingRule")
    problem = rule_problem(rule)
    rules = _rules(self)
    if problem is None and rule["RuleName"] in rules:
        problem = f"A sampling rule named {rule['RuleName']} already exists."
    if problem:
        return _invalid(problem)
    now = time.time()
    stored = dict(rule, RuleARN=_arn(self.region, self.current_account, rule["RuleName"]))
    stored.setdefault("Attributes", {})
    rules[rule["RuleName"]] = {"SamplingRule": stored, "CreatedAt": now, "ModifiedAt": now}
    return json.dumps({"SamplingRuleRecord": rules[rule["RuleName"]]})


def get_sampling_rules(self):
    """GetSamplingRules: every rule, the Default one included (one page)."""
    return json.dumps({"SamplingRuleRecords": list(_rules(self).values())})


def delete_sampling_rule(self):
    """DeleteSamplingRule by RuleName or RuleARN (not both); answers the deleted rule's record."""
    name, arn = self._get_param("RuleName"), self._get_param("RuleARN")
    if bool(name) == bool(arn):
        return _invalid("Specify a rule by either RuleName or RuleARN, but not both.")
    rules = _rules(self)
    if arn:
        name = next((n for n, r in rules.items() if r["SamplingRule"]["RuleARN"] == arn), None)
    if name not in rules:
        return _invalid(f"Sampling rule {name or arn} does not exist.")
    return json.dumps({"SamplingRuleRecord": rules.pop(name)})


def install() -> None:
    """Add the three routes and operations to moto's X-Ray responses (idempotent)."""
    from moto.xray import urls
    from moto.xray.responses import XRayResponse

    for operation in OPERATIONS:
        urls.url_paths.setdefault("{0}/" + operation + "$", XRayResponse.dispatch)
    XRayResponse.create_sampling_rule = create_sampling_rule
    XRayResponse.get_sampling_rules = get_sampling_rules
    XRayResponse.delete_sampling_rule = delete_sampling_rule
