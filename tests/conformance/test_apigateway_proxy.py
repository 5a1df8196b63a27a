"""API Gateway REST APIs with a Lambda proxy integration (AWS_PROXY), as AWS documents them.

Each test asserts the value AWS documents and names the page in its docstring. They run on the embedded engine
(labkit.emulator.apigateway) through the stage URL, as a learner's requests do.
"""
from __future__ import annotations

import base64
import http.client
import json
import time
import uuid
from urllib.parse import urlsplit

import pytest
import requests

import labkit
from labkit.emulator.apigateway import invoke_url

PNG = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF, 0xFE, 0x80])

HANDLER = '''
import base64, json, time

PNG = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF, 0xFE, 0x80])

def handler(event, context):
    if event["resource"] == "/slow":
        time.sleep(1.5)
    mode = (event.get("pathParameters") or {}).get("mode")
    if mode is None:
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}
    if mode == "png":
        return {"statusCode": 200, "headers": {"Content-Type": "image/png"},
                "body": base64.b64encode(PNG).decode(), "isBase64Encoded": True}
    if mode == "cookies":
        return {"statusCode": 201, "body": "ok",
                "headers": {"Set-Cookie": "single=0", "X-Single": "1"},
                "multiValueHeaders": {"Set-Cookie": ["a=1; Path=/", "b=2; Path=/"], "X-Many": ["x", "y"]}}
    if mode == "string":
        return json.dumps({"statusCode": 200, "body": "serialised twice"})
    if mode == "no-status":
        return {"body": "no statusCode"}
    if mode == "dict-body":
        return {"statusCode": 200, "body": {"not": "a string"}}
    if mode == "raises":
        raise ValueError("the function failed")
    return {"statusCode": 404, "body": mode}
'''


def _uri(arn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


@pytest.fixture(scope="module")
def api(engine):
    lam, apigw = labkit.client("lambda"), labkit.client("apigateway")
    role = labkit.lambda_role()
    name = labkit.name("proxy")
    arn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                              Code={"ZipFile": labkit.zip_code({"app.py": HANDLER})})["FunctionArn"]
    lam.add_permission(FunctionName=name, StatementId="apigateway", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com")
    api_id = apigw.create_rest_api(name=labkit.name("proxy-api"),
                                   binaryMediaTypes=["image/png", "application/octet-stream"])["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    ids = {}

    def resource(parent, part, path):
        ids[path] = apigw.create_resource(restApiId=api_id, parentId=parent, pathPart=part)["id"]
        apigw.put_method(restApiId=api_id, resourceId=ids[path], httpMethod="ANY", authorizationType="NONE")
        apigw.put_integration(restApiId=api_id, resourceId=ids[path], httpMethod="ANY", type="AWS_PROXY",
                              integrationHttpMethod="POST", uri=_uri(arn))
        return ids[path]

    resource(root, "{proxy+}", "/{proxy+}")
    resource(resource(root, "echo", "/echo"), "{id}", "/echo/{id}")
    respond = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="respond")["id"]
    resource(respond, "{mode}", "/respond/{mode}")
    slow = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="slow")["id"]
    apigw.put_method(restApiId=api_id, resourceId=slow, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=slow, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=_uri(arn), timeoutInMillis=300)
    apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"color": "blue"})
    yield {"id": api_id, "url": invoke_url(api_id, "dev"), "resources": ids, "account": engine.account_id}
    apigw.delete_rest_api(restApiId=api_id)
    lam.delete_function(FunctionName=name)
    role_name = role.split("/")[-1]
    iam = labkit.client("iam")
    for policy in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=role_name, PolicyArn=policy["PolicyArn"])
    iam.delete_role(RoleName=role_name)


def event_of(reply: requests.Response) -> dict:
    assert reply.status_code == 200, (reply.status_code, reply.text, reply.headers.get("x-labkit-apigateway"))
    return reply.json()


def raw_call(url: str, method: str = "GET", headers=(), body: bytes | None = None):
    """One request with header lines exactly as given (repeats allowed): (status, [(name, value)], body)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest(method, parts.path + (f"?{parts.query}" if parts.query else ""))
        for name, value in headers:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


# --- Set up a proxy integration with a proxy resource -------------------------------------------------------------

def test_proxy_resource_takes_any_path_below_it(api):
    """A greedy {proxy+} resource with ANY catches every method and path depth; pathParameters.proxy is the rest
    of the path; a more specific resource wins (AWS: "Set up a proxy integration with a proxy resource")."""
    deep = event_of(requests.delete(f"{api['url']}/a/b/c.txt", timeout=30))
    assert (deep["resource"], deep["httpMethod"], deep["pathParameters"]) == ("/{proxy+}", "DELETE",
                                                                             {"proxy": "a/b/c.txt"})
    specific = event_of(requests.get(f"{api['url']}/echo/7", timeout=30))
    assert specific["resource"] == "/echo/{id}" and specific["pathParameters"] == {"id": "7"}


# --- Input format of a Lambda function for proxy integration ------------------------------------------------------

def test_event_carries_the_request(api):
    """resource, path, httpMethod, pathParameters, stageVariables, body (text) and isBase64Encoded false; no query
    string: queryStringParameters is null (AWS: "Input format of a Lambda function for proxy integration")."""
    event = event_of(requests.post(f"{api['url']}/echo/42", data=json.dumps({"a": 1}),
                                   headers={"Content-Type": "application/json"}, timeout=30))
    assert event["resource"] == "/echo/{id}" and event["path"] == "/echo/42" and event["httpMethod"] == "POST"
    assert event["pathParameters"] == {"id": "42"} and event["stageVariables"] == {"color": "blue"}
    assert event["body"] == '{"a": 1}' and event["isBase64Encoded"] is False
    assert event["queryStringParameters"] is None and event["multiValueQueryStringParameters"] is None


def test_repeated_query_parameter(api):
    """A repeated query string parameter: every value, in order, in multiValueQueryStringParameters; the last one in
    queryStringParameters — AWS's own example, ?name=me&multivalueName=you&multivalueName=me
    (AWS: "Input format of a Lambda function for proxy integration")."""
    event = event_of(requests.get(f"{api['url']}/echo/1?name=me&multivalueName=you&multivalueName=me", timeout=30))
    assert event["queryStringParameters"] == {"name": "me", "multivalueName": "me"}
    assert event["multiValueQueryStringParameters"] == {"name": ["me"], "multivalueName": ["you", "me"]}


def test_repeated_header(api):
    """A header sent twice: both values, in order, in multiValueHeaders, the last one in headers; a single header
    whose value holds a comma stays one value; names keep the client's spelling
    (AWS: "Input format of a Lambda function for proxy integration")."""
    status, _, body = raw_call(f"{api['url']}/echo/1", headers=[
        ("X-Color", "red"), ("X-Color", "green"), ("X-Forwarded-For", "54.240.196.186, 54.182.214.83"),
        ("headerName", "headerValue")])
    assert status == 200, body
    event = json.loads(body)
    assert event["headers"]["X-Color"] == "green" and event["multiValueHeaders"]["X-Color"] == ["red", "green"]
    assert event["multiValueHeaders"]["X-Forwarded-For"] == ["54.240.196.186, 54.182.214.83"]
    assert event["headers"]["headerName"] == "headerValue"


def test_request_context(api, engine):
    """requestContext holds the $context values: accountId, apiId, stage, resourceId, resourcePath, httpMethod,
    requestId, identity.sourceIp, path (with the stage), requestTimeEpoch (ms), protocol, domainName
    (AWS: "Input format of a Lambda function for proxy integration")."""
    before = int(time.time() * 1000)
    first = event_of(requests.get(f"{api['url']}/echo/9", headers={"User-Agent": "conformance"}, timeout=30))
    second = event_of(requests.get(f"{api['url']}/echo/9", timeout=30))
    context = first["requestContext"]
    assert context["accountId"] == api["account"] and context["apiId"] == api["id"] and context["stage"] == "dev"
    assert context["resourcePath"] == "/echo/{id}" and context["resourceId"] == api["resources"]["/echo/{id}"]
    assert context["httpMethod"] == "GET" and context["path"] == "/dev/echo/9" and context["protocol"] == "HTTP/1.1"
    assert uuid.UUID(context["requestId"]) and context["requestId"] != second["requestContext"]["requestId"]
    assert context["identity"]["sourceIp"] == "127.0.0.1" and context["identity"]["userAgent"] == "conformance"
    assert before <= context["requestTimeEpoch"] <= int(time.time() * 1000)
    assert context["domainName"] == urlsplit(engine.endpoint_url).netloc


# --- Binary media types for REST APIs in API Gateway --------------------------------------------------------------

def test_binary_request_reaches_the_function_base64_encoded(api):
    """A body whose Content-Type is one of the API's binaryMediaTypes reaches the function base64-encoded with
    isBase64Encoded true; another type arrives as text (AWS: "Binary media types for REST APIs in API Gateway",
    "Input format of a Lambda function for proxy integration")."""
    binary = event_of(requests.post(f"{api['url']}/echo/1", data=PNG, headers={"Content-Type": "image/png"},
                                    timeout=30))
    assert binary["isBase64Encoded"] is True and base64.b64decode(binary["body"]) == PNG
    text = event_of(requests.post(f"{api['url']}/echo/1", data="plain words", timeout=30,
                                  headers={"Content-Type": "text/plain"}))
    assert text["isBase64Encoded"] is False and text["body"] == "plain words"


def test_binary_response_decoded_when_the_first_accept_type_is_binary(api):
    """A response with isBase64Encoded true reaches the client as bytes when the first Accept media type is a
    binary media type of the API; otherwise the client gets the base64 text
    (AWS: "Binary media types for REST APIs in API Gateway", "Return binary media from a Lambda proxy integration
    in API Gateway")."""
    url = f"{api['url']}/respond/png"
    assert requests.get(url, headers={"Accept": "image/png"}, timeout=30).content == PNG
    assert requests.get(url, headers={"Accept": "image/png, text/html"}, timeout=30).content == PNG
    encoded = base64.b64encode(PNG)
    assert requests.get(url, headers={"Accept": "text/html, image/png"}, timeout=30).content == encoded
    assert requests.get(url, headers={"Accept": "*/*"}, timeout=30).content == encoded


# --- Output format of a Lambda function for proxy integration -----------------------------------------------------

def test_multi_value_response_headers(api):
    """multiValueHeaders and headers are merged; a name in both takes multiValueHeaders' values; each value is its
    own header line, so several Set-Cookie reach the client (AWS: "Output format of a Lambda function for proxy
    integration")."""
    status, headers, body = raw_call(f"{api['url']}/respond/cookies")
    assert status == 201 and body == b"ok"
    values = lambda name: [v for k, v in headers if k.lower() == name.lower()]  # noqa: E731
    assert values("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert values("X-Many") == ["x", "y"] and values("X-Single") == ["1"]


def test_default_content_type(api):
    """A proxy response that names no Content-Type reaches the client as application/json (AWS: "Set up a proxy
    integration with a proxy resource")."""
    status, headers, _ = raw_call(f"{api['url']}/respond/cookies")
    assert status == 201 and [v for k, v in headers if k.lower() == "content-type"] == ["application/json"]


@pytest.mark.parametrize("mode", ["string", "no-status", "dict-body", "raises"])
def test_malformed_proxy_response_is_502(api, mode):
    """A function answer not in the output format (a JSON string instead of an object, no statusCode, a body that is
    not a string) or a function error: 502 with {"message": "Internal server error"}
    (AWS: "Output format of a Lambda function for proxy integration")."""
    reply = requests.get(f"{api['url']}/respond/{mode}", timeout=30)
    assert reply.status_code == 502 and reply.json() == {"message": "Internal server error"}


def test_integration_timeout_is_504(api):
    """API Gateway waits for the integration at most its timeoutInMillis (50 ms to 29 s, 29 s by default), then
    answers 504 (AWS: "Quotas for configuring and running a REST API in API Gateway"; the Knowledge Center article
    on HTTP 504 errors in API Gateway). Here: timeoutInMillis 300, a function that takes 1.5 s."""
    began = time.monotonic()
    reply = requests.get(f"{api['url']}/slow", timeout=30)
    assert reply.status_code == 504 and time.monotonic() - began < 1.4


def test_integration_timeout_without_threads_as_in_the_page(api, monkeypatch):
    """Under Pyodide (the browser engine) no thread can start: the function runs to its end, then a call longer
    than timeoutInMillis still gets AWS's 504 and a quick one its answer (the page answered 500 before)."""
    from types import SimpleNamespace

    from labkit.emulator.apigateway import integrations

    def no_threads(*_, **__):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(integrations, "threading", SimpleNamespace(Thread=no_threads))
    monkeypatch.setattr(integrations, "running_in_browser", lambda: True)
    shown = []
    monkeypatch.setattr(integrations, "notice", shown.append)
    began = time.monotonic()
    assert requests.get(f"{api['url']}/slow", timeout=30).status_code == 504
    assert time.monotonic() - began >= 1.5  # it waited for the function: nothing can run it on in the background
    assert shown == ["apigateway-browser-integration-timeout"]  # the late 504 is said to differ from AWS
    assert requests.get(f"{api['url']}/respond/cookies", timeout=30).status_code == 201


# --- Create a deployment for a REST API in API Gateway ------------------------------------------------------------

@pytest.fixture
def mock_api(engine):
    apigw = labkit.client("apigateway")
    api_id = apigw.create_rest_api(name=labkit.name("deploy"))["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]

    def mock(resource_id, answer):
        apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="GET", authorizationType="NONE")
        apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod="GET", type="MOCK",
                              requestTemplates={"application/json": '{"statusCode": 200}'})
        answer_with(resource_id, answer)

    def answer_with(resource_id, answer):
        apigw.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod="GET",
                                       statusCode="200", responseTemplates={"application/json": json.dumps(answer)})

    yield {"id": api_id, "root": root, "mock": mock, "answer_with": answer_with, "url": invoke_url(api_id, "live")}
    apigw.delete_rest_api(restApiId=api_id)


def test_changes_reach_a_stage_only_with_a_new_deployment(mock_api):
    """A stage serves the snapshot of its deployment: a changed integration response and a new resource are not
    served until CreateDeployment, and pointing the stage at the older deployment serves the older API again
    (AWS: "Create a deployment for a REST API in API Gateway", "Updates to REST APIs that require redeployment")."""
    apigw = labkit.client("apigateway")
    api_id, url = mock_api["id"], mock_api["url"]
    items = apigw.create_resource(restApiId=api_id, parentId=mock_api["root"], pathPart="items")["id"]
    mock_api["mock"](items, {"release": 1})
    first = apigw.create_deployment(restApiId=api_id, stageName="live")["id"]
    assert requests.get(f"{url}/items", timeout=30).json() == {"release": 1}

    mock_api["answer_with"](items, {"release": 2})
    mock_api["mock"](apigw.create_resource(restApiId=api_id, parentId=mock_api["root"], pathPart="new")["id"],
                     {"new": True})
    assert requests.get(f"{url}/items", timeout=30).json() == {"release": 1}
    missing = requests.get(f"{url}/new", timeout=30)
    assert missing.status_code == 403 and missing.json() == {"message": "Missing Authentication Token"}

    apigw.create_deployment(restApiId=api_id, stageName="live")
    assert requests.get(f"{url}/items", timeout=30).json() == {"release": 2}
    assert requests.get(f"{url}/new", timeout=30).json() == {"new": True}

    apigw.update_stage(restApiId=api_id, stageName="live",
                       patchOperations=[{"op": "replace", "path": "/deploymentId", "value": first}])
    assert requests.get(f"{url}/items", timeout=30).json() == {"release": 1}
    assert requests.get(f"{url}/new", timeout=30).status_code == 403


def test_binary_media_types_patch_operations(mock_api):
    """UpdateRestApi names the media type in the patch path, '/' escaped as '~1': add, replace (with a value) and
    remove (AWS: "Enabling binary support using the API Gateway REST API")."""
    apigw = labkit.client("apigateway")
    api_id = mock_api["id"]
    apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "add", "path": "/binaryMediaTypes/image~1jpeg"},
        {"op": "add", "path": "/binaryMediaTypes/application~1octet-stream"}])
    assert apigw.get_rest_api(restApiId=api_id)["binaryMediaTypes"] == ["image/jpeg", "application/octet-stream"]
    apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/binaryMediaTypes/image~1jpeg", "value": "image/png"}])
    assert apigw.get_rest_api(restApiId=api_id)["binaryMediaTypes"] == ["image/png", "application/octet-stream"]
    apigw.update_rest_api(restApiId=api_id, patchOperations=[{"op": "remove", "path": "/binaryMediaTypes/image~1png"}])
    assert apigw.get_rest_api(restApiId=api_id)["binaryMediaTypes"] == ["application/octet-stream"]


# --- Request validation for REST APIs in API Gateway --------------------------------------------------------------

PET_SCHEMA = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["name", "type"],
              "properties": {"name": {"type": "string"}, "type": {"type": "string", "enum": ["dog", "cat", "fish"]},
                             "price": {"type": "number", "minimum": 25, "maximum": 500}}}


def test_request_validator(mock_api):
    """A request validator on the method: a required query string parameter or header missing or blank is 400
    "Missing required request parameters: [name]"; a body that breaks the model's JSON schema is 400 "Invalid request
    body"; a valid request reaches the integration (AWS: "Request validation for REST APIs in API Gateway")."""
    apigw = labkit.client("apigateway")
    api_id = mock_api["id"]
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=json.dumps(PET_SCHEMA))
    validator = apigw.create_request_validator(restApiId=api_id, name="all", validateRequestBody=True,
                                               validateRequestParameters=True)["id"]
    pets = apigw.create_resource(restApiId=api_id, parentId=mock_api["root"], pathPart="pets")["id"]
    apigw.put_method(restApiId=api_id, resourceId=pets, httpMethod="POST", authorizationType="NONE",
                     requestValidatorId=validator, requestModels={"application/json": "Pet"},
                     requestParameters={"method.request.querystring.q1": True, "method.request.header.h1": True})
    apigw.put_integration(restApiId=api_id, resourceId=pets, httpMethod="POST", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=pets, httpMethod="POST", statusCode="200",
                                   responseTemplates={"application/json": '{"message": "success"}'})
    apigw.create_deployment(restApiId=api_id, stageName="live")
    url = f"{mock_api['url']}/pets"
    good = {"name": "Marco", "type": "dog", "price": 260}

    def post(query="?q1=cat", headers=None, body=good):
        return requests.post(url + query, json=body, headers={"h1": "v1"} if headers is None else headers, timeout=30)

    assert post().status_code == 200 and post().json() == {"message": "success"}
    for reply, name in ((post(query=""), "q1"), (post(query="?q1="), "q1"), (post(headers={}), "h1")):
        assert reply.status_code == 400 and reply.json() == {"message": f"Missing required request parameters: "
                                                                        f"[{name}]"}
    for body in ({**good, "type": "bird"}, {**good, "price": 501}, {"type": "dog"}):
        reply = post(body=body)
        assert reply.status_code == 400 and reply.json() == {"message": "Invalid request body"}


# --- Throttle requests to your REST APIs for better throughput in API Gateway -------------------------------------

def test_stage_and_method_throttling(mock_api):
    """A stage's default method throttle (*/*) is a token bucket per method: past the burst, 429 Too Many Requests;
    a method's own setting (~1path/METHOD) overrides it; stage settings apply without a new deployment (AWS:
    "Throttle requests to your REST APIs for better throughput in API Gateway")."""
    apigw = labkit.client("apigateway")
    api_id, url = mock_api["id"], mock_api["url"]
    for part in ("slow", "fast"):
        mock_api["mock"](apigw.create_resource(restApiId=api_id, parentId=mock_api["root"], pathPart=part)["id"],
                         {"part": part})
    apigw.create_deployment(restApiId=api_id, stageName="live")
    apigw.update_stage(restApiId=api_id, stageName="live", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "0.5"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "2"},
        {"op": "replace", "path": "/~1fast/GET/throttling/rateLimit", "value": "100"},
        {"op": "replace", "path": "/~1fast/GET/throttling/burstLimit", "value": "100"}])
    slow = [requests.get(f"{url}/slow", timeout=30) for _ in range(3)]
    assert [r.status_code for r in slow] == [200, 200, 429]
    assert slow[-1].json() == {"message": "Too Many Requests"}
    assert [requests.get(f"{url}/fast", timeout=30).status_code for _ in range(3)] == [200, 200, 200]


# --- Gateway responses for REST APIs in API Gateway ---------------------------------------------------------------

def test_gateway_responses(mock_api):
    """A customised gateway response sets the status, headers and body (with $context.error.messageString) of the
    errors of its type; DEFAULT_4XX covers the 4XX types not customised; like the rest of the API it applies after a
    new deployment (AWS: "Gateway responses for REST APIs in API Gateway", "Gateway response types for API
    Gateway")."""
    apigw = labkit.client("apigateway")
    api_id, url = mock_api["id"], mock_api["url"]
    keyed = apigw.create_resource(restApiId=api_id, parentId=mock_api["root"], pathPart="keyed")["id"]
    apigw.put_method(restApiId=api_id, resourceId=keyed, httpMethod="GET", authorizationType="NONE",
                     apiKeyRequired=True)
    apigw.put_integration(restApiId=api_id, resourceId=keyed, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.create_deployment(restApiId=api_id, stageName="live")
    apigw.put_gateway_response(
        restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
        responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
                            "gatewayresponse.header.X-Asked": "method.request.header.X-Trace"},
        responseTemplates={"application/json": '{"message": $context.error.messageString, "type": '
                                               '"$context.error.responseType"}'})
    apigw.put_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX",
                               responseParameters={"gatewayresponse.header.X-Default": "'4xx'"})
    assert requests.get(f"{url}/nowhere", timeout=30).status_code == 403  # not deployed yet

    apigw.create_deployment(restApiId=api_id, stageName="live")
    missing = requests.get(f"{url}/nowhere", headers={"X-Trace": "t-1"}, timeout=30)
    assert missing.status_code == 404 and missing.headers["Access-Control-Allow-Origin"] == "*"
    assert missing.headers["X-Asked"] == "t-1" and "X-Default" not in missing.headers
    assert missing.json() == {"message": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN"}
    forbidden = requests.get(f"{url}/keyed", timeout=30)  # INVALID_API_KEY, not customised: DEFAULT_4XX
    assert forbidden.status_code == 403 and forbidden.headers["X-Default"] == "4xx"
    assert forbidden.json() == {"message": "Forbidden"}
