"""Lambda concurrency: reserved concurrency per function and the account's concurrency limit, as AWS enforces them.

What AWS documents ("Understanding Lambda function scaling", "Configuring reserved concurrency for a function",
"Invoke" and "PutFunctionConcurrency" in the AWS Lambda API Reference):

- an account has a concurrency limit per Region, 1,000 by default; functions without reserved concurrency share
  what the reservations leave (the *unreserved* concurrency), and at least 100 must stay unreserved;
- a function with reserved concurrency ``N`` never runs more than ``N`` invocations at once; ``0`` stops it;
- a synchronous ``Invoke`` beyond the limit fails with ``TooManyRequestsException`` (HTTP 429) whose ``Reason`` is
  ``ReservedFunctionConcurrentInvocationLimitExceeded`` (the function's reservation) or
  ``ConcurrentInvocationLimitExceeded`` (the account's unreserved pool);
- asynchronous events that are throttled go back to the queue (:mod:`.async_invoke`).

moto 5.2.5 stores ``ReservedConcurrentExecutions`` but never throttles, and checks the 100-unreserved minimum only
when ``MOTO_LAMBDA_CONCURRENCY_QUOTA`` is set. Here every run of a function counts (synchronous, asynchronous, and
those started by event sources and other services); only the synchronous ``Invoke`` API and the asynchronous queue
are refused when no concurrency is left — invocations that moto's event sources and services start directly are
counted but never refused (a :class:`Difference`).

``GetAccountSettings`` (which moto lacks) answers with the limit and what reservations leave of it.

A lab can lower the account limit to see throttling without starting a thousand invocations::

    from labkit.emulator.lambda_ import concurrency
    concurrency.set_account_limit(5)      # or LABKIT_LAMBDA_ACCOUNT_CONCURRENCY=5 before the engine starts
    ...
    concurrency.set_account_limit(None)   # back to the default, 1,000

Upstream change (moto): ``LambdaBackend.invoke`` could count running invocations per function and raise
``TooManyRequestsException`` when reserved or account concurrency is used up.
"""
from __future__ import annotations

import functools
import json
import os
import threading
from urllib.parse import unquote

from ..registry import Difference, Patch

DEFAULT_ACCOUNT_LIMIT = 1000
"""AWS's default concurrency limit per account and Region ("Lambda quotas")."""
MINIMUM_UNRESERVED = 100
"""AWS keeps at least this much concurrency unreserved ("Configuring reserved concurrency for a function")."""
ENV_ACCOUNT_LIMIT = "LABKIT_LAMBDA_ACCOUNT_CONCURRENCY"

RESERVED_EXCEEDED = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_EXCEEDED = "ConcurrentInvocationLimitExceeded"

PATCHES = [
    Patch(
        name="lambda-concurrency-throttle",
        changes="Invoke (RequestResponse) fails with TooManyRequestsException (429) when the function's reserved "
                "concurrency or the account's unreserved concurrency is in use; every run is counted.",
        symbols=("moto.awslambda.responses.LambdaResponse.invoke",
                 "labkit.lambda_runtime.environments.EnvironmentPool.invoke"),
        upstream="moto/awslambda/models.py LambdaBackend.invoke: count running invocations and throttle.",
    ),
    Patch(
        name="lambda-get-account-settings",
        changes="GetAccountSettings answers (moto has no route for it) with the account's concurrency limit, its "
                "unreserved part and AWS's default storage and package quotas.",
        symbols=("moto.awslambda.urls.url_paths", "moto.awslambda.responses.LambdaResponse.dispatch"),
        upstream="moto/awslambda: add the account-settings route and LambdaBackend.get_account_settings.",
    ),
    Patch(
        name="lambda-put-function-concurrency-minimum",
        changes="PutFunctionConcurrency keeps 100 of the account's limit unreserved (moto checks only when "
                "MOTO_LAMBDA_CONCURRENCY_QUOTA is set).",
        symbols=("moto.awslambda.models.LambdaBackend.put_function_concurrency",
                 "moto.awslambda.exceptions.InvalidParameterValueException"),
        upstream="moto/awslambda/models.py put_function_concurrency: enforce the default 1,000 quota.",
    ),
]

DIFFERENCES = [
    Difference(
        id="lambda-concurrency-event-sources-not-throttled",
        service="lambda",
        aws="Invocations by event source mappings and other services are throttled like any other when the "
            "function's reserved concurrency (or the account's) is in use.",
        engine="They are counted, but never refused: only the Invoke API and the asynchronous queue are throttled.",
        doc="Understanding Lambda function scaling",
    ),
]


class TooManyRequestsException(Exception):
    """Raised (and answered as HTTP 429) when an invocation finds no concurrency left.

    ``reason``: ``ReservedFunctionConcurrentInvocationLimitExceeded`` or ``ConcurrentInvocationLimitExceeded``.
    """

    def __init__(self, reason: str):
        super().__init__("Rate Exceeded.")
        self.reason = reason


_lock = threading.Lock()
_running: dict[tuple[str, str, str], int] = {}  # (account, region, function name) -> runs in progress
_account_limit: int | None = None
_held = threading.local()  # this thread already holds a slot for the run it is about to start


def account_limit() -> int:
    """The account's concurrency limit per Region: :func:`set_account_limit`, else the environment, else 1,000."""
    if _account_limit is not None:
        return _account_limit
    value = os.environ.get(ENV_ACCOUNT_LIMIT, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_ACCOUNT_LIMIT


def set_account_limit(limit: int | None) -> None:
    """Set the account's concurrency limit (every account and Region of this engine); ``None`` restores 1,000.

    Raises ``ValueError`` for a limit below 1.
    """
    global _account_limit
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ValueError("The account concurrency limit is a whole number of at least 1 (AWS's default is 1000).")
    _account_limit = limit


def _backend(account: str, region: str):
    from moto.awslambda.models import lambda_backends

    return lambda_backends[account][region]


def reservations(account: str, region: str) -> dict[str, int]:
    """Reserved concurrency by function name (only functions that have one)."""
    found = {}
    try:
        groups = _backend(account, region)._lambdas._functions
    except Exception:  # noqa: BLE001 - moto's storage moved: no reservations known
        return found
    for name, group in list(groups.items()):
        latest = group.get("latest")
        value = getattr(latest, "reserved_concurrency", None)
        if value is not None and str(value) != "":
            found[name] = int(value)
    return found


def reserved_concurrency(account: str, region: str, name: str) -> int | None:
    """The function's reserved concurrency, or ``None`` when it has none."""
    return reservations(account, region).get(name)


def _refusal(key: tuple[str, str, str]) -> str | None:
    account, region, name = key
    reserved = reservations(account, region)
    if name in reserved:
        return RESERVED_EXCEEDED if _running.get(key, 0) >= reserved[name] else None
    unreserved = account_limit() - sum(reserved.values())
    in_use = sum(n for (a, r, f), n in _running.items() if (a, r) == (account, region) and f not in reserved)
    return ACCOUNT_EXCEEDED if in_use >= unreserved else None


def acquire(account: str, region: str, name: str, force: bool = False) -> None:
    """Take one unit of concurrency for a run of function ``name``; raises :class:`TooManyRequestsException`.

    ``force``: count the run even when no concurrency is left (runs that moto starts directly).
    """
    key = (account, region, name)
    with _lock:
        reason = None if force else _refusal(key)
        if reason:
            raise TooManyRequestsException(reason)
        _running[key] = _running.get(key, 0) + 1


def release(account: str, region: str, name: str) -> None:
    """Give back the unit :func:`acquire` took."""
    key = (account, region, name)
    with _lock:
        left = _running.get(key, 0) - 1
        if left > 0:
            _running[key] = left
        else:
            _running.pop(key, None)


def running(account: str, region: str, name: str) -> int:
    """How many runs of the function are in progress now."""
    with _lock:
        return _running.get((account, region, name), 0)


class holding:
    """Context manager: take a unit of concurrency for a run on this thread (raises when none is left)."""

    def __init__(self, account: str, region: str, name: str):
        self.key = (account, region, name)

    def __enter__(self):
        acquire(*self.key)
        _held.key = self.key
        return self

    def __exit__(self, *exc):
        _held.key = None
        release(*self.key)
        return False


STORAGE_QUOTA = 75 * 1024 ** 3
"""Storage for .zip deployment packages and layers per Region ("Lambda quotas": 75 GB), in bytes."""
ZIPPED_QUOTA, UNZIPPED_QUOTA = 50 * 1024 ** 2, 250 * 1024 ** 2
"""A directly uploaded package (50 MB) and a function with its layers unzipped (250 MB), in bytes."""


def account_settings(account: str, region: str) -> dict:
    """The ``GetAccountSettings`` answer ("GetAccountSettings", AWS Lambda API Reference): ``AccountLimit`` with
    the concurrency limit and what reservations leave of it, and ``AccountUsage`` (code storage, function count)."""
    limit = account_limit()
    groups = {}
    try:
        groups = _backend(account, region)._lambdas._functions
    except Exception:  # noqa: BLE001 - moto's storage moved: report no functions
        pass
    stored = 0
    for group in list(groups.values()):
        for fn in [group.get("latest"), *group.get("versions", [])]:
            stored += int(getattr(fn, "code_size", 0) or 0)
    return {
        "AccountLimit": {"TotalCodeSize": STORAGE_QUOTA, "CodeSizeUnzipped": UNZIPPED_QUOTA,
                         "CodeSizeZipped": ZIPPED_QUOTA, "ConcurrentExecutions": limit,
                         "UnreservedConcurrentExecutions": max(0, limit - sum(reservations(account, region).values()))},
        "AccountUsage": {"TotalCodeSize": stored, "FunctionCount": len(groups)},
    }


def _error_response(exc: TooManyRequestsException):
    from moto.core.exceptions import JsonRESTError

    error = JsonRESTError("TooManyRequestsException", "Rate Exceeded.")
    error.code = 429
    error.description = json.dumps({"__type": "TooManyRequestsException", "message": "Rate Exceeded.",
                                    "Reason": exc.reason, "Type": "User"})
    return error


def _function_name(path_name: str) -> str:
    """``f``, ``f:qualifier`` or an ARN (with or without qualifier) → the function's name."""
    if path_name.startswith("arn:"):
        return path_name.split(":")[6]
    if ":function:" in path_name:  # partial ARN 123456789012:function:f[:q]
        return path_name.split(":function:")[1].split(":")[0]
    return path_name.split(":")[0]


_installed = False


def install() -> None:
    """Throttle synchronous Invoke calls, count every run, and check PutFunctionConcurrency (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.awslambda.exceptions import InvalidParameterValueException
    from moto.awslambda.models import LambdaBackend
    from moto.awslambda.responses import LambdaResponse

    from ...lambda_runtime.environments import EnvironmentPool

    original_response_invoke = LambdaResponse.invoke

    @functools.wraps(original_response_invoke)
    def response_invoke(self):
        kind = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
        if kind == "Event":  # the queue uses the event-invoke config of the qualifier this request names
            from .invoke_config import INVOKED, split

            qualifiers = self.querystring.get("Qualifier") or [None]
            INVOKED.qualifier = split(unquote(self.path.rsplit("/", 2)[-2]), qualifiers[0])[1]
            try:
                return original_response_invoke(self)
            finally:
                INVOKED.qualifier = None
        if kind != "RequestResponse":
            return original_response_invoke(self)
        name = _function_name(unquote(self.path.rsplit("/", 2)[-2]))
        try:
            with holding(self.current_account, self.region, name):
                return original_response_invoke(self)
        except TooManyRequestsException as exc:
            raise _error_response(exc) from None

    original_pool_invoke = EnvironmentPool.invoke

    @functools.wraps(original_pool_invoke)
    def pool_invoke(self, spec, event):
        if getattr(_held, "key", None):  # the Invoke API or the async queue took the slot already
            _held.key = None
            return original_pool_invoke(self, spec, event)
        account, region = spec.arn.split(":")[4], spec.arn.split(":")[3]
        acquire(account, region, spec.name, force=True)
        try:
            return original_pool_invoke(self, spec, event)
        finally:
            release(account, region, spec.name)

    original_put = LambdaBackend.put_function_concurrency

    @functools.wraps(original_put)
    def put_function_concurrency(self, function_name, reserved_concurrency):
        name = _function_name(function_name)
        others = sum(v for f, v in reservations(self.account_id, self.region_name).items() if f != name)
        if account_limit() - others - int(reserved_concurrency) < MINIMUM_UNRESERVED:
            raise InvalidParameterValueException(
                "Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{MINIMUM_UNRESERVED}].")
        return original_put(self, function_name, reserved_concurrency)

    def get_account_settings(self):
        return 200, {"content-type": "application/json"}, json.dumps(
            account_settings(self.current_account, self.region))

    from moto.awslambda import urls

    urls.url_paths.setdefault(r"{0}/(?P<api_version>[^/]+)/account-settings/?$", LambdaResponse.dispatch)
    LambdaResponse.get_account_settings = get_account_settings
    LambdaResponse.invoke = response_invoke
    EnvironmentPool.invoke = pool_invoke
    LambdaBackend.put_function_concurrency = put_function_concurrency
    _installed = True
