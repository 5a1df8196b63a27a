"""The Lambda sandbox on the embedded engine: what a Python handler can import, which Python runs it, and the errors
AWS gives for bad input. Each test asserts the value AWS documents.

Pages (AWS Lambda Developer Guide): "Building Lambda functions with Python", "Working with .zip file archives for
Python Lambda functions", "Packaging your layer content" (in "Managing Lambda dependencies with layers"),
"Define Lambda function handler in Python", "Lambda runtimes", "Identifying Lambda runtime version changes",
"Troubleshoot deployment issues in Lambda", "Troubleshoot invocation issues in Lambda"; the error types and messages
of the AWS Lambda Python runtime interface client (aws-lambda-python-runtime-interface-client, bootstrap.py), which
is what the Python runtimes run.
"""
from __future__ import annotations

import base64
import importlib.util
import json
import sys

import pytest
from botocore.exceptions import ClientError

import labkit
from labkit.emulator import lambda_sandbox

NOTEBOOK_PACKAGES = ("pandas", "numpy", "requests", "moto", "labkit", "flask", "werkzeug", "ipykernel", "worker")
SDK = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
KERNEL_RUNTIME = f"python{sys.version_info[0]}.{sys.version_info[1]}"


@pytest.fixture(scope="module")
def lam(engine):
    return labkit.client("lambda")


@pytest.fixture(scope="module")
def role(engine):
    return labkit.lambda_role("sandbox-conformance")


def create(lam, role, files: dict, handler: str = "app.handler", runtime: str = "python3.12", **extra) -> str:
    name = labkit.name("sandbox")
    lam.create_function(FunctionName=name, Runtime=runtime, Role=role, Handler=handler,
                        Code={"ZipFile": labkit.zip_code(files)}, **extra)
    return name


def invoke(lam, name: str, event=None):
    """(FunctionError or None, decoded payload, log tail)."""
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}), LogType="Tail")
    tail = base64.b64decode(response.get("LogResult", "")).decode()
    return response.get("FunctionError"), json.loads(response["Payload"].read() or "null"), tail


IMPORTABLE = '''
import importlib

def handler(event, context):
    found = {}
    for name in event["modules"]:
        try:
            module = importlib.import_module(name)
            found[name] = getattr(module, "WHERE", True)
        except ImportError as exc:
            found[name] = str(exc)
    return found
'''


@pytest.mark.parametrize("runtime", sorted({KERNEL_RUNTIME, "python3.12"}))
def test_notebook_packages_are_not_importable(lam, role, runtime):
    """"Building Lambda functions with Python": the runtime's environment includes the SDK for Python (Boto3);
    "Working with .zip file archives for Python Lambda functions": any other dependency must be in the deployment
    package or a layer. The notebook's own packages (and labkit's worker) are not on a handler's path — also when
    the notebook's own Python runs the handler."""
    installed = [m for m in NOTEBOOK_PACKAGES if m == "worker" or importlib.util.find_spec(m) is not None]
    assert "moto" in installed and "labkit" in installed
    name = create(lam, role, {"app.py": IMPORTABLE}, runtime=runtime)
    error, found, _ = invoke(lam, name, {"modules": installed})
    assert error is None, found
    assert found == {m: f"No module named '{m}'" for m in installed}


def test_standard_library_and_aws_sdk_are_importable(lam, role):
    """"Working with .zip file archives for Python Lambda functions": the Lambda Python runtime includes the AWS SDK
    for Python (Boto3) and its dependencies, next to the standard library."""
    name = create(lam, role, {"app.py": IMPORTABLE + '''
import boto3, importlib.metadata

def with_client(event, context):
    return {"buckets": isinstance(boto3.client("s3").list_buckets()["Buckets"], list),
            "boto3": importlib.metadata.version("boto3")}
'''})
    error, found, _ = invoke(lam, name, {"modules": [*SDK, "json", "decimal", "urllib.request", "sqlite3"]})
    assert error is None, found
    assert all(value is True for value in found.values()), found
    lam.update_function_configuration(FunctionName=name, Handler="app.with_client")
    error, answer, _ = invoke(lam, name)
    assert error is None, answer
    assert answer == {"buckets": True, "boto3": importlib.metadata.version("boto3")}


def test_a_dependency_in_the_deployment_package_is_importable_and_wins_over_the_runtime(lam, role):
    """"Working with .zip file archives for Python Lambda functions": dependencies in the deployment package take
    precedence over the runtime-included libraries (the runtime searches /var/task first)."""
    name = create(lam, role, {"app.py": IMPORTABLE, "vendored/__init__.py": "WHERE = 'package'",
                              "jmespath.py": "WHERE = 'package'"})
    error, found, _ = invoke(lam, name, {"modules": ["vendored", "jmespath"]})
    assert error is None, found
    assert found == {"vendored": "package", "jmespath": "package"}


def test_a_missing_dependency_is_an_import_module_error(lam, role):
    """"Troubleshoot deployment issues in Lambda" / the runtime interface client: a module the package lacks fails
    the init phase with errorType Runtime.ImportModuleError, "Unable to import module 'app': No module named …"."""
    name = create(lam, role, {"app.py": "import requests\n\ndef handler(event, context):\n    return 1\n"})
    error, payload, tail = invoke(lam, name)
    assert error == "Unhandled"
    assert payload == {"errorMessage": "Unable to import module 'app': No module named 'requests'",
                       "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}
    assert "[ERROR] Runtime.ImportModuleError: Unable to import module 'app': No module named 'requests'" in tail


def test_layers_are_importable_from_the_documented_paths_only(lam, role):
    """"Packaging your layer content": Lambda extracts layers into /opt; a Python layer's dependencies must be in
    python/ or python/lib/python3.x/site-packages, which are on the path; other folders are not. Layers take
    precedence over the runtime-included libraries ("Working with .zip file archives for Python Lambda
    functions"), and the deployment package over layers."""
    layer = lam.publish_layer_version(LayerName=labkit.name("sandbox-layer"), CompatibleRuntimes=["python3.12"],
                                      Content={"ZipFile": labkit.zip_code({
                                          "python/lib/python3.12/site-packages/in_site.py": "WHERE = 'site'",
                                          "python/in_python.py": "WHERE = 'python'",
                                          "python/jmespath.py": "WHERE = 'layer'",
                                          "python/shared.py": "WHERE = 'layer'",
                                          "at_root.py": "WHERE = 'root'",
                                      })})["LayerVersionArn"]
    name = create(lam, role, {"app.py": IMPORTABLE, "shared.py": "WHERE = 'package'"}, Layers=[layer])
    error, found, _ = invoke(lam, name, {"modules": ["in_site", "in_python", "jmespath", "shared", "at_root"]})
    assert error is None, found
    assert found == {"in_site": "site", "in_python": "python", "jmespath": "layer", "shared": "package",
                     "at_root": "No module named 'at_root'"}


def test_a_later_layer_replaces_an_earlier_layers_file(lam, role):
    """"Managing Lambda dependencies with layers": layers are extracted into /opt in the order they are listed, a
    later layer's file replacing an earlier one's at the same path."""
    arns = [lam.publish_layer_version(LayerName=labkit.name("sandbox-order"), Content={"ZipFile": labkit.zip_code(
        {"python/ordered.py": f"WHERE = '{which}'"})})["LayerVersionArn"] for which in ("first", "second")]
    name = create(lam, role, {"app.py": IMPORTABLE}, Layers=arns)
    assert invoke(lam, name, {"modules": ["ordered"]})[1] == {"ordered": "second"}


def test_runtime_provided_modules_are_importable(lam, role, tmp_path, monkeypatch):
    """AWS provides some modules to handlers beyond the SDK (cfnresponse for inline CloudFormation code, "cfn-response
    module"); the engine puts its folder of such modules on every handler's path."""
    (tmp_path / "provided_by_runtime.py").write_text("WHERE = 'runtime'\n")
    monkeypatch.setattr(lambda_sandbox, "RUNTIME_MODULES", str(tmp_path))
    name = create(lam, role, {"app.py": IMPORTABLE})
    assert invoke(lam, name, {"modules": ["provided_by_runtime"]})[1] == {"provided_by_runtime": "runtime"}


def test_code_in_a_sub_folder_is_not_found(lam, role):
    """"Working with .zip file archives for Python Lambda functions": the handler file must be at the root of the
    .zip file; zipping the folder instead gives Runtime.ImportModuleError "No module named 'app'"."""
    name = create(lam, role, {"my-function/app.py": "def handler(event, context):\n    return 1\n"})
    error, payload, _ = invoke(lam, name)
    assert error == "Unhandled"
    assert payload["errorType"] == "Runtime.ImportModuleError"
    assert payload["errorMessage"] == "Unable to import module 'app': No module named 'app'"


def test_a_handler_that_is_not_in_the_module_is_handler_not_found(lam, role):
    """Runtime interface client: a module without the named function gives Runtime.HandlerNotFound,
    "Handler 'handler' missing on module 'app'"."""
    name = create(lam, role, {"app.py": "def lambda_handler(event, context):\n    return 1\n"})
    error, payload, _ = invoke(lam, name)
    assert error == "Unhandled"
    assert payload == {"errorMessage": "Handler 'handler' missing on module 'app'",
                       "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []}


def test_a_handler_without_a_function_name_is_malformed(lam, role):
    """"Define Lambda function handler in Python": the handler is file_name.function_name; the runtime interface
    client reports a handler without a dot as Runtime.MalformedHandlerName."""
    name = create(lam, role, {"app.py": "def handler(event, context):\n    return 1\n"}, handler="app")
    error, payload, _ = invoke(lam, name)
    assert error == "Unhandled"
    assert payload["errorType"] == "Runtime.MalformedHandlerName"
    assert payload["errorMessage"] == "Bad handler 'app': not enough values to unpack (expected 2, got 1)"


def test_a_syntax_error_is_a_user_code_syntax_error(lam, role):
    """Runtime interface client: a SyntaxError while importing the handler's module gives
    Runtime.UserCodeSyntaxError, "Syntax error in module 'app': …", with the offending line."""
    name = create(lam, role, {"app.py": "def handler(event, context)\n    return 1\n"})
    error, payload, _ = invoke(lam, name)
    assert error == "Unhandled"
    assert payload["errorType"] == "Runtime.UserCodeSyntaxError"
    assert payload["errorMessage"].startswith("Syntax error in module 'app': ")
    assert "def handler(event, context)" in payload["stackTrace"][0]


def test_an_exception_in_init_code_is_reported_with_its_own_type(lam, role):
    """Runtime interface client: any other exception raised while the module loads is the function's error, with the
    exception's class as errorType and an empty requestId (no invocation had started)."""
    name = create(lam, role, {"app.py": "SETTINGS = {}['TABLE']\n\ndef handler(event, context):\n    return 1\n"})
    error, payload, _ = invoke(lam, name)
    assert error == "Unhandled"
    assert (payload["errorType"], payload["errorMessage"], payload["requestId"]) == ("KeyError", "'TABLE'", "")
    assert "app.py" in payload["stackTrace"][-1]


def test_a_handler_exception_names_its_request(lam, role):
    """Runtime interface client: an exception raised by the handler is returned as errorMessage, errorType,
    requestId (the invocation's) and stackTrace."""
    name = create(lam, role, {"app.py": "def handler(event, context):\n    raise ValueError(context.aws_request_id)\n"})
    error, payload, _ = invoke(lam, name)
    assert error == "Unhandled"
    assert list(payload) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert payload["errorType"] == "ValueError" and payload["requestId"] == payload["errorMessage"]


@pytest.mark.parametrize("runtime", ["python2.7", "python3.6"])
def test_an_unsupported_runtime_is_refused_at_create(lam, role, runtime):
    """"Lambda runtimes": after a deprecated runtime's "block function create" date, CreateFunction fails with
    InvalidParameterValueException, "The runtime parameter of … is no longer supported …"; nothing is created."""
    name = labkit.name("sandbox-old")
    with pytest.raises(ClientError) as raised:
        lam.create_function(FunctionName=name, Runtime=runtime, Role=role, Handler="app.handler",
                            Code={"ZipFile": labkit.zip_code({"app.py": "def handler(e, c):\n    return 1\n"})})
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert raised.value.response["Error"]["Message"] == (
        f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions. "
        f"We recommend you use the new runtime ({lambda_sandbox.NEWEST_PYTHON_RUNTIME}) while creating or updating "
        "functions.")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        lam.get_function(FunctionName=name)


def test_an_unsupported_runtime_is_refused_at_update(lam, role):
    """"Lambda runtimes": after the "block function update" date, UpdateFunctionConfiguration to that runtime fails
    with InvalidParameterValueException; the function keeps its runtime."""
    name = create(lam, role, {"app.py": "def handler(event, context):\n    return 1\n"})
    with pytest.raises(ClientError) as raised:
        lam.update_function_configuration(FunctionName=name, Runtime="python3.8")
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "The runtime parameter of python3.8 is no longer supported" in raised.value.response["Error"]["Message"]
    assert lam.get_function_configuration(FunctionName=name)["Runtime"] == "python3.12"


def init_start_lines(name: str) -> list[str]:
    logs = labkit.client("logs")
    group = f"/aws/lambda/{name}"
    return [event["message"] for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]
            for event in logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])["events"]
            if event["message"].startswith("INIT_START")]


VERSION = "import sys\n\ndef handler(event, context):\n    return '%d.%d' % sys.version_info[:2]\n"


def test_the_runtimes_own_python_runs_the_handler(lam, role):
    """"Lambda runtimes": each Python runtime identifier is one Python version; the INIT_START line Lambda writes for
    each new execution environment names it ("Identifying Lambda runtime version changes")."""
    others = [r for r in lambda_sandbox.SUPPORTED_PYTHON_RUNTIMES
              if r != KERNEL_RUNTIME and lambda_sandbox.interpreter_for(r).declared]
    runtime = others[0] if others else KERNEL_RUNTIME  # another installed Python if there is one
    name = create(lam, role, {"app.py": VERSION}, runtime=runtime)
    error, version, _ = invoke(lam, name)
    assert error is None and f"python{version}" == runtime
    invoke(lam, name)  # a warm invocation writes no INIT_START
    (line,) = init_start_lines(name)
    assert line.startswith(f"INIT_START Runtime Version: python:{runtime[6:]}.") and "labkit:" not in line


def test_without_the_runtimes_python_the_kernels_runs_it_and_says_so(lam, role, monkeypatch):
    """"Lambda runtimes": AWS runs a python3.x function on Python 3.x. Where this machine lacks that Python the
    engine differs, and says so once per execution environment, in its INIT_START line, and in labkit doctor."""
    runtime = next(r for r in lambda_sandbox.SUPPORTED_PYTHON_RUNTIMES if r != KERNEL_RUNTIME)
    monkeypatch.setattr(lambda_sandbox, "candidates", lambda major, minor: [])
    lambda_sandbox.forget_interpreters()
    try:
        name = create(lam, role, {"app.py": VERSION}, runtime=runtime)
        error, version, tail = invoke(lam, name)
        assert error is None and version == "%d.%d" % sys.version_info[:2]
        invoke(lam, name)
        (line,) = init_start_lines(name)
        assert f"labkit: this machine has no Python {runtime[6:]}" in line
        assert f"the notebook's Python {sys.version.split()[0]} runs this {runtime} function" in line
        assert line in tail
        doctor = "\n".join(lambda_sandbox.doctor_lines())
        assert f"{runtime:11} the notebook's Python {sys.version.split()[0]} runs it: this machine has no" in doctor
    finally:
        monkeypatch.undo()
        lambda_sandbox.forget_interpreters()


def test_output_of_init_code_reaches_the_log_stream_before_start(lam, role):
    """"Log and monitor Python Lambda functions": the runtime sends the output of the function's code to the log
    stream — also what the module prints while it loads (the init phase, after INIT_START and before the first
    START line)."""
    name = create(lam, role, {"app.py": "print('loading configuration')\n\ndef handler(event, context):\n    return 1\n"})
    assert invoke(lam, name)[0] is None
    logs = labkit.client("logs")
    group = f"/aws/lambda/{name}"
    (stream,) = logs.describe_log_streams(logGroupName=group)["logStreams"]
    messages = [e["message"] for e in logs.get_log_events(logGroupName=group,
                                                          logStreamName=stream["logStreamName"])["events"]]
    assert messages[0].startswith("INIT_START")
    assert messages[1] == "loading configuration" and messages[2].startswith("START RequestId:")


def test_an_unsupported_runtime_in_a_stack_fails_the_resource_and_rolls_back(lam, role):
    """"Lambda runtimes" (block function create) with CloudFormation's default failure handling ("Setting AWS
    CloudFormation stack options", stack failure options: roll back all stack resources): CreateStack succeeds,
    the AWS::Lambda::Function resource is CREATE_FAILED with Lambda's message, and the stack ends ROLLBACK_COMPLETE."""
    import time

    cfn = labkit.client("cloudformation")
    template = {"Resources": {"OldFunction": {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.7", "Handler": "index.handler", "Role": role,
        "Code": {"ZipFile": "def handler(event, context):\n    return 1\n"}}}}}
    stack = cfn.create_stack(StackName=labkit.name("sandbox-old"), TemplateBody=json.dumps(template))["StackId"]
    deadline = time.time() + 10
    while (status := cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]).endswith("IN_PROGRESS"):
        assert time.time() < deadline
        time.sleep(0.1)
    assert status == "ROLLBACK_COMPLETE"
    failed = [e for e in cfn.describe_stack_events(StackName=stack)["StackEvents"]
              if e["LogicalResourceId"] == "OldFunction" and e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed and ("The runtime parameter of python3.7 is no longer supported for creating or updating AWS "
                       "Lambda functions.") in failed[0]["ResourceStatusReason"]
    cfn.delete_stack(StackName=stack)
