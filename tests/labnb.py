"""pytest plugin: each lab in ``labs/`` runs once, in one nbval kernel, as a learner and then solved.

``pytest`` collects ``labs/<slug>.ipynb`` with nbval (``--nbval-lax``, see ``pyproject.toml``); this plugin, loaded
with ``-p labnb``, replaces nbval's collector for the labs with ``LabNotebook``, whose items run in this order in
one kernel:

1. ``learner: start`` — solutions off (as in a learner's Jupyter, Colab or Binder), snapshot of every resource kind;
2. ``learner: Cell N`` for every code cell — a ``%%solution`` cell must say it did not run, every Check my work
   must show ✗ Not yet with a hint (never ✓, never "check broke"); the lab must reach and run its Cleanup;
3. ``learner: nothing left`` — labkit's inventory finds nothing the lab added;
4. ``solved: solutions on``, then ``solved: Cell N`` for every code cell — every check shows ✓, and where the book
   build's executed notebook is current (``_build/jupyter_execute/labs/<slug>.ipynb``, same code as the lab), each
   check's verdicts and the Cleanup's list of deleted resources equal the book's, and the cells tagged ``nbval-check-output`` have the book's outputs (nbval's
   comparison), after ``tests/sanitize.cfg`` replaced what varies (generated names, ids, ports, times);
5. ``solved: nothing left``.

Without a current book build (a developer running ``pytest`` alone) the verdicts are still asserted, the comparison
with the book is left out and a warning says how to get it; with ``CI`` set, a missing or stale book build fails.
Only ``IPyNbFile``/``IPyNbCell`` (collect, setup, runtest, ``test_outputs``, ``sanitize``) are used from nbval.
"""
from __future__ import annotations

import html
import json
import os
import pathlib
import re
import warnings
from collections import defaultdict

import nbformat
import pytest
from nbval.plugin import IPyNbCell, IPyNbFile, NbCellError, find_comment_markers, find_metadata_tags

ROOT = pathlib.Path(__file__).resolve().parent.parent
LABS = ROOT / "labs"
BOOK_ENV = "LABKIT_BOOK_BUILD"  # another _build folder to compare with (default: this checkout's _build)
SOLUTIONS_ENV = "LABKIT_RUN_SOLUTIONS"  # the same name as labkit.solutions.ENV
NOT_RUN_START = "Solution not run"  # the start of labkit.solutions.NOT_RUN
VERDICT = re.compile(r'<div class="labkit-verdict" data-verdict="(\w+)"[^>]*><strong[^>]*>[^<]*</strong> ([^<]*)')

START = (f"import os as _os\n_os.environ.pop({SOLUTIONS_ENV!r}, None)\n"
         "from labkit import hygiene as _hygiene\n_before = _hygiene.snapshot_all()")
LEFTOVERS = "import json as _json\nprint(_json.dumps(_hygiene.added_since(_before)))"
SOLUTIONS_ON = f"_os.environ[{SOLUTIONS_ENV!r}] = '1'"


class LabFailure(Exception):
    """What a lab did wrong in this pass, in one message (shown without a traceback)."""


def book_folder() -> pathlib.Path:
    """The folder of the book build's executed notebooks: ``$LABKIT_BOOK_BUILD/jupyter_execute`` or ``_build/…``."""
    return pathlib.Path(os.environ.get(BOOK_ENV) or ROOT / "_build") / "jupyter_execute"


def code_cells(notebook) -> list:
    return [c for c in notebook.cells if c.cell_type == "code"]


def reference_for(lab: pathlib.Path, cells: list, folder: pathlib.Path | None = None) -> tuple[list | None, str]:
    """The book build's executed code cells of ``lab``, or ``(None, why not)``.

    ``cells`` are the lab's code cells. The book's copy counts only if it has exactly these cells, with the same
    sources, each executed (an older build of a changed lab is stale, not a reference).
    """
    folder = folder or book_folder()
    path = folder / lab.parent.name / lab.name
    if not path.exists():
        return None, f"no book build output {path}"
    executed = code_cells(nbformat.read(path, as_version=4))
    if [c.source.strip() for c in executed] != [c.source.strip() for c in cells]:
        return None, f"{path} was built from another version of {lab.name} (stale)"
    if any(c.execution_count is None for c in executed):
        # myst-nb writes a notebook it took from its cache without outputs: the outputs are in that cache
        cached = cached_cells(lab, folder.parent / ".jupyter_cache")
        if cached is None:
            return None, f"{path} has cells the book build did not execute, and its cache has no run of {lab.name}"
        return cached, ""
    return executed, ""


def cached_cells(lab: pathlib.Path, cache_folder: pathlib.Path) -> list | None:
    """The code cells of the book build's cached execution of ``lab`` (jupyter-cache, matched by the hash of the
    lab's current code), each with its outputs; None without a cache or a run of this version of the lab."""
    if not cache_folder.is_dir():
        return None
    from jupyter_cache import get_cache

    try:
        _, merged = get_cache(str(cache_folder)).merge_match_into_notebook(nbformat.read(lab, as_version=4))
    except KeyError:  # no cached run of these cells
        return None
    executed = code_cells(merged)
    return None if any(c.execution_count is None for c in executed) else executed


def verdicts(outputs) -> list[tuple[str, str]]:
    """(kind, message) of every Check my work verdict in a cell's ``outputs`` (their text/html)."""
    found = []
    for output in outputs or []:
        text = output.get("data", {}).get("text/html", "")
        found += [(kind, html.unescape(message).strip()) for kind, message in VERDICT.findall(text)]
    return found


def stream(outputs) -> str:
    return "".join(o.get("text", "") for o in outputs or [] if o.get("output_type") == "stream")


def judge_learner(role: str, outputs) -> None:
    """Raise ``LabFailure`` unless a learner's cell of this ``role`` showed what a learner must see."""
    if role == "solution" and NOT_RUN_START not in stream(outputs):
        raise LabFailure("a %%solution cell ran (or printed nothing) in the learner's session: it must print "
                         "labkit's 'Solution not run' line")
    if role == "check":
        shown = verdicts(outputs)
        if not shown:
            raise LabFailure("the check cell shows no verdict")
        wrong = [(kind, hint) for kind, hint in shown if kind != "failed" or len(hint) <= 20]
        if wrong:
            raise LabFailure(f"learner's run: every check must say ✗ Not yet with a hint; got {wrong}")


def deleted(outputs, sanitize) -> list[str]:
    """What the Cleanup report (lines ``deleted <kind> <id> [<name>]``) deleted: per line its kind and the
    sanitized words that hold a lab's name (``dva-…``), sorted. Ids the engine generates (API keys, pool ids) are
    left out, since they differ on every run; how many resources of each kind were deleted still counts."""
    text = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs or [])  # one output, one line at least
    found = []
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "deleted":
            found.append(" ".join([words[1], *sorted(sanitize(w) for w in words[2:] if "dva-" in w)]))
    return sorted(found)


def judge_solved(role: str, outputs, reference, sanitize) -> None:
    """Raise ``LabFailure`` unless a solved check cell shows ✓ only and, given the book's ``reference`` cell, the
    check's verdicts are the book's and the Cleanup deleted the same resources (kinds and sanitized names)."""
    if role == "cleanup" and reference is not None:
        ours, book = deleted(outputs, sanitize), deleted(reference.outputs, sanitize)
        if ours != book:
            raise LabFailure("solved run: Cleanup deleted other resources than in the book build\n"
                             f"  book: {book}\n  now:  {ours}")
    if role != "check":
        return
    shown = verdicts(outputs)
    if not shown or any(kind != "passed" for kind, _ in shown):
        raise LabFailure(f"solved run: every check must say ✓ Correct; got {shown or 'no verdict'}")
    if reference is not None:
        ours = [(kind, sanitize(message)) for kind, message in shown]
        book = [(kind, sanitize(message)) for kind, message in verdicts(reference.outputs)]
        if ours != book:
            raise LabFailure(f"solved run: the verdicts differ from the book build's\n  book: {book}\n  now:  {ours}")


def role_of(cell) -> str:
    if "labkit.cleanup()" in cell.source:
        return "cleanup"
    if cell.source.startswith("%%solution"):
        return "solution"
    return "check" if "labkit.check(" in cell.source else "cell"


class LabNotebook(IPyNbFile):
    """nbval's notebook collector for a lab: the learner's pass, then the solved pass, in one kernel."""

    def collect(self):
        self.nb = nbformat.read(str(self.path), as_version=4)
        cells = code_cells(self.nb)
        reference, why = reference_for(self.path, cells)
        self.reference_missing = why
        if why and not os.environ.get("CI"):
            warnings.warn(f"{self.path.name}: outputs not compared with the book ({why}); run "
                          "`jupyter-book build .` first to compare them", UserWarning)
        yield LabStep.from_parent(self, name="learner: start", source=START, step="start")
        for number, cell in enumerate(cells):
            yield LabCell.from_parent(self, name=f"learner: Cell {number}", cell_num=number,
                                      cell=fresh(cell), options=options_for(cell, check=False),
                                      phase="learner", role=role_of(cell), reference=None)
        yield LabStep.from_parent(self, name="learner: nothing left", source=LEFTOVERS, step="leftovers")
        yield LabStep.from_parent(self, name="solved: solutions on", source=SOLUTIONS_ON, step="solutions")
        for number, cell in enumerate(cells):
            ref = reference[number] if reference else None
            compare = ref is not None and tagged_for_comparison(cell)
            yield LabCell.from_parent(self, name=f"solved: Cell {number}", cell_num=number,
                                      cell=fresh(cell, ref if compare else None),
                                      options=options_for(cell, check=compare),
                                      phase="solved", role=role_of(cell), reference=ref)
        yield LabStep.from_parent(self, name="solved: nothing left", source=LEFTOVERS, step="leftovers")


def fresh(cell, reference=None):
    """A copy of ``cell`` to run; with ``reference``, it carries the book's outputs for nbval to compare."""
    copy = nbformat.from_dict(json.loads(json.dumps(cell)))
    copy.outputs = reference.outputs if reference is not None else []
    copy.execution_count = reference.execution_count if reference is not None else None
    return copy


def nbval_options(cell):
    """nbval's options for a cell, from its tags (``nbval-check-output``, ``raises-exception``…) and comments."""
    options = defaultdict(bool, find_metadata_tags(cell.metadata))
    options.update(dict(find_comment_markers(cell.source)))
    return options


def tagged_for_comparison(cell) -> bool:
    """True when the lab's author asked nbval to compare this cell's outputs (``nbval-check-output``)."""
    return bool(nbval_options(cell)["check"])


def options_for(cell, check: bool):
    """nbval's options for running ``cell`` in a pass: its own, with output comparison set to ``check``."""
    options = nbval_options(cell)
    options["check"] = check
    return options


class LabCell(IPyNbCell):
    """One of the lab's code cells in one pass; nbval runs (and compares) it, then the pass's own checks judge it."""

    def __init__(self, *args, phase: str, role: str, reference, **kwargs):
        super().__init__(*args, **kwargs)
        self.phase, self.role, self.reference = phase, role, reference

    def runtest(self):
        super().runtest()
        if self.phase == "learner":
            judge_learner(self.role, self.test_outputs)
        else:
            judge_solved(self.role, self.test_outputs, self.reference, self.sanitize)
            missing = getattr(self.parent, "reference_missing", "")
            if missing and os.environ.get("CI") and self.role == "check":
                raise LabFailure(f"CI compares every lab with the book build, and there is {missing}: "
                                 "run `jupyter-book build .` before `pytest`")

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, LabFailure):
            return f"{self.path.name}, {self.name}: {excinfo.value}\n\nInput:\n{self.cell.source}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"{self.path.relative_to(ROOT)}::{self.name}"


class LabStep(IPyNbCell):
    """A cell the test adds to the lab's kernel: start a pass, turn solutions on, or list what was left behind."""

    def __init__(self, *args, source: str, step: str, **kwargs):
        cell = nbformat.v4.new_code_cell(source)
        super().__init__(*args, cell_num=-1, cell=cell, options=options_for(cell, check=False), **kwargs)
        self.step = step

    def runtest(self):
        super().runtest()
        if self.step == "leftovers":
            left = json.loads(stream(self.test_outputs).strip().splitlines()[-1])
            if left:
                raise LabFailure(f"the lab's Cleanup left resources behind: {left}")

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, LabFailure):
            return f"{self.path.name}, {self.name}: {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"{self.path.relative_to(ROOT)}::{self.name}"


def is_lab(file_path: pathlib.Path) -> bool:
    return file_path.suffix == ".ipynb" and file_path.parent.resolve() == LABS


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    """Where nbval collected a lab, collect it as a ``LabNotebook`` instead (other notebooks stay nbval's)."""
    collected = yield
    if not is_lab(file_path):
        return collected
    return [LabNotebook.from_parent(parent, path=file_path) if type(item) is IPyNbFile else item
            for item in collected]


__all__ = ["LabNotebook", "NbCellError", "reference_for", "verdicts"]
