""""Run in your browser": the book's JupyterLite site (_ext/run_in_browser.py) in headless Chromium.

The lab copies and the button are checked on the built site; then s3-basics is opened from its page's launch menu
and run in the page to its check, cell by cell, the learner's answer typed into the exercise cell
(tests/browser/lite_page.py). Asserted: nothing is asked for outside the site and Pyodide's CDN; every cell runs;
the only failing cells are the lab's raises-exception cells, those data/browser.json declares as needing threads,
and those that used a stand-in (never cryptography); the check shows ✓ (data-verdict "passed").

**Test-machine limit**: this machine reaches package registries only and PyPI has no Pyodide builds, so the CDN is
answered from here, and Pyodide's own builds (cryptography, numpy, matplotlib…) are *stand-ins* whose any use raises
(lite_page.py's docstring); a cell that plots therefore fails here. The published site loads Pyodide's real files.
BOOK_DIR names another built book (default: this checkout).
"""
from __future__ import annotations

import json
import sys

import pytest

from test_browser import ARTIFACTS, CHROMIUM, ROOT, SITE, browser, site  # noqa: F401  (fixtures)

sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import assets  # noqa: E402
import lite_page  # noqa: E402
import run_in_browser  # noqa: E402

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


def test_s3_basics_runs_to_its_check_in_the_page(browser, site):  # noqa: F811
    try:
        cdn = lite_page.PyodideCdn()
    except assets.Unavailable as exc:
        pytest.skip(f"Pyodide for the lite test unavailable: {exc}")
    lab = "s3-basics"
    run = lite_page.run_lab(browser, site, LITE, lab, cdn, ARTIFACTS / f"lite-{lab}.png")
    (ARTIFACTS / f"lite-{lab}.json").write_text(json.dumps(run, indent=1))
    assert run["outside"] == [] and run["refused"] == [], f"asked for: {run['outside'] + run['refused']}"
    notebook = json.loads((LITE / "files" / "labs" / f"{lab}.ipynb").read_text())
    ran = run["cells"]
    assert sorted(ran) == [k for k, c in enumerate(notebook["cells"]) if c["cell_type"] == "code"], \
        f"stopped after cell {max(ran)}: {ran[max(ran)]['text'][-800:]}"
    failed = {k for k, r in ran.items() if "Traceback (most recent call last)" in r["text"]}
    needing = {k for k in failed if lite_page.ABSENT_MESSAGE in ran[k]["text"]}
    # every failure is by design (raises-exception, declared thread cells) or a stand-in's, and every cell failing
    # by design does fail (run_in_browser's reading, shared with the page "Where each lab runs")
    by_design = run_in_browser.failing_by_design(
        notebook, run_in_browser.browser_record(ROOT).get("labs", {}).get(lab))
    assert failed - needing == by_design, {k: ran[k]["text"][-800:] for k in (failed - needing) ^ by_design}
    assert not any(f"cryptography {lite_page.ABSENT_MESSAGE}" in ran[k]["text"] for k in needing)  # moto never used it
    checks = [r["verdicts"] for r in ran.values() if r["verdicts"]]
    assert checks == [["passed"]], f"the check's verdict in the page: {checks}"
