"""pytest plugin: the slowest work first, so the two pytest-xdist workers finish together.

Loaded with ``-p _schedule`` (pyproject's addopts). ``--dist loadscope`` hands out work by *scope*: a test module,
a test class or a lab notebook (xdist's own split: ``nodeid.rsplit("::", 1)[0]``), all of a scope's tests on one
worker. xdist orders the scopes by how many tests they hold and gives a worker its next scope once two or fewer
of its tests are pending, so a one-test module that runs for minutes (every lab on LocalStack, the Binder and
Colab installs) starts late, or queues a second long scope behind it, while the other worker runs dry. Here:

1. the scopes run longest first (LPT, longest processing time first), by the seconds recorded in
   ``tests/durations.json``; a scope not recorded yet (a new lab or module) is estimated, a lab notebook as the
   median recorded lab and anything else at 0.1 s per test; each scope keeps its own order of tests;
2. with ``--dist loadscope``, xdist's scheduler is replaced by ``LongestFirstScheduling``, which gives a worker its
   next scope (the longest left) when what it still holds is estimated to end within ``HORIZON`` seconds; a
   worker holding one pending test, which xdist cannot run before it knows the next, gets the shortest scope left;
3. every scope's seconds (setup, call and teardown of each of its tests) are written to
   ``tests/artifacts/durations.json`` (not tracked) after a run, merged into what that file held;
   ``pytest --record-durations`` merges them into ``tests/durations.json`` instead (tracked: commit it).

Nothing here changes what a test runs or asserts: only the order and the worker.
"""
from __future__ import annotations

import json
import pathlib
import statistics
from collections import Counter, defaultdict

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
RECORDED = ROOT / "tests" / "durations.json"
ARTIFACT = ROOT / "tests" / "artifacts" / "durations.json"
HORIZON = 3.0  # seconds: a worker is given its next scope when what it holds should end within this
PER_TEST = 0.1  # seconds: the estimate for a test of a scope not recorded yet


def scope_of(nodeid: str) -> str:
    """The scope xdist's ``--dist loadscope`` groups ``nodeid`` by (module, class or notebook)."""
    return nodeid.rsplit("::", 1)[0]


def load(path: pathlib.Path = RECORDED) -> dict[str, float]:
    """``{scope: seconds}`` from a durations file; ``{}`` when it is missing or unreadable (order by estimates)."""
    try:
        data = json.loads(path.read_text())
        return {str(k): float(v) for k, v in data.get("scopes", {}).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def estimates(counts: dict[str, int], recorded: dict[str, float]) -> dict[str, float]:
    """Seconds expected for each scope of ``counts`` (``{scope: number of tests}``): recorded, else estimated."""
    labs = [s for scope, s in recorded.items() if scope.endswith(".ipynb")]
    lab_default = statistics.median(labs) if labs else 20.0
    return {scope: recorded.get(scope, lab_default if scope.endswith(".ipynb") else PER_TEST * n)
            for scope, n in counts.items()}


def longest_first(nodeids: list[str], recorded: dict[str, float]) -> list[str]:
    """``nodeids`` grouped by scope, the scopes longest first (ties: collection order), each scope's own order kept."""
    counts = Counter(scope_of(n) for n in nodeids)
    expected = estimates(counts, recorded)
    first_seen = {}
    for n in nodeids:
        first_seen.setdefault(scope_of(n), len(first_seen))
    return sorted(nodeids, key=lambda n: (-expected[scope_of(n)], first_seen[scope_of(n)]))


def pytest_addoption(parser):
    parser.addoption("--record-durations", action="store_true", default=False,
                     help="merge this run's seconds per scope into tests/durations.json (tracked; default: "
                          "tests/artifacts/durations.json)")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Longest scope first (each worker collects, and sorts the same way: xdist checks the collections agree)."""
    position = {item.nodeid: item for item in items}
    items[:] = [position[n] for n in longest_first([item.nodeid for item in items], load())]


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadscope":
        return None
    config.option.loadscopereorder = False  # keep the longest-first order of the collection
    return LongestFirstScheduling(config, log)


try:
    from xdist.scheduler import LoadScopeScheduling
except ImportError:  # pragma: no cover - pytest-xdist is pinned in requirements.txt
    LoadScopeScheduling = object


class LongestFirstScheduling(LoadScopeScheduling):
    """xdist's loadscope scheduling, but a worker gets its next scope only when it is about to run dry.

    xdist refills a worker holding two or fewer pending tests; a long one-test scope then has the next (long)
    scope queued behind it on the same worker. Here a worker is refilled with the longest scope left when the
    estimated seconds left in the scopes it holds (each scope's estimate times the share of its tests not yet
    done) are ``HORIZON`` or fewer, and with the shortest scope left when it holds a single pending test (an xdist
    worker runs a test only once it has the next one, or is shutting down: without more work it would wait forever).
    """

    def _expected(self) -> dict[str, float]:
        if getattr(self, "_estimates", None) is None:
            self._estimates = estimates(Counter(scope_of(n) for n in self.collection or []), load())
        return self._estimates

    def _seconds_left(self, workload: dict[str, dict[str, bool]]) -> float:
        expected = self._expected()
        return sum(expected.get(scope, 0.0) * list(tests.values()).count(False) / max(len(tests), 1)
                   for scope, tests in workload.items())

    def _reschedule(self, node) -> None:
        if node.shutting_down:
            return
        if not self.workqueue:
            node.shutdown()
            return
        pending = self._pending_of(self.assigned_work[node])
        about_to_run_dry = self._seconds_left(self.assigned_work[node]) <= HORIZON
        if pending >= 2 and not about_to_run_dry:
            return
        # An xdist worker runs a test only once it knows the next one (or is told to shut down), so a worker with
        # one pending test is stuck until it gets more: give it the shortest scope left, which will not hold up
        # the rest; a worker about to run dry gets the longest.
        self._assign(node, shortest=not about_to_run_dry)

    def _assign(self, node, shortest: bool) -> None:
        """xdist's ``_assign_work_unit``, taking the last (shortest) scope of the queue when ``shortest``."""
        scope, work_unit = self.workqueue.popitem(last=shortest)
        self.assigned_work.setdefault(node, {})[scope] = work_unit
        worker_collection = self.registered_collections[node]
        node.send_runtest_some([worker_collection.index(nodeid) for nodeid, done in work_unit.items() if not done])


class _Recorder:
    """Adds up each scope's seconds from the test reports (in the controller, or in a run without xdist)."""

    def __init__(self, config):
        self.config = config
        self.seconds: dict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report):
        self.seconds[scope_of(report.nodeid)] += report.duration

    def pytest_sessionfinish(self, session):
        if not self.seconds:
            return
        path = RECORDED if self.config.getoption("record_durations") else ARTIFACT
        merged = {**load(path), **{scope: round(s, 2) for scope, s in self.seconds.items()}}
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps({
            "about": "seconds per pytest-xdist scope (module, class, lab notebook): tests/_schedule.py runs the "
                     "longest first; refresh with `pytest --record-durations`",
            "scopes": dict(sorted(merged.items(), key=lambda kv: -kv[1]))}, indent=1) + "\n")


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist): the reports arrive here
        config.pluginmanager.register(_Recorder(config), "labkit-durations")
