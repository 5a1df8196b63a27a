"""bench/benchmark.py's memory accounting: a lab's kernel and what it started (Lambda workers) are told apart."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "bench"))

import benchmark  # noqa: E402


def test_descendants_are_found_and_counted_in_the_tree():
    child = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; "
                              "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)"])
    try:
        for _ in range(100):  # until the grandchild has started
            found = benchmark.descendants(child.pid)
            if found:
                break
            subprocess.run([sys.executable, "-c", "pass"])
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
