"""One Lambda execution environment: a process that imports the handler once and serves invocations.

Protocol: once the handler is imported the worker writes {"ready": true}; then the parent writes one JSON line
per invocation on stdin ({"event", "request_id", "deadline"});
the worker answers one JSON line on the file descriptor the parent gave it ({"payload"} or {"error"},
and "logs", everything the handler printed or logged). Stdout and stderr of the handler never reach the
protocol channel. Runs as ``python worker.py HANDLER PROTOCOL_FD`` (a plain script: it imports nothing of labkit).
"""
from __future__ import annotations

import contextlib
import importlib
import io
import json
import logging
import os
import sys
import time
import traceback


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


def error_body(exc: BaseException, error_type: str | None = None) -> dict:
    """The error document AWS returns for an unhandled exception."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # from the handler down, as on AWS
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_list(frames),
    }


def load_handler(spec: str):
    """Import ``module.function``; failures are reported like the AWS runtime reports them."""
    module_name, _, func_name = spec.rpartition(".")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except Exception as exc:  # noqa: BLE001 - any import failure is the function's error
        return None, {"errorMessage": f"Unable to import module '{module_name}': {exc}",
                      "errorType": "Runtime.ImportModuleError", "stackTrace": []}
    handler = getattr(module, func_name, None)
    if handler is None:
        return None, {"errorMessage": f"Handler '{func_name}' missing on module '{module_name}'",
                      "errorType": "Runtime.HandlerNotFound", "stackTrace": []}
    return handler, None


def configure_logging(stream: io.StringIO) -> logging.Handler:
    """Route the logging module to the invocation's log buffer, as the Lambda runtime does."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s\t%(message)s"))
    logging.getLogger().addHandler(handler)  # level stays WARNING unless the handler sets it, as on AWS
    return handler


def invoke(handler, load_error, request: dict, init_ms: float) -> dict:
    """Run one invocation and return the reply document."""
    logs = io.StringIO()
    if load_error:
        logs.write(f"[ERROR] {load_error['errorType']}: {load_error['errorMessage']}\n")
        return {"error": load_error, "logs": logs.getvalue(), "init_ms": init_ms}
    log_handler = configure_logging(logs)
    context = Context(request["request_id"], request["deadline"])
    try:
        with contextlib.redirect_stdout(logs), contextlib.redirect_stderr(logs):
            result = handler(request["event"], context)
        reply = {"payload": json.dumps(result)}
    except Exception as exc:  # noqa: BLE001 - the handler's exception is the function's error
        body = error_body(exc)
        logs.write(f"[ERROR] {body['errorType']}: {body['errorMessage']}\n")
        logs.write("Traceback (most recent call last):\n" + "".join(body["stackTrace"]))
        reply = {"error": body}
    finally:
        logging.getLogger().removeHandler(log_handler)
    reply["logs"] = logs.getvalue()
    reply["init_ms"] = init_ms
    return reply


def main() -> None:
    handler_spec, protocol_fd = sys.argv[1], int(sys.argv[2])
    protocol = os.fdopen(protocol_fd, "w", buffering=1)
    sys.path[0] = os.getcwd()  # the task root, not this script's folder
    for layer_dir in filter(None, os.environ.get("LABKIT_LAYER_PATHS", "").split(os.pathsep)):
        sys.path.append(layer_dir)
    began = time.perf_counter()
    handler, load_error = load_handler(handler_spec)
    init_ms = (time.perf_counter() - began) * 1000
    protocol.write(json.dumps({"ready": True}) + "\n")  # the init phase is over; invocations may come
    for line in sys.stdin:  # ends when the engine closes the pipe (or exits): the environment is retired
        reply = invoke(handler, load_error, json.loads(line), init_ms)
        protocol.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
