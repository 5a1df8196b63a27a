"""tests/_schedule.py: the longest scopes first, and a worker refilled only when it is about to run dry."""
from __future__ import annotations

import json
import types

import pytest

import _schedule

RECORDED = {"tests/test_localstack.py": 200.0, "tests/test_binder.py": 50.0, "labs/a.ipynb": 30.0,
            "labs/b.ipynb": 10.0, "tests/test_quick.py": 0.4}
COLLECTED = (["labs/a.ipynb::learner: Cell 0", "labs/a.ipynb::learner: Cell 1"]
             + [f"tests/test_quick.py::test_{i}" for i in range(4)]
             + ["tests/test_binder.py::test_binder_environment_runs_a_lab",
                "tests/test_localstack.py::test_every_lab_runs_or_is_reported_unavailable",
                "labs/new.ipynb::learner: Cell 0", "tests/test_new.py::Tests::test_one", "tests/test_new.py::test_two"])


def test_scope_is_xdists_loadscope_split():
    assert _schedule.scope_of("tests/test_x.py::test_a[p1]") == "tests/test_x.py"
    assert _schedule.scope_of("tests/test_x.py::Cls::test_a") == "tests/test_x.py::Cls"
    assert _schedule.scope_of("labs/s3-basics.ipynb::solved: Cell 3") == "labs/s3-basics.ipynb"


def test_longest_scope_first_each_keeping_its_order():
    ordered = _schedule.longest_first(COLLECTED, RECORDED)
    assert [_schedule.scope_of(n) for n in ordered] == [
        "tests/test_localstack.py", "tests/test_binder.py", "labs/a.ipynb", "labs/a.ipynb",
        "labs/new.ipynb",  # not recorded: the median lab (20 s)
        "tests/test_quick.py", "tests/test_quick.py", "tests/test_quick.py", "tests/test_quick.py",
        "tests/test_new.py::Tests", "tests/test_new.py"]  # not recorded: 0.1 s a test, then collection order
    assert ordered[2:4] == COLLECTED[0:2] and ordered[5:9] == COLLECTED[2:6]


def test_without_a_durations_file_the_order_is_an_estimate(tmp_path):
    assert _schedule.load(tmp_path / "missing.json") == {}
    (tmp_path / "broken.json").write_text("{not json")
    assert _schedule.load(tmp_path / "broken.json") == {}
    ordered = _schedule.longest_first(COLLECTED, {})
    assert _schedule.scope_of(ordered[0]) == "labs/a.ipynb"  # a lab counts 20 s; collection order breaks ties
    assert sorted(ordered) == sorted(COLLECTED)


class Node:
    """What the scheduler uses of xdist's WorkerController."""

    def __init__(self, name):
        self.gateway = types.SimpleNamespace(id=name)
        self.shutting_down = False
        self.sent: list[list[int]] = []

    def send_runtest_some(self, indices):
        self.sent.append(list(indices))

    def shutdown(self):
        self.shutting_down = True

    def __repr__(self):
        return self.gateway.id


def scheduled(monkeypatch, collection):
    monkeypatch.setattr(_schedule, "load", lambda path=None: RECORDED)
    config = types.SimpleNamespace(getvalue=lambda name: ["2*popen"] if name == "tx" else None,
                                   option=types.SimpleNamespace(loadscopereorder=False))
    scheduler = _schedule.LongestFirstScheduling(config)
    nodes = [Node("gw0"), Node("gw1")]
    for node in nodes:
        scheduler.add_node(node)
    for node in nodes:
        scheduler.add_node_collection(node, collection)
    scheduler.schedule()
    return scheduler, nodes


def scopes_sent(node, collection):
    return [_schedule.scope_of(collection[batch[0]]) for batch in node.sent]


def test_a_worker_holding_a_long_scope_gets_only_the_shortest_scope_more(monkeypatch):
    collection = _schedule.longest_first(COLLECTED, RECORDED)
    scheduler, (first, second) = scheduled(monkeypatch, collection)
    # one pending test: xdist cannot start it without a next one, so the shortest scope left (xdist: the next, long)
    assert scopes_sent(first, collection) == ["tests/test_localstack.py", "tests/test_new.py"]
    assert scopes_sent(second, collection) == ["tests/test_binder.py", "tests/test_new.py::Tests"]
    scheduler.mark_test_complete(second, collection.index("tests/test_binder.py::test_binder_environment_runs_a_lab"))
    assert scopes_sent(second, collection)[-1] == "labs/a.ipynb"  # 0.1 s left, about to run dry: the longest left
    assert scopes_sent(first, collection) == ["tests/test_localstack.py", "tests/test_new.py"]


def test_a_worker_left_with_its_last_test_always_gets_more_work(monkeypatch):
    """An xdist worker runs its last pending test only once it has another (or shuts down): never leave it so."""
    long = [f"tests/test_localstack.py::test_{i}" for i in range(3)]
    collection = long + ["tests/test_binder.py::test_b", "labs/a.ipynb::learner: Cell 0", "labs/a.ipynb::solved: Cell 0",
                         "tests/test_quick.py::test_0", "tests/test_quick.py::test_1"]
    scheduler, (first, second) = scheduled(monkeypatch, collection)
    assert scopes_sent(first, collection) == ["tests/test_localstack.py"]  # 3 pending, 200 s: nothing more
    scheduler.mark_test_complete(first, 0)
    assert len(first.sent) == 1
    scheduler.mark_test_complete(first, 1)  # one pending, still ~67 s: it needs a next test to run it
    assert len(first.sent) == 2 and not first.shutting_down


def test_a_worker_about_to_run_dry_is_refilled_before_it_does(monkeypatch):
    collection = [f"tests/test_quick.py::test_{i}" for i in range(4)] + ["tests/test_tiny.py::test_0",
                                                                         "tests/test_tiny2.py::test_0"]
    scheduler, (first, second) = scheduled(monkeypatch, collection)
    assert scopes_sent(first, collection) == ["tests/test_quick.py", "tests/test_tiny2.py"]  # 0.4 s left: refill
    assert scopes_sent(second, collection) == ["tests/test_tiny.py"]


def test_the_run_records_seconds_per_scope_merged_into_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(_schedule, "ARTIFACT", tmp_path / "artifacts" / "durations.json")
    monkeypatch.setattr(_schedule, "RECORDED", tmp_path / "durations.json")
    (tmp_path / "durations.json").write_text(json.dumps({"scopes": {"tests/test_old.py": 9.0, "tests/test_a.py": 1}}))
    config = types.SimpleNamespace(getoption=lambda name: True)  # --record-durations
    recorder = _schedule._Recorder(config)
    for nodeid, seconds in [("tests/test_a.py::test_1", 0.5), ("tests/test_a.py::test_2", 1.25),
                            ("labs/a.ipynb::learner: Cell 0", 4.0)]:
        recorder.pytest_runtest_logreport(types.SimpleNamespace(nodeid=nodeid, duration=seconds))
    recorder.pytest_sessionfinish(None)
    assert _schedule.load(tmp_path / "durations.json") == {"tests/test_old.py": 9.0, "tests/test_a.py": 1.75,
                                                          "labs/a.ipynb": 4.0}
    assert not (tmp_path / "artifacts").exists()  # with --record-durations, only the tracked file


@pytest.mark.parametrize("dist, expected", [("loadscope", _schedule.LongestFirstScheduling), ("load", type(None))])
def test_only_loadscope_gets_the_longest_first_scheduler(dist, expected):
    config = types.SimpleNamespace(getvalue=lambda name: dist if name == "dist" else ["2*popen"],
                                   option=types.SimpleNamespace(loadscopereorder=True))
    assert type(_schedule.pytest_xdist_make_scheduler(config, None)) is expected
    assert config.option.loadscopereorder is (dist != "loadscope")  # xdist must not reorder by test count
