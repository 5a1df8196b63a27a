"""Checks for labs/api-gateway."""
from __future__ import annotations

import urllib.error
import urllib.request

from ..checks import Verdict, expect, failed, passed
from ..engines import current
from ..engines.apigateway_invoke import invoke_url


def gold_plan(api_id: str, plan_id: str, key_value: str, stage: str = "prod", path: str = "/reports") -> Verdict:
    """Plan ``plan_id`` covers ``api_id``/``stage`` with 1000/MONTH and 50 rps burst 100, holds the key, and the
    key gets through ``path`` on that stage."""
    expect(plan_id, "my_plan", str, "the id of the usage plan you created: its 'id', not the whole response")
    expect(key_value, "my_key", str, "the value of the API key you created (its 'value', not its id)")
    apigw = current().client("apigateway")
    plan = apigw.get_usage_plan(usagePlanId=plan_id)
    stages = {(s.get("apiId"), s.get("stage")) for s in plan.get("apiStages", [])}
    if (api_id, stage) not in stages:
        return failed(f"The plan covers {sorted(stages) or 'no API stage'}; add apiStages=[{{'apiId': api_id, "
                      f"'stage': '{stage}'}}].")
    quota = plan.get("quota", {})
    if quota.get("limit") != 1000 or quota.get("period") != "MONTH":
        return failed(f"The plan's quota is {quota or 'not set'}; the partner may make 1000 requests per MONTH.")
    throttle = plan.get("throttle", {})
    if float(throttle.get("rateLimit", 0)) != 50 or int(throttle.get("burstLimit", 0)) != 100:
        return failed(f"The plan's throttle is {throttle or 'not set'}; it should be rateLimit 50 and burstLimit 100.")
    keys = [k for k in apigw.get_usage_plan_keys(usagePlanId=plan_id).get("items", [])]
    if not any(k.get("value") == key_value for k in keys):
        return failed("my_key is not a key of this plan: attach it with create_usage_plan_key (keyType API_KEY), "
                      "and store the key's value, not its id.")
    request = urllib.request.Request(invoke_url(api_id, stage) + path, headers={"x-api-key": key_value})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status != 200:
        return failed(f"The plan looks right, but GET {path} on {stage} with your key answered {status}. "
                      "Is the key enabled?")
    return passed(f"The key reaches {stage} through the plan: 1000 requests per month, 50 per second, bursts of 100.")
