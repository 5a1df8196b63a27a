"""What a Python handler's result (or error) becomes in the Invoke response's Payload, byte for byte, per runtime.

Sources: "Define Lambda function handler in Python" (AWS Lambda Developer Guide), "Returning a value": the runtime
serializes the handler's return value into JSON; "Using Lambda environment variables", reserved variables:
``AWS_EXECUTION_ENV`` is the runtime identifier prefixed by ``AWS_Lambda_``; "Defined runtime environment variables":
``LANG`` is ``en_US.UTF-8``. The exact bytes are those of the AWS
Lambda Python runtime interface client (github.com/aws/aws-lambda-python-runtime-interface-client, which the Python
runtimes run): ``awslambdaric/lambda_runtime_marshaller.py`` (``Encoder``: simplejson, ``ensure_ascii=False`` when
``AWS_EXECUTION_ENV`` is ``AWS_Lambda_python3.12`` to ``3.15``; ``LambdaMarshaller.marshal_response``: ``bytes`` as
they are), ``bootstrap.py`` (``handle_event_request``, ``make_error``: the error document through the same encoder;
``run``: no handler for an exception while posting; ``FramedTelemetryLogSink.log``, the log: ``msg.encode("utf8")``),
``lambda_runtime_client.py`` (``post_invocation_result``: ``str.encode("utf-8")``); simplejson's ``encoder.py``
(``namedtuple_as_object``, ``bytes`` decoded as UTF-8).
"""
from __future__ import annotations

import json

import pytest

import labkit

HANDLER = '''
import collections, os

Point = collections.namedtuple("Point", "x y")
RESULTS = {
    "str": lambda: "\u00e9",
    "dict": lambda: {"country": "\u65e5\u672c"},
    "bytes": lambda: b"\\x89PNG\\r\\n\\x1a\\n",
    "nan": lambda: float("nan"),
    "none": lambda: None,
    "tuple": lambda: (1, "two"),
    "namedtuple": lambda: Point(1, 2),
    "bytes inside": lambda: {"body": b"caf\\xc3\\xa9", b"key": 1},
    "lone surrogate": lambda: "\\ud800",
    "execution env": lambda: os.environ["AWS_EXECUTION_ENV"],
}

def circular():
    items = []
    items.append(items)
    return {"items": items}

RESULTS["circular"] = circular

def handler(event, context):
    if event["result"] == "error":
        raise ValueError("caf\u00e9 ferm\u00e9")
    if event["result"] == "error with a lone surrogate":
        raise ValueError("\\ud800")
    if event["result"] == "print a lone surrogate":
        print("\\ud800")
    return RESULTS[event["result"]]()
'''

UNESCAPED = ("python3.12", "python3.14")
"""Runtimes whose encoder writes non-ASCII characters as they are (UTF-8); python3.11 escapes them."""


@pytest.fixture(scope="module", params=["python3.11", *UNESCAPED])
def function(request, engine):
    lam = labkit.client("lambda")
    name = labkit.name("results")
    lam.create_function(FunctionName=name, Runtime=request.param, Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": HANDLER})})
    yield name, request.param
    lam.delete_function(FunctionName=name)


def payload(name: str, result: str) -> tuple[str | None, bytes]:
    """(FunctionError or None, the Payload's bytes) of invoking the function for ``result``."""
    response = labkit.client("lambda").invoke(FunctionName=name, Payload=json.dumps({"result": result}))
    return response.get("FunctionError"), response["Payload"].read()


def test_execution_env_names_the_runtime(function):
    """Reserved variables: AWS_EXECUTION_ENV is ``AWS_Lambda_`` and the runtime identifier."""
    name, runtime = function
    assert payload(name, "execution env") == (None, f'"AWS_Lambda_{runtime}"'.encode())


@pytest.mark.parametrize("result, escaped, unescaped", [
    ("str", b'"\\u00e9"', '"\u00e9"'.encode()),
    ("dict", b'{"country": "\\u65e5\\u672c"}', '{"country": "\u65e5\u672c"}'.encode()),
    ("bytes inside", b'{"body": "caf\\u00e9", "key": 1}', '{"body": "caf\u00e9", "key": 1}'.encode()),
    ("nan", b"NaN", b"NaN"),
    ("none", b"null", b"null"),
    ("tuple", b'[1, "two"]', b'[1, "two"]'),
    ("namedtuple", b'{"x": 1, "y": 2}', b'{"x": 1, "y": 2}'),
    ("bytes", b"\x89PNG\r\n\x1a\n", b"\x89PNG\r\n\x1a\n"),
])
def test_result_bytes(function, result, escaped, unescaped):
    """Encoder: simplejson, ``\\uXXXX`` escapes before python3.12 and UTF-8 from it on; a NaN is ``NaN``
    (allow_nan); a tuple an array; a namedtuple an object (simplejson's namedtuple_as_object); ``bytes`` inside the
    result (values and keys) their UTF-8 text; ``bytes`` returned by the handler the body as they are
    (marshal_response)."""
    name, runtime = function
    assert payload(name, result) == (None, unescaped if runtime in UNESCAPED else escaped)


def test_error_document_uses_the_same_encoder(function):
    """handle_event_request posts ``to_json(make_error(...))``: the keys in make_error's order, non-ASCII characters
    as the runtime's encoder writes them."""
    name, runtime = function
    error, body = payload(name, "error")
    assert error == "Unhandled"
    message = '"caf\u00e9 ferm\u00e9"'.encode() if runtime in UNESCAPED else b'"caf\\u00e9 ferm\\u00e9"'
    assert body.startswith(b'{"errorMessage": ' + message + b', "errorType": "ValueError", "requestId": "')


def test_a_result_holding_itself_is_a_marshal_error(function):
    """marshal_response turns the encoder's error, simplejson's "Circular reference detected" (check_circular), into a
    fault of the runtime: Runtime.MarshalError with an empty stack trace."""
    name, _ = function
    error, body = payload(name, "circular")
    assert error == "Unhandled"
    document = json.loads(body)
    assert {key: document[key] for key in ("errorType", "errorMessage", "stackTrace")} == {
        "errorType": "Runtime.MarshalError", "errorMessage": "Unable to marshal response: Circular reference detected",
        "stackTrace": []}


def test_a_lone_surrogate_ends_the_runtime_from_python312(function):
    """A lone surrogate in the result is escaped (``"\\ud800"``) before python3.12; from it on the encoder keeps it,
    post_invocation_result cannot encode it as UTF-8, and the runtime exits (Runtime.ExitError); the next invocation
    gets a new environment."""
    name, runtime = function
    error, body = payload(name, "lone surrogate")
    if runtime not in UNESCAPED:
        assert (error, body) == (None, b'"\\ud800"')
        return
    assert_runtime_exited(error, body)
    assert payload(name, "none") == (None, b"null")


def test_an_error_message_with_a_lone_surrogate_ends_the_runtime(function):
    """On every runtime: log_error writes the error's line to the log first, and the log sink
    (FramedTelemetryLogSink.log) cannot encode it as UTF-8, so the runtime exits (Runtime.ExitError)."""
    name, _ = function
    assert_runtime_exited(*payload(name, "error with a lone surrogate"))
    assert payload(name, "none") == (None, b"null")


def test_printing_a_lone_surrogate_fails_in_the_handler(function):
    """"Defined runtime environment variables": LANG is en_US.UTF-8, so the runtime's standard output encodes UTF-8
    strictly (Python's sys.stdout) and the handler's print raises UnicodeEncodeError: the function's error."""
    name, _ = function
    error, body = payload(name, "print a lone surrogate")
    assert error == "Unhandled"
    document = json.loads(body)
    assert (document["errorType"], document["errorMessage"]) == (
        "UnicodeEncodeError", "'utf-8' codec can't encode character '\\ud800' in position 0: surrogates not allowed")
    assert any("print" in line for line in document["stackTrace"])


def assert_runtime_exited(error: str | None, body: bytes) -> None:
    assert error == "Unhandled"
    document = json.loads(body)
    assert document["errorType"] == "Runtime.ExitError"
    assert document["errorMessage"].endswith("Error: Runtime exited with error: exit status 1")
