"""Execution environments: warm worker processes per function version, reused like AWS reuses them."""
from __future__ import annotations

import hashlib
import io
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass
from typing import Callable

from .worker import UNESCAPED_RUNTIMES, exit_error

MAX_IDLE_PER_FUNCTION = 4
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bootstrap.py")
"""The script a worker process runs: it loads the runtime (worker.py) compiled, see bootstrap.py."""
INIT_TIMEOUT = 10.0  # AWS limits the init phase (importing the handler) to 10 s, apart from the function timeout
IDLE_SECONDS = 600
"""An environment unused this long is retired (its worker process ends), by a timer even if nothing is invoked
again: the next invocation of that function version is then a cold start. AWS keeps an environment "for some time
in anticipation of another function invocation" and does not say how long ("Understanding the Lambda execution
environment lifecycle"), so either outcome is one AWS can give; 10 minutes keeps a learner's next cell warm."""


REQUEST_ID = threading.local()
"""A caller may set ``REQUEST_ID.value`` on its thread: the next invocation runs with that request ID (Lambda's
async queue keeps one ID for all attempts of an event, labkit/emulator/lambda_/async_invoke.py)."""


def wait_or_kill(process: subprocess.Popen, timeout: float) -> None:
    """Wait up to ``timeout`` seconds for a worker that said it is exiting; then end its session at once.

    Workers start in a session of their own (``start_new_session``), so SIGKILL to the process group also ends
    what the handler started. Never raises ``TimeoutExpired`` into the invoke that is answering.
    """
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass
class FunctionSpec:
    """What an execution environment needs to know about a deployed function version."""

    name: str
    arn: str
    version: str
    handler: str
    runtime: str
    timeout: float
    memory_mb: int
    code: bytes
    layers: list[bytes]
    env: dict[str, str]
    log_group: str
    role: str

    def key(self) -> str:
        digest = hashlib.sha256(self.code)
        for layer in self.layers:
            digest.update(hashlib.sha256(layer).digest())
        digest.update(json.dumps([self.handler, self.env, self.timeout, self.memory_mb], sort_keys=True).encode())
        return f"{self.arn}:{self.version}:{digest.hexdigest()[:16]}"


@dataclass
class Result:
    """One invocation's outcome: the payload (or AWS-shaped error document) and the log lines."""

    payload: bytes
    function_error: bool
    log_lines: list[str]
    log_stream: str


@dataclass
class Environment:
    """A running worker process with the function's code unpacked."""

    spec: FunctionSpec
    code_dir: str
    log_stream: str
    process: subprocess.Popen
    replies: io.TextIOWrapper
    cold: bool = True
    last_used: float = 0.0
    init_line: str = ""  # the INIT_START log line of this environment's init phase
    init_logs: str = ""  # what the handler's module printed or logged while it was imported (the init phase)
    scratch: tuple = ()  # more folders to delete when it is retired

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.replies.close()
        for folder in (self.code_dir, *self.scratch):
            shutil.rmtree(folder, ignore_errors=True)


def unpack(blob: bytes, target: str) -> None:
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        archive.extractall(target)


def start_environment(spec: FunctionSpec, endpoint_url: str, credentials: dict[str, str]) -> Environment:
    """Unpack code and layers into a fresh folder and start a sandboxed worker there, with the role's credentials.

    Layers are extracted in order into one ``opt`` folder (a later layer's file replaces an earlier one's), as
    Lambda extracts them into ``/opt``; labkit/emulator/lambda_sandbox.py decides the interpreter and import path.
    """
    from ..emulator import lambda_sandbox
    from . import sandbox

    code_dir = tempfile.mkdtemp(prefix="labkit-lambda-")
    unpack(spec.code, os.path.join(code_dir, "task"))
    opt = os.path.join(code_dir, "opt")
    for layer in spec.layers:
        unpack(layer, opt)
    launch = lambda_sandbox.prepare(spec.runtime, spec.arn.split(":")[3], opt, code_dir, WORKER)
    now = time.gmtime()
    stream = f"{now.tm_year}/{now.tm_mon:02d}/{now.tm_mday:02d}/[{spec.version}]{uuid.uuid4().hex}"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        **spec.env,
        "AWS_ENDPOINT_URL": endpoint_url,
        **credentials,
        "AWS_REGION": spec.arn.split(":")[3],
        "AWS_DEFAULT_REGION": spec.arn.split(":")[3],
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": stream,
        "LAMBDA_TASK_ROOT": os.path.join(code_dir, "task"),
        "_HANDLER": spec.handler,
        "LABKIT_FUNCTION_ARN": spec.arn,
        **launch.env,
    }
    read_fd, write_fd = os.pipe()
    argv = [*launch.argv, spec.handler, str(write_fd)]
    if sandbox.ACTIVE is not None:  # workshop mode: a student's code runs sandboxed (labkit/lambda_runtime/sandbox.py)
        argv, env = sandbox.ACTIVE.wrap(argv, env, spec, code_dir)
    process = subprocess.Popen(  # the worker is a plain script: importing labkit there would slow every cold start
        argv, cwd=env["LAMBDA_TASK_ROOT"], env=env,
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, pass_fds=(write_fd,), text=True,
        start_new_session=True,  # a kernel interrupt (SIGINT to its group) must not kill warm environments
    )
    os.close(write_fd)
    return Environment(spec, code_dir, stream, process, os.fdopen(read_fd, "r"), init_line=launch.init_line,
                       scratch=launch.scratch)


def payload_of(reply: dict, runtime: str) -> bytes:
    """The Invoke ``Payload`` for a worker's ``reply`` (labkit/lambda_runtime/worker.py) on ``runtime``
    (``"python3.12"``): the result as the runtime marshalled it (the bytes a handler returned, as they are), or the
    error document as awslambdaric's bootstrap.handle_event_request posts it, ``to_json(make_error(...))``: JSON
    with non-ASCII characters written as they are on python3.12 and later, escaped before (see
    ``worker.UNESCAPED_RUNTIMES``)."""
    if "error" in reply:
        unescaped = f"AWS_Lambda_{runtime}" in UNESCAPED_RUNTIMES
        return json.dumps(reply["error"], ensure_ascii=not unescaped).encode()
    return reply["payload"].encode("latin-1" if reply.get("binary") else "utf-8")


def timeout_error(request_id: str, seconds: float) -> dict:
    return {"errorType": "Sandbox.Timedout",
            "errorMessage": f"RequestId: {request_id} Error: Task timed out after {seconds:.2f} seconds"}


class EnvironmentPool:
    """Idle environments by function version; a busy one is never shared (one invocation at a time)."""

    def __init__(self, endpoint_url: str, credentials: Callable[[FunctionSpec], dict[str, str]]):
        self.endpoint_url = endpoint_url
        self.credentials = credentials
        self._idle: dict[str, list[Environment]] = {}
        self._lock = threading.Lock()
        self._reaper: threading.Timer | None = None

    def invoke(self, spec: FunctionSpec, event: object) -> Result:
        environment = self._acquire(spec)
        request_id = getattr(REQUEST_ID, "value", None) or str(uuid.uuid4())
        reply = self._await_init(environment, request_id) if environment.cold else None
        began = time.time()
        reply = reply or self._exchange(environment, event, request_id, began + spec.timeout)
        if reply.get("exiting"):  # the worker ends (its init failed, or the sandbox stopped it): not reused
            wait_or_kill(environment.process, timeout=10)
        duration_ms = (time.time() - began) * 1000
        lines = [environment.init_line] if environment.cold and environment.init_line else []
        lines += environment.init_logs.splitlines() if environment.cold else []
        lines.append(f"START RequestId: {request_id} Version: {spec.version}")
        lines += reply.get("logs", "").splitlines()
        if reply.get("error", {}).get("errorType") == "Sandbox.Timedout":
            lines.append(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {reply['error']['errorMessage']}")
        lines.append(f"END RequestId: {request_id}")
        report = (f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
                  f"Billed Duration: {max(1, round(duration_ms + 0.5))} ms\tMemory Size: {spec.memory_mb} MB")
        if environment.cold and "init_ms" in reply:
            report += f"\tInit Duration: {reply['init_ms']:.2f} ms"
        lines.append(report)
        environment.cold = False
        self._release(environment)
        return Result(payload_of(reply, spec.runtime), "error" in reply, lines, environment.log_stream)

    def _await_init(self, environment: Environment, request_id: str) -> dict | None:
        """Wait for a new environment to import the handler; an error reply if it cannot within the init limit."""
        ready, _, _ = select.select([environment.replies], [], [], INIT_TIMEOUT)
        line = environment.replies.readline() if ready else ""
        if line:
            environment.init_logs = json.loads(line).get("logs", "")
            return None
        environment.process.kill()
        environment.process.wait()
        return {"error": {"errorType": "Runtime.InitError",
                          "errorMessage": f"RequestId: {request_id} Error: init did not finish in {INIT_TIMEOUT:.0f} s"}}

    def _exchange(self, environment: Environment, event: object, request_id: str, deadline: float) -> dict:
        try:
            environment.process.stdin.write(json.dumps(
                {"event": event, "request_id": request_id, "deadline": deadline}) + "\n")
            environment.process.stdin.flush()
        except BrokenPipeError:
            environment.process.kill()
        ready, _, _ = select.select([environment.replies], [], [], max(0.0, deadline - time.time()))
        line = environment.replies.readline() if ready else ""
        if line:
            return json.loads(line)
        if environment.process.poll() is None:  # still running: the deadline passed
            environment.process.kill()
            environment.process.wait()
            return {"error": timeout_error(request_id, environment.spec.timeout)}
        return {"error": exit_error(request_id, environment.process.returncode)}

    def _acquire(self, spec: FunctionSpec) -> Environment:
        key = spec.key()
        with self._lock:
            self._retire_stale(spec.arn, spec.version, key)
            self._retire_idle(time.time() - IDLE_SECONDS)
            idle = self._idle.get(key)
            if idle:
                return idle.pop()
        return start_environment(spec, self.endpoint_url, self.credentials(spec))

    def _release(self, environment: Environment) -> None:
        if environment.process.poll() is not None:  # timed out or crashed: never reused
            environment.close()
            return
        environment.last_used = time.time()
        with self._lock:
            idle = self._idle.setdefault(environment.spec.key(), [])
            if len(idle) < MAX_IDLE_PER_FUNCTION:
                idle.append(environment)
                self._schedule_reaper()
                return
        environment.close()

    def _schedule_reaper(self, delay: float | None = None) -> None:
        """Retire idle environments once they have been idle IDLE_SECONDS (called with the lock held)."""
        if self._reaper is not None:
            return
        self._reaper = threading.Timer(IDLE_SECONDS if delay is None else delay, self._reap)
        self._reaper.daemon = True
        self._reaper.name = "labkit-lambda-reaper"
        self._reaper.start()

    def _reap(self) -> None:
        with self._lock:
            self._reaper = None
            now = time.time()
            self._retire_idle(now - IDLE_SECONDS)
            remaining = [e.last_used for idle in self._idle.values() for e in idle]
            if remaining:  # the next one to reach its idle time
                self._schedule_reaper(max(0.05, min(remaining) + IDLE_SECONDS - now))

    def retire_function(self, region: str, account: str, name: str, version: str | None = None) -> int:
        """End the idle environments of a deleted function (every version, or only ``version``); returns how
        many. One busy with an invocation finishes it and is then retired by the idle timer."""
        retired = []
        with self._lock:
            for key, idle in list(self._idle.items()):
                for environment in list(idle):
                    parts = environment.spec.arn.split(":")
                    if parts[3:5] == [region, account] and parts[6] == name and (
                            version is None or environment.spec.version == version):
                        idle.remove(environment)
                        retired.append(environment)
                if not idle:
                    del self._idle[key]
        for environment in retired:
            environment.close()
        return len(retired)

    def retire_stale(self, spec: FunctionSpec) -> int:
        """End the idle environments of ``spec``'s function version that run other code or configuration than
        ``spec`` (after UpdateFunctionCode or UpdateFunctionConfiguration: Lambda runs the next invocation in a new
        environment, and the old ones are never used again); returns how many."""
        with self._lock:
            return self._retire_stale(spec.arn, spec.version, spec.key())

    def idle_count(self) -> int:
        """How many warm (idle) environments are alive."""
        with self._lock:
            return sum(len(idle) for idle in self._idle.values())

    def _retire_stale(self, arn: str, version: str, current_key: str) -> int:
        """Close idle environments of older code or configuration of the same function version (lock held)."""
        prefix, retired = f"{arn}:{version}:", 0
        for key in [k for k in self._idle if k.startswith(prefix) and k != current_key]:
            for environment in self._idle.pop(key):
                environment.close()
                retired += 1
        return retired

    def _retire_idle(self, unused_since: float) -> None:
        for key, idle in list(self._idle.items()):
            for environment in [e for e in idle if e.last_used < unused_since]:
                idle.remove(environment)
                environment.close()

    def close(self) -> None:
        with self._lock:
            environments = [e for idle in self._idle.values() for e in idle]
            self._idle.clear()
            if self._reaper is not None:
                self._reaper.cancel()
                self._reaper = None
        for environment in environments:
            environment.close()
