"""Lambda functions run in the kernel's own process, for the browser engine (Pyodide has no subprocesses).

On the embedded engine each execution environment is a worker process (:mod:`labkit.lambda_runtime.environments`).
In the browser there is one process, so :class:`InProcessPool` (same interface as ``EnvironmentPool``) keeps, per
function version and code, an *environment* made of:

- the code and layers unpacked into a fresh folder of Pyodide's in-memory file system;
- a **fresh module namespace**: the handler's module and every module it imports from its package, layers or the
  runtime's modules are loaded anew for that environment and kept apart from ``sys.modules`` between invocations
  (a second function's ``app.py`` is another ``app``); they are put back while that environment runs;
- the same import rules as the worker (``labkit/emulator/lambda_sandbox.py``): the package, the layers, the
  runtime's modules, the standard library and the AWS SDK; anything else (pandas, moto, labkit…) fails with
  ``Runtime.ImportModuleError`` as on AWS, even though the notebook has it loaded;
- during an invocation, the function's environment variables, its role's credentials and ``AWS_ENDPOINT_URL``
  (the engine's in-process address), put back afterwards.

Errors are the worker's (``labkit/lambda_runtime/worker.py``: ``load_handler``, ``invoke``), so they are shaped as on
AWS. A **timeout cannot preempt** a handler here: one that runs past its ``Timeout`` finishes, then the invocation
is reported as AWS reports a timeout (``Sandbox.Timedout``) and the environment is retired; its side effects (a
put item, a sent message) happened, where AWS would have stopped it. The engine shows a notice when that happens.
"""
from __future__ import annotations

import builtins
import contextlib
import importlib.machinery
import os
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field

from ..lambda_runtime import worker
from ..lambda_runtime.environments import REQUEST_ID, FunctionSpec, Result, payload_of, timeout_error, unpack
from .lambda_sandbox import RUNTIME_MODULES, SDK_MODULES, layer_paths
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="lambda-browser-timeout",
        service="lambda",
        aws="A function that runs past its Timeout is stopped (Sandbox.Timedout); what it had not done yet is never "
            "done.",
        engine="In the browser (Pyodide: one process, no threads) a handler cannot be stopped: it runs to its end, "
               "then the invocation is reported as timed out (Sandbox.Timedout) and a notice says so; what it did "
               "after the deadline still happened.",
        doc="Configure Lambda function timeout",
    ),
    Difference(
        id="lambda-browser-same-process",
        service="lambda",
        aws="Each execution environment is its own micro-VM; a handler cannot see the notebook.",
        engine="In the browser handlers run in the notebook's Python process: each function version gets its own "
               "module namespace and AWS's import rules, but not a separate process or memory limit.",
        doc="Understanding the Lambda execution environment lifecycle",
    ),
]

INHERITED = ("PATH", "HOME", "LANG", "TZ")
timed_out: list[str] = []  # request ids of invocations reported as timed out after running past the deadline


@dataclass
class InProcessEnvironment:
    spec: FunctionSpec
    folder: str
    paths: list[str]  # task root, layers, runtime modules: what a handler may import besides the stdlib and SDK
    log_stream: str
    modules: dict = field(default_factory=dict)  # the environment's own modules, out of sys.modules between uses
    handler: object = None
    load_error: dict | None = None
    init_ms: float = 0.0
    init_logs: str = ""
    cold: bool = True
    sandbox: "_Sandbox" = None

    def __post_init__(self):
        self.sandbox = _Sandbox(self.paths)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class _SandboxLoader(importlib.machinery.SourceFileLoader):
    """Loads a module of the function's own folders with the import rules of AWS's Python runtime."""

    rules: "_Sandbox"

    def exec_module(self, module) -> None:
        module.__builtins__ = self.rules.builtins
        super().exec_module(module)
        self.rules.loaded.add(module.__name__)


class _Sandbox:
    """A meta path finder, first while an environment runs. Modules of the function's folders (package, layers,
    runtime modules) load with builtins whose ``__import__`` allows only those folders, the standard library and the
    AWS SDK; anything else the notebook has (pandas, moto, labkit…) fails with ``ModuleNotFoundError`` there, as
    on AWS. Everything outside the function (the engine answering its SDK calls) imports as usual."""

    def __init__(self, paths: list[str]):
        self.paths = paths
        self.loaded: set[str] = set()
        self.builtins = dict(vars(builtins))
        self.builtins["__import__"] = self._import

    def find_spec(self, fullname, path=None, target=None):
        if path is not None and not _owned(path, self.paths):
            return None
        found = importlib.machinery.PathFinder.find_spec(fullname, path if path is not None else self.paths)
        if found is None or type(found.loader) is not importlib.machinery.SourceFileLoader:
            return found
        loader = _SandboxLoader(found.loader.name, found.loader.path)
        loader.rules = self
        found.loader = loader
        return found

    def _import(self, name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0:
            top = name.split(".")[0]
            allowed = (top in sys.stdlib_module_names or top in SDK_MODULES or top in sys.builtin_module_names
                       or top in self.loaded
                       or importlib.machinery.PathFinder.find_spec(top, self.paths) is not None)
            if not allowed:
                raise ModuleNotFoundError(f"No module named '{top}'", name=top)
        return builtins.__import__(name, globals, locals, fromlist, level)


def _owned(path, folders) -> bool:
    return any(str(entry).startswith(tuple(folders)) for entry in path)


class InProcessPool:
    """``EnvironmentPool``'s interface, with environments in this process (see the module docstring)."""

    def __init__(self, endpoint_url: str, credentials):
        self.endpoint_url = endpoint_url
        self.credentials = credentials
        self._idle: dict[str, InProcessEnvironment] = {}

    def invoke(self, spec: FunctionSpec, event: object) -> Result:
        environment = self._acquire(spec)
        request_id = getattr(REQUEST_ID, "value", None) or str(uuid.uuid4())
        began = time.time()
        with self._inside(environment):
            reply = worker.invoke(environment.handler, environment.load_error,
                                  {"event": event, "request_id": request_id, "deadline": began + spec.timeout},
                                  environment.init_ms)
        duration = time.time() - began
        retire = environment.load_error is not None or reply.get("exiting", False)  # the runtime ended, as on AWS
        if duration > spec.timeout:
            reply = {"error": timeout_error(request_id, spec.timeout), "logs": reply.get("logs", "")}
            timed_out.append(request_id)
            retire = True
            from .notices import notice

            notice("lambda-browser-timeout")
        lines = [f"INIT_START Runtime Version: {spec.runtime}.labkit-browser (the notebook's Python, in-process)"] \
            if environment.cold else []
        lines += environment.init_logs.splitlines() if environment.cold else []
        lines.append(f"START RequestId: {request_id} Version: {spec.version}")
        lines += reply.get("logs", "").splitlines()
        if reply.get("error", {}).get("errorType") == "Sandbox.Timedout":
            lines.append(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {reply['error']['errorMessage']}")
        lines.append(f"END RequestId: {request_id}")
        report = (f"REPORT RequestId: {request_id}\tDuration: {duration * 1000:.2f} ms\t"
                  f"Billed Duration: {max(1, round(duration * 1000 + 0.5))} ms\tMemory Size: {spec.memory_mb} MB")
        if environment.cold:
            report += f"\tInit Duration: {environment.init_ms:.2f} ms"
        lines.append(report)
        environment.cold = False
        if retire:
            self._idle.pop(spec.key(), None)
            environment.close()
        return Result(payload_of(reply, spec.runtime), "error" in reply, lines, environment.log_stream)

    def close(self) -> None:
        """Retire every environment (the engine stopped, or functions now call back to another address)."""
        environments, self._idle = list(self._idle.values()), {}
        for environment in environments:
            environment.close()

    def _acquire(self, spec: FunctionSpec) -> InProcessEnvironment:
        key = spec.key()
        prefix = f"{spec.arn}:{spec.version}:"
        for stale in [k for k in self._idle if k.startswith(prefix) and k != key]:
            self._idle.pop(stale).close()
        if key not in self._idle:
            self._idle[key] = self._start(spec)
        return self._idle[key]

    def _start(self, spec: FunctionSpec) -> InProcessEnvironment:
        folder = tempfile.mkdtemp(prefix="labkit-lambda-")
        task, opt = os.path.join(folder, "task"), os.path.join(folder, "opt")
        unpack(spec.code, task)
        for layer in spec.layers:
            unpack(layer, opt)
        now = time.gmtime()
        stream = f"{now.tm_year}/{now.tm_mon:02d}/{now.tm_mday:02d}/[{spec.version}]{uuid.uuid4().hex}"
        paths = [task, *layer_paths(opt, spec.runtime), RUNTIME_MODULES]
        environment = InProcessEnvironment(spec, folder, paths, stream)
        began = time.perf_counter()
        init_logs = worker.Log()
        with self._inside(environment), contextlib.redirect_stdout(init_logs), contextlib.redirect_stderr(init_logs):
            environment.handler, environment.load_error = worker.load_handler(spec.handler)
        environment.init_ms = (time.perf_counter() - began) * 1000
        environment.init_logs = init_logs.getvalue()
        return environment

    @contextlib.contextmanager
    def _inside(self, environment: InProcessEnvironment):
        """The environment's modules, import rules, variables and working folder, for the duration of the block."""
        spec = environment.spec
        region = spec.arn.split(":")[3]
        variables = {name: os.environ[name] for name in INHERITED if name in os.environ}
        variables.update(spec.env)
        variables.update({
            "AWS_ENDPOINT_URL": self.endpoint_url, **self.credentials(spec), "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region, "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name, "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb), "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": environment.log_stream, "LAMBDA_TASK_ROOT": environment.paths[0],
            "_HANDLER": spec.handler, "LABKIT_FUNCTION_ARN": spec.arn,
        })
        saved_environ = dict(os.environ)
        saved_cwd = os.getcwd()
        shadowed = {name: sys.modules.pop(name) for name in environment.modules if name in sys.modules}
        sys.modules.update(environment.modules)
        sandbox = environment.sandbox
        sys.meta_path.insert(0, sandbox)
        os.environ.clear()
        os.environ.update(variables)
        os.chdir(environment.paths[0])
        try:
            yield
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_environ)
            sys.meta_path.remove(sandbox)
            for name in sandbox.loaded | set(environment.modules):
                module = sys.modules.pop(name, None)
                if module is not None:
                    environment.modules[name] = module
            sys.modules.update(shadowed)
