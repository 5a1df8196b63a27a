"""A lab run in the book's JupyterLite page, in headless Chromium, as a learner runs it: cell by cell, Shift+Enter,
with the network cut off once the lab's book page has loaded.

Used by tests/test_lite.py (s3-basics) and bench/browser_page.py (the times on the Benchmarks page).

**Offline after load.** The book's page loads with the network on; then every request outside the site's own
origin is aborted and recorded, and "Run in your browser" is pressed. The site hosts JupyterLite, Pyodide and every
pure-Python package the labs load (_ext/run_in_browser.py: ``host_pyodide``), so the kernel starts and the lab runs
from the site alone; Pyodide's compiled builds (cryptography, numpy, matplotlib…) stay on Pyodide's CDN, so their
requests are the aborted ones, and labkit stands in for them (labkit/engines/pyodide_builds.py: a cell that uses one
fails with its sentence). This is also all this machine could do: it reaches package registries only, not
Pyodide's CDN, so the compiled builds are never run by these tests (the published site loads them when online).

The learner's part: the exercise cell (``# Your code here``) gets the body of the lab's ``%%solution`` cell typed
in, as a learner would copy it; every cell then runs in order and its output and verdicts are read from the page.
"""
from __future__ import annotations

import json
import pathlib
import re
import sys
import time
from urllib.parse import urljoin

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import run_in_browser  # noqa: E402

ABSENT_MESSAGE = run_in_browser.ABSENT_MESSAGE  # in the error of a cell that used an unreachable Pyodide build


def cdn_builds(lite: pathlib.Path) -> set[str]:
    """The URLs of the packages the site's lock file leaves on Pyodide's CDN (its compiled builds)."""
    lock = json.loads((lite / run_in_browser.HOSTED_PYODIDE / "pyodide-lock.json").read_text())
    return {e["file_name"] for e in lock["packages"].values() if "://" in e["file_name"]}


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


def run_lab(browser, site: str, lite: pathlib.Path, lab: str, screenshot: pathlib.Path) -> dict:
    """Open ``lab``'s book page at ``site``, cut the network off, follow "Run in your browser", run every cell.

    ``lite`` is the built JupyterLite folder (its copy of the lab). Returns ``{"cells": {index: run_active_cell's
    result + "ended_s" (seconds since the lite page was opened)}, "before_cut": [URLs outside the site asked for
    while the book page loaded], "cut": [URLs outside the site aborted after], "first_answer_s", "lab_s"}``:
    first answer = the end of the lab's first cell after its install and Setup cells (its first AWS call); lab = from
    the Setup cell's start to the last cell's end.
    """
    notebook = json.loads((lite / "files" / "labs" / f"{lab}.ipynb").read_text())
    answer = learner_answer(json.loads((ROOT / "labs" / f"{lab}.ipynb").read_text()))
    before_cut, cut = [], []

    def offline(route):
        cut.append(route.request.url)
        route.abort("internetdisconnected")

    cut_off = False
    context = browser.new_context(viewport={"width": 1280, "height": 1000})  # a context's routes see workers too
    context.on("request", lambda r: before_cut.append(r.url) if not cut_off and not r.url.startswith(
        (site, "blob:", "data:")) else None)
    try:
        page = context.new_page()
        page.goto(f"{site}/labs/{lab}.html")
        page.wait_for_load_state("networkidle")
        context.route(re.compile(rf"^(?!{re.escape(site)}/)https?://.*"), offline)
        cut_off = True
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
            if not ran[index]["finished"]:
                break
        screenshot.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(screenshot))
    finally:
        context.close()
    ends = [r["ended_s"] for r in ran.values()]
    return {"cells": ran, "before_cut": before_cut, "cut": cut,
            "first_answer_s": ends[2] if len(ends) > 2 else None,
            "lab_s": round(ends[-1] - ends[0], 2) if len(ends) > 1 else None}
