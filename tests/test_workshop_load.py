"""bench/workshop_load.py, the workshop load test, run small: 10 students at once, each with their own key, on one
``labkit serve``.

The benchmark itself asserts isolation (each student lists only their own bucket and queue; reading another's
object is refused with 403 AccessDenied); here every call must be served, each within a 30-second read timeout (no
retries: a server that stops answering fails the test in 30 s, not minutes). No latency threshold: the numbers
depend on the machine. The 100-student run is ``python bench/workshop_load.py --students 100 --json
data/workshop-load.json``."""
from __future__ import annotations

import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
STUDENTS = 10


def load_bench():
    spec = importlib.util.spec_from_file_location("workshop_load", ROOT / "bench" / "workshop_load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ten_students_at_once_are_served_and_isolated():
    bench = load_bench()
    report = bench.run(STUDENTS, read_timeout=30)
    per_student = 1 + 2 * bench.OBJECTS + 1 + 1 + bench.MESSAGES + 1  # at least one ReceiveMessage
    assert report["requests"] >= STUDENTS * per_student
    assert report["cross_account_reads_refused"] == STUDENTS
    assert 0 < report["p50_ms"] <= report["p95_ms"]
    assert report["server_rss_mb_after"] > 0
