"""bench/benchmark.py's memory accounting: a lab's kernel and what it started (Lambda workers) are told apart."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "bench"))

import benchmark  # noqa: E402


def test_descendants_are_found_and_counted_in_the_tree(tmp_path):
    ready = tmp_path / "ready"  # the grandchild writes it once started: its memory no longer grows while measured
    grandchild = "import sys, time; open(sys.argv[1], \"w\").close(); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; "
                              f"subprocess.Popen([sys.executable, '-c', '{grandchild}', sys.argv[1]]); time.sleep(60)",
                              str(ready)])
    try:
        deadline = time.time() + 30
        while not ready.exists() and time.time() < deadline:
            time.sleep(0.02)
        found = benchmark.descendants(child.pid)
        assert len(found) == 1
        assert child.pid in benchmark.descendants(os.getpid())  # beside any other child this test process has
        own, grandchild = benchmark.rss_mb(child.pid), benchmark.rss_mb(found[0])
        assert own > 1 and grandchild > 1
        assert abs(benchmark.tree_rss_mb(child.pid) - (own + grandchild)) < 2  # the tree is both
    finally:
        for pid in benchmark.descendants(child.pid):
            os.kill(pid, 9)
        child.kill()
        child.wait()
