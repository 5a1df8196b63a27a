"""The test suite itself: a plain run leaves the repository's tracked files as they were."""
from __future__ import annotations

import pathlib
import subprocess

import test_localstack

ROOT = pathlib.Path(__file__).resolve().parent.parent


def tracked(path: pathlib.Path) -> bool:
    relative = path.resolve().relative_to(ROOT)
    return subprocess.run(["git", "ls-files", "--error-unmatch", str(relative)], cwd=ROOT,
                          capture_output=True).returncode == 0


def test_the_localstack_run_records_into_data_only_when_asked(monkeypatch):
    monkeypatch.delenv("LABKIT_RECORD", raising=False)
    assert not tracked(test_localstack.results_path()), "a plain test run must not rewrite a tracked file"
    monkeypatch.setenv("LABKIT_RECORD", "1")
    assert test_localstack.results_path() == ROOT / "data" / "lab-engines.json"
    assert tracked(test_localstack.results_path())
