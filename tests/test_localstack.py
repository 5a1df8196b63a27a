"""Every lab on the open-source LocalStack core (no Docker).

Each lab either passes on LocalStack, or stops in its Setup cell with labkit's own "not available" message;
any other failure fails this test, and so does an outcome or reason other than the one ``data/lab-engines.json``
records for the lab (a lab not recorded yet is not compared). The outcome and the time of every lab on LocalStack
are written to ``tests/artifacts/lab-engines.json`` (``pytest`` has run each lab on the embedded engine already,
through nbval: ``tests/labnb.py``); with ``LABKIT_RECORD=1`` each lab also runs on the embedded engine here, and both
engines' results replace ``data/lab-engines.json`` (tracked), from which the book's "Where each lab runs" and
"Benchmarks" pages are made — a plain test run never edits the repository.
Skipped when no Python >= 3.13 is found (LocalStack's core needs it).

Each lab is a test class of its own (``TestLab_<slug>``), so each is a pytest-xdist scope (``--dist loadscope``) and
tests/_schedule.py spreads the labs over the workers, longest first (one test running every lab took 282 s on one
worker while the other ran dry). The workers share one LocalStack (``localstack.shared``), started when the first
lab needs it, each worker in an account of its own (:func:`worker_account`: a lab's Cleanup deletes whatever its
account gained since its Setup), and each worker runs its labs one after another in one kernel
(``engine_matrix.LabKernel``), which saves a kernel start and the labkit/pandas/matplotlib imports per lab.
When recording the book's data, whose times are a learner's, each lab gets a fresh kernel.
"""
from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

import localstack
from _capability_probes import probe_emf_extraction, probe_insights_stats
from engine_matrix import ROOT, LabKernel, declared, run_lab  # one run-a-lab for every engine

from labkit.engines import localstack as localstack_engine

LABS = sorted((ROOT / "labs").glob("*.ipynb"))
RECORDED = ROOT / "data" / "lab-engines.json"
ARTIFACT = ROOT / "tests" / "artifacts" / "lab-engines.json"


def results_path() -> pathlib.Path:
    """Where this run's results go: the tracked data file only when asked to record (``LABKIT_RECORD=1``)."""
    return RECORDED if os.environ.get("LABKIT_RECORD") == "1" else ARTIFACT


PYTHON = localstack.find_python()
on_localstack = [pytest.mark.engines,  # slow: tests/_schedule.py spreads the labs over the workers, longest first
                 pytest.mark.skipif(PYTHON is None, reason="LocalStack's core needs Python >= 3.13; none found "
                                                           "(set LABKIT_LOCALSTACK_PYTHON, or install one with pyenv)")]


# LocalStack's configuration for a test run, not when recording the book's data, whose times are a learner's:
# kinesis-mock makes each stream change (create, split, merge, resharding, consumer, encryption) take effect at once
# instead of after KINESIS_LATENCY's default 500 ms, so the Kinesis lab's nine waits for ACTIVE succeed on their
# first poll instead of the next one, a second later (POLL_EVERY_SECOND). What the lab does and shows is the same.
QUICK_KINESIS = {"KINESIS_LATENCY": "0"}


@pytest.fixture(scope="session")
def localstack_url():
    """(URL, seconds it took to start) of the LocalStack this run's workers share: started by the first test
    needing it (``localstack.shared``), with QUICK_KINESIS unless recording data/lab-engines.json."""
    localstack.HOME.mkdir(exist_ok=True)
    settings = {} if results_path() == RECORDED else QUICK_KINESIS
    with localstack.shared(localstack.ensure_venv(PYTHON), settings) as (url, seconds):
        yield url, seconds


def worker_account() -> dict:
    """``{"LABKIT_ACCOUNT_ID": ...}`` for this pytest-xdist worker on the shared LocalStack (which takes a 12-digit
    access key as the account): worker gwN gets account N, written with 12 digits; gw0, and a run without xdist,
    LocalStack's default account (``{}``)."""
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    return {"LABKIT_ACCOUNT_ID": f"{index:012d}"} if index else {}


@pytest.fixture(scope="session")
def lab_kernel():
    """This worker's kernel, reused by its labs (``engine_matrix.LabKernel``); None when recording the book's
    data (a fresh kernel per lab, as a learner's)."""
    if results_path() == RECORDED:
        yield None
        return
    kernel = LabKernel()
    yield kernel
    kernel.shutdown()


# Run first in each lab's kernel on LocalStack (an IPython startup file), except when recording the book's data,
# whose times are a learner's: botocore's waiters poll every second instead of every 10 s (Kinesis) or 30 s
# (CloudFormation), with the same total wait (MaxAttempts scaled up). LocalStack has no request rate to respect, and
# those intervals only added idle time to this run (the CloudFormation lab's waiters slept 90 s, the Kinesis lab's
# 60 s); what each lab does and shows is the same. It keeps nothing in the kernel's namespace, which the reused
# kernel empties before each lab (engine_matrix.NEXT_LAB).
POLL_EVERY_SECOND = """\
import botocore.waiter as _waiter
def _every_second(wait):
    def _poll_every_second(self, **kwargs):
        config = dict(kwargs.pop("WaiterConfig", None) or {})
        delay = config.get("Delay", self.config.delay)
        if delay > 1:
            config["MaxAttempts"] = config.get("MaxAttempts", self.config.max_attempts) * delay
            config["Delay"] = 1
        return wait(self, WaiterConfig=config, **kwargs)
    return _poll_every_second
_waiter.Waiter.wait = _every_second(_waiter.Waiter.wait)
del _waiter, _every_second
"""


@pytest.fixture(scope="session")
def poll_every_second(tmp_path_factory) -> dict:
    """``{"IPYTHONDIR": folder}``: an IPython folder whose startup file is POLL_EVERY_SECOND."""
    ipython = tmp_path_factory.mktemp("ipython")
    startup = ipython / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-poll-every-second.py").write_text(POLL_EVERY_SECOND)
    return {"IPYTHONDIR": str(ipython)}


@pytest.fixture(scope="session")
def kernel_env(poll_every_second) -> dict:
    """What each lab's kernel gets besides the engine: poll_every_second, unless recording data/lab-engines.json."""
    return {} if results_path() == RECORDED else poll_every_second


def record(lab: str, outcome: dict, start_seconds: float) -> pathlib.Path:
    """Merge one lab's ``outcome`` (``{engine: run_lab's result}``) into results_path(), under a file lock (the
    workers write in turn); other engines' runs (tests/engine_matrix.py) are kept, labs no longer in labs/ dropped."""
    written = results_path()
    written.parent.mkdir(exist_ok=True)
    with localstack.locked(localstack.HOME / "results.lock"):
        kept = json.loads(written.read_text()) if written.exists() else {}
        labs = {name: r for name, r in kept.get("labs", {}).items() if (ROOT / "labs" / f"{name}.ipynb").exists()}
        labs[lab] = {**labs.get(lab, {}), **outcome}
        data = {**kept, "localstack_core": "2026.3.0", "localstack_start_s": round(start_seconds, 2),
                "run_at": time.strftime("%Y-%m-%d"), "labs": dict(sorted(labs.items()))}
        written.write_text(json.dumps(data, indent=2) + "\n")
    return written


def verdict(result: dict) -> tuple:
    """What the book's pages show of a lab's run on an engine: its outcome, labkit's reason and the lab's needs."""
    return result["outcome"], result.get("reason"), result.get("needs")


class LabOnLocalStack:
    """One lab on LocalStack (``lab``); a class per lab below, each its own pytest-xdist scope."""

    lab: pathlib.Path

    @on_localstack[0]
    @on_localstack[1]
    def test_runs_or_is_reported_unavailable(self, localstack_url, kernel_env, lab_kernel):
        url, start_seconds = localstack_url
        outcome = {"localstack": run_lab(self.lab, {"LABKIT_ENGINE": "localstack", "AWS_ENDPOINT_URL": url,
                                                    **worker_account(), **kernel_env}, lab_kernel)}
        if results_path() == RECORDED:  # the data file keeps both engines; nbval has run the lab on the embedded one
            outcome["embedded"] = run_lab(self.lab, {"LABKIT_ENGINE": "embedded"})
        record(self.lab.stem, outcome, start_seconds)
        failed = {engine: r for engine, r in outcome.items()
                  if r["outcome"] == "failed" or (engine == "embedded" and r["outcome"] != "runs")}
        assert failed == {}, f"{self.lab.stem} fails, for a reason labkit does not report: {json.dumps(failed)}"
        if results_path() != RECORDED:  # the book's "Where each lab runs" page must show what LocalStack does
            ours = outcome["localstack"]
            shown = json.loads(RECORDED.read_text())["labs"].get(self.lab.stem, {}).get("localstack", ours)
            assert verdict(ours) == verdict(shown), (
                f"{self.lab.stem} on LocalStack: {ours['outcome']} {ours.get('reason', '')} (needs "
                f"{ours.get('needs', [])}), where data/lab-engines.json (the book's pages) says {shown['outcome']} "
                f"{shown.get('reason', '')} (needs {shown.get('needs', [])}): record it again "
                "(LABKIT_RECORD=1 pytest tests/test_localstack.py) and commit the file")


class QuickKinesisStreams:
    """After the Kinesis lab, on its worker (its xdist scope): the run's LocalStack has QUICK_KINESIS."""

    @on_localstack[0]
    @on_localstack[1]
    def test_a_new_stream_is_active_at_once(self, localstack_url):
        if results_path() == RECORDED:
            pytest.skip("recording the book's data: LocalStack keeps its default KINESIS_LATENCY")
        engine = localstack_engine.LocalStackEngine("us-east-1", localstack_url[0],
                                                    worker_account().get("LABKIT_ACCOUNT_ID"))
        kinesis = engine.client("kinesis")
        kinesis.create_stream(StreamName="quick-kinesis-probe", ShardCount=1)
        status = kinesis.describe_stream_summary(StreamName="quick-kinesis-probe")["StreamDescriptionSummary"]
        kinesis.get_waiter("stream_exists").wait(StreamName="quick-kinesis-probe")  # deletable, whatever the verdict
        kinesis.delete_stream(StreamName="quick-kinesis-probe")
        assert status["StreamStatus"] == "ACTIVE", f"LocalStack's KINESIS_LATENCY is not 0: {status['StreamStatus']}"


for _path in LABS:  # TestLab_s3_basics, ...: pytest collects each (its name starts with Test)
    _name = "TestLab_" + _path.stem.replace("-", "_")
    _bases = (QuickKinesisStreams, LabOnLocalStack) if _path.stem == "kinesis" else (LabOnLocalStack,)
    globals()[_name] = type(_name, _bases, {"lab": _path, "__doc__": f"labs/{_path.name} on LocalStack."})


def test_every_recorded_run_names_the_capabilities_its_lab_needs():
    """Each engine's entry of a lab in data/lab-engines.json carries the ``needs`` of the lab's ``labkit.require``
    (engine_matrix.declared), as engine_matrix.run_lab records them: an entry without them was recorded before the
    lab named them, so what it says of that engine is older than the lab."""
    recorded = json.loads(RECORDED.read_text())["labs"]
    stale = {}
    for path in LABS:
        needs = declared(path)[1]
        stale.update({f"{path.stem} on {engine}": entry.get("needs", []) for engine, entry in
                      recorded.get(path.stem, {}).items() if entry.get("needs", []) != needs})
    assert stale == {}, (f"data/lab-engines.json has entries recorded for other needs than their labs declare now "
                         f"(recorded needs shown): {stale}; run those labs again: python tests/engine_matrix.py "
                         "--labs <slugs> --no-conformance")


def test_each_lab_is_a_scope_of_its_own():
    """Every lab has its class (its xdist scope), and nothing else is collected twice from the base class."""
    classes = {name: value for name, value in globals().items() if name.startswith("TestLab_")}
    assert sorted(c.lab for c in classes.values()) == LABS
    assert not LabOnLocalStack.__name__.startswith("Test")


@pytest.mark.skipif(not pathlib.Path("/proc/self/stat").exists(), reason="reads /proc (Linux) to see the helper gone")
def test_stop_kills_a_localstack_ignoring_sigterm_with_its_helpers():
    """localstack.stop: after its grace, SIGKILL to the process group, the helper processes it started included."""
    helper = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)"
    leader = ("import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
              f"child = subprocess.Popen([sys.executable, '-c', {helper!r}]); print(child.pid, flush=True); "
              "time.sleep(120)")
    process = subprocess.Popen([sys.executable, "-c", leader], stdout=subprocess.PIPE, text=True,
                               start_new_session=True)  # as localstack.start makes it
    child = int(process.stdout.readline())
    began = time.perf_counter()
    localstack.stop(process, grace=0.5)
    assert process.returncode == -signal.SIGKILL and time.perf_counter() - began < 10

    def gone(pid: int) -> bool:  # killed: no longer there, or a zombie its new parent has not reaped yet
        try:
            return pathlib.Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")
        except FileNotFoundError:
            return True

    deadline = time.monotonic() + 5
    while not gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(child)


def test_waiters_poll_every_second_for_as_long(monkeypatch):
    """POLL_EVERY_SECOND: a 30 s waiter polls every second, up to 30 times as many attempts (the same wait)."""
    import botocore.waiter

    monkeypatch.setattr(botocore.waiter.Waiter, "wait", botocore.waiter.Waiter.wait)  # restored after the test
    namespace = {}
    exec(POLL_EVERY_SECOND, namespace)
    namespace.clear()  # what the reused kernel's %reset -f does before each lab: the patch must not need it
    slept, calls = [], []
    monkeypatch.setattr(botocore.waiter.time, "sleep", slept.append)
    config = botocore.waiter.SingleWaiterConfig({
        "delay": 30, "maxAttempts": 2, "operation": "DescribeThing",
        "acceptors": [{"state": "success", "matcher": "path", "argument": "Status", "expected": "DONE"}]})

    def describe(**kwargs):
        calls.append(kwargs)
        return {"Status": "DONE" if len(calls) == 3 else "PENDING"}

    botocore.waiter.Waiter("thing_done", config, describe).wait(Name="x")
    assert slept == [1, 1] and calls == [{"Name": "x"}] * 3
    calls.clear()
    with pytest.raises(botocore.waiter.WaiterError, match="Max attempts exceeded"):
        botocore.waiter.Waiter("thing_done", config, lambda **kwargs: calls.append(1) or {"Status": "PENDING"}).wait()
    assert len(calls) == 60  # 2 attempts 30 s apart: 60 s, now 60 attempts 1 s apart
    calls.clear()
    botocore.waiter.Waiter("thing_done", config, describe).wait(WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    assert calls and slept[-1] == 1  # a waiter already polling every second is left as it is


def test_the_startup_file_reaches_an_ipython_kernel(poll_every_second):
    """The labs' kernels are IPython: its startup folder, given by IPYTHONDIR, patches botocore before any cell."""
    shown = subprocess.run([sys.executable, "-m", "IPython", "-c",
                            "import botocore.waiter as w; print(w.Waiter.wait.__name__)"],
                           capture_output=True, text=True, env={**os.environ, **poll_every_second}, timeout=60)
    assert shown.stdout.split()[-1] == "_poll_every_second", shown.stderr[-2000:]


# Each capability labkit/engines/localstack.py's LACKS lists -> a probe answering "does this LocalStack still lack it?"
PROBES = {
    "logs:Logs Insights stats": probe_insights_stats,
    "logs:embedded metric format extraction": probe_emf_extraction,
}


def test_every_localstack_lack_has_a_probe_on_the_core_it_runs():
    assert sorted(PROBES) == sorted(localstack_engine.LACKS)
    assert any(package.endswith(f"=={localstack_engine.CORE_VERSION}") for package in localstack.PACKAGES)


@on_localstack[0]
@on_localstack[1]
@pytest.mark.parametrize("capability", sorted(PROBES))
def test_each_probed_lack_is_still_there_on_localstack_core(localstack_url, capability):
    """A LocalStack that gains the capability fails this: take the entry out of LACKS and the lab's stop with it."""
    engine = localstack_engine.LocalStackEngine("us-east-1", localstack_url[0],
                                                worker_account().get("LABKIT_ACCOUNT_ID"))
    assert localstack_engine.LACKS[capability].version == engine.health()["version"]
    assert PROBES[capability](engine), f"LocalStack {localstack_engine.CORE_VERSION} no longer lacks {capability}"


def test_a_localstack_lack_is_named_only_on_its_version_and_only_when_needed():
    engine = localstack_engine.LocalStackEngine("us-east-1", "http://127.0.0.1:9")
    engine._health = {"version": localstack_engine.CORE_VERSION, "services": {}}
    lacking = engine.lacks(["logs:embedded metric format extraction", "logs:something LocalStack does"])
    assert list(lacking) == ["logs:embedded metric format extraction"]
    assert lacking["logs:embedded metric format extraction"].startswith(f"LocalStack {localstack_engine.CORE_VERSION} ")
    engine._health = {"version": "4.14.0", "services": {}}  # LocalStack in Docker: not probed, not assumed
    assert engine.lacks(["logs:embedded metric format extraction"]) == {}


@pytest.mark.skipif(not pathlib.Path("/proc/self/cmdline").exists(), reason="reads /proc (Linux) to see it gone")
def test_the_workers_share_one_localstack_and_the_last_one_out_kills_it(tmp_path, monkeypatch):
    """localstack.shared: one start for two workers of a run; the first to leave keeps it running for the other,
    the last kills it; a LocalStack an interrupted run left is killed, one another run still uses is left alone.
    (Stand-in processes named like LocalStack instead of LocalStack.)"""
    started = []

    def fake_start(python, settings=None):
        process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "localstack.runtime.main"],
                                   start_new_session=True)
        localstack.RUN_ROOTS[process.pid] = tmp_path / f"run-{process.pid}"
        started.append(process)
        cmdline, deadline = pathlib.Path(f"/proc/{process.pid}/cmdline"), time.monotonic() + 10
        while b"localstack.runtime.main" not in cmdline.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.01)  # until it has become the stand-in (not yet pytest's fork)
        return process, f"http://127.0.0.1:{len(started)}", 0.5

    def gone(process) -> bool:
        try:
            process.wait(timeout=5)  # reaped here: the test's own child
        except subprocess.TimeoutExpired:
            return False
        return True

    def left_by(run: str, users: dict) -> subprocess.Popen:
        """A LocalStack another run started, and its state file."""
        process, url, _ = fake_start("python")
        localstack.shared_state(run).write_text(json.dumps({
            "pid": process.pid, "url": url, "root": str(localstack.RUN_ROOTS.pop(process.pid)), "seconds": 1,
            "users": users}))
        return process

    monkeypatch.setattr(localstack, "HOME", tmp_path)
    monkeypatch.setattr(localstack, "start", fake_start)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    interrupted = left_by("interrupted-run", {"gw0": dead.pid})
    concurrent = left_by("concurrent-run", {"gw0": os.getppid()})
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "this-run")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    try:
        with localstack.shared("python") as first:
            assert gone(interrupted) and not localstack.shared_state("interrupted-run").exists()
            assert concurrent.poll() is None and localstack.shared_state("concurrent-run").exists()
            monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
            second = localstack.shared("python")
            assert second.__enter__() == first == ("http://127.0.0.1:3", 0.5) and len(started) == 3
            monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
        assert started[2].poll() is None  # gw0 left first: gw1 still uses it
        monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
        second.__exit__(None, None, None)
        assert gone(started[2]) and not localstack.shared_state("this-run").exists()
    finally:
        for process in started:
            process.kill()
            process.wait()


def test_a_failure_without_a_traceback_is_named_by_its_error():
    """labkit's own error (labkit/errors.py) reaches nbclient as one line (``labkit: …``, the error output's whole
    traceback; the execute reply names the error raised): the reason is the error's name and message, not the
    line that ends nbclient's text. The text is nbclient's for a cell whose engine address answers nothing."""
    from nbclient.exceptions import CellExecutionError

    from engine_matrix import failure

    text = ("An error occurred while executing the following cell:\n------------------\nimport base64\nimport json\n"
            "------------------\n\n\nlabkit: Nothing answers at http://127.0.0.1:9/. Is the engine running? Run "
            "`python -m labkit doctor` in a terminal to see what labkit finds.\n")
    error = CellExecutionError(text, "EndpointConnectionError", "Could not connect to the endpoint URL")
    assert failure(error) == ("EndpointConnectionError: Could not connect to the endpoint URL "
                              "(in the cell starting `import base64`)")
