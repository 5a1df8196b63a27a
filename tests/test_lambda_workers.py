"""Warm execution environments (worker processes) end when they are no longer needed: after IDLE_SECONDS unused
(by a timer, with no further invocation), and when their function or version is deleted (a lab's Cleanup)."""
from __future__ import annotations

import base64
import json
import time

import pytest

import labkit

HANDLER = "def handler(event, context):\n    return {'version': context.function_version}\n"


def create(name: str, publish: bool = False) -> str:
    labkit.client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
        Code={"ZipFile": labkit.zip_code({"app.py": HANDLER})}, Publish=publish)
    return name


def invoke(name: str, **kwargs) -> tuple[dict, str]:
    response = labkit.client("lambda").invoke(FunctionName=name, Payload=b"{}", LogType="Tail", **kwargs)
    return json.loads(response["Payload"].read()), base64.b64decode(response["LogResult"]).decode()


def workers(name: str) -> list:
    """The warm environments of function ``name`` (idle in the pool)."""
    from labkit.emulator.lambda_ import invoke_hook

    pool = invoke_hook._pool
    with pool._lock:
        return [e for idle in pool._idle.values() for e in idle if e.spec.name == name]


def ended(environments, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if all(e.process.poll() is not None for e in environments):
            return True
        time.sleep(0.05)
    return False


def test_an_idle_environment_ends_by_itself_and_the_next_invoke_is_cold(engine, monkeypatch):
    from labkit.lambda_runtime import environments

    name = create(labkit.name("idle"))
    try:
        monkeypatch.setattr(environments, "IDLE_SECONDS", 0.5)
        _, first_log = invoke(name)
        warm = workers(name)
        assert len(warm) == 1 and warm[0].process.poll() is None
        assert "Init Duration" in first_log  # a cold start
        assert ended(warm)  # no invocation since: the timer retired it
        assert workers(name) == []
        _, log = invoke(name)
        assert "Init Duration" in log  # a new environment: a cold start, as AWS after it recycled one
    finally:
        labkit.client("lambda").delete_function(FunctionName=name)


def test_a_busy_pool_keeps_its_environment_warm(engine, monkeypatch):
    from labkit.lambda_runtime import environments

    name = create(labkit.name("warm"))
    try:
        monkeypatch.setattr(environments, "IDLE_SECONDS", 1.5)
        invoke(name)
        for _ in range(4):  # used every 0.5 s: never idle for 1.5 s
            time.sleep(0.5)
            _, log = invoke(name)
            assert "Init Duration" not in log
    finally:
        labkit.client("lambda").delete_function(FunctionName=name)


def test_deleting_a_function_ends_its_environments_and_no_other(engine):
    gone, kept = create(labkit.name("gone")), create(labkit.name("kept"))
    try:
        invoke(gone), invoke(kept)
        doomed, others = workers(gone), workers(kept)
        assert doomed and others
        labkit.client("lambda").delete_function(FunctionName=gone)
        assert ended(doomed, within=1.0)
        assert workers(gone) == []
        assert all(e.process.poll() is None for e in others)
    finally:
        labkit.client("lambda").delete_function(FunctionName=kept)
    assert ended(others, within=1.0)


def test_deleting_a_version_ends_only_that_version(engine):
    lam = labkit.client("lambda")
    name = create(labkit.name("versions"), publish=True)
    try:
        assert invoke(name, Qualifier="1")[0] == {"version": "1"}
        assert invoke(name)[0] == {"version": "$LATEST"}
        by_version = {e.spec.version: e for e in workers(name)}
        assert set(by_version) == {"1", "$LATEST"}
        lam.delete_function(FunctionName=name, Qualifier="1")
        assert ended([by_version["1"]], within=1.0)
        assert by_version["$LATEST"].process.poll() is None
    finally:
        lam.delete_function(FunctionName=name)


def test_cleanup_of_a_lab_leaves_no_worker(engine):
    """labkit.cleanup() deletes the lab's functions: their worker processes end with them."""
    labkit.require("lambda")  # what exists now is the lab's baseline
    name = create(labkit.name("cleanup"))
    invoke(name)
    warm = workers(name)
    assert warm
    labkit.cleanup()
    assert ended(warm, within=2.0)


@pytest.fixture(autouse=True)
def _no_leftover_timer():
    yield
    from labkit.emulator.lambda_ import invoke_hook

    if invoke_hook._pool is not None:
        invoke_hook._pool._reap()  # with the real IDLE_SECONDS again: nothing young is retired


def test_a_worker_that_said_it_is_exiting_but_lingers_is_ended_with_its_session():
    """labkit/lambda_runtime/environments.py wait_or_kill: no TimeoutExpired reaches the invoke; the worker and what it
    started are gone."""
    import os
    import signal
    import subprocess
    import sys

    from labkit.lambda_runtime.environments import wait_or_kill

    worker = subprocess.Popen([sys.executable, "-c", "import signal, subprocess, sys, time; "
                               "signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                               "print(subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']).pid, "
                               "flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    child = int(worker.stdout.readline())
    wait_or_kill(worker, timeout=0.5)
    assert worker.returncode == -signal.SIGKILL
    for _ in range(50):  # the handler's own child, in the same session, ends too
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the worker's child outlived it")


COMPILED = ("import importlib.util, os, sys\n"
            "def handler(event, context):\n"
            "    with open(importlib.util.cache_from_source(__file__), 'rb') as compiled:\n"
            "        flags = int.from_bytes(compiled.read(8)[4:8], 'little')\n"
            "    return {'prefix': bool(sys.pycache_prefix), 'flags': flags,\n"
            "            'task_root': sorted(os.listdir(os.environ['LAMBDA_TASK_ROOT']))}\n")


def test_the_functions_files_are_compiled_ahead_by_a_child_and_loaded_compiled(engine):
    """worker.precompile: before Init imports the handler, a forked child compiles the function's files into the
    interpreter's pycache prefix, hash-checked (PEP 552 flags 3: the import system writes timestamp-checked files,
    flags 0, when it compiles a module itself); nothing is written into the task root."""
    name = labkit.name("compiled")
    lam = labkit.client("lambda")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": COMPILED})})
    try:
        answer, _ = invoke(name)
        assert answer == {"prefix": True, "flags": 3, "task_root": ["app.py"]}
    finally:
        lam.delete_function(FunctionName=name)


PLANT = ("import importlib.util, marshal, os, sys\n"
         "source, sys.pycache_prefix = sys.argv[1:]\n"
         "with open(source) as text:\n"
         "    code = compile(text.read() + '\\nos.environ[\"RUNTIME_LOADED_FROM\"] = \"compiled file\"\\n', source, 'exec')\n"
         "stat = os.stat(source)\n"
         "target = importlib.util.cache_from_source(source)\n"
         "os.makedirs(os.path.dirname(target), exist_ok=True)\n"
         "with open(target, 'wb') as compiled:  # a timestamp-checked file (PEP 552 flags 0) up to date with the source\n"
         "    compiled.write(importlib.util.MAGIC_NUMBER + bytes(4) + int(stat.st_mtime).to_bytes(4, 'little')\n"
         "                   + (stat.st_size & 0xFFFFFFFF).to_bytes(4, 'little') + marshal.dumps(code))\n")


def test_the_runtime_runs_from_its_compiled_file(engine, monkeypatch, tmp_path):
    """bootstrap.py: a worker loads the runtime (worker.py) from its compiled file in the interpreter's pycache
    prefix, as an import does, instead of compiling it from source as Python does with the script it runs (the
    compiler's memory stayed in every warm environment). A compiled file planted in a private prefix, with a mark
    the source lacks, is the one that runs."""
    import subprocess

    from labkit.emulator import lambda_sandbox
    from labkit.lambda_runtime import worker

    interpreter = lambda_sandbox.interpreter_for("python3.12")
    if interpreter.is_kernel:
        pytest.skip("needs a Python 3.12 that is not the kernel's (the kernel's Python reads labkit's __pycache__)")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # labkit's pycache prefix, this test's own
    subprocess.run([interpreter.executable, "-I", "-S", "-c", PLANT, worker.__file__, lambda_sandbox.pycache_root()],
                   check=True)
    name = labkit.name("runtime-compiled")
    lam = labkit.client("lambda")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": (
                            "import os\n"
                            "def handler(event, context):\n"
                            "    return os.environ.get('RUNTIME_LOADED_FROM', 'source')\n")})})
    try:
        assert invoke(name)[0] == "compiled file"
    finally:
        lam.delete_function(FunctionName=name)
