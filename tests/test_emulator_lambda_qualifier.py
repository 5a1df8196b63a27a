"""labkit.emulator.lambda_.qualifier: Invoke honours its Qualifier ("Invoke" in the AWS Lambda API Reference)."""
from __future__ import annotations

import json

import pytest

import labkit
from labkit.emulator.lambda_ import qualifier


def backend_sees(monkeypatch, invoke_method, query: str, name: str = "fn") -> tuple[str, str | None]:
    """(function_name, qualifier) that moto's backend receives when ``invoke_method`` serves the request."""
    from moto.awslambda.models import LambdaBackend
    from moto.awslambda.responses import LambdaResponse
    from moto.moto_server.werkzeug_app import create_backend_app
    from werkzeug.test import Client

    seen = []

    def record(self, function_name, qualifier, body, headers, response_headers):
        seen.append((function_name, qualifier))
        return b"{}"

    monkeypatch.setattr(LambdaBackend, "invoke", record)
    monkeypatch.setattr(LambdaResponse, "invoke", invoke_method)
    client = Client(create_backend_app("lambda"))
    client.post(f"/2015-03-31/functions/{name}/invocations{query}", data=b"{}", headers={
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/lambda/aws4_request"})
    return seen[0]


def test_moto_still_ignores_the_qualifier(engine, monkeypatch):
    """moto's own LambdaResponse.invoke drops ?Qualifier=; when this fails, moto fixed it: delete the module."""
    assert backend_sees(monkeypatch, qualifier.original(), "?Qualifier=1") == ("fn", None)


def test_the_fix_passes_the_qualifier(engine, monkeypatch):
    from moto.awslambda.responses import LambdaResponse

    qualifier.install()  # already done by the engine: idempotent
    fixed = LambdaResponse.invoke
    assert fixed is not qualifier.original()
    assert backend_sees(monkeypatch, fixed, "?Qualifier=1") == ("fn", "1")
    assert backend_sees(monkeypatch, fixed, "") == ("fn", None)
    assert backend_sees(monkeypatch, fixed, "?Qualifier=live", name="fn%3Alive") == ("fn:live", None)


def test_invoke_runs_the_version_named_by_qualifier(engine):
    lam = labkit.client("lambda")
    name = labkit.name("qualifier")
    code = 'def handler(event, context):\n    return context.function_version\n'
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": code})})
    try:
        version = lam.publish_version(FunctionName=name)["Version"]
        answer = lam.invoke(FunctionName=name, Qualifier=version)
        assert json.loads(answer["Payload"].read()) == version
        assert answer["ExecutedVersion"] == version
        assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == "$LATEST"
    finally:
        lam.delete_function(FunctionName=name)


@pytest.mark.parametrize("name", ["fn", "fn:2", "arn:aws:lambda:us-east-1:123456789012:function:fn"])
def test_qualified_names_are_left_to_moto(engine, monkeypatch, name):
    from moto.awslambda.responses import LambdaResponse

    from urllib.parse import quote

    got = backend_sees(monkeypatch, LambdaResponse.invoke, "?Qualifier=3", name=quote(name, safe=""))
    assert got == (name, None if ":" in name.split(":function:")[-1] else "3")
