"""Every lab, twice in one kernel: first as a learner (no solutions), then solved; Cleanup leaves nothing either time.

Run 1 starts the kernel without ``LABKIT_RUN_SOLUTIONS`` (a learner's Jupyter, Colab or Binder): every
``%%solution`` cell must say it did not run, every Check my work must show ✗ Not yet with a hint (never "check
broke"), and the lab must still reach and run its Cleanup. Run 2, in the same kernel, turns solutions on: every
check must show ✓. nbval (``pytest`` collects ``labs/*.ipynb`` with ``--nbval-lax``) runs each lab once more,
solved (``tests/conftest.py`` sets the variable for the kernels it starts).
"""
from __future__ import annotations

import html
import json
import os
import pathlib
import re

import nbformat
import pytest
from nbclient import NotebookClient

from labkit.solutions import ENV, NOT_RUN

LABS = sorted(pathlib.Path(__file__).resolve().parent.parent.joinpath("labs").glob("*.ipynb"))
PROBE = "from labkit import hygiene as _hygiene\n_before = _hygiene.snapshot_all()"
LEFTOVERS = "import json as _json\nprint(_json.dumps(_hygiene.added_since(_before)))"
SOLUTIONS_ON = f"import os as _os\n_os.environ[{ENV!r}] = '1'"
VERDICT = re.compile(r'<div class="labkit-verdict" data-verdict="(\w+)"[^>]*><strong[^>]*>[^<]*</strong> ([^<]*)')


def run_code(client: NotebookClient, source: str) -> str:
    cell = nbformat.v4.new_code_cell(source)
    client.nb.cells.append(cell)
    client.execute_cell(cell, len(client.nb.cells) - 1)
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def run_lab(client: NotebookClient, cells: list) -> list:
    """Execute copies of ``cells`` in order (a failing cell not tagged raises-exception fails the test)."""
    executed = []
    for cell in cells:
        copy = nbformat.from_dict(json.loads(json.dumps(cell)))
        client.nb.cells.append(copy)
        client.execute_cell(copy, len(client.nb.cells) - 1)
        executed.append(copy)
    return executed


def verdicts(cell) -> list[tuple[str, str]]:
    """(kind, message) of every Check my work verdict a cell displayed (its text/html output)."""
    found = []
    for output in cell.get("outputs", []):
        found += [(kind, html.unescape(message).strip())
                  for kind, message in VERDICT.findall(output.get("data", {}).get("text/html", ""))]
    return found


def stream(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


@pytest.mark.parametrize("path", LABS, ids=[p.stem for p in LABS])
def test_lab_as_learner_then_solved_and_cleans_up(path):
    notebook = nbformat.read(path, as_version=4)
    lab_cells = [c for c in notebook.cells if c.cell_type == "code"]
    checks = [i for i, c in enumerate(lab_cells) if "labkit.check(" in c.source]
    solutions = [i for i, c in enumerate(lab_cells) if c.source.startswith("%%solution")]
    assert checks and solutions, f"{path.name}: a lab has a %%solution cell and a labkit.check(...) cell"
    assert "labkit.cleanup()" in lab_cells[-1].source, f"{path.name}: the last code cell is the Cleanup"
    learner_env = {key: value for key, value in os.environ.items() if key != ENV}
    client = NotebookClient(nbformat.v4.new_notebook(metadata=notebook.metadata), timeout=300,
                            kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel(env=learner_env):
        run_code(client, PROBE)
        learner = run_lab(client, lab_cells)  # raises at the first failing cell: reaching the end means Cleanup ran
        after_learner = json.loads(run_code(client, LEFTOVERS))
        run_code(client, SOLUTIONS_ON)
        solved = run_lab(client, lab_cells)
        after_solved = json.loads(run_code(client, LEFTOVERS))

    for i in solutions:
        assert NOT_RUN in stream(learner[i]), f"{path.name}: a solution ran in the learner's session"
    for i in checks:
        shown = verdicts(learner[i])
        assert shown, f"{path.name}: the check cell shows no verdict"
        for kind, hint in shown:
            assert kind == "failed" and len(hint) > 20, \
                f"{path.name}, learner's run: every check must say ✗ Not yet with a hint; got {kind}: {hint}"
        shown = verdicts(solved[i])
        assert shown and all(kind == "passed" for kind, _ in shown), f"{path.name}, solved run: {shown}"
    assert after_learner == {}, f"{path.name} left resources behind after the learner's Cleanup: {after_learner}"
    assert after_solved == {}, f"{path.name} left resources behind after its Cleanup: {after_solved}"
