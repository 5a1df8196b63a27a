"""Colab has none of the course's packages: a lab's hidden first cell installs them, and the lab runs.

Simulated: a fresh venv holding only a Jupyter kernel, the notebook alone in an empty folder (Colab opens it
straight from GitHub), and git told to fetch the configured repository from this checkout's committed state.
"""
from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def pinned_moto() -> str:
    """The moto version pyproject.toml pins (the one place it is written; requirements.txt repeats it, checked in
    tests/test_packaging.py)."""
    from test_packaging import PROJECT, requirements

    (specifier,) = requirements(PROJECT["dependencies"])["moto"].specifier
    return specifier.version


def test_a_lab_installs_what_is_missing_and_runs(tmp_path, monkeypatch):
    venv = tmp_path / "colab-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "ipykernel"], check=True, capture_output=True)
    subprocess.run([str(python), "-m", "ipykernel", "install", "--prefix", str(venv), "--name", "colab"],
                   check=True, capture_output=True)
    assert subprocess.run([str(python), "-c", "import labkit"], capture_output=True, cwd=tmp_path).returncode != 0

    monkeypatch.setenv("JUPYTER_PATH", str(venv / "share" / "jupyter"))
    for key, value in {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.{ROOT.as_uri()}.insteadOf",
                       "GIT_CONFIG_VALUE_0": REPOSITORY}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PATH", f"{venv / 'bin'}:/usr/bin:/bin")
    folder = tmp_path / "content"
    folder.mkdir()
    shutil.copy(ROOT / "labs" / "s3-basics.ipynb", folder)
    notebook = nbformat.read(folder / "s3-basics.ipynb", as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="colab", resources={"metadata": {"path": str(folder)}}).execute()

    assert "Correct" in json.dumps(notebook.metadata.get("widgets", {}))  # the check widget's verdict
    installed = subprocess.run([str(python), "-c", "import labkit, moto; print(labkit.__file__, moto.__version__)"],
                               capture_output=True, text=True, cwd=folder)
    where, moto_version = installed.stdout.split()
    assert where.startswith(str(venv)) and moto_version == pinned_moto()
