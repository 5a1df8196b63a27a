"""A lab run in the book's JupyterLite page, in headless Chromium, as a learner runs it: cell by cell, Shift+Enter.

Used by tests/test_lite.py (s3-basics) and bench/browser_page.py (the times on the Benchmarks page).

**What this machine serves in place of Pyodide's CDN** (a test-machine limit, never shipped in the site: the
published site loads Pyodide's own files). This machine reaches package registries only, and PyPI has no Pyodide
(``pyemscripten``) wheels. So :class:`PyodideCdn` answers the CDN's URLs with: Pyodide itself from the npm package
``pyodide``; the pure-Python packages of Pyodide's lock file from PyPI at the lock's versions; PyYAML and MarkupSafe
as their own pure-Python builds (``_ext/browser_wheels.py``); and every other Pyodide build the page asks for
(cryptography, cffi, numpy, matplotlib, pandas, Pillow…) as a **stand-in** wheel whose modules are absent
(tests/browser/absent.py: any use raises, never returns a value). The lock file is served with the checksums of
these files. Anything else asked for is refused and recorded.

The learner's part: the exercise cell (``# Your code here``) gets the body of the lab's ``%%solution`` cell typed
in, as a learner would copy it; every cell then runs in order and its output and verdicts are read from the page.
"""
from __future__ import annotations

import hashlib
import json
import pathlib
import re
import sys
import time
from urllib.parse import urljoin

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(HERE))
import assets  # noqa: E402
import run_in_browser  # noqa: E402

KERNEL_FROM_PYODIDE = ("micropip", "ipython", "jedi")  # what the Pyodide kernel loads from Pyodide's distribution
PURE_BUILDS = ("pyyaml", "markupsafe")  # Pyodide's are compiled; _ext/browser_wheels.py builds PyPI's source pure
LOGO_FONT = "https://fonts.googleapis.com/css?family=Vibur"  # JupyterLite's own logo (an SVG) imports this font
ABSENT_MESSAGE = run_in_browser.ABSENT_MESSAGE  # in the error of a cell that used a stand-in (absent.py)


class PyodideCdn:
    """Answers Pyodide's CDN from this machine (see the module's docstring); ``route`` is playwright's handler.

    ``served``: lock file name → bytes; ``stand_ins``: the stand-ins the page asked for; ``refused``: anything else
    asked for (aborted). Raises assets.Unavailable when Pyodide or a wheel cannot be had.
    """

    def __init__(self):
        self.pyodide = assets.pyodide_folder(assets.node_and_npm()[1])
        entries = assets.lock_entries(self.pyodide, KERNEL_FROM_PYODIDE + tuple(run_in_browser.FROM_PYODIDE)
                                      + run_in_browser.LAB_PACKAGES_FROM_PYODIDE)
        built = {assets.canonical(w.name.split("-")[0]): w for w in assets.wheels_folder().glob("*.whl")}
        self.served = {name: path.read_bytes() for name, path in
                       assets.pure_lock_wheels([e for e in entries if assets.is_pure(e)]).items()}
        self.stand_in_files = {}
        for entry in entries:
            if assets.is_pure(entry):
                continue
            if assets.canonical(entry["name"]) in PURE_BUILDS:
                self.served[entry["file_name"]] = built[assets.canonical(entry["name"])].read_bytes()
            else:
                self.served[entry["file_name"]] = assets.stand_in_wheel(entry)
                self.stand_in_files[entry["file_name"]] = entry["name"]
        lock = json.loads((self.pyodide / "pyodide-lock.json").read_text())
        for entry in lock["packages"].values():
            if entry["file_name"] in self.served:
                entry["sha256"] = hashlib.sha256(self.served[entry["file_name"]]).hexdigest()
        self.lock = json.dumps(lock).encode()
        self.refused, self.stand_ins = [], []

    def route(self, route):
        name = route.request.url[len(run_in_browser.PYODIDE_CDN):].split("?")[0]
        if name == "pyodide-lock.json":
            route.fulfill(body=self.lock, content_type="application/json")
        elif name in self.served:
            if name in self.stand_in_files:
                self.stand_ins.append(self.stand_in_files[name])
            route.fulfill(body=self.served[name], content_type="application/zip")
        elif "/" not in name and (self.pyodide / name).is_file():
            route.fulfill(path=str(self.pyodide / name))
        else:
            self.refused.append(name)
            route.abort()


def learner_answer(notebook: dict) -> str:
    """What a learner types into the exercise cell: the body of the lab's ``%%solution`` cell."""
    cell = next(c for c in notebook["cells"] if "".join(c["source"]).startswith("%%solution"))
    return "\n".join(line for line in "".join(cell["source"]).splitlines()
                     if not line.startswith(("%%solution", "#@title")))


def run_active_cell(page, timeout_s: float) -> dict:
    """Shift+Enter on the active code cell and wait until it has run (its prompt shows a number; a cell whose input
    is folded, as the lab's solution cells are, shows no prompt: until it shows an output).

    ``{"finished", "seconds", "text", "verdicts"}``: its output's text and the labkit verdicts it shows.
    """
    cell = page.locator(".jp-Notebook .jp-Cell.jp-mod-active").element_handle()
    began = time.perf_counter()
    page.keyboard.press("Shift+Enter")
    finished = False
    while not finished and time.perf_counter() - began < timeout_s:
        page.wait_for_timeout(200)
        prompt = cell.query_selector(".jp-InputArea .jp-InputPrompt")
        finished = (bool(re.search(r"\[\d+\]", prompt.text_content())) if prompt and prompt.is_visible()
                    else bool(cell.query_selector(".jp-OutputArea-output")))
    outputs = cell.query_selector(".jp-OutputArea")
    return {"finished": finished, "seconds": round(time.perf_counter() - began, 2),
            "text": outputs.inner_text() if outputs else "",
            "verdicts": [v.get_attribute("data-verdict") for v in cell.query_selector_all(".labkit-verdict")]}


def run_lab(browser, site: str, lite: pathlib.Path, lab: str, cdn: PyodideCdn, screenshot: pathlib.Path) -> dict:
    """Open ``lab``'s book page at ``site``, follow "Run in your browser", run every cell; what the page showed.

    ``lite`` is the built JupyterLite folder (its copy of the lab). Returns ``{"cells": {index: run_active_cell's
    result + "ended_s" (seconds since the lite page was opened)}, "outside": [URLs outside the site and the CDN],
    "refused", "stand_ins", "first_answer_s", "lab_s"}``: first answer = the end of the lab's first cell after its
    install and Setup cells (its first AWS call); lab = from the Setup cell's start to the last cell's end.
    """
    notebook = json.loads((lite / "files" / "labs" / f"{lab}.ipynb").read_text())
    answer = learner_answer(json.loads((ROOT / "labs" / f"{lab}.ipynb").read_text()))
    outside = []
    cdn.refused.clear()
    cdn.stand_ins.clear()
    context = browser.new_context(viewport={"width": 1280, "height": 1000})  # a context's routes see workers too
    context.route(run_in_browser.PYODIDE_CDN + "**", cdn.route)
    context.on("request", lambda r: outside.append(r.url) if not r.url.startswith(
        (site, run_in_browser.PYODIDE_CDN, LOGO_FONT, "blob:", "data:")) else None)
    try:
        page = context.new_page()
        page.goto(f"{site}/labs/{lab}.html")
        href = page.locator("a.btn", has_text="Run in your browser").first.get_attribute("href")
        opened = time.perf_counter()
        page.goto(urljoin(page.url, href))
        page.locator(".jp-Notebook .jp-CodeCell").first.filter(has_text="import piplite").wait_for(timeout=60000)
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.keyboard.press("Escape")  # command mode: Shift+Enter runs the active cell and selects the next
        ran = {}
        for index, cell in enumerate(notebook["cells"]):
            if cell["cell_type"] != "code":
                page.keyboard.press("Shift+Enter")  # renders it and selects the next cell
                continue
            if "".join(cell["source"]).startswith("# Your code here"):
                page.keyboard.press("Enter")
                page.keyboard.press("Control+A")
                page.keyboard.insert_text(answer)
                page.keyboard.press("Escape")
            ran[index] = run_active_cell(page, 600 if not ran else 180)
            ran[index]["ended_s"] = round(time.perf_counter() - opened, 2)
            if cdn.refused or not ran[index]["finished"]:
                break
        screenshot.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(screenshot))
    finally:
        context.close()
    ends = [r["ended_s"] for r in ran.values()]
    return {"cells": ran, "outside": outside, "refused": list(cdn.refused), "stand_ins": sorted(set(cdn.stand_ins)),
            "first_answer_s": ends[2] if len(ends) > 2 else None,
            "lab_s": round(ends[-1] - ends[0], 2) if len(ends) > 1 else None}
