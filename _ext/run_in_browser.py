"""Sphinx extension of the book: "Run in your browser" — every lab opens in a JupyterLite site built into the book.

At ``builder-inited`` it lays out ``_build/lite/`` for jupyterlite-sphinx, which runs ``jupyter lite build`` when
the HTML build finishes (into ``_build/html/lite/``):

- ``pypi/``: the piplite wheels the site bundles — labkit (built from this checkout) and the pure-Python wheels of
  ``_ext/browser_wheels.txt`` (:mod:`browser_wheels`, shared with the Pyodide tests), less those Pyodide's own
  distribution has (PyYAML, MarkupSafe): the site's Pyodide serves them (pure builds, below) with its other packages;
- ``labs/``: a copy of each lab whose install cell (Colab's ``pip install``, which cannot run in a page) is replaced
  by one that installs the bundled wheels with piplite (from the bundle, not from Pyodide's lock file, which has
  other releases of some: urllib3, requests, click…), with a note saying whether the lab was run under Pyodide
  (``data/browser.json``, written by tests/test_pyodide.py) — the course's notebooks are not changed;
- ``quizzes/`` and ``exam/``: what labkit reads beside the labs;
- ``static/pyodide/``: the site hosts Pyodide ``browser_wheels.PYODIDE`` (:func:`host_pyodide`): its core from the npm
  registry's tarball, the pure-Python packages of its lock file that the kernel and the labs load (from PyPI, at the
  lock's versions) and pure builds of PyYAML and MarkupSafe, so that once the page has loaded a lab runs with the
  network cut off; the lock file's other entries (Pyodide's compiled builds: cryptography, numpy, matplotlib,
  pandas…) name their file on Pyodide's CDN by its absolute URL (Pyodide 314's loader takes a ``file_name`` with
  ``://`` as is). Offline, those fail to load and labkit stands in for them (labkit/engines/pyodide_builds.py);
- ``jupyter-lite.json``: the Pyodide kernel loads the site's Pyodide (jupyterlite-pyodide-kernel copies
  ``static/pyodide`` as its well-known local Pyodide) and never falls back to PyPI;
  ``jupyter_lite_config.json``: no source maps in the site (about 40 MB less).

At ``source-read``, how-to-run.md's list of the labs that run under Pyodide is filled from data/browser.json
(:func:`fill_labs`). At ``html-page-context`` no page links jupyterlite-sphinx's web font (the book loads nothing
from outside), and each lab page's launch menu (the rocket) gets "Run in your browser", which opens the lab in
JupyterLite's Notebook interface. Pages that are not labs get nothing. JupyterLite: https://jupyterlite.rtfd.io;
jupyterlite-sphinx: https://jupyterlite-sphinx.readthedocs.io; piplite: the Pyodide kernel's ``%pip``.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import pathlib
import shutil
import subprocess
import sys

import browser_wheels

PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{browser_wheels.PYODIDE}/full/"  # Pyodide's own distribution
HOSTED_PYODIDE = "static/pyodide"  # in the lite site: jupyterlite-pyodide-kernel's well-known local Pyodide
PYODIDE_URL = f"./{HOSTED_PYODIDE}/pyodide.mjs"
PYODIDE_CORE = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")  # what loadPyodide fetches
LITE_APP = "lite/notebooks/index.html"  # jupyterlite-sphinx builds the site into <html>/lite
FROM_PYODIDE = ["pyyaml", "markupsafe", "cryptography"]  # moto imports all three
LAB_PACKAGES_FROM_PYODIDE = ("matplotlib", "pandas")  # installed only for the labs that import them
KERNEL_FROM_PYODIDE = ("micropip", "ipython", "jedi")  # what the Pyodide kernel itself loads from Pyodide's lock
PURE_BUILDS = browser_wheels.PYODIDE_BUILDS  # Pyodide's are compiled; the site hosts PyPI's source built pure
# in the error of a page cell that used a package Pyodide builds and the page could not load (labkit's
# engines/pyodide_builds.REASON, tests/browser/absent.py's stand-ins)
ABSENT_MESSAGE = "is built by Pyodide"
# piplite's own list of the site's all.json URLs (private; the Pyodide kernel sets it at start), passed as index_urls
# so that micropip searches the bundle before Pyodide's lock file; guarded by tests/test_run_in_browser.py
BUNDLE_INDEX = "piplite.piplite._PIPLITE_URLS"
KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}  # JupyterLite's kernel


def lay_out(app) -> None:
    """``builder-inited``: the site's sources into ``_build/lite`` (``jupyterlite_dir`` in _config.yml)."""
    prepare_lite(pathlib.Path(app.srcdir), pathlib.Path(app.srcdir) / "_build" / "lite")


def browser_record(srcdir: pathlib.Path) -> dict:
    """data/browser.json (the labs tests/test_pyodide.py ran under Pyodide), or {} before it is recorded."""
    path = srcdir / "data" / "browser.json"
    return json.loads(path.read_text()) if path.exists() else {}


def is_install_cell(cell: dict) -> bool:
    """The lab's Colab/plain-Jupyter install cell: ``except ModuleNotFoundError`` around a ``pip install``."""
    source = "".join(cell.get("source", ""))
    return cell.get("cell_type") == "code" and "except ModuleNotFoundError" in source and "pip\", \"install" in source


def lab_digest(notebook_text: str) -> str:
    """SHA-256 (hex) of a lab notebook's cell sources (outputs and metadata aside): data/browser.json keeps the one
    each lab was run on (``source_sha256``), so a lab edited since reads as not run."""
    sources = ["".join(cell["source"]) for cell in json.loads(notebook_text)["cells"]]
    return hashlib.sha256(json.dumps(sources).encode()).hexdigest()


def node_run(lab: dict | None, notebook_text: str) -> str:
    """What data/browser.json's record of one lab (tests/test_pyodide.py's run under Pyodide in Node.js) shows for the
    lab's notebook as it is now (``notebook_text``), as both the lite copies and the book's page "Where each lab runs"
    read it: "not run" (no record, or one of another version of the lab), "not verified" (it used Pyodide's
    cryptography, a stand-in on the test machine), "passed" (a verdict from each of the lab's check cells — those
    calling ``labkit.check(`` —, every check ✓ and no failing cell besides the declared thread cells), else "failed"
    (a check not ✓, fewer verdicts than check cells, or a cell failed)."""
    if not lab or lab.get("source_sha256") != lab_digest(notebook_text):
        return "not run"
    if "cryptography" in (lab.get("cells_needing") or []):
        return "not verified"
    checks = lab.get("checks") or {}
    check_cells = sum("labkit.check(" in "".join(cell["source"]) for cell in json.loads(notebook_text)["cells"]
                      if cell["cell_type"] == "code")
    ran_all = len(checks) >= max(check_cells, 1)
    return "passed" if ran_all and set(checks.values()) <= {"passed"} and not lab.get("cells_failing") else "failed"


def failure_shown(text: str) -> str | None:
    """The error a page cell's output ``text`` (its output area's text) shows, in one line: the last line of
    IPython's traceback; for an AWS error, which labkit shows short (``labkit.errors.short_traceback`` then
    ``FULL_TRACEBACK_HINT``), the last line of its message, above the learner's lines; for labkit's own error
    (``labkit: <message>``, its whole output) that line. None: it shows no error."""
    from labkit.errors import FULL_TRACEBACK_HINT, OWN_ERROR

    lines = text.strip().splitlines()
    if FULL_TRACEBACK_HINT in lines:
        above = lines[:lines.index(FULL_TRACEBACK_HINT)]
        while above and above[-1].startswith("  "):  # the learner's lines
            above.pop()
        return above[-1] if above else FULL_TRACEBACK_HINT
    if "Traceback (most recent call last)" in text:
        return lines[-1]
    return next((line for line in reversed(lines) if line.startswith(OWN_ERROR)), None)


def failing_by_design(notebook: dict, node_record: dict | None) -> set[int]:
    """Cells (indexes into ``notebook["cells"]``, counted from 0) that fail in the page by design: tagged
    raises-exception (the lab shows an AWS error), or declared as needing threads by the lab's Pyodide run
    (``node_record``, its data/browser.json entry; the lite copy keeps the course notebook's cell positions)."""
    tagged = {k for k, cell in enumerate(notebook["cells"])
              if "raises-exception" in cell.get("metadata", {}).get("tags", [])}
    return tagged | set((node_record or {}).get("cells_needing_threads") or [])


def unexplained_failures(failed: dict, notebook: dict, node_record: dict | None) -> dict:
    """The failed cells of a run in the page (``failed``: cell index, as a str or int → the error's last line) that
    neither fail by design (:func:`failing_by_design`) nor used a test-machine stand-in for a package Pyodide builds
    (the error names ABSENT_MESSAGE); ``{}`` for a run whose every failure is accounted for."""
    expected = failing_by_design(notebook, node_record)
    return {k: text for k, text in failed.items() if int(k) not in expected and ABSENT_MESSAGE not in text}


def install_source(slug: str, notebook_text: str, bundled: list[str], record: dict) -> str:
    """The lite copy's first code cell: piplite installs labkit, the bundled wheels and Pyodide's own packages."""
    tested = record.get("labs", {}).get(slug) or {}
    checks = tested.get("checks") or {}
    state = node_run(tested, notebook_text)
    ran_on = (f"# The course's tests ran this lab under Pyodide {record.get('pyodide', browser_wheels.PYODIDE)} "
              "(Node.js): ")
    if state == "not verified":
        note = ("# The course's tests could not check this lab under Pyodide: it uses Pyodide's cryptography, which "
                "their machine cannot fetch.")
    elif state == "failed":
        failing = sorted(int(k) + 1 for k in tested.get("cells_failing") or {})
        note = (ran_on + ("its checks passed" if checks and set(checks.values()) <= {"passed"}
                          else "not every check passed" if checks else "its check did not run")
                + (f"; the notebook's cells {', '.join(map(str, failing))} (counting every cell from 1) failed there"
                   if failing else "") + ". See the book's page \"Where each lab runs\".")
    elif state == "passed":
        note = (ran_on + "every check passed"
                + (f"; the notebook's cells {', '.join(str(k + 1) for k in tested['cells_needing_threads'])} "
                   "(counting every cell from 1) start threads and fail here"
                   if tested.get("cells_needing_threads") else "") + ".")
    else:
        note = "# This lab has not been run in the browser yet: a step that needs threads or processes fails here."
    extra = [name for name in LAB_PACKAGES_FROM_PYODIDE if f"import {name}" in notebook_text]
    return "\n".join([
        "# In your browser (JupyterLite): installs labkit and its libraries from the wheels this site bundles, and",
        "# " + ", ".join(FROM_PYODIDE + extra) + " from Pyodide (its compiled builds come from Pyodide's CDN: tens of MB,",
        "# once each time the page is opened; offline, a cell that needs one says so).",
        note,
        "import piplite",
        "# the site's bundle first (micropip would take Pyodide's own copy of some, another release, from its CDN)",
        f"await piplite.install({bundled!r}, deps=False, index_urls={BUNDLE_INDEX})",
        "from labkit.engines import pyodide_builds",
        f"await pyodide_builds.load({FROM_PYODIDE + extra!r})",
    ])


def bundled_names() -> list[str]:
    """The distributions the install cell takes from the site's bundle: labkit's (dva-labkit) and those of
    ``_ext/browser_wheels.txt`` less Pyodide's own builds (PyYAML, MarkupSafe), in the list's order."""
    return ["dva-labkit", *(r.split("==")[0] for r in browser_wheels.requirements(browser_wheels.PYODIDE_BUILDS))]


def lite_copy(notebook: dict, slug: str, bundled: list[str], record: dict) -> dict:
    """The lab with its install cell replaced (or, without one, a first code cell added) for the lite site."""
    text = json.dumps(notebook)
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": install_source(slug, text, bundled, record)}
    cells = list(notebook["cells"])
    index = next((k for k, c in enumerate(cells) if is_install_cell(c)), None)
    if index is None:
        first_code = next((k for k, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
        cells.insert(first_code, cell)
    else:
        cells[index] = cell
    return {**notebook, "cells": cells, "metadata": {**notebook["metadata"], "kernelspec": KERNELSPEC}}


def labkit_wheel(srcdir: pathlib.Path, into: pathlib.Path) -> None:
    """Build labkit's wheel (dva-labkit) from a copy of this checkout's package in ``into``/../labkit-src (setuptools
    writes its ``build/`` and ``*.egg-info`` beside the source: never into the repository); raises Unavailable."""
    source = into.parent / "labkit-src"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(srcdir / "labkit", source / "labkit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(srcdir / "pyproject.toml", source / "pyproject.toml")
    # setuptools of this environment when it has one (a Python 3.12+ venv has none: pip fetches it, ~8 s more)
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("setuptools") else []
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *isolation,
                           "--disable-pip-version-check", "-w", str(into), str(source)],
                          capture_output=True, text=True, timeout=300)
    shutil.rmtree(source, ignore_errors=True)
    if done.returncode != 0:
        raise browser_wheels.Unavailable(f"pip could not build labkit's wheel: {done.stderr.strip()[-300:]}")


def host_pyodide(into: pathlib.Path) -> dict[str, int]:
    """Lay out the site's Pyodide in ``into``: its core files (:data:`PYODIDE_CORE`, npm's tarball), the lock's
    pure-Python wheels that the kernel and the labs load (:data:`KERNEL_FROM_PYODIDE`, :data:`FROM_PYODIDE`,
    :data:`LAB_PACKAGES_FROM_PYODIDE` and their dependencies) and pure builds of :data:`PURE_BUILDS`, and its lock
    file rewritten: a hosted wheel's entry names the site's file and its SHA-256, every other entry Pyodide's CDN
    by absolute URL. Returns ``{"hosted": files, "from_cdn": entries}``; raises Unavailable."""
    core = browser_wheels.pyodide_core()
    into.mkdir(parents=True)
    for name in PYODIDE_CORE:
        shutil.copy2(core / name, into / name)
    entries = browser_wheels.lock_entries(core, KERNEL_FROM_PYODIDE + tuple(FROM_PYODIDE) + LAB_PACKAGES_FROM_PYODIDE)
    hosted = {name: path for name, path in browser_wheels.pure_lock_wheels(
        [e for e in entries if browser_wheels.is_pure(e)]).items()}
    built = {browser_wheels.canonical(w.name.split("-")[0]): w
             for w in browser_wheels.wheels_folder().glob("*.whl")}
    loaded = {browser_wheels.canonical(e["name"]) for e in entries}
    lock = json.loads((core / "pyodide-lock.json").read_text())
    for key, entry in lock["packages"].items():
        if browser_wheels.canonical(key) in PURE_BUILDS & loaded:
            wheel = built[browser_wheels.canonical(key)]
            entry.update(file_name=wheel.name, version=wheel.name.split("-")[1])
            hosted[wheel.name] = wheel
        if entry["file_name"] in hosted:
            shutil.copy2(hosted[entry["file_name"]], into / entry["file_name"])
            entry["sha256"] = hashlib.sha256(hosted[entry["file_name"]].read_bytes()).hexdigest()
        else:
            entry["file_name"] = PYODIDE_CDN + entry["file_name"]
    (into / "pyodide-lock.json").write_text(json.dumps(lock))
    return {"hosted": len(hosted), "from_cdn": len(lock["packages"]) - len(hosted)}


def prepare_lite(srcdir: pathlib.Path, root: pathlib.Path) -> None:
    """Lay out ``root`` (wheels, lab copies, jupyter-lite.json) from the book in ``srcdir``; raises Unavailable."""
    if root.exists():
        shutil.rmtree(root)
    pypi = root / "pypi"
    pypi.mkdir(parents=True)
    for wheel in browser_wheels.wheels_folder().glob("*.whl"):  # the folder the Pyodide tests use too
        if browser_wheels.canonical(wheel.name.split("-")[0]) not in PURE_BUILDS:  # those: in the site's Pyodide
            shutil.copy2(wheel, pypi / wheel.name)
    labkit_wheel(srcdir, pypi)
    host_pyodide(root / HOSTED_PYODIDE)
    bundled = bundled_names()
    record = browser_record(srcdir)
    (root / "labs").mkdir()
    for lab in sorted((srcdir / "labs").glob("*.ipynb")):
        notebook = json.loads(lab.read_text())
        (root / "labs" / lab.name).write_text(json.dumps(lite_copy(notebook, lab.stem, bundled, record), indent=1))
    for folder in ("quizzes", "exam"):
        shutil.copytree(srcdir / folder, root / folder, ignore=shutil.ignore_patterns("*.md", "__pycache__"))
    settings = {"pyodideUrl": PYODIDE_URL, "disablePyPIFallback": True}
    (root / "jupyter-lite.json").write_text(json.dumps({"jupyter-lite-schema-version": 0, "jupyter-config-data": {
        "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": settings}}}, indent=1))
    (root / "jupyter_lite_config.json").write_text(json.dumps({"LiteBuildConfig": {"no_sourcemaps": True}}))


def add_button(app, pagename, templatename, context, doctree) -> None:
    """Append "Run in your browser" to a lab page's launch menu (sphinx-book-theme's "launch-buttons" group)."""
    if not pagename.startswith("labs/") or not (pathlib.Path(app.srcdir) / f"{pagename}.ipynb").exists():
        return
    group = next((b for b in context.get("header_buttons", []) if b.get("label") == "launch-buttons"), None)
    if group is None:
        return
    group["buttons"].append({
        "type": "link", "text": "Run in your browser", "tooltip": "Run this lab in the page: JupyterLite, no server",
        "icon": "_static/images/logo_jupyterlite.svg",
        "url": f"{context['pathto'](LITE_APP, 1)}?path={pagename}.ipynb",
    })


LABS_MARKER = "<!-- run-in-browser: labs that run -->"  # in how-to-run.md


def short_title(notebook: dict) -> str:
    """A lab's name for a list: its title (first Markdown heading) without "Lab: " and what follows " — "."""
    heading = next("".join(c["source"]).splitlines()[0] for c in notebook["cells"] if c["cell_type"] == "markdown")
    return heading.lstrip("# ").removeprefix("Lab: ").split(" — ")[0]


def labs_that_run(srcdir: pathlib.Path) -> str:
    """MyST links to the labs whose recorded run under Pyodide passed (:func:`node_run`), in the book's order of
    ``labs/`` file names, or a sentence saying none is recorded."""
    record = browser_record(srcdir).get("labs", {})
    links = []
    for lab in sorted((srcdir / "labs").glob("*.ipynb")):
        text = lab.read_text()
        if node_run(record.get(lab.stem), text) == "passed":
            links.append(f"{{doc}}`{short_title(json.loads(text))} <labs/{lab.stem}>`")
    return ", ".join(links) if links else "none recorded yet (`tests/test_pyodide.py` writes data/browser.json)"


def fill_labs(app, docname: str, source: list[str]) -> None:
    """``source-read``: how-to-run.md's :data:`LABS_MARKER` becomes :func:`labs_that_run` (data/browser.json)."""
    if docname == "how-to-run":
        source[0] = source[0].replace(LABS_MARKER, labs_that_run(pathlib.Path(app.srcdir)))


WEB_FONT = "https://fonts.googleapis.com/"  # jupyterlite-sphinx links a font for its directives' logo on every page


def drop_web_font(app, pagename, templatename, context, doctree) -> None:
    """Keep every page free of outside requests: drop jupyterlite-sphinx's web font (its directives are not used)."""
    if "css_files" in context:
        context["css_files"] = [c for c in context["css_files"]
                                if not str(getattr(c, "filename", c)).startswith(WEB_FONT)]


def setup(app):
    app.connect("builder-inited", lay_out)
    app.connect("source-read", fill_labs)
    app.connect("html-page-context", drop_web_font)
    app.connect("html-page-context", add_button, priority=502)  # after sphinx-book-theme's launch buttons (501)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
