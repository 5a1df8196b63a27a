"""Labs under Pyodide: Node loads the npm package pyodide, the course's pure-Python wheels from PyPI and labkit,
and runs the S3 basics, DynamoDB, SQS, Lambda and Step Functions labs on the browser engine, solutions on
(tests/browser/: run.mjs, driver.py, assets.py).

Asserted: every check of each lab says ✓ and its Cleanup leaves nothing; the only failing cells are the ones declared below (:data:`NEEDS_THREADS`)
or cells that use a package Pyodide builds itself (matplotlib, pandas), which this machine cannot fetch (the
published site loads them with Pyodide), or a value such a cell left unmade (driver.py's ``poison``); moto and
labkit never used the absent ``cryptography`` (see driver.py).
Writes tests/artifacts/browser.json; ``LABKIT_RECORD=1`` writes data/browser.json instead (the measured times), and
with ``LABKIT_BROWSER_LABS=all`` runs every lab for it (the "Where each lab runs" browser column; the assertions
still concern the five labs above).
Skipped, with the reason, when Node, npm's pyodide or a wheel cannot be had.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "_ext"))
import assets  # noqa: E402
import run_in_browser  # noqa: E402

pytestmark = pytest.mark.engines

LABS = ("s3-basics", "dynamodb", "sqs", "lambda", "step-functions")
RECORD_ALL = os.environ.get("LABKIT_BROWSER_LABS") == "all"  # with LABKIT_RECORD=1: every lab, for data/browser.json
PYODIDE_BUILT = {"matplotlib", "pandas", "numpy"}
NEEDS_THREADS = {
    # lab cells whose own code starts threads, which Pyodide cannot: (lab, cell index) → what they do
    ("dynamodb", 19): "a parallel Scan with a ThreadPoolExecutor (four segments at once)",
    ("sqs", 8): "a producer thread sending messages while the cell long-polls",
    ("sqs", 9): "plots the table cell 8 would have made",
    ("caching", 14): "a cache stampede: twenty reader threads ask for the same cold key at once",
    ("lambda-operations", 6): "a burst of twelve Invoke calls at once, a thread each, against reserved concurrency",
}


@pytest.fixture(scope="module")
def run():
    try:
        paths = assets.prepare()
    except assets.Unavailable as exc:
        pytest.skip(f"Pyodide test assets unavailable: {exc}")
    load_before = os.getloadavg()[0]
    done = subprocess.run(
        [paths["node"], str(ROOT / "tests" / "browser" / "run.mjs"), paths["pyodide"], paths["wheels"], str(ROOT),
         str(ROOT / "tests" / "browser" / "driver.py"),
         json.dumps({"labs": sorted(p.stem for p in (ROOT / "labs").glob("*.ipynb")) if RECORD_ALL else list(LABS)})],
        capture_output=True, text=True, timeout=3600 if RECORD_ALL else 1200, cwd=ROOT)
    lines = [line for line in done.stdout.splitlines() if line.startswith("LABKIT-RESULT ")]
    assert done.returncode == 0 and lines, f"the Pyodide run failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    result = json.loads(lines[-1][len("LABKIT-RESULT "):])
    record = {"pyodide": assets.PYODIDE, "python": result["python"], "engine": result["engine"],
              "first_s3_answer_seconds": result["times"]["first_s3_answer_s"],
              "pyodide_load_seconds": result["times"]["pyodide_load_s"],
              "unpack_seconds": result["times"]["unpack_s"],
              "labs": {slug: {"source_sha256": run_in_browser.lab_digest((ROOT / "labs" / f"{slug}.ipynb").read_text()),
                              "seconds": lab["seconds"],
                              "checks": {v["check"]: v["kind"] for v in lab["verdicts"]},
                              "cells_needing": sorted({n["needs"] for n in lab["needs"]}),
                              "cells_needing_threads": sorted(cell for (name, cell) in NEEDS_THREADS if name == slug),
                              "cells_failing": {e["cell"]: e["error"].splitlines()[0][:300] for e in lab["errors"]
                                                if (slug, e["cell"]) not in NEEDS_THREADS}}
                       for slug, lab in result["labs"].items()},
              "measured_on": "Node.js under tests/test_pyodide.py",
              "load_average_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],
              "cpus": os.cpu_count()}
    target = ROOT / ("data" if os.environ.get("LABKIT_RECORD") == "1" else "tests/artifacts") / "browser.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(record, indent=2) + "\n")
    return result


def test_it_ran_on_the_browser_engine_under_pyodide(run):
    assert (run["engine"], run["platform"]) == ("browser", "emscripten")


def test_plain_calls_import_no_flask(run):
    """The page's engine answers S3 without Flask (labkit/emulator/flaskless.py): about 0.45 s of Pyodide's time
    and 3 MB of the page's Python memory that only a CORS request (an Origin header, OPTIONS) should cost."""
    assert run["flask_imported"] == []


@pytest.mark.parametrize("slug", LABS)
def test_every_check_passes(run, slug):
    verdicts = run["labs"][slug]["verdicts"]
    assert verdicts, f"{slug}: no check ran"
    assert [v for v in verdicts if v["kind"] != "passed"] == []


@pytest.mark.parametrize("slug", LABS)
def test_only_declared_cells_fail(run, slug):
    lab = run["labs"][slug]
    unexpected = [e for e in lab["errors"] if (slug, e["cell"]) not in NEEDS_THREADS]
    assert unexpected == [], "\n".join(e["trace"] for e in unexpected)
    assert {n["needs"] for n in lab["needs"]} <= PYODIDE_BUILT


@pytest.mark.parametrize("slug", LABS)
def test_cleanup_leaves_nothing(run, slug):
    assert run["labs"][slug]["left"] == {}


def test_moto_and_labkit_never_used_the_absent_cryptography(run):
    assert [use for use in run["absent_uses"] if use["package"] not in PYODIDE_BUILT
            and use.get("lab") in (None, *LABS)] == []  # other labs (LABKIT_BROWSER_LABS=all) may need it
