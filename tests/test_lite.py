""""Run in your browser": the book's JupyterLite site (_ext/run_in_browser.py) in headless Chromium.

The lab copies and the button are checked on the built site; then s3-basics is opened from its page's launch menu
and its first code cell is run in the page. This machine reaches only package registries, so Pyodide's CDN is
answered from the npm package ``pyodide`` (tests/browser/assets.py) and the pure-Python packages the kernel
starts with (micropip, IPython, Jedi and their dependencies) from PyPI at the lock file's versions (the lock's checksums of
those files are PyPI's, the only change); any other file of Pyodide's distribution the kernel
asks for is refused and recorded, and the test is skipped naming them (the published site loads them).
BOOK_DIR names another built book (default: this checkout).
"""
from __future__ import annotations

import hashlib
import json
import sys
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from test_browser import ARTIFACTS, CHROMIUM, ROOT, SITE, browser, site  # noqa: F401  (fixtures)

sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import assets  # noqa: E402
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
    first = "".join(code[0]["source"])
    assert "import piplite" in first and "'dva-labkit'" in first and "cryptography" in first
    assert not any(run_in_browser.is_install_cell(c) for c in lab["cells"])  # Colab's pip install is gone
    original = json.loads((ROOT / "labs" / "s3-basics.ipynb").read_text())
    assert [c["source"] for c in lab["cells"] if "import piplite" not in "".join(c["source"])] == \
        [c["source"] for c in original["cells"] if not run_in_browser.is_install_cell(c)]
    config = json.loads((LITE / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == run_in_browser.PYODIDE_URL and kernel["disablePyPIFallback"] is True


KERNEL_FROM_PYODIDE = ("micropip", "ipython", "jedi")  # what the Pyodide kernel loads from Pyodide's distribution
LOGO_FONT = "https://fonts.googleapis.com/css?family=Vibur"  # JupyterLite's own logo (an SVG) imports this font


def lock_pointing_at(pyodide, files) -> bytes:
    """Pyodide's lock file with the checksums of ``files`` (PyPI's wheels standing for Pyodide's copies)."""
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    for entry in lock["packages"].values():
        if entry["file_name"] in files:
            entry["sha256"] = hashlib.sha256(files[entry["file_name"]].read_bytes()).hexdigest()
    return json.dumps(lock).encode()


def test_s3_basics_first_cell_runs_in_the_page(browser, site):  # noqa: F811
    try:
        pyodide = assets.pyodide_folder(assets.node_and_npm()[1])
        files = assets.pure_lock_wheels(pyodide, KERNEL_FROM_PYODIDE)
    except assets.Unavailable as exc:
        pytest.skip(f"Pyodide for the lite test unavailable: {exc}")
    lock = lock_pointing_at(pyodide, files)
    refused, outside = [], []

    def pyodide_cdn(route):
        name = route.request.url[len(run_in_browser.PYODIDE_CDN):].split("?")[0]
        if name == "pyodide-lock.json":
            route.fulfill(body=lock, content_type="application/json")
        elif name in files:
            route.fulfill(path=str(files[name]))
        elif "/" not in name and (pyodide / name).is_file():
            route.fulfill(path=str(pyodide / name))
        else:
            refused.append(name)
            route.abort()

    context = browser.new_context(viewport={"width": 1280, "height": 1000})  # a context's routes see workers too
    context.route(run_in_browser.PYODIDE_CDN + "**", pyodide_cdn)
    context.on("request", lambda r: outside.append(r.url) if not r.url.startswith(
        (site, run_in_browser.PYODIDE_CDN, LOGO_FONT, "blob:", "data:")) else None)
    page = context.new_page()
    page.goto(f"{site}/labs/s3-basics.html")
    href = page.locator("a.btn", has_text="Run in your browser").first.get_attribute("href")
    page.goto(urljoin(page.url, href))
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    expect(cells.first).to_contain_text("import piplite", timeout=60000)
    cells.first.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    output = cells.first.locator(".jp-OutputArea-output")
    for _ in range(240):  # Pyodide's start, the kernel's install and labkit's: minutes on a loaded machine
        if output.count() or refused:
            page.wait_for_timeout(3000)  # the other files asked for at the same time
            break
        page.wait_for_timeout(1000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lite-s3-basics.png"))
    context.close()
    assert outside == []
    built = sorted({name for name in refused if not name.endswith("-none-any.whl")})
    assert refused == [] or built, f"pure wheels of Pyodide's lock to add to KERNEL_FROM_PYODIDE: {sorted(refused)}"
    if built:
        pytest.skip(f"the first cell needs Pyodide's own builds, which only Pyodide's CDN has (the published site "
                    f"loads them from there; this machine reaches only package registries): {', '.join(built)}")
    assert output.count(), "the install cell showed nothing in 240 s (see tests/artifacts/lite-s3-basics.png)"
    assert "Error" not in output.first.inner_text()
