"""One Lambda execution environment: a process that imports the handler once and serves invocations.

Protocol: once the handler is imported the worker writes {"ready": true}; then the parent writes one JSON line
per invocation on stdin ({"event", "request_id", "deadline"});
the worker answers one JSON line on the file descriptor the parent gave it ({"payload"}, with "binary" when it
stands for bytes the handler returned, see :func:`carried`; or {"error"}, with "exiting" when the environment ends
after it; and "logs", everything the handler printed or logged). Stdout and stderr of the handler never reach the
protocol channel. Runs as ``python -I -S bootstrap.py HANDLER PROTOCOL_FD``, which loads this module from its
compiled file when there is one and calls :func:`main` (it imports nothing of labkit, and runs on Python 3.9 and
later). It starts with only what the protocol needs: ``logging`` is set up when
the handler's code imports it (:class:`LoggingImported`), ``traceback`` is read when a handler fails, ``contextlib``
not at all (:class:`Output`); a warm environment of a trivial handler holds 10.9 MB, not 11.8 (Python 3.11; a bare
interpreter is 8.4). A handler that cannot be loaded (an init error) gets its error answered to the invocation that
waited for it, and then the worker exits, as AWS's Python runtime does (awslambdaric's ``bootstrap.run`` posts the
init error and calls ``sys.exit(1)``): the next invocation starts a new environment and runs Init again, and no
process stays up holding only an error (the lambda lab's unpackaged function: one 11.6 MB worker fewer). The sandbox (labkit/emulator/lambda_sandbox.py) gives it, in environment
variables it removes before the handler loads, the folders a handler may import from; see :func:`sandbox_path`.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import io
import json
import os
import sys
import time


class Context:
    """The subset of the AWS Lambda context object that handler code uses."""

    def __init__(self, request_id: str, deadline: float):
        env = os.environ
        self.function_name = env["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = env["AWS_LAMBDA_FUNCTION_VERSION"]
        self.invoked_function_arn = env["LABKIT_FUNCTION_ARN"]
        self.memory_limit_in_mb = env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.log_group_name = env["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = env["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.aws_request_id = request_id
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def error_body(exc: BaseException, error_type: str | None = None, request_id: str = "") -> dict:
    """The error document AWS returns for an unhandled exception (``requestId`` empty for an init error)."""
    import traceback  # only when a handler fails: the worker does not hold it otherwise

    frames = traceback.extract_tb(exc.__traceback__)[1:]  # from the handler down, as on AWS
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


class RuntimeIncluded:
    """Meta path finder for what the Lambda runtime includes besides the standard library: the AWS SDK.

    It answers only for the top-level names it was given (``boto3``, ``botocore``…), each from the folder where the
    notebook has it, after the task root and the layers (a package in the zip or a layer takes precedence, as on
    AWS); nothing else of that folder becomes importable.
    """

    def __init__(self, modules: dict, distributions: list):
        self.modules = modules
        self.distributions = distributions

    def find_spec(self, fullname, path=None, target=None):
        where = self.modules.get(fullname)
        if where is None or path is not None:
            return None
        return importlib.machinery.PathFinder.find_spec(fullname, [where])

    def find_distributions(self, context=None):
        """The SDK's package metadata, so ``importlib.metadata.version("boto3")`` answers as on AWS."""
        from importlib.metadata import DistributionFinder, MetadataPathFinder

        wanted = getattr(context, "name", None)
        names = [n for n in self.distributions
                 if wanted is None or n.replace("-", "_").lower() == wanted.replace("-", "_").lower()]
        folders = sorted(set(self.modules.values()))
        for name in names:
            yield from MetadataPathFinder.find_distributions(DistributionFinder.Context(name=name, path=folders))


def sandbox_path() -> list:
    """Make ``sys.path`` what AWS's Python runtime searches: the task root, the layers, the runtime's modules, the
    standard library; and the AWS SDK through :class:`RuntimeIncluded`. Nothing of the notebook's packages.
    Returns the function's own folders (the task root, then the layers' folders)."""
    env = os.environ
    layers = [p for p in env.pop("LABKIT_LAYER_PATHS", "").split(os.pathsep) if p]
    runtime = [p for p in env.pop("LABKIT_RUNTIME_PATHS", "").split(os.pathsep) if p]
    sdk = json.loads(env.pop("LABKIT_RUNTIME_SDK", "") or "{}")
    here = os.path.dirname(os.path.abspath(__file__))
    standard = [p for p in sys.path if p and os.path.abspath(p) != here]  # python -I -S: the standard library
    sys.path[:] = [os.getcwd(), *layers, *runtime, *standard]
    if sdk.get("modules"):
        sys.meta_path.append(RuntimeIncluded(sdk["modules"], sdk.get("distributions", [])))
    return [os.getcwd(), *layers]


COMPILE_LIMIT = 2_000_000
"""Bytes of the function's own Python source :func:`precompile` compiles at most (a bigger package compiles as its
modules are imported, as before)."""


def precompile(folders: list) -> None:
    """Compile the function's own ``.py`` files (``folders``: the task root and the layers) in a forked child process
    that then ends, before the handler is imported: the compiler's memory of the cold start is the child's, and the
    worker loads compiled files (measured: the lambda lab's jmespath environment 13.6 -> 12.6 MB, +35 ms of Init).

    Only when the interpreter has a ``pycache_prefix`` (a runtime whose Python is not the kernel's,
    labkit/emulator/lambda_sandbox.py: the compiled files go to labkit's cache, nothing is written into the
    function's folders) and ``os.fork`` exists; nothing above :data:`COMPILE_LIMIT`. The files are hash-checked
    (PEP 552): a source file changed after this is compiled again when imported. Any failure leaves the import to
    compile, as before."""
    if not sys.pycache_prefix or not hasattr(os, "fork"):
        return
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)
        return
    try:  # the child: it only compiles, and ends without running anything of the worker's
        sources = [os.path.join(where, name) for folder in folders if os.path.isdir(folder)
                   for where, _, names in os.walk(folder) for name in names if name.endswith(".py")]
        if sum(os.path.getsize(path) for path in sources) <= COMPILE_LIMIT:
            import py_compile

            for path in sorted(set(sources)):
                try:
                    py_compile.compile(path, doraise=True,
                                       invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
                except Exception:  # noqa: BLE001 - a file that does not compile fails on import, as on AWS
                    pass
    finally:
        os._exit(0)


UNESCAPED_RUNTIMES = frozenset(f"AWS_Lambda_python3.{minor}" for minor in (12, 13, 14, 15))
"""The ``AWS_EXECUTION_ENV`` values for which AWS's Python runtime writes non-ASCII characters as they are (UTF-8 in
the payload) instead of ``\\uXXXX`` escapes: awslambdaric lambda_runtime_marshaller.Encoder.__init__,
``ensure_ascii=False`` for these and the simplejson default, ASCII, for python3.9-3.11."""


def ensure_ascii() -> bool:
    """Whether this runtime escapes non-ASCII characters in the JSON it answers (see :data:`UNESCAPED_RUNTIMES`); read
    from ``AWS_EXECUTION_ENV`` (``AWS_Lambda_python3.12``), which the engine sets as Lambda does."""
    return os.environ.get("AWS_EXECUTION_ENV") not in UNESCAPED_RUNTIMES


CONTAINERS = (dict, list, tuple)
"""What json writes as an object or an array without asking its ``default``."""

SCALARS = frozenset({str, int, float, bool, type(None)})
"""The types json and simplejson write alike, with nothing inside."""


def written_alike(value) -> bool:
    """Whether json writes ``value`` as simplejson does as far as :func:`simplejson_containers` is concerned: only
    plain dicts, lists and tuples inside (no subclass, which may have ``_asdict``), no ``bytes`` key. Costs about half
    of json's own encoding (a 0.8 MB result of 10,000 dicts: 18 ms to encode, +9 to 15 ms for this). Raises
    ``RecursionError`` for a container that holds itself."""
    kind = type(value)
    if kind is dict:
        if bytes in map(type, value):
            return False
        items = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return not isinstance(value, CONTAINERS)
    for item in items:
        if type(item) not in SCALARS and not written_alike(item):
            return False
    return True


def simplejson_containers(value, seen: set):
    """``value`` with what simplejson, the encoder of AWS's Python runtime, writes differently from the json module
    made into what json writes the same way: an object with an ``_asdict()`` method (a namedtuple) is a JSON object,
    not an array (simplejson's ``namedtuple_as_object``, on by default), and a ``bytes`` dict key is its UTF-8 text.
    Only the dicts, lists and tuples that change are copied; a container met again on its own path is left for json
    to refuse ("Circular reference detected"). Raises ``TypeError`` for an ``_asdict()`` that returns no dict and
    ``UnicodeDecodeError`` for a key that is not UTF-8, as simplejson does."""
    if id(value) in seen:
        return value
    seen.add(id(value))
    try:
        record = as_dict(value)
        if record is not None and record is not value:
            return simplejson_containers(record, seen) if isinstance(record, CONTAINERS) else record
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        copy, changed = [], False
        for key, item in pairs:
            new_key = key.decode("utf-8") if isinstance(key, bytes) else key
            new_item = simplejson_containers(item, seen) if isinstance(item, CONTAINERS) else item
            changed = changed or new_key is not key or new_item is not item
            copy.append((new_key, new_item))
        if not changed:
            return value
        return dict(copy) if isinstance(value, dict) else [item for _, item in copy]
    finally:
        seen.discard(id(value))


def as_dict(value):
    """``value._asdict()`` when ``value`` has such a method, as simplejson calls it (a ``TypeError`` from the call
    means none); None otherwise. Raises ``TypeError`` when it returns anything but a dict."""
    method = getattr(value, "_asdict", None)
    if not callable(method):
        return None
    try:
        record = method()
    except TypeError:
        return None
    if not isinstance(record, dict):
        raise TypeError(f"_asdict() must return a dict, not {type(record).__name__}")
    return record


def marshal(result, ascii_only: bool = True):
    """The handler's result as the body AWS's Python runtime posts for it (awslambdaric lambda_runtime_marshaller
    LambdaMarshaller.marshal_response and Encoder, simplejson): ``bytes`` as they are (its content type is
    application/unknown; returned as ``bytes``); anything else as JSON text (``str``), non-ASCII characters escaped
    only when ``ascii_only`` (:func:`ensure_ascii`). Like simplejson: a ``decimal.Decimal`` is a JSON number written as
    ``str(value)``, ``NaN`` for a NaN one (what DynamoDB items hold); ``bytes`` inside the result are their UTF-8 text;
    a namedtuple is an object (:func:`simplejson_containers`); a float NaN or infinity is ``NaN``/``Infinity``.

    Raises ``TypeError``, ``ValueError`` or ``UnicodeDecodeError`` for what JSON cannot hold, with simplejson's
    message (the json module's is the same), which AWS reports as Runtime.MarshalError."""
    if isinstance(result, bytes):
        return result
    numbers: list = []

    def other_value(value):  # json calls this for what it does not know; simplejson's answers for each
        if isinstance(value, bytes):
            return value.decode("utf-8")
        record = as_dict(value)
        if record is not None:
            return simplejson_containers(record, set())
        decimal = sys.modules.get("decimal")  # only a handler that made a Decimal has it imported
        if decimal is None or not isinstance(value, decimal.Decimal):
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
        numbers.append("NaN" if value.is_nan() else str(value))
        return f"\0labkit-decimal-{len(numbers) - 1}\0"  # a JSON string for now, replaced by the number below

    try:
        alike = written_alike(result)
    except RecursionError:  # a container that holds itself: the copy stops there, and json refuses it
        alike = False
    plain = result if alike else simplejson_containers(result, set())
    text = json.dumps(plain, default=other_value, ensure_ascii=ascii_only)
    for index, number in enumerate(numbers):
        text = text.replace(f'"\\u0000labkit-decimal-{index}\\u0000"', number, 1)
    return text


def fault(error_type: str, message: str, trace=None, request_id: str = "") -> dict:
    """An error of the runtime itself as the AWS Lambda Python runtime reports it (``requestId`` empty for an init
    error: no invocation yet)."""
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": trace or []}


def load_handler(spec: str):
    """Import ``module.function``; failures are reported as the AWS runtime interface client reports them."""
    try:
        module_name, func_name = spec.rsplit(".", 1)
    except ValueError as exc:
        return None, fault("Runtime.MalformedHandlerName", f"Bad handler '{spec}': {exc}")
    if module_name.split(".")[0] in sys.builtin_module_names:
        return None, fault("Runtime.BuiltInModuleConflict",
                           f"Cannot use built-in module {module_name} as a handler module")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        return None, fault("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}")
    except SyntaxError as exc:
        return None, fault("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}",
                           [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}'])
    except Exception as exc:  # noqa: BLE001 - an exception in the module's init code is the function's error
        return None, error_body(exc)
    handler = getattr(module, func_name, None)
    if handler is None:
        return None, fault("Runtime.HandlerNotFound", f"Handler '{func_name}' missing on module '{module_name}'")
    return handler, None


class Log(io.StringIO):
    """What the handler prints or logs during one phase. It takes only text UTF-8 can hold, as the runtime's standard
    output does on AWS ("Defined runtime environment variables": LANG is en_US.UTF-8, so Python's stdout encodes
    UTF-8 with the 'strict' error handler): printing a lone surrogate raises UnicodeEncodeError in the handler, the
    function's error, as there. Raises ``UnicodeEncodeError``."""

    def write(self, text: str) -> int:
        if not text.isascii():
            text.encode("utf-8")
        return super().write(text)


class Output:
    """Context manager: ``sys.stdout`` and ``sys.stderr`` write to ``stream`` inside it (what contextlib's
    redirect_stdout and redirect_stderr do together, without importing contextlib)."""

    def __init__(self, stream):
        self.stream = stream
        self.saved = []

    def __enter__(self):
        self.saved.append((sys.stdout, sys.stderr))
        sys.stdout = sys.stderr = self.stream
        return self.stream

    def __exit__(self, *exc_info) -> None:
        sys.stdout, sys.stderr = self.saved.pop()


class Invocation:
    """The invocation in progress: its log buffer, and the handler that routes ``logging`` to it (once imported)."""

    current: "Invocation | None" = None

    def __init__(self, logs: Log):
        self.logs = logs
        self.log_handler = None

    def route_logging(self, logging) -> None:
        """Route the logging module to this invocation's log buffer, as the Lambda runtime does."""
        handler = logging.StreamHandler(self.logs)
        handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s\t%(message)s"))
        logging.getLogger().addHandler(handler)  # level stays WARNING unless the handler sets it, as on AWS
        self.log_handler = handler

    def __enter__(self) -> "Invocation":
        Invocation.current = self
        if "logging" in sys.modules:
            self.route_logging(sys.modules["logging"])
        return self

    def __exit__(self, *exc_info) -> None:
        Invocation.current = None
        if self.log_handler is not None:
            sys.modules["logging"].getLogger().removeHandler(self.log_handler)


class LoggingImported:
    """Meta path finder (first in ``sys.meta_path``) that notices the handler's code importing ``logging``.

    The module is found and run by the finders after it, unchanged (a ``logging`` in the task root still takes
    precedence); once it has run, the invocation in progress, if any, routes it to its log buffer, so a handler that
    imports logging inside its function logs in the runtime's format from that first invocation on.
    """

    def __init__(self):
        self.finding = False

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "logging" or self.finding:
            return None
        self.finding = True
        try:
            spec = next((s for s in (f.find_spec(fullname, path, target) for f in sys.meta_path if f is not self
                                     and hasattr(f, "find_spec")) if s is not None), None)
        finally:
            self.finding = False
        if spec is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = ThenRoute(spec.loader)
        return spec


class ThenRoute:
    """A module loader that, after the module runs, routes it to the invocation in progress (see above)."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        module.__loader__ = module.__spec__.loader = self.loader  # the module sees its own loader, as usual
        self.loader.exec_module(module)
        if Invocation.current is not None and Invocation.current.log_handler is None:
            Invocation.current.route_logging(module)


def exit_error(request_id: str, status: int) -> dict:
    """The error document Lambda answers when the runtime process ends during an invocation (Runtime.ExitError)."""
    return {"errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status {status}"}


def runtime_exit(text: str, request_id: str, logs) -> dict | None:
    """None when ``text`` can be written as UTF-8. Otherwise (a lone surrogate) the reply of a runtime that ended over
    it, as AWS's ends: awslambdaric encodes the error's log line (bootstrap.log_error, FramedTelemetryLogSink.log:
    ``msg.encode("utf8")``) and the result's body (LambdaRuntimeClient.post_invocation_result:
    ``str.encode("utf-8")``) outside any handler of errors, so the exception leaves bootstrap.run and the process exits
    with status 1: Runtime.ExitError, and the next invocation gets a new environment."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        logs.write(f"UnicodeEncodeError: {exc}\n")
        return {"error": exit_error(request_id, 1), "exiting": True}
    return None


def carried(payload, request_id: str, logs) -> dict:
    """The reply's fields for a marshalled result (:func:`marshal`): ``payload`` text, and ``binary`` when it stands
    for the bytes a handler returned (one character per byte, latin-1); or the runtime's end (:func:`runtime_exit`)
    for text UTF-8 cannot hold, which only python3.12 and later write unescaped."""
    if isinstance(payload, bytes):
        return {"payload": payload.decode("latin-1"), "binary": True}
    return runtime_exit(payload, request_id, logs) or {"payload": payload}


def invoke(handler, load_error, request: dict, init_ms: float) -> dict:
    """Run one invocation and return the reply document."""
    logs = Log()
    if load_error:  # the environment ends after this answer (see main): AWS's runtime exits after an init error
        logs.write(f"[ERROR] {load_error['errorType']}: {load_error['errorMessage']}\n")
        return {"error": load_error, "logs": logs.getvalue(), "init_ms": init_ms, "exiting": True}
    context = Context(request["request_id"], request["deadline"])
    ascii_only = ensure_ascii()  # before the handler runs: AWS's runtime builds its encoder at start
    reply: dict = {}
    try:
        with Invocation(logs), Output(logs):
            result = handler(request["event"], context)
    except Exception as exc:  # noqa: BLE001 - the handler's exception is the function's error
        reply["error"] = error_body(exc, request_id=request["request_id"])
    else:
        try:
            payload = marshal(result, ascii_only)
        except Exception as exc:  # noqa: BLE001 - not JSON (a set, a datetime): a fault of the runtime, as on AWS
            reply["error"] = fault("Runtime.MarshalError", f"Unable to marshal response: {exc}",
                                   request_id=request["request_id"])
        else:
            reply.update(carried(payload, request["request_id"], logs))
    if "error" in reply and not reply.get("exiting"):  # logged as AWS's runtime logs it (no stack trace for a fault)
        body = reply["error"]
        line = (f"[ERROR] {body['errorType']}: {body['errorMessage']}\n"
                "Traceback (most recent call last):\n" + "".join(body["stackTrace"]))
        ended = runtime_exit(line, request["request_id"], logs)
        if ended:
            reply = ended
        else:
            logs.write(line)
    reply["logs"] = logs.getvalue()
    reply["init_ms"] = init_ms
    return reply


def main() -> None:
    """Serve invocations (``sys.argv``: the handler, the protocol file descriptor) until stdin closes."""
    handler_spec, protocol_fd = sys.argv[1], int(sys.argv[2])
    protocol = os.fdopen(protocol_fd, "w", buffering=1)
    sys.meta_path.insert(0, LoggingImported())
    own = sandbox_path()  # the task root, the layers, the runtime's modules and the standard library; not this folder
    began = time.perf_counter()
    precompile(own)  # part of Init, as compiling on import is
    init_logs = Log()  # what the module prints or logs at import goes to the log, before START, as on AWS
    with Output(init_logs):
        handler, load_error = load_handler(handler_spec)
    init_ms = (time.perf_counter() - began) * 1000
    protocol.write(json.dumps({"ready": True, "logs": init_logs.getvalue()}) + "\n")  # init is over
    for line in sys.stdin:  # ends when the engine closes the pipe (or exits): the environment is retired
        reply = invoke(handler, load_error, json.loads(line), init_ms)
        protocol.write(json.dumps(reply) + "\n")
        if reply.get("exiting"):  # init failed, or the runtime ended: answer the invocation, then end, as on AWS
            return
