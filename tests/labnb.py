"""pytest plugin: each lab in ``labs/`` runs once, in one nbval kernel, as a learner and then solved.

``pytest`` collects ``labs/<slug>.ipynb`` with nbval (``--nbval-lax``, see ``pyproject.toml``); this plugin, loaded
with ``-p labnb``, replaces nbval's collector for the labs with ``LabNotebook``, whose items run in this order in
one kernel:

1. ``learner: start`` — solutions off (as in a learner's Jupyter, Colab or Binder), snapshot of every resource kind
   that may hold something (on the embedded engine, of the services moto has loaded: the others hold nothing);
2. ``learner: Cell N`` for every code cell — a ``%%solution`` cell must say it did not run, every Check my work
   must show ✗ Not yet with a hint (never ✓, never "check broke"); the lab must reach and run its Cleanup;
3. ``learner: nothing left`` — labkit's inventory finds nothing the lab added;
4. ``solved: student account`` — the kernel becomes a workshop student's (tests/workshop_server.py: ``TO_STUDENT``):
   solutions on, ``LABKIT_ENGINE=auto``, ``AWS_ENDPOINT_URL`` of this process's ``labkit serve --students N`` (one per
   xdist worker, a student per lab, so each lab has a fresh non-default account) and the student's key; every other
   lab also sets ``LABKIT_ACCOUNT_ID``, which a student may;
5. ``solved: Cell N`` for every code cell — every check shows ✓, no output names the book's default account
   (123456789012: a call served in another account), and where the book
   build's executed notebook is current (``_build/jupyter_execute/labs/<slug>.ipynb``, same code as the lab), each
   check's verdicts and the Cleanup's list of deleted resources equal the book's, and the cells tagged
   ``nbval-check-output`` have the book's outputs (nbval's comparison), after the student's account id (ours) and
   the default one (the book's) became ``ACCOUNT`` and ``tests/sanitize.cfg`` replaced what varies (generated names,
   ids, ports, times);
6. ``solved: nothing left`` — the kernel's engine was the shared one in the student's account, that account holds
   nothing of any kind labkit inventories, and the instructor's dashboard has the student's verdicts, all ✓.

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

# What every kind that may hold something lists now (labkit.hygiene.snapshot_all: on the kernel's embedded engine,
# the services whose moto package is imported; a refused listing raises there), taken before the learner's pass, and
# what was added since, after it.
START = (f"import os as _os\n_os.environ.pop({SOLUTIONS_ENV!r}, None)\n"
         "from labkit import hygiene as _hygiene\n_before = _hygiene.snapshot_all()")
LEFTOVERS = "import json as _json\nprint(_json.dumps(_hygiene.added_since(_before)))"
ENGINE_USED = ("import json as _json\nfrom labkit import engines as _engines\n"
               "print(_json.dumps({'engine': _engines.current().name, 'account': _engines.current().account_id}))")
BOOK_ACCOUNT = "123456789012"  # the embedded engine's default account (moto's), which the book build runs in
ACCOUNT = "ACCOUNT"  # what both the book's and the student's account id become before a comparison


class LabFailure(Exception):
    """What a lab did wrong in this pass, in one message (shown without a traceback)."""


def labs() -> list[pathlib.Path]:
    """The lab notebooks, sorted: a lab's index is its student's in the workshop server's key file."""
    return sorted(LABS.glob("*.ipynb"))


_workshop: list = []  # this process's WorkshopServer, or the RuntimeError its start raised


def workshop(config):
    """This process's (an xdist worker's) ``labkit serve --students N``, one student per lab, started on first use
    and stopped when pytest ends (tests/workshop_server.py: WorkshopServer). Raises the RuntimeError of a failed
    start, then and for every later lab, without trying again."""
    if not _workshop:
        from workshop_server import WorkshopServer

        try:
            server = WorkshopServer(students=len(labs())).__enter__()
            config.add_cleanup(lambda: server.__exit__(None, None, None))
            _workshop.append(server)
        except RuntimeError as error:
            _workshop.append(error)
    if isinstance(_workshop[0], RuntimeError):
        raise _workshop[0]
    return _workshop[0]


def name_account(text: str, account: str | None) -> str:
    """``text`` with the 12-digit account id ``account``, where it stands alone (not inside a longer number),
    replaced by ``ACCOUNT``; unchanged when ``account`` is None."""
    return re.sub(rf"(?<!\d){account}(?!\d)", ACCOUNT, text) if account else text


def outputs_naming(outputs, account: str | None):
    """A copy of a cell's ``outputs`` (nbformat dicts) with ``account`` replaced as :func:`name_account` does."""
    return nbformat.from_dict(json.loads(name_account(json.dumps(outputs), account))) if account else outputs


def judge_account(source: str, outputs, account: str) -> None:
    """Raise ``LabFailure`` when a solved cell run in the student's ``account`` shows the book's default account
    (unless the cell's own source names it): the call was served in, or an ARN built for, another account."""
    if BOOK_ACCOUNT != account and BOOK_ACCOUNT in json.dumps(outputs) and BOOK_ACCOUNT not in source:
        raise LabFailure(f"solved run in the student's account {account}: the output names the default account "
                         f"{BOOK_ACCOUNT}, so something was served in (or built for) another account")


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


def judge_solved(role: str, outputs, reference, sanitize, account: str | None = None) -> None:
    """Raise ``LabFailure`` unless a solved check cell shows ✓ only and, given the book's ``reference`` cell, the
    check's verdicts are the book's and the Cleanup deleted the same resources (kinds and sanitized names).

    ``account``: the student's account id the pass ran in; before ``sanitize``, it becomes ``ACCOUNT`` in our
    outputs and ``BOOK_ACCOUNT`` does in the book's (so our output naming the default account still differs)."""
    def sanitize_ours(text: str) -> str:
        return sanitize(name_account(text, account))

    def sanitize_book(text: str) -> str:
        return sanitize(name_account(text, BOOK_ACCOUNT if account else None))

    if role == "cleanup" and reference is not None:
        ours, book = deleted(outputs, sanitize_ours), deleted(reference.outputs, sanitize_book)
        if ours != book:
            raise LabFailure("solved run: Cleanup deleted other resources than in the book build\n"
                             f"  book: {book}\n  now:  {ours}")
    if role != "check":
        return
    shown = verdicts(outputs)
    if not shown or any(kind != "passed" for kind, _ in shown):
        raise LabFailure(f"solved run: every check must say ✓ Correct; got {shown or 'no verdict'}")
    if reference is not None:
        ours = [(kind, sanitize_ours(message)) for kind, message in shown]
        book = [(kind, sanitize_book(message)) for kind, message in verdicts(reference.outputs)]
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
        yield LabStep.from_parent(self, name="solved: student account", source="", step="student")
        for number, cell in enumerate(cells):
            ref = reference[number] if reference else None
            compare = ref is not None and tagged_for_comparison(cell)
            yield LabCell.from_parent(self, name=f"solved: Cell {number}", cell_num=number,
                                      cell=fresh(cell, ref if compare else None),
                                      options=options_for(cell, check=compare),
                                      phase="solved", role=role_of(cell), reference=ref)
        yield LabStep.from_parent(self, name="solved: nothing left", source=ENGINE_USED, step="student-leftovers")


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
        student = getattr(self.parent, "student", None)
        if self.phase == "solved" and student is None:
            raise LabFailure("not run: the kernel did not become a student's (see 'solved: student account')")
        super().runtest()
        if self.phase == "learner":
            judge_learner(self.role, self.test_outputs)
        else:
            judge_account(self.cell.source, self.test_outputs, student["account_id"])
            judge_solved(self.role, self.test_outputs, self.reference, self.sanitize, student["account_id"])
            missing = getattr(self.parent, "reference_missing", "")
            if missing and os.environ.get("CI") and self.role == "check":
                raise LabFailure(f"CI compares every lab with the book build, and there is {missing}: "
                                 "run `jupyter-book build .` before `pytest`")

    def compare_outputs(self, test, ref, skip_compare=None):
        """nbval's comparison with the book's outputs, the student's account id in ours and the book's default
        one in the book's both replaced by ``ACCOUNT`` first (then nbval applies tests/sanitize.cfg to both)."""
        student = getattr(self.parent, "student", None)
        if self.phase == "solved" and student is not None:
            test, ref = outputs_naming(test, student["account_id"]), outputs_naming(ref, BOOK_ACCOUNT)
        return super().compare_outputs(test, ref, skip_compare)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, LabFailure):
            return f"{self.path.name}, {self.name}: {excinfo.value}\n\nInput:\n{self.cell.source}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"{self.path.relative_to(ROOT)}::{self.name}"


class LabStep(IPyNbCell):
    """A cell the test adds to the lab's kernel: start the learner's pass, make the kernel a student's for the solved
    pass, or list what was left behind (after the solved pass: the engine used, then the student's account)."""

    def __init__(self, *args, source: str, step: str, **kwargs):
        cell = nbformat.v4.new_code_cell(source)
        super().__init__(*args, cell_num=-1, cell=cell, options=options_for(cell, check=False), **kwargs)
        self.step = step

    def runtest(self):
        if self.step == "student":
            self.become_student()
        elif self.step == "student-leftovers" and getattr(self.parent, "student", None) is None:
            raise LabFailure("not run: the kernel did not become a student's (see 'solved: student account')")
        super().runtest()
        if self.step == "leftovers":
            left = json.loads(stream(self.test_outputs).strip().splitlines()[-1])
            if left:
                raise LabFailure(f"the lab's Cleanup left resources behind: {left}")
        elif self.step == "student-leftovers":
            self.judge_student_account(json.loads(stream(self.test_outputs).strip().splitlines()[-1]))

    def become_student(self) -> None:
        """Set this step's cell to turn the kernel into the lab's student's (solutions on), on this process's
        workshop server; the notebook's ``student`` is that key file entry once the cell ran."""
        from workshop_server import TO_STUDENT, student_environment

        server = workshop(self.config)
        index = labs().index(self.path)
        key = server.students[index]
        # every other lab also sets LABKIT_ACCOUNT_ID (optional for a student; it must then be the key's account)
        env = student_environment(server, key, key["account_id"] if index % 2 else None)
        self.cell = nbformat.v4.new_code_cell(TO_STUDENT.format(env=env))
        self.parent.student = None
        super().runtest()
        self.parent.student = key

    def judge_student_account(self, used: dict) -> None:
        """Raise ``LabFailure`` unless the kernel's engine (``used``: its name and account) was the shared one in the
        student's account, that account now holds nothing labkit inventories, and the instructor's dashboard has
        the student's verdicts, every one ✓."""
        from workshop_server import dashboard, leftovers

        server, key = workshop(self.config), self.parent.student
        if used != {"engine": "shared", "account": key["account_id"]}:
            raise LabFailure(f"the solved pass ran on {used}, not on the workshop server in the student's account "
                             f"{key['account_id']}")
        server.check()
        left = leftovers(server.engine(key))
        if left:
            raise LabFailure(f"the lab's Cleanup left this in the student's account: {left}")
        shown = dashboard(server, key["student"])
        if not shown or not all(passed for _, passed in shown):
            raise LabFailure(f"the instructor's dashboard shows for {key['student']}: {shown or 'no verdict'}")

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
