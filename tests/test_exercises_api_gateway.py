"""labkit.exercises.api_gateway: right and wrong answers, on the embedded engine."""
from __future__ import annotations

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import api_gateway


@pytest.fixture(scope="module")
def api(engine):
    apigw = labkit.client("apigateway")
    api_id = apigw.create_rest_api(name=labkit.name("check"))["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    res = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="reports")["id"]
    apigw.put_method(restApiId=api_id, resourceId=res, httpMethod="GET", authorizationType="NONE",
                     apiKeyRequired=True)
    apigw.put_integration(restApiId=api_id, resourceId=res, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=res, httpMethod="GET", statusCode="200",
                                   responseTemplates={"application/json": "{}"})
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    made = []

    def plan(quota=None, throttle=None, stage="prod", attach=True, enabled=True):
        key = apigw.create_api_key(name=labkit.name("k"), enabled=enabled)
        created = apigw.create_usage_plan(name=labkit.name("p"), apiStages=[{"apiId": api_id, "stage": stage}],
                                          quota=quota or {"limit": 1000, "period": "MONTH"},
                                          throttle=throttle or {"rateLimit": 50, "burstLimit": 100})
        if attach:
            apigw.create_usage_plan_key(usagePlanId=created["id"], keyId=key["id"], keyType="API_KEY")
        made.append((created["id"], key["id"]))
        return created["id"], key["value"]

    yield api_id, plan
    for plan_id, key_id in made:
        apigw.delete_usage_plan(usagePlanId=plan_id)
        apigw.delete_api_key(apiKey=key_id)
    apigw.delete_rest_api(restApiId=api_id)


def test_right_answer_passes(api):
    api_id, plan = api
    verdict = evaluate(api_gateway.gold_plan, api_id, *plan())
    assert verdict.passed, verdict.message


def test_wrong_quota_period_fails(api):
    api_id, plan = api
    verdict = evaluate(api_gateway.gold_plan, api_id, *plan(quota={"limit": 1000, "period": "DAY"}))
    assert not verdict.passed and "1000 requests per MONTH" in verdict.message


def test_wrong_throttle_fails(api):
    api_id, plan = api
    verdict = evaluate(api_gateway.gold_plan, api_id, *plan(throttle={"rateLimit": 100, "burstLimit": 50}))
    assert not verdict.passed and "rateLimit 50 and burstLimit 100" in verdict.message


def test_wrong_stage_fails(api):
    api_id, plan = api
    verdict = evaluate(api_gateway.gold_plan, api_id, *plan(stage="dev"))
    assert not verdict.passed and "add apiStages" in verdict.message


def test_key_not_attached_fails(api):
    api_id, plan = api
    verdict = evaluate(api_gateway.gold_plan, api_id, *plan(attach=False))
    assert not verdict.passed and "create_usage_plan_key" in verdict.message


def test_disabled_key_fails_the_call(api):
    api_id, plan = api
    verdict = evaluate(api_gateway.gold_plan, api_id, *plan(enabled=False))
    assert not verdict.passed and "answered 403" in verdict.message


def test_empty_answer_fails(api):
    verdict = evaluate(api_gateway.gold_plan, api[0], None, None)
    assert verdict.kind == "failed" and "my_plan is still None" in verdict.message
    verdict = evaluate(api_gateway.gold_plan, api[0], {"id": "abc"}, "key")
    assert verdict.kind == "failed" and "my_plan should be a string" in verdict.message


def test_kind_hint_has_no_nested_parentheses(api):
    verdict = evaluate(api_gateway.gold_plan, api[0], {"id": "abc"}, "key")
    assert verdict.kind == "failed" and "its 'id', not the whole response" in verdict.message
    assert "((" not in verdict.message and "))" not in verdict.message
