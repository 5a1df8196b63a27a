"""The Lambda sandbox: what a Python handler can import, which Python runs it, and which runtimes CreateFunction takes.

What AWS documents, and what this module makes the embedded engine do:

- **Imports** ("Working with .zip file archives for Python Lambda functions", "Packaging your layer content"): a
  handler imports its deployment package (the task root, searched first), then its layers — extracted, in order,
  into one ``/opt`` folder, importable from ``/opt/python/lib/python3.x/site-packages`` and ``/opt/python`` — then
  what the runtime includes: the standard library and the AWS SDK for Python (boto3 and its dependencies botocore,
  s3transfer, jmespath, python-dateutil, urllib3, six). Nothing else: not the notebook's packages (pandas, moto,
  labkit, requests, numpy…). The worker runs as ``python -I -S`` (no site-packages, no ``.pth`` files, no
  ``PYTHON*`` variables, not its own folder), builds ``sys.path`` from the folders above and reaches the kernel's
  SDK through a meta path finder that answers for those top-level names only. A package the handler's zip lacks
  fails as on AWS: ``Runtime.ImportModuleError``, "Unable to import module 'app': No module named 'requests'".
- **Runtime-provided modules**: AWS gives inline (``ZipFile``) CloudFormation code the ``cfnresponse`` module.
  Modules AWS provides like that go in :data:`RUNTIME_MODULES` — ``labkit/lambda_runtime/runtime_modules/`` —
  which every handler can import (after its own package and layers). The CloudFormation custom-resource work puts
  ``cfnresponse.py`` there; nothing else in labkit is on a handler's path.
- **Interpreter** ("Lambda runtimes"): the declared runtime's Python runs the handler when this machine has it —
  the kernel's own Python if it is that version, else ``python3.X`` on ``PATH``, else a pyenv
  (``~/.pyenv/versions/3.X*``) or uv (``~/.local/share/uv/python/cpython-3.X*``) install. Otherwise the kernel's
  Python runs it, and the engine says so in the ``INIT_START`` line it writes to the function's CloudWatch Logs
  stream for each new execution environment (as AWS writes one per init, "Identifying Lambda runtime version
  changes") and in ``python -m labkit doctor``.
- **Runtimes no longer supported** ("Lambda runtimes", deprecated runtimes: block function create / update):
  CreateFunction and UpdateFunctionConfiguration with python2.7, 3.6, 3.7 or 3.8 fail with
  ``InvalidParameterValueException`` and AWS's message; in a CloudFormation (or SAM) stack the function resource
  fails with that message as its reason and the stack rolls back.
- **Errors while loading the handler** follow the AWS Lambda Python runtime interface client (``bootstrap.py``):
  ``Runtime.MalformedHandlerName``, ``Runtime.BuiltInModuleConflict``, ``Runtime.ImportModuleError``,
  ``Runtime.UserCodeSyntaxError``, ``Runtime.HandlerNotFound`` (see ``labkit/lambda_runtime/worker.py``).

Upstream: moto accepts any ``Runtime`` string at CreateFunction; the change that would make :func:`install`'s
patch unnecessary is a check of ``Runtime`` against the deprecated identifiers in
``moto.awslambda.models.LambdaBackend.create_function`` and ``update_function_configuration`` raising
``InvalidParameterValueException`` with the message in :func:`runtime_error_message`, and CloudFormation's parser
turning a resource's error into CREATE_FAILED / UPDATE_FAILED and a rollback (moto lets it escape CreateStack).
"""
from __future__ import annotations

import glob
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass

from .registry import Difference, Patch

RUNTIME_MODULES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                               "lambda_runtime", "runtime_modules")
"""Folder of modules AWS's Python runtime provides to handlers (``cfnresponse``); on every handler's path."""

SUPPORTED_PYTHON_RUNTIMES = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14")
"""Python runtime identifiers Lambda still lets you create functions with ("Lambda runtimes")."""
NEWEST_PYTHON_RUNTIME = "python3.14"
BLOCKED_PYTHON_RUNTIMES = ("python2.7", "python3.6", "python3.7", "python3.8")
"""Deprecated Python runtimes whose "block function create" and "block function update" dates have passed
("Lambda runtimes", deprecated runtimes; python3.8: block create Feb 28, 2025, block update Mar 31, 2025)."""

SDK_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
"""Top-level modules of the AWS SDK for Python and its dependencies, which the Python runtime includes."""
SDK_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "urllib3", "six")

PATCHES = [
    Patch(
        name="lambda-runtime-deprecated",
        changes="CreateFunction and UpdateFunctionConfiguration refuse Python runtimes Lambda no longer supports "
                "(InvalidParameterValueException, AWS's message), before moto stores the function; in a "
                "CloudFormation stack the AWS::Lambda::Function resource fails (CREATE_FAILED / UPDATE_FAILED with "
                "the Lambda message as its reason) and the stack rolls back, instead of CreateStack answering with "
                "a Lambda JSON error the CloudFormation client cannot parse.",
        symbols=("moto.awslambda.models.LambdaBackend.create_function",
                 "moto.awslambda.models.LambdaBackend.update_function_configuration",
                 "moto.awslambda.models.LambdaFunction.create_from_cloudformation_json",
                 "moto.awslambda.models.LambdaFunction.update_from_cloudformation_json",
                 "moto.awslambda.exceptions.InvalidParameterValueException"),
        upstream="moto accepts any Runtime; check deprecated identifiers in create_function and "
                 "update_function_configuration (see labkit/emulator/lambda_sandbox.py).",
    ),
]

DIFFERENCES = [
    Difference(
        id="lambda-python-version",
        service="lambda",
        aws="Each Python runtime runs its own Python version (python3.12 runs Python 3.12).",
        engine="When this machine has no Python of the function's version, the notebook's Python runs the handler; "
               "the INIT_START log line and `python -m labkit doctor` say so.",
        doc="Lambda runtimes",
    ),
    Difference(
        id="lambda-sandbox-filesystem",
        service="lambda",
        aws="The deployment package is in /var/task and layers are extracted into /opt, both read-only (only /tmp "
            "is writable).",
        engine="The package and the layers are unpacked into a writable temporary folder (LAMBDA_TASK_ROOT names "
               "it); code that opens /var/task/… or /opt/… by absolute path does not find its files.",
        doc="Packaging your layer content",
    ),
    Difference(
        id="lambda-sdk-version",
        service="lambda",
        aws="The runtime includes its own version of boto3 and botocore (\"Runtime-included SDK versions\").",
        engine="Handlers get the notebook's boto3, botocore and their dependencies, whatever version is installed.",
        doc="Building Lambda functions with Python",
    ),
]


# --------------------------------------------------------------------------------------------------------------
# Which Python runs a function


@dataclass(frozen=True)
class Interpreter:
    """The Python that runs a runtime's functions on this machine.

    ``executable``: path of the interpreter; ``version``: its ``X.Y.Z``; ``declared``: True when it is the
    runtime's own Python version; ``reason``: when not, why the kernel's Python runs the function instead.
    """
    runtime: str
    executable: str
    version: str
    declared: bool
    reason: str = ""

    @property
    def is_kernel(self) -> bool:
        return os.path.realpath(self.executable) == os.path.realpath(sys.executable)


_interpreters: dict[str, Interpreter] = {}
_lock = threading.Lock()


def runtime_version(runtime: str) -> tuple[int, int] | None:
    """``"python3.12"`` → ``(3, 12)``; None for anything else."""
    found = re.fullmatch(r"python(\d+)\.(\d+)", runtime or "")
    return (int(found.group(1)), int(found.group(2))) if found else None


def _version_key(path: str) -> tuple:
    return tuple(int(n) for n in re.findall(r"\d+", os.path.basename(os.path.dirname(os.path.dirname(path)))))


def candidates(major: int, minor: int) -> list[str]:
    """Interpreters that may be Python ``major.minor``, in the order they are tried: ``PATH``, pyenv, uv."""
    found = []
    pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    on_path = shutil.which(f"python{major}.{minor}")
    if on_path and os.path.dirname(on_path) != os.path.join(pyenv, "shims"):  # pyenv's versions are looked at below
        found.append(on_path)
    found += sorted(glob.glob(os.path.join(pyenv, "versions", f"{major}.{minor}*", "bin", "python")),
                    key=_version_key, reverse=True)
    uv = os.environ.get("UV_PYTHON_INSTALL_DIR") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "uv", "python")
    found += sorted(glob.glob(os.path.join(uv, f"cpython-{major}.{minor}*", "bin", "python")),
                    key=_version_key, reverse=True)
    return found


def _probe_cache_file() -> str:
    return os.path.join(os.path.dirname(pycache_root()), "lambda-interpreters.json")


def _probe(executable: str) -> tuple[str, str] | None:
    """(real executable, ``X.Y.Z``) of a Python, or None if it does not run (a pyenv shim of an inactive version).

    Answers are kept in labkit's cache folder, keyed by the file's path, size and modification time, so a new
    kernel does not start every interpreter again (each start costs a cold start some 30 ms)."""
    try:
        stat = os.stat(executable)
    except OSError:
        return None
    key = f"{executable}|{stat.st_size}|{stat.st_mtime_ns}"
    try:
        with open(_probe_cache_file()) as cached:
            document = json.load(cached)
    except (OSError, ValueError):
        document = {}
    known = document.get(key) if isinstance(document, dict) else None
    if isinstance(known, list) and len(known) == 2:
        return known[0], known[1]
    found = _run_probe(executable)
    if found:
        document = document if isinstance(document, dict) else {}
        document[key] = list(found)
        try:
            with open(_probe_cache_file() + f".{os.getpid()}", "w") as fresh:
                json.dump(document, fresh)
            os.replace(_probe_cache_file() + f".{os.getpid()}", _probe_cache_file())
        except OSError:
            pass
    return found


def _run_probe(executable: str) -> tuple[str, str] | None:
    try:
        done = subprocess.run([executable, "-I", "-S", "-c",
                               "import sys, platform; print(sys.executable); print(platform.python_version())"],
                              capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.split("\n")
    if done.returncode != 0 or len(lines) < 2 or not lines[1].strip():
        return None
    return (lines[0].strip() or executable), lines[1].strip()


def sdk_requires_python() -> str:
    """The ``Requires-Python`` of the kernel's botocore (``""`` if unknown)."""
    try:
        return importlib.metadata.metadata("botocore").get("Requires-Python") or ""
    except importlib.metadata.PackageNotFoundError:
        return ""


def _sdk_runs_on(version: str) -> bool:
    requires = sdk_requires_python()
    if not requires:
        return True
    try:
        from packaging.specifiers import SpecifierSet
    except ImportError:  # no packaging: trust the interpreter
        return True
    return SpecifierSet(requires).contains(version)


def _find(runtime: str) -> Interpreter:
    kernel = Interpreter(runtime, sys.executable, platform.python_version(), False)
    wanted = runtime_version(runtime)
    if wanted is None:
        return Interpreter(runtime, kernel.executable, kernel.version, False,
                           f"{runtime or 'this runtime'} names no Python version")
    if sys.version_info[:2] == wanted:
        return Interpreter(runtime, kernel.executable, kernel.version, True)
    label = f"Python {wanted[0]}.{wanted[1]}"
    too_new_sdk = ""
    for candidate in candidates(*wanted):
        probed = _probe(candidate)
        if probed is None or tuple(int(n) for n in probed[1].split(".")[:2]) != wanted:
            continue
        if not _sdk_runs_on(probed[1]):
            too_new_sdk = (f"{label} ({probed[0]}) cannot run the notebook's AWS SDK (botocore needs Python "
                           f"{sdk_requires_python()})")
            continue
        return Interpreter(runtime, probed[0], probed[1], True)
    reason = too_new_sdk or f"this machine has no {label} (looked on PATH and in pyenv and uv installs)"
    return Interpreter(runtime, kernel.executable, kernel.version, False, reason)


def interpreter_for(runtime: str) -> Interpreter:
    """The Python that runs functions of ``runtime`` (``"python3.12"``) here; looked up once per process."""
    with _lock:
        found = _interpreters.get(runtime)
        if found is None:
            found = _interpreters[runtime] = _find(runtime)
        return found


def forget_interpreters() -> None:
    """Look the interpreters up again next time (after installing a Python; tests)."""
    with _lock:
        _interpreters.clear()


def init_start_line(interpreter: Interpreter, region: str) -> str:
    """The ``INIT_START`` log line of a new execution environment ("Identifying Lambda runtime version changes").

    AWS writes ``INIT_START Runtime Version: python:3.13.v14<TAB>Runtime Version ARN: arn:aws:lambda:…``; the
    engine names the interpreter that really runs the code, and says when it is not the runtime's version.
    """
    wanted = runtime_version(interpreter.runtime)
    label = f"python:{wanted[0]}.{wanted[1]}" if wanted else interpreter.runtime
    line = (f"INIT_START Runtime Version: {label}.labkit\t"
            f"Runtime Version ARN: arn:aws:lambda:{region}::runtime:labkit-cpython-{interpreter.version}")
    if not interpreter.declared:
        line += (f"\tlabkit: {interpreter.reason}, so the notebook's Python {interpreter.version} runs this "
                 f"{interpreter.runtime} function (AWS runs it on its own version)")
    return line


def doctor_lines() -> list[str]:
    """What ``python -m labkit doctor`` reports about the Python that runs each supported Lambda runtime."""
    lines = ["Lambda Python runtimes (embedded engine):"]
    for runtime in SUPPORTED_PYTHON_RUNTIMES:
        found = interpreter_for(runtime)
        if found.declared:
            lines.append(f"  {runtime:11} Python {found.version} ({found.executable})")
        else:
            lines.append(f"  {runtime:11} the notebook's Python {found.version} runs it: {found.reason}")
    return lines


# --------------------------------------------------------------------------------------------------------------
# What a handler can import


_sdk: dict | None = None


def sdk_locations() -> dict:
    """Where the kernel's AWS SDK lives: ``{"modules": {top-level name: folder}, "distributions": [names]}``."""
    global _sdk
    if _sdk is None:
        modules = {}
        for name in SDK_MODULES:
            spec = importlib.util.find_spec(name)
            if spec is None:
                continue
            if spec.submodule_search_locations:
                modules[name] = os.path.dirname(list(spec.submodule_search_locations)[0])
            elif spec.origin:
                modules[name] = os.path.dirname(spec.origin)
        _sdk = {"modules": modules, "distributions": list(SDK_DISTRIBUTIONS)}
    return _sdk


_pruned: set[str] = set()


def pycache_root() -> str:
    """Where compiled SDK modules are kept for interpreters other than the kernel's (never in the kernel's venv).

    The first time a process uses it, compiled files of execution environments whose folder is gone (a kernel
    that was killed before it could retire them) are deleted."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    root = os.path.join(base, "labkit", "lambda-pycache")
    try:
        os.makedirs(root, exist_ok=True)
        if not os.access(root, os.W_OK):
            raise OSError(root)
    except OSError:
        root = os.path.join(tempfile.gettempdir(), f"labkit-lambda-pycache-{os.getuid()}")
        os.makedirs(root, exist_ok=True)
    if root not in _pruned:
        _pruned.add(root)
        pattern = root + os.path.join(os.path.abspath(tempfile.gettempdir()), "labkit-lambda-*")
        for orphan in glob.glob(pattern):
            if not os.path.isdir(orphan[len(root):]):
                shutil.rmtree(orphan, ignore_errors=True)
    return root


@dataclass
class Launch:
    """How to start a worker: ``argv`` up to (not including) the handler and protocol fd, ``env`` to add,
    the ``INIT_START`` log line, and ``scratch`` folders to delete when the environment is retired."""
    argv: list[str]
    env: dict[str, str]
    init_line: str
    scratch: tuple[str, ...]


def layer_paths(opt: str, runtime: str) -> list[str]:
    """The layer folders Python searches, in AWS's order ("Packaging your layer content")."""
    wanted = runtime_version(runtime)
    site = f"python{wanted[0]}.{wanted[1]}" if wanted else "python3"
    return [os.path.join(opt, "python", "lib", site, "site-packages"), os.path.join(opt, "python")]


def prepare(runtime: str, region: str, opt: str, code_dir: str, worker: str) -> Launch:
    """The sandboxed command for a worker of a ``runtime`` function whose layers are unpacked into ``opt``."""
    interpreter = interpreter_for(runtime)
    argv = [interpreter.executable, "-I", "-S", "-u"]
    scratch: tuple[str, ...] = ()
    if interpreter.is_kernel:
        argv.append("-B")  # read the venv's compiled files; write none
    else:  # compile the SDK once for this interpreter, in labkit's cache (the task's files: removed at retire)
        prefix = pycache_root()
        argv += ["-X", f"pycache_prefix={prefix}"]
        scratch = (prefix + os.path.abspath(code_dir),)
    argv.append(worker)
    env = {
        "LABKIT_LAYER_PATHS": os.pathsep.join(layer_paths(opt, runtime)),
        "LABKIT_RUNTIME_PATHS": RUNTIME_MODULES,
        "LABKIT_RUNTIME_SDK": json.dumps(sdk_locations()),
    }
    return Launch(argv, env, init_start_line(interpreter, region), scratch)


# --------------------------------------------------------------------------------------------------------------
# Runtimes CreateFunction refuses


def runtime_error_message(runtime: str) -> str:
    """AWS's message for a runtime it no longer supports (CreateFunction / UpdateFunctionConfiguration)."""
    return (f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda "
            f"functions. We recommend you use the new runtime ({NEWEST_PYTHON_RUNTIME}) while creating or "
            "updating functions.")


def stack_failure(logical_id: str, runtime: str) -> Exception:
    """The error that fails a stack's ``AWS::Lambda::Function`` resource with AWS's reason for ``runtime``.

    CloudFormation reports a resource handler's error as ``Resource handler returned message: "…"``; the stack
    rolls back (labkit/emulator/cloudformation.py handles the failure and the rollback)."""
    import uuid

    from moto.awslambda.exceptions import InvalidParameterValueException

    reason = (f'Resource handler returned message: "{runtime_error_message(runtime)} (Service: Lambda, Status Code: '
              f'400, Request ID: {uuid.uuid4()})" (RequestToken: {uuid.uuid4()}, HandlerErrorCode: InvalidRequest)')
    try:
        from .cloudformation import CustomResourceFailed
    except ImportError:  # no stack-failure support: at least the Lambda error
        return InvalidParameterValueException(runtime_error_message(runtime))
    return CustomResourceFailed(logical_id, "AWS::Lambda::Function", reason)


def check_runtime(runtime) -> None:
    """Raise moto's ``InvalidParameterValueException`` for a Python runtime Lambda no longer supports."""
    if runtime in BLOCKED_PYTHON_RUNTIMES:
        from moto.awslambda.exceptions import InvalidParameterValueException

        raise InvalidParameterValueException(runtime_error_message(runtime))


_installed = False


def install() -> None:
    """Refuse deprecated runtimes at CreateFunction and UpdateFunctionConfiguration (once per process)."""
    global _installed
    if _installed:
        return
    from moto.awslambda.models import LambdaBackend, LambdaFunction

    create_function = LambdaBackend.create_function
    update_function_configuration = LambdaBackend.update_function_configuration

    def create_function_checked(self, spec, *args, **kwargs):
        check_runtime(spec.get("Runtime"))
        return create_function(self, spec, *args, **kwargs)

    def update_function_configuration_checked(self, function_name, qualifier, body, *args, **kwargs):
        check_runtime(body.get("Runtime"))
        return update_function_configuration(self, function_name, qualifier, body, *args, **kwargs)

    LambdaBackend.create_function = create_function_checked
    LambdaBackend.update_function_configuration = update_function_configuration_checked

    from_template = LambdaFunction.create_from_cloudformation_json.__func__
    update_from_template = LambdaFunction.update_from_cloudformation_json.__func__

    def create_from_template(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        runtime = (cloudformation_json.get("Properties") or {}).get("Runtime")
        if runtime in BLOCKED_PYTHON_RUNTIMES:
            raise stack_failure(kwargs.get("LogicalId") or resource_name, runtime)
        return from_template(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    def update_from_template(cls, original_resource, new_resource_name, cloudformation_json, account_id,
                             region_name, *args, **kwargs):
        runtime = (cloudformation_json.get("Properties") or {}).get("Runtime")
        if runtime in BLOCKED_PYTHON_RUNTIMES:
            logical_id = getattr(original_resource, "logical_resource_id", None) or new_resource_name
            raise stack_failure(logical_id, runtime)
        return update_from_template(cls, original_resource, new_resource_name, cloudformation_json, account_id,
                                    region_name, *args, **kwargs)

    LambdaFunction.create_from_cloudformation_json = classmethod(create_from_template)
    LambdaFunction.update_from_cloudformation_json = classmethod(update_from_template)
    _installed = True
