""""Run in your browser": the book's JupyterLite site (_ext/run_in_browser.py) in headless Chromium, offline.

The lab copies, the button and the site's own Pyodide are checked on the built site; then s3-basics's book page is
opened, the network is cut off (every request outside the site's origin aborted and recorded), and the lab is run
from its launch menu in the page to its check, cell by cell, the learner's answer typed into the exercise cell
(tests/browser/lite_page.py). Asserted: nothing outside the site was asked for while the book page loaded; after
the cut, only Pyodide's compiled builds that the first cell loads were asked for (and failed); every cell runs; the
failing cells are exactly the lab's raises-exception cells, those data/browser.json declares as needing threads,
and those that needed a compiled build, which show labkit's sentence (never cryptography: moto imports it, s3-basics
never uses it); the check shows ✓ (data-verdict "passed").

**Test-machine limit**: this machine reaches package registries only, never Pyodide's CDN, so Pyodide's compiled
builds (cryptography, numpy, matplotlib…) are never run here: a cell that plots fails here as it does offline. The
published site loads them when the reader is online. BOOK_DIR names another built book (default: this checkout).
"""
from __future__ import annotations

import hashlib
import json
import sys

import pytest

from test_browser import ARTIFACTS, CHROMIUM, ROOT, SITE, browser, site  # noqa: F401  (fixtures)

sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import browser_wheels  # noqa: E402
import lite_page  # noqa: E402
import run_in_browser  # noqa: E402
from labkit.engines import pyodide_builds  # noqa: E402

LITE = SITE / "lite"

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium); .ci/run installs it"),
    pytest.mark.skipif(not (LITE / "index.html").exists(),
                       reason="the book's JupyterLite site is not built: run the README's first command"),
]


def test_site_bundles_labkit_and_each_lab_installs_it_first():
    index = json.loads((LITE / "pypi" / "all.json").read_text())
    assert "dva-labkit" in index and "moto" in index and "boto3" in index
    lab = json.loads((LITE / "files" / "labs" / "s3-basics.ipynb").read_text())
    code = [c for c in lab["cells"] if c["cell_type"] == "code"]
    original = json.loads((ROOT / "labs" / "s3-basics.ipynb").read_text())
    assert "".join(code[0]["source"]) == run_in_browser.install_source(
        "s3-basics", json.dumps(original), run_in_browser.bundled_names(), run_in_browser.browser_record(ROOT)), \
        "the built site's lab copies are older than _ext/run_in_browser.py or data/browser.json: " \
        "run the README's first command"
    assert not any(run_in_browser.is_install_cell(c) for c in lab["cells"])  # Colab's pip install is gone
    assert [c["source"] for c in lab["cells"] if "import piplite" not in "".join(c["source"])] == \
        [c["source"] for c in original["cells"] if not run_in_browser.is_install_cell(c)]
    config = json.loads((LITE / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == run_in_browser.PYODIDE_URL and kernel["disablePyPIFallback"] is True


def test_the_site_hosts_pyodide_and_every_pure_package_of_its_lock_the_labs_load():
    hosted = LITE / run_in_browser.HOSTED_PYODIDE
    assert all((hosted / name).is_file() for name in run_in_browser.PYODIDE_CORE)
    lock = json.loads((hosted / "pyodide-lock.json").read_text())["packages"]
    for name, entry in lock.items():
        if "://" in entry["file_name"]:  # the rest of Pyodide's distribution: on its CDN
            assert entry["file_name"].startswith(run_in_browser.PYODIDE_CDN), name
        else:  # hosted: the file is there, with the checksum Pyodide's loader checks
            assert hashlib.sha256((hosted / entry["file_name"]).read_bytes()).hexdigest() == entry["sha256"], name
    loaded = browser_wheels.lock_entries(hosted, run_in_browser.KERNEL_FROM_PYODIDE + tuple(
        run_in_browser.FROM_PYODIDE) + run_in_browser.LAB_PACKAGES_FROM_PYODIDE)
    on_cdn = {e["name"] for e in loaded if "://" in e["file_name"]}
    assert on_cdn and not any(browser_wheels.is_pure(e) for e in loaded if e["name"] in on_cdn)  # compiled only
    assert {"micropip", "ipython", "jedi", "pyyaml", "markupsafe"} <= {
        browser_wheels.canonical(e["name"]) for e in loaded if e["name"] not in on_cdn}


def test_s3_basics_runs_to_its_check_in_the_page_with_the_network_cut_off(browser, site):  # noqa: F811
    lab = "s3-basics"
    run = lite_page.run_lab(browser, site, LITE, lab, ARTIFACTS / f"lite-{lab}.png")
    (ARTIFACTS / f"lite-{lab}.json").write_text(json.dumps(run, indent=1))
    assert run["before_cut"] == [], f"the book page asked outside the site: {run['before_cut']}"
    notebook = json.loads((LITE / "files" / "labs" / f"{lab}.ipynb").read_text())
    # after the cut, only the compiled builds of what the first cell loads, and at least cryptography's
    hosted = LITE / run_in_browser.HOSTED_PYODIDE
    declared = {e["file_name"] for e in browser_wheels.lock_entries(hosted, run_in_browser.FROM_PYODIDE + [
        name for name in run_in_browser.LAB_PACKAGES_FROM_PYODIDE if f"import {name}" in json.dumps(notebook)])}
    assert set(run["cut"]) <= declared & lite_page.cdn_builds(LITE), set(run["cut"]) - declared
    assert any("/cryptography-" in url for url in run["cut"])
    ran = run["cells"]
    assert sorted(ran) == [k for k, c in enumerate(notebook["cells"]) if c["cell_type"] == "code"], \
        f"stopped after cell {max(ran)}: {ran[max(ran)]['text'][-800:]}"
    failed = {k for k, r in ran.items() if run_in_browser.failure_shown(r["text"])}
    needing = {k for k in failed if pyodide_builds.REASON in ran[k]["text"].replace("\n", " ")}
    # every failure is by design (raises-exception, declared thread cells) or a compiled build's, and every cell
    # failing by design does fail (run_in_browser's reading, shared with the page "Where each lab runs")
    by_design = run_in_browser.failing_by_design(
        notebook, run_in_browser.browser_record(ROOT).get("labs", {}).get(lab))
    assert failed - needing == by_design, {k: ran[k]["text"][-800:] for k in (failed - needing) ^ by_design}
    assert needing and not any(f"cryptography {run_in_browser.ABSENT_MESSAGE}" in ran[k]["text"] for k in needing)
    checks = [r["verdicts"] for r in ran.values() if r["verdicts"]]
    assert checks == [["passed"]], f"the check's verdict in the page: {checks}"
