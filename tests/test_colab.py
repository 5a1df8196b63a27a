"""Colab has none of the course's packages: a lab's hidden first cell installs them, and the lab runs.

Simulated: a fresh venv holding pip and a Jupyter kernel, the notebook alone in an empty folder (Colab opens it
straight from GitHub), and git told to fetch the configured repository from this checkout's committed state.

The venv is made with uv (pinned in requirements.txt), and so are the libraries the cell's requirement brings:
uv installs that very requirement (the newest releases its unpinned extras allow, as pip picks), then removes
dva-labkit alone. The cell's own pip then does what it does on Colab: finds labkit missing, fetches the repository
with git, builds and installs dva-labkit, and accepts the libraries already there as satisfying its requirements.
pip installing all of them again took minutes where uv takes seconds; the cell's command is run as written.
"""
from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess
import sys

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
REQUIREMENT = re.compile(r'"(dva-labkit\[labs\] @ git\+[^"]+)"')


def uv() -> str:
    """The pinned uv's executable (requirements.txt)."""
    from uv import find_uv_bin

    return find_uv_bin()


def cell_requirement(notebook) -> str:
    """The requirement a lab's hidden first cell gives pip (``dva-labkit[labs] @ git+<repository>``)."""
    first = next(c for c in notebook.cells if c.cell_type == "code")
    found = REQUIREMENT.search(first.source)
    assert found, "the lab's first code cell installs dva-labkit[labs] from the repository with pip"
    return found.group(1)


def pinned_moto() -> str:
    """The moto version pyproject.toml pins (the one place it is written; requirements.txt repeats it, checked in
    tests/test_packaging.py)."""
    from test_packaging import PROJECT, requirements

    (specifier,) = requirements(PROJECT["dependencies"])["moto"].specifier
    return specifier.version


def test_a_lab_installs_what_is_missing_and_runs(tmp_path, monkeypatch):
    venv = tmp_path / "colab-venv"
    subprocess.run([uv(), "venv", "-q", "--seed", "--python", sys.executable, str(venv)], check=True)  # with pip
    python = venv / "bin" / "python"
    subprocess.run([uv(), "pip", "install", "-q", "--python", str(python), "ipykernel"], check=True,
                   capture_output=True)
    subprocess.run([str(python), "-m", "ipykernel", "install", "--prefix", str(venv), "--name", "colab"],
                   check=True, capture_output=True)

    monkeypatch.setenv("JUPYTER_PATH", str(venv / "share" / "jupyter"))
    for key, value in {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.{ROOT.as_uri()}.insteadOf",
                       "GIT_CONFIG_VALUE_0": REPOSITORY}.items():
        monkeypatch.setenv(key, value)
    folder = tmp_path / "content"
    folder.mkdir()
    shutil.copy(ROOT / "labs" / "s3-basics.ipynb", folder)
    notebook = nbformat.read(folder / "s3-basics.ipynb", as_version=4)
    requirement = cell_requirement(notebook)
    libraries = subprocess.run([uv(), "pip", "install", "-q", "--python", str(python), requirement],
                               capture_output=True, text=True)
    assert libraries.returncode == 0, libraries.stderr[-3000:]
    subprocess.run([uv(), "pip", "uninstall", "-q", "--python", str(python), "dva-labkit"], check=True)
    assert subprocess.run([str(python), "-c", "import labkit"], capture_output=True, cwd=tmp_path).returncode != 0

    monkeypatch.setenv("PATH", f"{venv / 'bin'}:/usr/bin:/bin")
    NotebookClient(notebook, timeout=600, kernel_name="colab", resources={"metadata": {"path": str(folder)}}).execute()

    assert "Correct" in json.dumps(notebook.metadata.get("widgets", {}))  # the check widget's verdict
    installed = subprocess.run([str(python), "-c", "import labkit, moto; print(labkit.__file__, moto.__version__)"],
                               capture_output=True, text=True, cwd=folder)
    where, moto_version = installed.stdout.split()
    assert where.startswith(str(venv)) and moto_version == pinned_moto()
