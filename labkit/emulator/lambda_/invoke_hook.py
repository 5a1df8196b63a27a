"""labkit's Lambda invoke hook: moto's Lambda invocations run real Python code, and aliases route by weight.

moto executes Lambda code only in Docker. We replace two methods with labkit's own:
``LambdaFunction.invoke`` (every path that runs a function goes through it: Invoke, event source mappings,
S3/SNS notifications, Step Functions tasks, Secrets Manager rotation), which hands the event to an execution
environment of :mod:`labkit.lambda_runtime` (warm Python worker processes), and ``LambdaBackend.invoke`` (to honour
an alias's ``AdditionalVersionWeights``, which moto stores but always ignores: "Implementing Lambda canary
deployments using a weighted alias", AWS Lambda Developer Guide). ``tests/test_moto_hook.py`` fails loudly when a
moto upgrade changes the signatures or call paths these replacements rely on.

The embedded engine attaches the hook (``attach(endpoint)``) before :func:`labkit.emulator.install_all`, because
the execution environments need the engine's endpoint to call back.

Upstream: a Docker-free runtime stays labkit's own; moto's ``LambdaBackend.invoke`` could pick the version from the
alias's ``RoutingConfig``.
"""
from __future__ import annotations

import base64
import functools
import inspect
import json
import random

from ...errors import UnsupportedRuntime
from ...lambda_runtime.environments import EnvironmentPool, FunctionSpec
from ..registry import Patch

EXPECTED_SIGNATURES = {
    "LambdaFunction.invoke": "(self, body: 'str', request_headers: 'Any', response_headers: 'Any') -> 'str | bytes'",
    "LambdaBackend.invoke": "(self, function_name: 'str', qualifier: 'str | None', body: 'Any', headers: 'Any', "
                            "response_headers: 'Any') -> 'str | bytes | None'",
}
LOG_TAIL_BYTES = 4096
_pool: EnvironmentPool | None = None
_originals: dict = {}
_endpoints: list[str] = []  # running embedded engines of this process (they share moto's state)
_before_invoke: dict[str, object] = {}  # endpoint → what makes it reachable (an engine's lazy HTTP front)

PATCHES = [
    Patch(
        name="lambda-runtime",
        changes="LambdaFunction.invoke runs the handler in labkit's Python worker processes instead of Docker "
                "(this module).",
        symbols=("moto.awslambda.models.LambdaFunction.invoke",
                 "moto.awslambda.models.lambda_backends"),
        upstream="None: a Docker-free runtime is labkit's own.",
    ),
    Patch(
        name="lambda-alias-weights",
        changes="LambdaBackend.invoke routes an alias's invocations between its versions by "
                "AdditionalVersionWeights (this module); moto always runs the main version.",
        symbols=("moto.awslambda.models.LambdaBackend.invoke", "moto.awslambda.models.LambdaStorage.get_alias"),
        upstream="moto/awslambda/models.py LambdaBackend.invoke: choose the version from the alias's RoutingConfig.",
    ),
    Patch(
        name="lambda-runtime-retire-on-update",
        changes="LambdaBackend.update_function_code and update_function_configuration also end the function "
                "version's idle execution environments that run the code or configuration it replaced (Lambda never "
                "uses them again), instead of leaving their worker processes until the idle timer.",
        symbols=("moto.awslambda.models.LambdaBackend.update_function_code",
                 "moto.awslambda.models.LambdaBackend.update_function_configuration"),
        upstream="None: the worker processes are labkit's own.",
    ),
    Patch(
        name="lambda-runtime-retire-on-delete",
        changes="LambdaBackend.delete_function also ends the deleted function's (or version's) warm execution "
                "environments, so a lab's Cleanup leaves no worker process behind.",
        symbols=("moto.awslambda.models.LambdaBackend.delete_function",),
        upstream="None: the worker processes are labkit's own.",
    ),
]


def signatures() -> dict[str, str]:
    """Signatures of moto's own methods (the originals, once replaced)."""
    from moto.awslambda.models import LambdaBackend, LambdaFunction

    methods = _originals or {"LambdaFunction.invoke": LambdaFunction.invoke, "LambdaBackend.invoke": LambdaBackend.invoke}
    return {name: str(inspect.signature(method)) for name, method in methods.items()}


def attach(endpoint_url: str, before_invoke=None) -> EnvironmentPool:
    """Patch moto (once per process) and return the environment pool that runs the code.

    ``before_invoke``: called before any invocation while functions call back to ``endpoint_url`` (the embedded
    engine starts its HTTP front there, since worker processes reach the engine over HTTP).
    """
    global _pool
    from moto.awslambda.models import LambdaBackend, LambdaFunction

    if _pool is None:
        found = signatures()
        if found != EXPECTED_SIGNATURES:
            raise RuntimeError(f"moto's Lambda invoke API changed; labkit's hook needs updating: {found}")
        original_backend_invoke = LambdaBackend.invoke
        _originals.update({"LambdaFunction.invoke": LambdaFunction.invoke, "LambdaBackend.invoke": original_backend_invoke})

        def backend_invoke(self, function_name, qualifier, body, headers, response_headers):
            name, qualifier = routed_qualifier(self, function_name, qualifier)
            return original_backend_invoke(self, name, qualifier, body, headers, response_headers)

        original_delete = LambdaBackend.delete_function

        @functools.wraps(original_delete)
        def delete_function(self, function_name, qualifier=None):
            original_delete(self, function_name, qualifier)
            name, version = split_qualifier(function_name, qualifier)
            retire = getattr(_pool, "retire_function", None)  # the browser engine's in-process pool has none
            if retire is not None:  # the function (or that version) is gone: so are its warm environments
                retire(self.region_name, self.account_id, name, version)

        LambdaFunction.invoke = function_invoke
        LambdaBackend.invoke = backend_invoke
        LambdaBackend.delete_function = delete_function
        for name in ("update_function_code", "update_function_configuration"):
            setattr(LambdaBackend, name, retiring_stale(getattr(LambdaBackend, name)))
        _pool = EnvironmentPool(endpoint_url, role_credentials)
    _endpoints.append(endpoint_url)
    if before_invoke is not None:
        _before_invoke[endpoint_url] = before_invoke
    point_at(endpoint_url)
    return _pool


def retiring_stale(update):
    """moto's ``update`` (UpdateFunctionCode or UpdateFunctionConfiguration), then the updated version's idle
    environments that run what it replaced are ended (the next invocation is a cold start either way)."""

    @functools.wraps(update)
    def updated(self, function_name, qualifier, body):
        answer = update(self, function_name, qualifier, body)
        retire = getattr(_pool, "retire_stale", None)  # the browser engine's in-process pool has none
        function = self.get_function(function_name, qualifier)
        if retire is not None and (function.run_time or "").startswith("python3"):
            retire(spec_of(function))
        return answer

    return updated


def point_at(endpoint_url: str) -> None:
    """Have new execution environments call back to this endpoint (warm ones know another: retire them)."""
    if _pool.endpoint_url != endpoint_url:
        _pool.close()
        _pool.endpoint_url = endpoint_url


def spec_of(function) -> FunctionSpec:
    """Everything a worker needs, read from moto's model of the function version."""
    runtime = function.run_time or ""
    if not runtime.startswith("python3"):
        raise UnsupportedRuntime(
            f"The embedded engine runs Python Lambda functions only; {function.function_name!r} uses "
            f"{runtime or 'a container image'}. Use a python3.x runtime, or run this lab on LocalStack "
            "(LABKIT_ENGINE=localstack) or real AWS.")
    from moto.awslambda.models import lambda_backends

    backend = lambda_backends[function.account_id][function.region]
    layers = [backend.layers_versions_by_arn(layer["Arn"]).code_bytes for layer in function.layers]
    return FunctionSpec(
        name=function.function_name, arn=function.function_arn, version=str(function.version),
        handler=function.handler, runtime=runtime, timeout=float(function.timeout),
        memory_mb=int(function.memory_size), code=function.code_bytes, layers=layers,
        env={k: str(v) for k, v in (function.environment_vars or {}).items()},
        log_group=function.logs_group_name, role=function.role,
    )


def role_credentials(spec: FunctionSpec) -> dict[str, str]:
    """Temporary credentials of the function's execution role, as Lambda gives its environment.

    moto maps them back to the role's account, so handler code acts in the function's own account (which keeps
    workshop students apart) and, when IAM is enforced, with the role's permissions.
    """
    from moto.sts.models import sts_backends

    account, region = spec.arn.split(":")[4], spec.arn.split(":")[3]
    role = sts_backends[account]["aws"].assume_role(
        region_name=region, role_session_name=spec.name[:64], role_arn=spec.role, policy=None,
        duration=3600, external_id=None)
    return {"AWS_ACCESS_KEY_ID": role.access_key_id, "AWS_SECRET_ACCESS_KEY": role.secret_access_key,
            "AWS_SESSION_TOKEN": role.session_token}


def function_invoke(self, body, request_headers, response_headers):
    """Replacement for ``LambdaFunction.invoke``: run the handler in an execution environment."""
    reachable = _before_invoke.get(_pool.endpoint_url)
    if reachable is not None:
        reachable()
    event = json.loads(body) if body else {}
    invocation_type = request_headers.get("x-amz-invocation-type") or request_headers.get(
        "X-Amz-Invocation-Type") or "RequestResponse"
    try:
        spec = spec_of(self)
    except UnsupportedRuntime as exc:
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps({"errorType": "Runtime.InvalidRuntime", "errorMessage": str(exc)}).encode()
    response_headers["x-amz-executed-version"] = spec.version
    if invocation_type == "Event":  # Lambda's event queue: retries, destinations, DLQ (labkit/emulator/lambda_)
        from . import async_invoke

        async_invoke.submit(self, body)
        return b""
    if invocation_type == "DryRun":
        return b""
    result = run_and_log(self, spec, event)
    if result.function_error:
        response_headers["x-amz-function-error"] = "Unhandled"
    tail = "\n".join(result.log_lines).encode()[-LOG_TAIL_BYTES:]
    response_headers["x-amz-log-result"] = base64.b64encode(tail).decode()
    return result.payload


def run_and_log(function, spec: FunctionSpec, event):
    """Invoke, then write the invocation's log lines to the function's CloudWatch Logs stream."""
    result = _pool.invoke(spec, event)
    logs = function.logs_backend
    logs.ensure_log_group(spec.log_group)
    group = logs.groups[spec.log_group]
    if result.log_stream not in group.streams:
        logs.create_log_stream(spec.log_group, result.log_stream)
    from moto.core.utils import unix_time_millis

    stamp = int(unix_time_millis())
    logs.put_log_events(spec.log_group, result.log_stream,
                        [{"timestamp": stamp, "message": line} for line in result.log_lines])
    return result


def split_qualifier(function_name: str, qualifier: str | None) -> tuple[str, str | None]:
    """``name``, ``name:qualifier`` or an ARN with a qualifier → (name, qualifier)."""
    if function_name.startswith("arn:"):
        parts = function_name.split(":")
        name, found = parts[6], (parts[7] if len(parts) > 7 else None)
    else:
        name, _, found = function_name.partition(":")
        found = found or None
    return name, qualifier or found


def routed_qualifier(backend, function_name: str, qualifier: str | None) -> tuple[str, str | None]:
    """If the qualifier is an alias with weighted routing, pick the version this invocation goes to."""
    name, qualifier = split_qualifier(function_name, qualifier)
    if not qualifier or qualifier == "$LATEST" or qualifier.isdigit():
        return name, qualifier
    try:
        alias = backend._lambdas.get_alias(qualifier, name)
    except Exception:  # noqa: BLE001 - not an alias: moto reports the error itself
        return name, qualifier
    weights = (alias.routing_config or {}).get("AdditionalVersionWeights") or {}
    roll = random.random()
    for version, weight in weights.items():
        if roll < float(weight):
            return name, str(version)
        roll -= float(weight)
    return name, alias.function_version


def release(endpoint_url: str) -> None:
    """An engine stopped: point functions at another running engine of this process, or stop them all."""
    if endpoint_url in _endpoints:
        _endpoints.remove(endpoint_url)
    if endpoint_url not in _endpoints:
        _before_invoke.pop(endpoint_url, None)
    if _pool is not None:
        if _endpoints:
            point_at(_endpoints[-1])
        else:
            _pool.close()
