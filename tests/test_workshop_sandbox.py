"""Workshop mode sandboxes students' Lambda code (labkit/lambda_runtime/sandbox.py): on ``labkit serve --students
2`` a handler cannot read the server's files (its key file, its working folder, root-only files such as
/etc/shadow) nor another student's function code, cannot allocate more than its MemorySize, sees no other process
and reaches no address but the engine; a normal handler still works and calls back to the engine in its own account.

Each bad case is the error the learner sees: the invocation's function error (FileNotFoundError, MemoryError,
ConnectionRefusedError…). On a host that cannot sandbox (not Linux, not root) ``labkit serve`` says so in one line
and these tests skip with that line as the reason."""
from __future__ import annotations

import glob
import json
import os
import pathlib
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest
from _ports import free_port

from labkit import zip_code
from labkit.engines.shared import SharedEngine, labkit_health

ROOT = pathlib.Path(__file__).resolve().parent.parent

PROBE = '''
import glob, json, os, socket, time


def handler(event, context):
    action = event["action"]
    if action == "read":
        with open(event["path"]) as f:
            return f.read(200)
    if action == "allocate":  # and keep it a second, as a handler working on a large object does
        block = bytearray(event["mb"] * 1024 * 1024)
        time.sleep(1)
        return len(block)
    if action == "threads":  # as s3transfer does: ten threads, each with some memory of its own
        import concurrent.futures, threading
        __import__("boto3").client("s3")  # a handler's usual first line
        together = threading.Barrier(10)  # all ten threads alive at once

        def work(i):
            block = bytearray(3 * 1024 * 1024)
            together.wait(timeout=10)
            return len(block)
        with concurrent.futures.ThreadPoolExecutor(10) as pool:
            return sum(pool.map(work, range(20)))
    if action == "many threads":  # all alive at once; AWS allows 1,024 processes and threads (Lambda quotas)
        import threading
        together = threading.Barrier(event["count"] + 1)
        threads = [threading.Thread(target=together.wait, args=(20,)) for _ in range(event["count"])]
        for thread in threads:
            thread.start()
        together.wait(timeout=20)
        return len(threads)
    if action == "connect":
        socket.create_connection(("127.0.0.1", event["port"]), timeout=2).close()
        return "connected"
    if action == "look":
        caps = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff:")][0]
        return {"uid": os.getuid(), "caps": int(caps, 16), "pids": sorted(p for p in os.listdir("/proc") if p.isdigit()),
                "code": glob.glob("/tmp/labkit-lambda-*/task/*.py"), "task": os.environ["LAMBDA_TASK_ROOT"], "home": sorted(os.listdir("/root")) if os.path.isdir("/root") else [],
                "buckets": sorted(b["Name"] for b in __import__("boto3").client("s3").list_buckets()["Buckets"]),
                "runtime_compiled": os.path.isfile(__import__("importlib.util").util.cache_from_source(os.path.join(
                    os.path.dirname(__import__("sys").modules["__main__"].__file__), "worker.py")))}
'''


@pytest.fixture(scope="module", params=["per-account users", "user namespace"])
def workshop(request, tmp_path_factory):
    """``labkit serve --students 2``; as root it sandboxes with a user per account, and (forced here with
    LABKIT_SANDBOX_USERNS=1) as a server not run as root would: in a user namespace, without privileges."""
    keys_path = tmp_path_factory.mktemp("keys") / "keys.json"
    port = free_port()
    env = {**os.environ, "LABKIT_SANDBOX_USERNS": "1" if request.param == "user namespace" else "0"}
    process = subprocess.Popen([sys.executable, "-m", "labkit", "serve", "--port", str(port), "--students", "2",
                                "--keys", str(keys_path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    deadline = time.time() + 90
    while not any(line.startswith("Student Lambda code:") for line in lines):
        assert process.poll() is None and time.time() < deadline, "".join(lines)
        time.sleep(0.2)
    assert labkit_health(url) is not None
    isolation = next(line for line in lines if line.startswith("Student Lambda code:")).strip()
    if "NOT sandboxed" in isolation:
        process.terminate()
        process.wait(timeout=30)
        host_limit = "not root" in isolation or "needs Linux" in isolation
        if host_limit:  # this host cannot: the server said so (a sandbox that fails on a capable host is a bug)
            pytest.skip(isolation)
        pytest.fail(isolation)
    keys = [k for k in json.loads(keys_path.read_text()) if k["student"].startswith("student")]
    yield url, keys, keys_path, isolation
    process.terminate()
    process.wait(timeout=30)


def engine_of(url: str, key: dict) -> SharedEngine:
    return SharedEngine("us-east-1", url, None, credentials={
        "aws_access_key_id": key["access_key_id"], "aws_secret_access_key": key["secret_access_key"]})


def deploy(engine: SharedEngine, name: str, code: str = PROBE, memory: int = 128) -> None:
    role = engine.client("iam").create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    engine.client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role, Timeout=20,
                                            Handler="app.handler", MemorySize=memory,
                                            Code={"ZipFile": zip_code({"app.py": code})})


def invoke(engine: SharedEngine, name: str, event: dict) -> tuple[str | None, object]:
    """(function error or None, payload) of a synchronous invocation."""
    answer = engine.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event).encode())
    return answer.get("FunctionError"), json.loads(answer["Payload"].read())


@pytest.fixture(scope="module")
def student(workshop):
    url, (one, _), _, _ = workshop
    engine = engine_of(url, one)
    engine.client("s3").create_bucket(Bucket="sandbox-one-bucket")
    deploy(engine, "probe")
    return engine


def test_serve_says_what_is_isolated(workshop):
    isolation = workshop[3]
    assert isolation.startswith("Student Lambda code: sandboxed (")
    assert "no server files" in isolation and "only the engine reachable" in isolation
    assert "(one user per student account," in isolation or "in a user namespace, without privileges," in isolation


def test_a_normal_handler_works_and_sees_only_its_own_world(workshop, student):
    error, seen = invoke(student, "probe", {"action": "look"})
    assert error is None, seen
    assert seen["buckets"] == ["sandbox-one-bucket"]  # called back to the engine, in its own account
    assert seen["caps"] == 0  # no privilege at all
    assert seen["uid"] != 0 or "user namespace" in workshop[3]  # there, the server's user is uid 0, powerless
    # of the server's home, at most the Python that runs it (pyenv) and that Python's compiled SDK (labkit's cache)
    assert set(seen["home"]) <= {".pyenv", ".cache"}, seen["home"]
    assert len(seen["pids"]) <= 3, seen["pids"]  # itself and the engine relay: no other process
    assert seen["code"] == [f"{seen['task']}/app.py"], seen  # its own code only, not the other functions' code
    assert seen["runtime_compiled"]  # bootstrap.py loads the runtime compiled (a sandbox cannot write it)


@pytest.mark.parametrize("what", ["key file", "working folder", "/etc/shadow"])
def test_a_handler_cannot_read_the_servers_files(workshop, student, what):
    keys_path = workshop[2]
    path = {"key file": str(keys_path), "working folder": str(ROOT / "pyproject.toml"),
            "/etc/shadow": "/etc/shadow"}[what]
    assert pathlib.Path(path).read_text()  # the server (root) can read it
    error, body = invoke(student, "probe", {"action": "read", "path": path})
    assert error == "Unhandled", body
    assert body["errorType"] in ("FileNotFoundError", "PermissionError"), body
    assert "secret_access_key" not in json.dumps(body)


def _text_if_still_there(path):
    """The file's text, or "" when it went between glob and read: other pytest workers' Lambda environments on this
    machine come and go under /tmp at the same time (a clean-clone CI run failed on exactly that)."""
    try:
        return pathlib.Path(path).read_text()
    except FileNotFoundError:
        return ""


def test_a_handler_cannot_read_another_students_function_code(workshop, student):
    url, (_, two), _, _ = workshop
    other = engine_of(url, two)
    marker = f"other-student-{uuid.uuid4().hex}"
    deploy(other, "theirs", code=f"SECRET = {marker!r}\n\ndef handler(event, context):\n    return SECRET\n")
    assert invoke(other, "theirs", {}) == (None, marker)  # warm: their code is unpacked on the server now
    found = [p for p in glob.glob("/tmp/labkit-lambda-*/task/app.py") if marker in _text_if_still_there(p)]
    assert found, "the other student's code folder was not found on the server"
    error, body = invoke(student, "probe", {"action": "read", "path": found[0]})
    assert error == "Unhandled" and body["errorType"] in ("FileNotFoundError", "PermissionError"), body
    assert marker not in json.dumps(body)


def test_memory_beyond_the_functions_memory_size_fails(workshop, student):
    error, body = invoke(student, "probe", {"action": "allocate", "mb": 200})  # MemorySize 128
    assert error == "Unhandled" and body["errorType"] == "Runtime.ExitError", body
    assert "passed its MemorySize (128 MB)" in body["errorMessage"], body
    # what fits in 128 MB on AWS fits here too: ten threads, although each reserves far more than it uses
    assert invoke(student, "probe", {"action": "threads"}) == (None, 20 * 3 * 1024 * 1024)
    # and a hundred threads (each reserves an 8 MB stack, but the resident memory is what is limited)
    assert invoke(student, "probe", {"action": "many threads", "count": 100}) == (None, 100)
    deploy(student, "probe-512", memory=512)
    assert invoke(student, "probe-512", {"action": "allocate", "mb": 200}) == (None, 200 * 1024 * 1024)


def test_only_the_engine_is_reachable(student):
    with socket.socket() as listener:  # a service on the server's loopback, as a database or Jupyter would be
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        error, body = invoke(student, "probe", {"action": "connect", "port": listener.getsockname()[1]})
    assert error == "Unhandled" and body["errorType"] == "ConnectionRefusedError", body


def test_a_host_that_cannot_sandbox_says_so_and_runs_unsandboxed(monkeypatch):
    """Not root and no user namespace allowed: enable() sandboxes nothing and its line says why and what to do."""
    from labkit.lambda_runtime import sandbox

    if not sys.platform.startswith("linux"):
        pytest.skip("the not-root case is Linux's")
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 4242)
    monkeypatch.setattr(sandbox, "probe", lambda *_: "unshare: Operation not permitted (errno EPERM)")
    line = sandbox.enable("http://127.0.0.1:1")
    assert line.startswith("Student Lambda code: NOT sandboxed on this host: labkit serve runs as uid 4242, not root")
    assert "no user namespace was allowed (unshare: Operation not permitted" in line and "per-student servers" in line
    assert sandbox.ACTIVE is None
