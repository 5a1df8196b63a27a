"""Run the open-source LocalStack core on this host, without Docker (used by tests/test_localstack.py).

``localstack-core==2026.3.0`` is the last open-source core. It needs Python >= 3.13 (it imports
``warnings.deprecated``) and these pins to start; it gets its own virtual environment in ``.localstack/``.
The pytest-xdist workers of one test run share one LocalStack (:func:`shared`; tests/test_localstack.py gives each
worker its own account in it): the first worker needing it starts it under a file lock, so LocalStack's start and
its loading of each service on first use (17 s for API Gateway, 10 s for DynamoDB's failed Java download offline)
are paid once per run instead of once per worker. The virtual environment is made under a file lock too, and each
LocalStack writes its own log (``.localstack/localstack-<worker>.log``).
"""
from __future__ import annotations

import contextlib
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no file lock (run the LocalStack tests with -n 0 there)
    fcntl = None

from _ports import free_port  # noqa: E402 - the tests folder is on sys.path (pytest, bench, engine_matrix, a script)

ROOT = pathlib.Path(__file__).resolve().parent.parent
HOME = ROOT / ".localstack"
RUN_ROOTS: dict[int, pathlib.Path] = {}  # each running LocalStack's state folder, removed when it stops
PACKAGES = ["localstack-core[runtime]==2026.3.0", "cbor2==5.6.5", "pyOpenSSL==24.3.0", "cryptography==44.0.3",
            "service-identity"]


def find_python() -> str | None:
    """A Python >= 3.13: LABKIT_LOCALSTACK_PYTHON, python3.13+ on PATH, or one of pyenv's."""
    candidates = [os.environ.get("LABKIT_LOCALSTACK_PYTHON"), shutil.which("python3.14"), shutil.which("python3.13")]
    candidates += sorted(str(p) for p in pathlib.Path.home().glob(".pyenv/versions/3.1[3-9]*/bin/python"))
    for candidate in filter(None, candidates):
        version = subprocess.run([candidate, "-c", "import sys; print(sys.version_info >= (3, 13))"],
                                 capture_output=True, text=True)
        if version.stdout.strip() == "True":
            return candidate
    return None


@contextlib.contextmanager
def locked(path: pathlib.Path):
    """Hold an exclusive lock on the file ``path`` (created if missing) inside the ``with``: processes (pytest-xdist
    workers) take turns. Without ``fcntl`` (Windows) nothing is locked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_venv(python: str) -> pathlib.Path:
    """The LocalStack virtual environment, created and installed once (from the package registry).

    Made with uv (pinned in requirements.txt: seconds where pip took over half a minute in a fresh clone), or with
    venv and pip where uv is not installed; under a file lock, so two pytest-xdist workers starting LocalStack at
    once in a fresh clone make it once. Raises subprocess.CalledProcessError when either fails."""
    with locked(HOME / "venv.lock"):
        return _ensure_venv(python)


def _ensure_venv(python: str) -> pathlib.Path:
    venv = HOME / "venv"
    marker = venv / "installed.json"
    if marker.exists() and json.loads(marker.read_text()) == PACKAGES:
        return venv / "bin" / "python"
    try:
        from uv import find_uv_bin
    except ImportError:
        subprocess.run([python, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run([venv / "bin" / "pip", "install", "-q", *PACKAGES], check=True)
    else:
        uv = find_uv_bin()
        subprocess.run([uv, "venv", "-q", "--clear", "--seed", "--python", python, str(venv)], check=True)
        subprocess.run([uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), *PACKAGES], check=True)
    marker.write_text(json.dumps(PACKAGES))
    return venv / "bin" / "python"


def log_path() -> pathlib.Path:
    """This process's LocalStack log: one per pytest-xdist worker (``localstack-gw0.log``), else ``localstack.log``."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return HOME / (f"localstack-{worker}.log" if worker else "localstack.log")


def start(python: pathlib.Path, settings: dict | None = None) -> tuple[subprocess.Popen, str, float]:
    """Start LocalStack on a free loopback port; returns the process, its URL and the seconds it took.

    ``settings``: LocalStack configuration variables (``{"KINESIS_LATENCY": "0"}``) over this module's own.
    Raises RuntimeError (naming its log) when it does not answer its health route within 120 s."""
    port = free_port()
    log = log_path()
    root = HOME / f"run-{port}"
    env = {**os.environ, "GATEWAY_LISTEN": f"127.0.0.1:{port}", "OVERRIDE_IN_DOCKER": "0",
           "FILESYSTEM_ROOT": str(root), "DNS_ADDRESS": "0", "SQS_ENDPOINT_STRATEGY": "path",
           "LOCALSTACK_HOST": f"127.0.0.1:{port}", "SKIP_SSL_CERT_DOWNLOAD": "1", "DISABLE_EVENTS": "1", **(settings or {})}
    began = time.perf_counter()
    process = subprocess.Popen([python, "-m", "localstack.runtime.main"], env=env, cwd=HOME, start_new_session=True,
                               stdout=log.open("w"), stderr=subprocess.STDOUT)  # its own group: stop() ends its helpers
    RUN_ROOTS[process.pid] = root
    url = f"http://127.0.0.1:{port}"
    while time.perf_counter() - began < 120:
        try:
            with urllib.request.urlopen(url + "/_localstack/health", timeout=1):
                return process, url, time.perf_counter() - began
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"LocalStack did not start; see {log}")


def shared_state(run: str) -> pathlib.Path:
    """The file naming the LocalStack the workers of test run ``run`` share: its pid, URL, start seconds, state
    folder and users (``{worker: pid}``)."""
    return HOME / f"shared-{run}.json"


def _running(pid: int | None) -> bool:
    """Whether ``pid`` is a running LocalStack (where /proc shows it: its command line names LocalStack's main)."""
    if pid is None or not _signal(pid, 0):
        return False
    try:
        return b"localstack.runtime.main" in pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not pathlib.Path("/proc/self").exists()  # no /proc (macOS): the signal above is all we know


def _signal(pid: int, signum: int) -> bool:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        return False
    return True


@contextlib.contextmanager
def shared(python: pathlib.Path, settings: dict | None = None):
    """Inside the ``with``: (URL, seconds it took to start) of the LocalStack this pytest-xdist run's workers share,
    started with ``settings`` (as :func:`start`; every worker of a run passes the same).

    The first worker to enter starts it (under a file lock: the other waits, then joins it); the last one to leave
    kills it (SIGKILL to its process group: its state is thrown away, and its own shutdown took 19 s on a loaded
    machine); a worker entering after that starts another. A LocalStack an interrupted run left running (none of
    its workers left) is killed first; another run's, still in use, is left alone. Outside pytest-xdist (no ``PYTEST_XDIST_TESTRUNUID``) the LocalStack is this process's own, stopped by
    :func:`stop`. Raises RuntimeError as :func:`start` does."""
    run, worker = os.environ.get("PYTEST_XDIST_TESTRUNUID"), os.environ.get("PYTEST_XDIST_WORKER")
    if run is None or worker is None:
        process, url, seconds = start(python, settings)
        try:
            yield url, seconds
        finally:
            stop(process)
        return
    process, path = None, shared_state(run)
    with locked(HOME / "shared.lock"):
        for other in HOME.glob("shared-*.json"):  # an interrupted run's, if none of its workers is left
            state = json.loads(other.read_text())
            if other != path and not any(_signal(pid, 0) for pid in state["users"].values()):
                _kill(state)
                other.unlink()
        state = json.loads(path.read_text()) if path.exists() else {}
        if not _running(state.get("pid")):
            process, url, seconds = start(python, settings)
            state = {"pid": process.pid, "url": url, "seconds": seconds, "root": str(RUN_ROOTS.pop(process.pid)),
                     "users": {}}
        state["users"][worker] = os.getpid()
        path.write_text(json.dumps(state))
    try:
        yield state["url"], state["seconds"]
    finally:
        with locked(HOME / "shared.lock"):
            state = json.loads(path.read_text())
            state["users"] = {w: pid for w, pid in state["users"].items() if w != worker and _signal(pid, 0)}
            path.write_text(json.dumps(state))
            if not state["users"]:
                _kill(state)
                path.unlink()
                if process is not None:
                    process.wait()  # reaped: this worker started it


def _kill(state: dict) -> None:
    """SIGKILL the process group of the shared LocalStack ``state`` names, if it runs; remove its state folder."""
    if _running(state.get("pid")):
        os.killpg(state["pid"], signal.SIGKILL)
    if state.get("root"):
        shutil.rmtree(state["root"], ignore_errors=True)


GRACE = 5.0  # seconds a LocalStack gets to stop after SIGTERM before its process group is killed


def stop(process: subprocess.Popen, grace: float = GRACE) -> None:
    """Stop a LocalStack from start() and remove its state folder: SIGTERM, then, if it still runs after ``grace``
    seconds, SIGKILL to its process group (start() made it a group leader), so the helpers it started (kinesis-mock's
    Node process) go with it. Its own shutdown took 19 s on a loaded 2-core machine, at the end of each pytest-xdist
    worker's run, and its state is thrown away anyway."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the leader is not reaped yet, so its pid is still the group's
        except (AttributeError, ProcessLookupError, PermissionError):  # no process groups (Windows), or gone
            process.kill()
        process.wait()
    root = RUN_ROOTS.pop(process.pid, None)
    if root:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":  # python tests/localstack.py: start LocalStack and keep it running
    interpreter = find_python()
    if interpreter is None:
        sys.exit("no Python >= 3.13 found (set LABKIT_LOCALSTACK_PYTHON)")
    HOME.mkdir(exist_ok=True)
    proc, address, seconds = start(ensure_venv(interpreter))
    print(f"LocalStack at {address} (started in {seconds:.1f} s); Ctrl-C stops it")
    # `kill <pid>` stops it as Ctrl-C does: LocalStack runs in its own session, so it would outlive this process
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        proc.wait()
    except KeyboardInterrupt:
        stop(proc)
