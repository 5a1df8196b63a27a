"""moto still has the API Gateway gaps labkit.emulator.apigateway works around (fails when an upgrade fixes one).

Each test calls moto's own code (the original under labkit's wrapper) on a fresh backend, without the engine.
When one fails, moto has fixed the gap: remove the matching patch from labkit/emulator/apigateway/ and this test.
"""
from __future__ import annotations

import inspect

from moto.apigateway.models import APIGatewayBackend, RestAPI
from moto.apigateway.responses import APIGatewayResponse

from labkit.emulator.apigateway import binary, deployments


def original(function):
    return getattr(function, "__wrapped__", function)


def fresh_api():
    backend = APIGatewayBackend("us-east-1", "123456789012")
    return backend, backend.create_rest_api(name="gap", description="")


def test_moto_deployment_keeps_no_snapshot():
    """moto's CreateDeployment records an id and a stage: a stage then serves the live API (deployments.py)."""
    _, api = fresh_api()
    deployment = original(RestAPI.create_deployment)(api, "dev", "")
    assert not hasattr(deployment, deployments.ATTRIBUTE)
    assert set(vars(deployment)) <= {"id", "stage_name", "description", "created_date"}


def test_moto_create_rest_api_drops_binary_media_types():
    """moto's backend create_rest_api takes no binaryMediaTypes (binary.py passes them on)."""
    assert "binary_media_types" not in inspect.signature(APIGatewayBackend.create_rest_api).parameters
    assert "binaryMediaTypes" not in inspect.getsource(original(APIGatewayResponse.create_rest_api))


def test_moto_reads_the_binary_media_type_patch_from_the_value():
    """moto appends the (absent) value instead of the media type in the path (binary.py reads the path)."""
    _, api = fresh_api()
    original(RestAPI.apply_patch_operations)(api, [{"op": "add", "path": "/binaryMediaTypes/image~1png"}])
    assert api.binaryMediaTypes == [""]


def test_moto_put_rest_api_ignores_the_binary_media_types_extension():
    """moto's PutRestApi does not import x-amazon-apigateway-binary-media-types (binary.py does)."""
    backend, api = fresh_api()
    document = {"openapi": "3.0.1", "info": {"title": "gap", "version": "1"}, "paths": {},
                "x-amazon-apigateway-binary-media-types": ["image/png"]}
    original(APIGatewayBackend.put_rest_api)(backend, api.id, document, False)
    assert api.binaryMediaTypes == []


def test_binary_media_type_matching():
    """Wildcards and parameters as API Gateway reads media types; the first Accept type decides."""
    assert binary.is_binary("image/png; charset=binary", ["image/*"])
    assert binary.is_binary("text/html", ["*/*"]) and not binary.is_binary("*/*", ["image/png"])
    assert binary.first_accept("image/png, text/html;q=0.9") == "image/png"
    assert not binary.is_binary("", ["*/*"])


def test_what_the_engine_does_not_run_says_so(engine):
    """An HTTP integration answers 501, a MOCK template with VTL is returned as written, a cached stage calls the
    integration; each shows its notice (the notice was shown when a second call to notice() returns False)."""
    import warnings

    import requests

    import labkit
    from labkit.emulator import notices
    from labkit.emulator.apigateway import invoke_url

    apigw = labkit.client("apigateway")
    api_id = apigw.create_rest_api(name=labkit.name("gaps"))["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    try:
        http = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="http")["id"]
        apigw.put_method(restApiId=api_id, resourceId=http, httpMethod="GET", authorizationType="NONE")
        apigw.put_integration(restApiId=api_id, resourceId=http, httpMethod="GET", type="HTTP_PROXY",
                              integrationHttpMethod="GET", uri="https://example.com/")
        vtl = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="vtl")["id"]
        apigw.put_method(restApiId=api_id, resourceId=vtl, httpMethod="GET", authorizationType="NONE")
        apigw.put_integration(restApiId=api_id, resourceId=vtl, httpMethod="GET", type="MOCK",
                              requestTemplates={"application/json": '{"statusCode": 200}'})
        apigw.put_integration_response(restApiId=api_id, resourceId=vtl, httpMethod="GET", statusCode="200",
                                       responseTemplates={"application/json": '{"ip": "$context.identity.sourceIp"}'})
        apigw.create_deployment(restApiId=api_id, stageName="dev")
        notices.reset()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            url = invoke_url(api_id, "dev")
            assert requests.get(f"{url}/http", timeout=30).status_code == 501
            assert requests.get(f"{url}/vtl", timeout=30).text == '{"ip": "$context.identity.sourceIp"}'
            assert notices.notice("apigateway-integration-type-not-run") is False
            assert notices.notice("apigateway-vtl-not-evaluated") is False
            apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
                {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"}])
            assert requests.get(f"{url}/vtl", timeout=30).status_code == 200
            assert notices.notice("apigateway-response-cache-not-modelled") is False
    finally:
        apigw.delete_rest_api(restApiId=api_id)
