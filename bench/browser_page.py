"""Labs in the book's JupyterLite page, timed: ``python bench/browser_page.py [--labs s3-basics sqs dynamodb]
[--json data/browser-page.json]``.

Serves the built book (``BOOK_DIR``, default this checkout: run the README's first command first), opens each lab's
page in headless Chromium, follows "Run in your browser" and runs every cell as tests/test_lite.py does
(tests/browser/lite_page.py: the network is cut off once the book page has loaded, so Pyodide's compiled builds,
which stay on Pyodide's CDN, are not loaded and the published site downloads tens of MB more online). Per lab: seconds
from opening the lite page to the end of the install cell, to the first AWS answer, and for the lab's own cells;
the verdicts its checks showed; the cells that failed, with their error's last line. The Benchmarks page shows the file. Exits 1 if a check did
not show ✓ or the page asked for anything outside the site.
"""
from __future__ import annotations

import argparse
import datetime
import functools
import http.server
import json
import os
import pathlib
import platform
import sys
import threading

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import lite_page  # noqa: E402
from test_browser import CHROMIUM, FLAGS, QuietHandler  # noqa: E402


def summary(lab: str, run: dict, cdn_builds: set[str]) -> dict:
    """One lab's figures from lite_page.run_lab's result, with the digest of the lab's notebook it ran
    (run_in_browser.lab_digest: 'Where each lab runs' reads a run of another version of the lab as not run);
    "outside": what the page asked for outside the site, but the compiled builds on Pyodide's CDN (``cdn_builds``)."""
    cells = run["cells"]
    first = min(cells) if cells else None
    return {"source_sha256": lite_page.run_in_browser.lab_digest((ROOT / "labs" / f"{lab}.ipynb").read_text()),
            "install_s": cells[first]["ended_s"] if cells else None, "first_answer_s": run["first_answer_s"],
            "lab_s": run["lab_s"], "cells_run": len(cells),
            "checks": [v for r in cells.values() for v in r["verdicts"]],
            "failed_cells": {k: shown[:200] for k, r in sorted(cells.items())
                             if (shown := lite_page.run_in_browser.failure_shown(r["text"]))},
            "unreachable": sorted({url.rsplit("/", 1)[-1].split("-")[0] for url in run["cut"]}),
            "outside": run["before_cut"] + [url for url in run["cut"] if url not in cdn_builds]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labs", nargs="+", default=["s3-basics", "sqs", "dynamodb"])
    parser.add_argument("--json", type=pathlib.Path, help="write the figures there (data/browser-page.json)")
    args = parser.parse_args(argv)
    site_dir = pathlib.Path(os.environ.get("BOOK_DIR", ROOT)) / "_build" / "html"
    if CHROMIUM is None or not (site_dir / "lite" / "index.html").exists():
        print("needs Chromium (apt-get install chromium) and the built book with its JupyterLite site "
              "(the README's first command)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=site_dir))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    load_before, labs = os.getloadavg()[0], {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for lab in args.labs:
                run = lite_page.run_lab(browser, f"http://127.0.0.1:{server.server_address[1]}", site_dir / "lite",
                                        lab, ROOT / "tests" / "artifacts" / f"lite-{lab}.png")
                labs[lab] = summary(lab, run, lite_page.cdn_builds(site_dir / "lite"))
                print(lab, json.dumps(labs[lab]))
            browser.close()
    finally:
        server.shutdown()
    record = {"run_at": datetime.date.today().isoformat(), "pyodide": lite_page.run_in_browser.browser_wheels.PYODIDE,
              "browser": "headless Chromium (playwright)", "unreachable": "the network cut off after the book page loaded: "
              "Pyodide's compiled builds (on its CDN) not loaded; online, the published site downloads them, tens of MB more",
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)]},
              "labs": labs}
    if args.json:
        args.json.write_text(json.dumps(record, indent=2) + "\n")
    bad = [lab for lab, r in labs.items() if r["outside"] or not r["checks"] or set(r["checks"]) != {"passed"}]
    if bad:
        print(f"not every check showed ✓ (or something outside the site was asked for): {', '.join(bad)}",
              file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
