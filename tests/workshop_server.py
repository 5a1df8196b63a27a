"""One workshop-mode ``python -m labkit serve`` for the workshop tests and bench/workshop_load.py.

:class:`WorkshopServer` starts the server on a free port with ``--students N`` (keys issued to a temporary file),
or in open mode (``students=None``: no keys, the account from each request's header), waits for its health route,
and stops it. Its output goes to a log file, never to a pipe nobody reads (a full pipe
would block the server's next print). Clients made through :meth:`WorkshopServer.engine` have short timeouts and no
retries (:data:`CLIENT_CONFIG`): a server that stops answering fails the call in 30 s with botocore's
"Read timeout on endpoint URL" instead of 3 attempts of 60 s. When the server stops answering, :meth:`check` sends it
SIGABRT (Python's faulthandler is on: every thread's stack goes to the log) and raises with the log's tail.

For every lab's solved pass (tests/labnb.py), in a student's account: :func:`student_environment` (what the
student's kernel has: ``LABKIT_ENGINE=auto``, ``AWS_ENDPOINT_URL``, ``LABKIT_ACCESS_KEY_ID``/``LABKIT_SECRET_ACCESS_KEY``),
:data:`TO_STUDENT` (the kernel's switch to it), :func:`leftovers` (what the account still holds) and :func:`dashboard`
(what the instructor sees of the student).
"""
from __future__ import annotations

import json
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # bench/workshop_load.py imports this module by path
    sys.path.insert(0, str(ROOT))

from labkit.engines.shared import SharedEngine, labkit_health  # noqa: E402

if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))
from _ports import free_port  # noqa: E402
from engine_matrix import FORGET_LABKIT  # noqa: E402

if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))
from benchmark import tree_rss_mb  # noqa: E402

READ_TIMEOUT = 30  # seconds; the slowest call the tests make (a Lambda invoke on a busy machine) takes ~5 s
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=READ_TIMEOUT, retries={"max_attempts": 1, "mode": "standard"})


class StudentEngine(SharedEngine):
    """A SharedEngine whose clients use :data:`CLIENT_CONFIG` over the engine's own config (so a student's S3 client
    still presigns with SigV4, as labkit's does), and a config the caller gives over both."""

    def client_config(self, service: str):
        return super().client_config(service).merge(CLIENT_CONFIG)

    def client(self, service: str, **kwargs):
        if "config" in kwargs:
            kwargs["config"] = self.client_config(service).merge(kwargs["config"])
        return super().client(service, **kwargs)


def stop_process(process: subprocess.Popen, grace: float = 30) -> None:
    """End a server process the tests started: SIGTERM, then SIGKILL if it still runs after ``grace`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class WorkshopServer:
    """``python -m labkit serve --students N`` on a free port, as a context manager.

    Attributes once started: ``url``, ``keys_path``, ``keys`` (every entry of the key file, dicts),
    ``students`` (the students' entries, in order), ``instructor`` (the instructor's entry), ``process``.
    ``students=None``: open mode (``python -m labkit serve`` without keys): ``keys`` and ``students`` are empty,
    ``instructor`` is None.
    Raises RuntimeError with the server's output when it exits or does not answer within ``start_timeout``.
    """

    def __init__(self, students: int | None = 2, start_timeout: float = 120.0):
        self.count, self.start_timeout = students, start_timeout
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "WorkshopServer":
        self._folder = tempfile.TemporaryDirectory(prefix="labkit-workshop-")
        folder = pathlib.Path(self._folder.name)
        self.keys_path, self.log_path = folder / "keys.json", folder / "serve.log"
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        keyed = [] if self.count is None else ["--students", str(self.count), "--keys", str(self.keys_path)]
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-X", "faulthandler", "-m", "labkit", "serve", "--port", str(port), *keyed],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.start_timeout
        while labkit_health(self.url) is None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError(f"labkit serve did not start within {self.start_timeout:.0f} s: {self.log()}")
            time.sleep(0.2)
        self.keys = [] if self.count is None else json.loads(self.keys_path.read_text())
        self.students = [k for k in self.keys if k["student"].startswith("student")]
        self.instructor = next((k for k in self.keys if k["student"] == "instructor"), None)
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            stop_process(self.process)
        self._folder.cleanup()

    def log(self, tail: int = 6000) -> str:
        """The last ``tail`` characters of the server's output."""
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return "(no log)"

    def engine(self, key: dict | None, account_id: str | None = None) -> StudentEngine:
        """A client factory acting with ``key`` (an entry of the key file; None in open mode); ``account_id`` adds
        the account header."""
        return StudentEngine("us-east-1", self.url, account_id, credentials=None if key is None else {
            "aws_access_key_id": key["access_key_id"], "aws_secret_access_key": key["secret_access_key"]})

    def check(self) -> None:
        """Raise AssertionError (with every server thread's stack) when a call (signed with the instructor's key,
        or in open mode with none) is not answered in time."""
        from botocore.exceptions import BotoCoreError

        try:
            self.engine(self.instructor).client("sts").get_caller_identity()
        except BotoCoreError as error:
            self.process.send_signal(signal.SIGABRT)  # faulthandler: every thread's stack to the log
            self.process.wait(timeout=30)
            raise AssertionError(f"the workshop server stopped answering ({error}); its threads:\n"
                                 f"{self.log(20000)}") from None

    def rss_mb(self) -> float:
        """Resident memory (MB) of the server process and all its descendants (Lambda workers are started by the
        server's request threads, so every thread's children count: bench/benchmark.py's ``tree_rss_mb``)."""
        return tree_rss_mb(self.process.pid)


def student_environment(server: WorkshopServer, key: dict, account_id: str | None = None) -> dict:
    """The environment variables a student's kernel has on ``server`` (labkit ``auto`` engine, solutions on)."""
    env = {"LABKIT_ENGINE": "auto", "LABKIT_RUN_SOLUTIONS": "1", "AWS_ENDPOINT_URL": server.url,
           "LABKIT_ACCESS_KEY_ID": key["access_key_id"], "LABKIT_SECRET_ACCESS_KEY": key["secret_access_key"]}
    if account_id is not None:
        env["LABKIT_ACCOUNT_ID"] = account_id
    return env


# Run in a lab's kernel (tests/labnb.py, before the solved pass) to make it a student's kernel: the student's
# variables set, and labkit's per-process state forgotten as in a fresh kernel: its engine (the embedded one of the
# learner's pass, stopped: it gives back the environment's AWS variables and its in-process dispatch), cleanup's
# baseline, the notices shown (each shows once per kernel) and the open figures. The namespace is kept.
TO_STUDENT = """import os as _os
from labkit import engines as _engines
_previous = _engines.use(None)
if _previous is not None:
    _previous.stop()
_os.environ.pop("LABKIT_ACCOUNT_ID", None)
_os.environ.update({env!r})
del _engines, _previous
""" + FORGET_LABKIT


def leftovers(engine: StudentEngine) -> dict[str, set[str]]:
    """Every kind labkit inventories that holds something in ``engine``'s account (a refused listing raises)."""
    from labkit import inventory

    return {kind: ids for kind, ids in inventory.take(engine, inventory.kinds_for(), strict=True).items() if ids}


def dashboard(server: WorkshopServer, student: str) -> list[tuple[str, bool]]:
    """(check, passed) of every verdict the instructor's dashboard holds for ``student`` (the key file's name of
    the student), read with the instructor's key as workshop/instructor.ipynb does."""
    from unittest import mock

    from labkit import progress

    key = {"LABKIT_ACCESS_KEY_ID": server.instructor["access_key_id"],
           "LABKIT_SECRET_ACCESS_KEY": server.instructor["secret_access_key"]}
    with mock.patch.dict("os.environ", key):
        rows = progress.class_progress(server.engine(server.instructor))
    return [(r["check"], r["passed"]) for r in rows if r["student"] == student]
