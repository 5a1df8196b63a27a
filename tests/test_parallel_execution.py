"""_ext/parallel_execution.py: the notebooks it pre-executes are cache HITS for myst-nb, which then executes nothing.

Builds a toy book of two ``.ipynb`` notebooks, a MyST Markdown notebook and a plain page with Sphinx (myst-nb, ``nb_execution_mode = "cache"``, our extension loaded) in a
temp folder and reads myst-nb's own log lines: "Using cached notebook" for each notebook, "Executing notebook" for none.
A third notebook that fails is left to myst-nb, which executes it itself and reports its failure.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("myst_nb")


def _notebook(path: Path, *sources: str, tags: dict | None = None) -> None:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {path.stem}"))
    for i, source in enumerate(sources):
        cell = nbformat.v4.new_code_cell(source)
        if tags and i in tags:
            cell.metadata["tags"] = tags[i]
        nb.cells.append(cell)
    nbformat.write(nb, str(path))


def _book(tmp_path: Path, failing: bool = False) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_nb', 'parallel_execution']\n"
        "nb_execution_mode = 'cache'\n"
        "nb_execution_raise_on_error = False\n"
        "exclude_patterns = ['_build']\n", encoding="utf-8")
    docs = ["one", "two", "three", "page"] + (["broken"] if failing else [])
    (src / "index.md").write_text("# Toy\n\n```{toctree}\n" + "\n".join(docs) + "\n```\n", encoding="utf-8")
    _notebook(src / "one.ipynb", "print(1 + 1)", "raise ValueError('expected')", tags={1: ["raises-exception"]})
    _notebook(src / "two.ipynb", "import os\nprint(os.getcwd())",
              # runs only if the kernel is shut down gracefully; this pass stops kernels at once
              f"import atexit, pathlib\natexit.register(pathlib.Path({str(tmp_path / 'graceful')!r}).write_text, 'x')")
    (src / "three.md").write_text(  # a MyST Markdown notebook, like the book's chapters
        "---\nfile_format: mystnb\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n"
        "# Three\n\n```{code-cell} ipython3\n:tags: [raises-exception]\nraise KeyError('shown')\n```\n\n"
        "```{code-cell} ipython3\nprint(3 * 3)\n```\n", encoding="utf-8")
    (src / "page.md").write_text("# A plain page\n\nNo code.\n", encoding="utf-8")
    if failing:
        _notebook(src / "broken.ipynb", "raise RuntimeError('learner-visible failure')")
    return src


def _build(src: Path, out: Path) -> str:
    run = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-v", str(src), str(out / "html")],
                         capture_output=True, text=True, timeout=240)
    return run.stdout + run.stderr


def test_pre_executed_notebooks_are_cache_hits_and_myst_nb_executes_none(tmp_path):
    out = tmp_path / "_build"
    log = _build(_book(tmp_path), out)
    assert "parallel_execution: 3 cached, 0 left to myst-nb" in log, log
    assert log.count("Using cached notebook") == 3, log
    assert "Executing notebook" not in log, log
    html = (out / "html" / "one.html").read_text(encoding="utf-8")
    assert "ValueError" in html  # the raises-exception cell ran and its error is shown, as myst-nb shows it
    two = (out / "html" / "two.html").read_text(encoding="utf-8")
    assert str(tmp_path / "src") in two  # executed in the notebook's own folder, as myst-nb does
    three = (out / "html" / "three.html").read_text(encoding="utf-8")
    assert "KeyError" in three and "9" in three
    # the kernel was stopped at once, not waited for (nbclient's graceful shutdown cost 2-3 s a notebook)
    assert not (tmp_path / "graceful").exists()


def test_a_failing_notebook_is_left_to_myst_nb_which_reports_it(tmp_path):
    out = tmp_path / "_build"
    log = _build(_book(tmp_path, failing=True), out)
    assert "parallel_execution: 3 cached, 1 left to myst-nb" in log, log
    assert log.count("Executing notebook using") == 1, log  # myst-nb re-executes only the failing one
    assert "Executing notebook failed: CellExecutionError" in log, log
    assert "learner-visible failure" in log, log


def test_a_kernel_that_died_before_answering_is_started_once_more(monkeypatch):
    """Two kernels started at once may be given the same port; the one that loses dies before replying: its
    notebook is run once more (no cell had run), while a second death or another error still propagates."""
    sys.path.insert(0, str(ROOT / "_ext"))
    import parallel_execution

    data = type("Data", (), {"timeout": 30, "allow_errors": False})()
    outcomes = []

    def run(notebook, **kwargs):
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(parallel_execution, "single_nb_execution", run)
    died = RuntimeError(parallel_execution.KERNEL_DIED)
    outcomes[:] = [died, "executed"]
    assert parallel_execution._single_nb_execution(object(), ".", data) == "executed" and outcomes == []
    outcomes[:] = [died, died, "never"]
    with pytest.raises(RuntimeError, match="Kernel died"):
        parallel_execution._single_nb_execution(object(), ".", data)
    outcomes[:] = [RuntimeError("Kernel didn't respond in 60 seconds"), "never"]
    with pytest.raises(RuntimeError, match="respond"):
        parallel_execution._single_nb_execution(object(), ".", data)
