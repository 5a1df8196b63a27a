"""_ext/run_in_browser.py's lab copies for the book's JupyterLite site, on small notebooks (no build needed)."""
from __future__ import annotations

import ast
import json
import pathlib
import sys
import types
import zipfile

import pytest
from jupyter_core.paths import jupyter_path

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
import run_in_browser  # noqa: E402

COLAB = {"cell_type": "code", "source": 'try:\n    import labkit\nexcept ModuleNotFoundError:\n'
                                       '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "dva-labkit"])'}
SETUP = {"cell_type": "code", "source": "import labkit\nimport pandas as pd"}
TITLE = {"cell_type": "markdown", "source": "# Lab"}


def notebook(*cells):
    return {"cells": list(cells), "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}


def digest(*cells):
    """The source_sha256 a record of the lab made of ``cells`` carries (the version it was run on)."""
    return run_in_browser.lab_digest(json.dumps(notebook(*cells)))


RECORD = {"pyodide": "314.0.7", "labs": {"sqs": {"source_sha256": digest(TITLE, COLAB, SETUP),
                                                 "checks": {"sqs.consumer_queue": "passed"},
                                                 "cells_needing_threads": [8, 9]}}}


def test_the_colab_install_cell_becomes_the_piplite_install():
    copy = run_in_browser.lite_copy(notebook(TITLE, COLAB, SETUP), "sqs", ["dva-labkit", "moto"], RECORD)
    assert [c["cell_type"] for c in copy["cells"]] == ["markdown", "code", "code"]
    install = copy["cells"][1]["source"]
    assert "await piplite.install(['dva-labkit', 'moto'], deps=False, index_urls=piplite.piplite._PIPLITE_URLS)" \
        in install  # the bundle first, not Pyodide's lock file
    assert "await pyodide_builds.load(['pyyaml', 'markupsafe', 'cryptography', 'pandas'])" in install  # pandas: imported
    assert "every check passed" in install and "cells 9, 10" in install
    assert copy["cells"][2] is SETUP and copy["metadata"]["kernelspec"]["name"] == "python"


def test_a_lab_without_install_cell_gets_one_before_its_first_code_and_an_untested_lab_says_so():
    copy = run_in_browser.lite_copy(notebook(TITLE, SETUP), "kms", ["dva-labkit"], RECORD)
    assert [c["cell_type"] for c in copy["cells"]] == ["markdown", "code", "code"]
    assert "has not been run in the browser yet" in copy["cells"][1]["source"]
    failing = {"pyodide": "314.0.7", "labs": {"kms": {"source_sha256": digest(TITLE, SETUP),
                                                      "checks": {"kms.x": "failed"}, "cells_failing": {"4": "E"}}}}
    note = run_in_browser.lite_copy(notebook(TITLE, SETUP), "kms", ["dva-labkit"], failing)["cells"][1]["source"]
    assert "not every check passed" in note and "cells 5" in note and "every check passed" not in note.replace(
        "not every check passed", "")  # a lab that failed under Pyodide never reads as tested and passing
    failing["labs"]["kms"]["cells_needing"] = ["cryptography"]  # the stand-in was used: not verifiable there
    note = run_in_browser.lite_copy(notebook(TITLE, SETUP), "kms", ["dva-labkit"], failing)["cells"][1]["source"]
    assert "could not check this lab" in note and "failed there" not in note
    assert "matplotlib" not in copy["cells"][1]["source"]  # not imported by this lab


def test_a_recorded_run_whose_check_never_ran_never_reads_as_passing():
    """A lab recorded with no verdict (its check cell never ran) is not 'every check passed', even with no failing
    cell listed; a malformed record (null lists) still gives a note, not a build error."""
    for lab in ({"checks": {}}, {"checks": None, "cells_failing": None, "cells_needing": []}):
        record = {"pyodide": "314.0.7", "labs": {"sqs": {**lab, "source_sha256": digest(TITLE, COLAB, SETUP)}}}
        note = run_in_browser.lite_copy(notebook(TITLE, COLAB, SETUP), "sqs", ["dva-labkit"], record)["cells"][1]
        assert "its check did not run" in note["source"] and "passed" not in note["source"], note["source"]


def test_the_bundle_index_the_install_cell_reads_is_where_piplite_keeps_it():
    """A guard on a private API: the install cell passes piplite's own list of the site's all.json URLs
    (run_in_browser.BUNDLE_INDEX) as index_urls. It must stay a module-level name of the piplite wheel the site ships,
    set by the Pyodide kernel's worker, and piplite.install must still take index_urls: else a piplite upgrade makes
    the lab's first cell fail in the page."""
    module, name = run_in_browser.BUNDLE_INDEX.rsplit(".", 1)
    folders = [pathlib.Path(base, "@jupyterlite", "pyodide-kernel-extension", "static")
               for base in jupyter_path("labextensions")]
    wheels = [wheel for folder in folders for wheel in folder.glob("pypi/piplite-*.whl")]
    if not wheels:
        pytest.fail("jupyterlite-pyodide-kernel's labextension is not installed: pip install -r requirements.txt")
    with zipfile.ZipFile(wheels[0]) as wheel:
        tree = ast.parse(wheel.read(module.replace(".", "/") + ".py"))
    names = {node.target.id for node in tree.body if isinstance(node, ast.AnnAssign)} | \
        {target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets
         if isinstance(target, ast.Name)}
    assert name in names, f"{module} no longer defines {name}"
    install = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "install")
    assert "index_urls" in [arg.arg for arg in install.args.args + install.args.kwonlyargs]
    assert any(f"{run_in_browser.BUNDLE_INDEX} =" in js.read_text(errors="ignore")
               for js in wheels[0].parents[1].glob("*.js")), f"the Pyodide kernel no longer sets {name}"


def test_a_record_reads_the_same_in_the_lite_copy_and_on_where_each_lab_runs():
    """run_in_browser.node_run, read by both: the cryptography stand-in makes a lab unverified even when its checks
    passed there (the page said ✓ for it while the lab's first cell said it could not be checked)."""
    text = json.dumps(notebook(TITLE, SETUP))
    passed = {"source_sha256": digest(TITLE, SETUP), "checks": {"x.y": "passed"}, "cells_failing": {},
              "cells_needing": ["pandas"]}
    assert run_in_browser.node_run(passed, text) == "passed"
    assert run_in_browser.node_run({**passed, "cells_needing": ["cryptography"]}, text) == "not verified"
    assert run_in_browser.node_run({**passed, "cells_failing": {"3": "E"}}, text) == "failed"
    assert run_in_browser.node_run({**passed, "checks": {"x.y": "broken"}}, text) == "failed"
    assert run_in_browser.node_run({**passed, "checks": {}}, text) == "failed"
    assert run_in_browser.node_run(None, text) == run_in_browser.node_run({}, text) == "not run"


def test_a_lab_whose_second_check_never_ran_has_not_passed():
    """A verdict per check cell: a lab with two checks, only the first of which ran (✓), is not 'passed'."""
    first = {"cell_type": "code", "source": "labkit.check(lab.first, answer)"}
    second = {"cell_type": "code", "source": "labkit.check(lab.second, other)"}
    record = {"source_sha256": digest(TITLE, SETUP, first, second), "checks": {"lab.first": "passed"},
              "cells_failing": {}, "cells_needing": []}
    assert run_in_browser.node_run(record, json.dumps(notebook(TITLE, SETUP, first, second))) == "failed"
    both = {**record, "checks": {"lab.first": "passed", "lab.second": "passed"}}
    assert run_in_browser.node_run(both, json.dumps(notebook(TITLE, SETUP, first, second))) == "passed"


def test_a_lab_edited_since_its_run_reads_as_not_run():
    """The record holds the version of the lab it ran (source_sha256): once the lab changes, neither its first cell
    nor 'Where each lab runs' repeats that old verdict (a record from before source_sha256 reads as not run too)."""
    edited = notebook(TITLE, COLAB, SETUP, {"cell_type": "code", "source": "import threading"})
    assert run_in_browser.node_run(RECORD["labs"]["sqs"], json.dumps(edited)) == "not run"
    note = run_in_browser.lite_copy(edited, "sqs", ["dva-labkit"], RECORD)["cells"][1]["source"]
    assert "has not been run in the browser yet" in note and "passed" not in note
    old = {k: v for k, v in RECORD["labs"]["sqs"].items() if k != "source_sha256"}
    assert run_in_browser.node_run(old, json.dumps(notebook(TITLE, COLAB, SETUP))) == "not run"


def test_every_labs_lite_copy_replaces_its_install_cell_in_place():
    """Each course lab's Colab install cell is recognised, so its lite copy has the piplite cell in its place (a
    subprocess pip cannot run in the page) and the cell numbers data/browser.json and the notes give stay the lite
    copy's."""
    wrong = []
    for path in sorted((ROOT / "labs").glob("*.ipynb")):
        lab = json.loads(path.read_text())
        copy = run_in_browser.lite_copy(lab, path.stem, ["dva-labkit"], {})
        if len(copy["cells"]) != len(lab["cells"]) or any(map(run_in_browser.is_install_cell, copy["cells"])):
            wrong.append(path.stem)
    assert len(list((ROOT / "labs").glob("*.ipynb"))) > 30 and wrong == []


def test_a_page_run_with_an_unexplained_failed_cell_is_not_a_pass():
    """A failed cell of a run in the page counts against the lab unless it fails by design (tagged raises-exception,
    or declared as needing threads by the Pyodide record) or used a test-machine stand-in; the page 'Where each lab
    runs' says '✓ runs in the page' only when nothing is left (a lab whose checks passed but whose plot cell raised
    a real error read ✓ before)."""
    shown = {"cell_type": "code", "source": "s3.get_object(Bucket='b', Key='gone')",
             "metadata": {"tags": ["raises-exception"]}}
    nb = notebook(TITLE, SETUP, shown, SETUP, SETUP)
    node = {"cells_needing_threads": [3]}
    absent = f"AbsentPackage: pandas.DataFrame: pandas {run_in_browser.ABSENT_MESSAGE} (part of its distribution…"
    assert run_in_browser.failing_by_design(nb, node) == {2, 3}
    assert run_in_browser.failing_by_design(nb, None) == {2}
    explained = {"2": "NoSuchKey: …", "3": "RuntimeError: can't start new thread", "4": absent}
    assert run_in_browser.unexplained_failures(explained, nb, node) == {}
    assert run_in_browser.unexplained_failures({**explained, "1": "TypeError: bad"}, nb, node) == {"1": "TypeError: bad"}
    assert run_in_browser.unexplained_failures(explained, nb, {}) == {"3": "RuntimeError: can't start new thread"}


def test_a_page_cells_error_is_read_from_ipythons_traceback_and_from_labkits_short_form():
    from botocore.exceptions import ParamValidationError

    from labkit.errors import FULL_TRACEBACK_HINT, short_traceback

    try:
        raise ParamValidationError(report='Missing required parameter in input: "Key"')
    except ParamValidationError as error:  # this test's frame counts as the learner's: one line of it
        short = short_traceback(error, error.__traceback__, lambda filename: None) + [FULL_TRACEBACK_HINT]
    assert len(short) == 4 and short[2].startswith("  test_run_in_browser.py, line ")
    printed = "a line the cell printed first\n"
    assert run_in_browser.failure_shown(printed + "\n".join(short)) == 'Missing required parameter in input: "Key"'
    assert run_in_browser.failure_shown(printed + "Traceback (most recent call last)\n  ...\nKeyError: 'x'\n") \
        == "KeyError: 'x'"
    assert run_in_browser.failure_shown(printed + "labkit: Run the Setup cell first.") \
        == "labkit: Run the Setup cell first."  # a LabkitError: the cell failed too
    assert run_in_browser.failure_shown(printed) is None


def test_labkits_wheel_is_built_outside_the_book_and_leaves_its_build_folder_alone(tmp_path):
    book = tmp_path / "book"  # a book with a tiny labkit and the real pyproject.toml, a build/ folder of its own
    (book / "labkit").mkdir(parents=True)
    (book / "labkit" / "__init__.py").write_text('"""tiny"""\n')
    (book / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    (book / "build").mkdir()
    (book / "build" / "keep.txt").write_text("the book's own")
    pypi = tmp_path / "lite" / "pypi"
    pypi.mkdir(parents=True)
    run_in_browser.labkit_wheel(book, pypi)
    assert [w.name for w in pypi.glob("dva_labkit-*.whl")] and (book / "build" / "keep.txt").exists()
    assert sorted(p.name for p in book.iterdir()) == ["build", "labkit", "pyproject.toml"]  # no egg-info either
    assert sorted(p.name for p in (tmp_path / "lite").iterdir()) == ["pypi"]  # its scratch copy is gone


def test_how_to_run_lists_the_labs_whose_recorded_run_passed(tmp_path):
    (tmp_path / "labs").mkdir()
    (tmp_path / "data").mkdir()
    lab = notebook({"cell_type": "markdown", "source": "# Lab: Amazon SQS — queues"}, COLAB, SETUP)
    for slug in ("sqs", "sns"):
        (tmp_path / "labs" / f"{slug}.ipynb").write_text(json.dumps(lab))
    passed = {"source_sha256": run_in_browser.lab_digest(json.dumps(lab)), "checks": {"sqs.queue": "passed"}}
    record = {"labs": {"sqs": passed, "sns": {**passed, "checks": {"sns.topic": "failed"}}}}
    (tmp_path / "data" / "browser.json").write_text(json.dumps(record))
    source = [f"Run: {run_in_browser.LABS_MARKER}."]
    run_in_browser.fill_labs(types.SimpleNamespace(srcdir=str(tmp_path)), "how-to-run", source)
    assert source == ["Run: {doc}`Amazon SQS <labs/sqs>`."]
