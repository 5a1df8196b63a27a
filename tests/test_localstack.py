"""Every lab on the open-source LocalStack core (no Docker).

Each lab either passes on LocalStack, or stops in its Setup cell with labkit's own "not available" message;
any other failure fails this test. The outcome and the time of every lab on LocalStack are written to
``tests/artifacts/lab-engines.json`` (``pytest`` has run each lab on the embedded engine already, through nbval:
``tests/labnb.py``); with ``LABKIT_RECORD=1`` each lab also runs on the embedded engine here, and both engines'
results replace ``data/lab-engines.json`` (tracked), from
which the book's "Where each lab runs" and "Benchmarks" pages are made — a plain test run never edits the repository.
Skipped when no Python >= 3.13 is found (LocalStack's core needs it).
"""
from __future__ import annotations

import json
import os
import pathlib
import time

import pytest

import localstack
from engine_matrix import ROOT, run_lab  # one run-a-lab for every engine

LABS = sorted((ROOT / "labs").glob("*.ipynb"))
RECORDED = ROOT / "data" / "lab-engines.json"
ARTIFACT = ROOT / "tests" / "artifacts" / "lab-engines.json"


def results_path() -> pathlib.Path:
    """Where this run's results go: the tracked data file only when asked to record (``LABKIT_RECORD=1``)."""
    return RECORDED if os.environ.get("LABKIT_RECORD") == "1" else ARTIFACT


PYTHON = localstack.find_python()
pytestmark = [pytest.mark.engines,  # slow: CI runs it on its own xdist worker beside the rest
              pytest.mark.skipif(PYTHON is None, reason="LocalStack's core needs Python >= 3.13; none found "
                                                        "(set LABKIT_LOCALSTACK_PYTHON, or install one with pyenv)")]


@pytest.fixture(scope="module")
def localstack_url():
    localstack.HOME.mkdir(exist_ok=True)
    process, url, seconds = localstack.start(localstack.ensure_venv(PYTHON))
    yield url, seconds
    localstack.stop(process)


def test_every_lab_runs_or_is_reported_unavailable(localstack_url):
    url, start_seconds = localstack_url
    results = {}
    recording = results_path() == RECORDED
    for path in LABS:
        results[path.stem] = {"localstack": run_lab(path, {"LABKIT_ENGINE": "localstack", "AWS_ENDPOINT_URL": url})}
        if recording:  # the data file keeps both engines; a test run has already run each lab on the embedded engine
            results[path.stem]["embedded"] = run_lab(path, {"LABKIT_ENGINE": "embedded"})
    written = results_path()
    written.parent.mkdir(exist_ok=True)
    kept = json.loads(written.read_text()) if written.exists() else {}  # other engines' runs (tests/engine_matrix.py)
    labs = {lab: {**kept.get("labs", {}).get(lab, {}), **outcome} for lab, outcome in results.items()}
    written.write_text(json.dumps({**kept, "localstack_core": "2026.3.0", "localstack_start_s": round(start_seconds, 2),
                                   "run_at": time.strftime("%Y-%m-%d"), "labs": labs}, indent=2) + "\n")
    failed = {lab: r for lab, r in results.items()
              if r.get("embedded", {"outcome": "runs"})["outcome"] != "runs" or r["localstack"]["outcome"] == "failed"}
    assert failed == {}, f"labs failing for a reason labkit does not report: {json.dumps(failed, indent=1)}"
