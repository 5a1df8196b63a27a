"""labkit.emulator.apigateway: REST APIs called over HTTP on the embedded engine."""
from __future__ import annotations

import json

import pytest
import requests

import labkit
from labkit.emulator.apigateway import invoke_url, policy_effect

ECHO = '''
import json, os

def handler(event, context):
    return {"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "*"},
            "body": json.dumps({"path": event["path"], "params": event["pathParameters"],
                                "query": event["queryStringParameters"], "stageVariables": event["stageVariables"],
                                "authorizer": event["requestContext"].get("authorizer"),
                                "version": context.function_version, "body": event["body"]})}
'''
AUTHORIZER = '''
def handler(event, context):
    token = event["authorizationToken"]
    if token == "boom":
        raise Exception("Unauthorized")
    effect = "Allow" if token == "allow" else "Deny"
    return {"principalId": "user-1", "context": {"plan": "gold"},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]}}
'''


@pytest.fixture(scope="module")
def api(engine):
    lam, apigw = labkit.client("lambda"), labkit.client("apigateway")
    role = labkit.lambda_role()
    made = {"functions": [], "role": role}

    def function(source, word):
        name = labkit.name(word)
        arn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                                  Code={"ZipFile": labkit.zip_code({"app.py": source})})["FunctionArn"]
        made["functions"].append(name)
        return name, arn

    echo, echo_arn = function(ECHO, "echo")
    lam.publish_version(FunctionName=echo)
    lam.create_alias(FunctionName=echo, Name="v1", FunctionVersion="1")
    for qualifier in (None, "v1"):
        lam.add_permission(FunctionName=echo, StatementId="apigw", Action="lambda:InvokeFunction",
                           Principal="apigateway.amazonaws.com", **({"Qualifier": qualifier} if qualifier else {}))
    denied, denied_arn = function(ECHO, "noperm")
    auth, auth_arn = function(AUTHORIZER, "auth")

    api_id = apigw.create_rest_api(name=labkit.name("api"))["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]

    def resource(parent, part):
        return apigw.create_resource(restApiId=api_id, parentId=parent, pathPart=part)["id"]

    def uri(arn):
        return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"

    def method(res, verb, target=None, **kwargs):
        apigw.put_method(restApiId=api_id, resourceId=res, httpMethod=verb,
                         authorizationType=kwargs.pop("authorizationType", "NONE"), **kwargs)
        if target == "MOCK":
            apigw.put_integration(restApiId=api_id, resourceId=res, httpMethod=verb, type="MOCK",
                                  requestTemplates={"application/json": '{"statusCode": 200}'})
            apigw.put_method_response(restApiId=api_id, resourceId=res, httpMethod=verb, statusCode="200",
                                      responseParameters={"method.response.header.Access-Control-Allow-Origin": False})
            apigw.put_integration_response(
                restApiId=api_id, resourceId=res, httpMethod=verb, statusCode="200",
                responseParameters={"method.response.header.Access-Control-Allow-Origin": "'https://example.com'"},
                responseTemplates={"application/json": '{"mock": true}'})
        else:
            apigw.put_integration(restApiId=api_id, resourceId=res, httpMethod=verb, type="AWS_PROXY",
                                  integrationHttpMethod="POST", uri=uri(target))

    pets = resource(root, "pets")
    method(pets, "GET", f"{echo_arn}:${{stageVariables.alias}}")
    method(pets, "OPTIONS", "MOCK")
    pet = resource(pets, "{id}")
    method(pet, "ANY", echo_arn)
    files = resource(root, "files")
    method(resource(files, "{proxy+}"), "GET", echo_arn)
    method(resource(root, "nope"), "GET", denied_arn)
    method(resource(root, "keyed"), "GET", echo_arn, apiKeyRequired=True)
    authorizer = apigw.create_authorizer(restApiId=api_id, name="tok", type="TOKEN", authorizerUri=uri(auth_arn),
                                         identitySource="method.request.header.Authorization",
                                         authorizerResultTtlInSeconds=0)["id"]
    method(resource(root, "private"), "GET", echo_arn, authorizationType="CUSTOM", authorizerId=authorizer)
    apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"alias": "v1"})

    key = apigw.create_api_key(name=labkit.name("key"), enabled=True)
    plan = apigw.create_usage_plan(name=labkit.name("plan"), apiStages=[{"apiId": api_id, "stage": "dev"}],
                                   quota={"limit": 3, "period": "DAY"}, throttle={"rateLimit": 100, "burstLimit": 50})
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    made.update(api=api_id, url=invoke_url(api_id, "dev"), key=key, plan=plan)
    yield made
    apigw.delete_usage_plan(usagePlanId=plan["id"])
    apigw.delete_api_key(apiKey=key["id"])
    apigw.delete_rest_api(restApiId=api_id)
    logs, iam = labkit.client("logs"), labkit.client("iam")
    for name in made["functions"]:
        lam.delete_function(FunctionName=name)
        try:
            logs.delete_log_group(logGroupName=f"/aws/lambda/{name}")
        except logs.exceptions.ResourceNotFoundException:
            pass
    role_name = role.split("/")[-1]
    for policy in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=role_name, PolicyArn=policy["PolicyArn"])
    iam.delete_role(RoleName=role_name)


def test_invoke_url_is_localstack_form(engine):
    assert invoke_url("abc", "dev") == f"{engine.endpoint_url}/restapis/abc/dev/_user_request_"


def test_proxy_with_stage_variable_alias(api):
    reply = requests.get(f"{api['url']}/pets?kind=cat", timeout=30)
    assert reply.status_code == 200, reply.headers.get("x-labkit-apigateway")
    body = reply.json()
    assert body["version"] == "1" and body["query"] == {"kind": "cat"}
    assert body["stageVariables"] == {"alias": "v1"} and body["path"] == "/pets"


def test_path_parameter_and_any(api):
    reply = requests.delete(f"{api['url']}/pets/42", timeout=30)
    assert reply.status_code == 200 and reply.json()["params"] == {"id": "42"}


def test_greedy_proxy(api):
    reply = requests.get(f"{api['url']}/files/a/b/c.txt", timeout=30)
    assert reply.json()["params"] == {"proxy": "a/b/c.txt"}


def test_unknown_route_and_stage(api):
    assert requests.get(f"{api['url']}/cats", timeout=30).status_code == 403
    wrong_stage = api["url"].replace("/dev/", "/prod/")
    assert requests.get(f"{wrong_stage}/pets", timeout=30).json() == {"message": "Missing Authentication Token"}


def test_cors_preflight_from_mock(api):
    reply = requests.options(f"{api['url']}/pets", timeout=30)
    assert reply.status_code == 200 and reply.headers["Access-Control-Allow-Origin"] == "https://example.com"
    assert reply.json() == {"mock": True}


def test_missing_lambda_permission_is_500(api):
    reply = requests.get(f"{api['url']}/nope", timeout=30)
    assert reply.status_code == 500 and "Invalid permissions" in reply.headers["x-labkit-apigateway"]


def test_api_key_and_quota(api):
    url = f"{api['url']}/keyed"
    assert requests.get(url, timeout=30).status_code == 403
    assert requests.get(url, headers={"x-api-key": "wrong"}, timeout=30).status_code == 403
    codes = [requests.get(url, headers={"x-api-key": api["key"]["value"]}, timeout=30).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_token_authorizer(api):
    url = f"{api['url']}/private"
    assert requests.get(url, timeout=30).status_code == 401
    allowed = requests.get(url, headers={"Authorization": "allow"}, timeout=30)
    assert allowed.status_code == 200 and allowed.json()["authorizer"]["plan"] == "gold"
    assert requests.get(url, headers={"Authorization": "deny"}, timeout=30).status_code == 403
    assert requests.get(url, headers={"Authorization": "boom"}, timeout=30).status_code == 401


def test_resource_policy_by_source_ip(api):
    apigw = labkit.client("apigateway")

    def policy(effect, cidr):
        document = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
            {"Effect": effect, "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
             "Condition": {"NotIpAddress": {"aws:SourceIp": cidr}}}]}
        apigw.update_rest_api(restApiId=api["api"], patchOperations=[
            {"op": "replace", "path": "/policy", "value": json.dumps(document)}])
        apigw.create_deployment(restApiId=api["api"], stageName="dev", variables={"alias": "v1"})  # as on AWS

    try:
        policy("Deny", "203.0.113.0/24")
        assert requests.get(f"{api['url']}/pets", timeout=30).status_code == 403
        policy("Deny", "127.0.0.0/8")
        assert requests.get(f"{api['url']}/pets", timeout=30).status_code == 200
    finally:
        apigw.update_rest_api(restApiId=api["api"], patchOperations=[{"op": "replace", "path": "/policy",
                                                                      "value": ""}])
        apigw.create_deployment(restApiId=api["api"], stageName="dev", variables={"alias": "v1"})


def test_cognito_authorizer(api):
    idp, apigw = labkit.client("cognito-idp"), labkit.client("apigateway")
    pool = idp.create_user_pool(PoolName=labkit.name("pool"))["UserPool"]
    other = idp.create_user_pool(PoolName=labkit.name("other"))["UserPool"]
    try:
        tokens = {}
        for p in (pool, other):
            client = idp.create_user_pool_client(UserPoolId=p["Id"], ClientName="app",
                                                 ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                                    "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
            idp.admin_create_user(UserPoolId=p["Id"], Username="ana", TemporaryPassword="Passw0rd!x",
                                  MessageAction="SUPPRESS")
            idp.admin_set_user_password(UserPoolId=p["Id"], Username="ana", Password="Passw0rd!x", Permanent=True)
            tokens[p["Id"]] = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                                AuthParameters={"USERNAME": "ana", "PASSWORD": "Passw0rd!x"}
                                                )["AuthenticationResult"]
        authorizer = apigw.create_authorizer(restApiId=api["api"], name="pool", type="COGNITO_USER_POOLS",
                                             providerARNs=[pool["Arn"]],
                                             identitySource="method.request.header.Authorization")["id"]
        root = apigw.get_resources(restApiId=api["api"])["items"]
        root_id = next(r["id"] for r in root if r["path"] == "/")
        res = apigw.create_resource(restApiId=api["api"], parentId=root_id, pathPart="me")["id"]
        apigw.put_method(restApiId=api["api"], resourceId=res, httpMethod="GET",
                         authorizationType="COGNITO_USER_POOLS", authorizerId=authorizer)
        apigw.put_integration(restApiId=api["api"], resourceId=res, httpMethod="GET", type="MOCK",
                              requestTemplates={"application/json": '{"statusCode": 200}'})
        apigw.put_integration_response(restApiId=api["api"], resourceId=res, httpMethod="GET", statusCode="200",
                                       responseTemplates={"application/json": "{}"})
        apigw.create_deployment(restApiId=api["api"], stageName="dev", variables={"alias": "v1"})
        url = f"{api['url']}/me"
        assert requests.get(url, timeout=30).status_code == 401
        good = tokens[pool["Id"]]["IdToken"]
        assert requests.get(url, headers={"Authorization": good}, timeout=30).status_code == 200
        foreign = tokens[other["Id"]]["IdToken"]
        assert requests.get(url, headers={"Authorization": foreign}, timeout=30).status_code == 401
        access = tokens[pool["Id"]]["AccessToken"]
        assert requests.get(url, headers={"Authorization": access}, timeout=30).status_code == 401
        assert requests.get(url, headers={"Authorization": good[:-4] + "AAAA"}, timeout=30).status_code == 401
    finally:
        for p in (pool, other):
            idp.delete_user_pool(UserPoolId=p["Id"])


def test_policy_effect_and_matching():
    arn = "arn:aws:execute-api:us-east-1:1:abc/dev/GET/pets"
    doc = {"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*"},
                         {"Effect": "Deny", "Action": "execute-api:*", "Resource": "*/dev/GET/*"}]}
    assert policy_effect(doc, arn) == "Deny"
    assert policy_effect({"Statement": []}, arn) is None
