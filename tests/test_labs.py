"""Every lab runs twice in one kernel (Restart-and-Run-All twice) and its cleanup leaves nothing behind.

nbval (``pytest`` collects ``labs/*.ipynb`` with ``--nbval-lax``) runs each lab once more on its own.
"""
from __future__ import annotations

import json
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

LABS = sorted(pathlib.Path(__file__).resolve().parent.parent.joinpath("labs").glob("*.ipynb"))
PROBE = "from labkit import hygiene as _hygiene\n_before = _hygiene.snapshot_all()"
LEFTOVERS = "import json as _json\nprint(_json.dumps(_hygiene.added_since(_before)))"


def run_code(client: NotebookClient, source: str) -> str:
    cell = nbformat.v4.new_code_cell(source)
    client.nb.cells.append(cell)
    client.execute_cell(cell, len(client.nb.cells) - 1)
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.mark.parametrize("path", LABS, ids=[p.stem for p in LABS])
def test_lab_runs_twice_and_cleans_up(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    lab_cells = [c for c in notebook.cells if c.cell_type == "code"]
    client = NotebookClient(nbformat.v4.new_notebook(metadata=notebook.metadata), timeout=300,
                            kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        run_code(client, PROBE)
        for _ in range(2):
            for cell in lab_cells:
                copy = nbformat.from_dict(json.loads(json.dumps(cell)))
                client.nb.cells.append(copy)
                client.execute_cell(copy, len(client.nb.cells) - 1)
        leftovers = json.loads(run_code(client, LEFTOVERS))
    assert leftovers == {}, f"{path.name} left resources behind after its Cleanup: {leftovers}"
