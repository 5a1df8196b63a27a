"""_ext/run_in_browser.py's lab copies for the book's JupyterLite site, on small notebooks (no build needed)."""
from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
import run_in_browser  # noqa: E402

COLAB = {"cell_type": "code", "source": 'try:\n    import labkit\nexcept ModuleNotFoundError:\n'
                                       '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "dva-labkit"])'}
SETUP = {"cell_type": "code", "source": "import labkit\nimport pandas as pd"}
TITLE = {"cell_type": "markdown", "source": "# Lab"}
RECORD = {"pyodide": "314.0.7",
          "labs": {"sqs": {"checks": {"sqs.consumer_queue": "passed"}, "cells_needing_threads": [8, 9]}}}


def notebook(*cells):
    return {"cells": list(cells), "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}


def test_the_colab_install_cell_becomes_the_piplite_install():
    copy = run_in_browser.lite_copy(notebook(TITLE, COLAB, SETUP), "sqs", ["dva-labkit", "moto"], RECORD)
    assert [c["cell_type"] for c in copy["cells"]] == ["markdown", "code", "code"]
    install = copy["cells"][1]["source"]
    assert "await piplite.install(['dva-labkit', 'moto'], deps=False, index_urls=piplite.piplite._PIPLITE_URLS)" \
        in install  # the bundle first, not Pyodide's lock file
    assert "await piplite.install(['pyyaml', 'markupsafe', 'cryptography', 'pandas'])" in install  # pandas: imported
    assert "every check passed" in install and "cells 9, 10" in install
    assert copy["cells"][2] is SETUP and copy["metadata"]["kernelspec"]["name"] == "python"


def test_a_lab_without_install_cell_gets_one_before_its_first_code_and_an_untested_lab_says_so():
    copy = run_in_browser.lite_copy(notebook(TITLE, SETUP), "kms", ["dva-labkit"], RECORD)
    assert [c["cell_type"] for c in copy["cells"]] == ["markdown", "code", "code"]
    assert "has not been run in the browser yet" in copy["cells"][1]["source"]
    failing = {"pyodide": "314.0.7", "labs": {"kms": {"checks": {"kms.x": "failed"}, "cells_failing": {"4": "E"}}}}
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
        record = {"pyodide": "314.0.7", "labs": {"sqs": lab}}
        note = run_in_browser.lite_copy(notebook(TITLE, COLAB, SETUP), "sqs", ["dva-labkit"], record)["cells"][1]
        assert "its check did not run" in note["source"] and "passed" not in note["source"], note["source"]
