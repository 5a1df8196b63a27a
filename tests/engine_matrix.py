"""Every lab and every conformance test on every engine: the data behind "Where each lab runs" and "Conformance".

    python tests/engine_matrix.py                      # embedded, MiniStack and (where it can start) LocalStack
    python tests/engine_matrix.py --engines ministack  # refresh one engine; the others' recorded runs are kept
    python tests/engine_matrix.py --labs s3-basics,lambda --no-conformance
    python tests/engine_matrix.py --labs codebuild,ecr --engines ministack --no-conformance  # only these cells

Each lab runs in a fresh kernel with its solutions (as the book build does): it "runs", or it stops in its Setup
cell with labkit's own "does not offer" message ("not available", with that reason: a service the engine lacks,
or a capability named in ``labkit.require(..., needs=[...])`` that it lacks), or it fails (the last line of the
error). A lab's services and needs are read from its ``labkit.require`` call, so a new lab needs nothing here; a
lab with no recorded run on an engine shows "not run yet" on the page. Each conformance test passes, fails (its first assertion line) or is skipped with the reason
(``tests/conformance/conftest.py``: a service the engine does not offer, or a test of labkit's own patches).
Writes ``data/lab-engines.json`` and ``data/conformance.json``. LocalStack (``tests/localstack.py``) needs a
Python >= 3.13; LocalStack in Docker and real AWS are not run here (the pages say so).
"""
from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from importlib.metadata import version

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
LABS_RESULTS = ROOT / "data" / "lab-engines.json"
CONFORMANCE_RESULTS = ROOT / "data" / "conformance.json"
ENGINES = ("embedded", "ministack", "localstack")
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # IPython colours the error's name
# labkit's own stop in Setup (labkit/services.py: require): a missing service, or a capability the engine lacks
UNAVAILABLE = re.compile(r"This lab needs (?:services|behaviour) the \w+ engine does not offer \((.*)\)\. Run it")


def declared(path: pathlib.Path) -> tuple[list[str], list[str]]:
    """(services, capabilities) of the lab's ``labkit.require(...)`` call in its Setup: its string arguments and
    its ``needs=[...]`` (literals only, read without running anything); ([], []) for a lab without one."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code" or "labkit.require(" not in cell.source:
            continue
        lines = [line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "labkit.require":
                services = [ast.literal_eval(a) for a in node.args]
                if len(services) == 1 and isinstance(services[0], (list, tuple)):
                    services = list(services[0])
                needs = next((ast.literal_eval(k.value) for k in node.keywords if k.arg == "needs"), [])
                return services, [needs] if isinstance(needs, str) else list(needs)
    return [], []


class LabKernel:
    """One Jupyter kernel (nbclient's kernel manager, started in ``labs/``) that runs labs one after another
    (:func:`run_lab` with ``kernel``) on an engine outside the kernel (LocalStack, MiniStack): the ~3 s of a kernel
    start and of importing labkit, pandas and matplotlib are paid once per kernel instead of once per lab. Before
    each lab, :data:`NEXT_LAB` empties the namespace and makes labkit forget its per-process state, as in a fresh
    kernel. A kernel that died is started again."""

    def __init__(self):
        from jupyter_client.manager import AsyncKernelManager

        self.km = AsyncKernelManager(kernel_name="python3")

    def ensure_alive(self) -> None:
        """Start the kernel, with this process's environment, unless it runs."""
        from nbclient.util import run_sync

        if not run_sync(self.km.is_alive)():
            run_sync(self.km.start_kernel)(cwd=str(ROOT / "labs"))

    def shutdown(self) -> None:
        """Stop the kernel, if it was started."""
        from nbclient.util import run_sync

        if self.km.has_kernel:
            run_sync(self.km.shutdown_kernel)(now=True)


# labkit's per-process state (cleanup's baseline, the notices shown: each shows once per kernel) and the open figures
# forgotten, as in a fresh kernel: the end of NEXT_LAB here and of workshop_server.TO_STUDENT, after each has set the
# kernel's engine and environment.
FORGET_LABKIT = """import matplotlib.pyplot as _plt
import sys as _sys
from labkit import hygiene as _hygiene
_plt.close("all")
_hygiene._baseline.clear()
_hygiene._tracked.clear()
if "labkit.emulator.notices" in _sys.modules:
    _sys.modules["labkit.emulator.notices"].reset()
del _plt, _sys, _hygiene
"""

# Run in a reused kernel (LabKernel) before each lab: the namespace emptied, the lab's environment set, labkit's
# engine and per-process state forgotten (FORGET_LABKIT), as in a fresh kernel.
NEXT_LAB = """%reset -f
import os as _os
_os.environ.pop("LABKIT_ACCOUNT_ID", None)
_os.environ.update({env!r})
from labkit import engines as _engines
_engines.use(None)
del _os, _engines
""" + FORGET_LABKIT


def run_lab(path: pathlib.Path, env: dict, kernel: LabKernel | None = None) -> dict:
    """Execute a lab in a fresh kernel with ``env`` (solutions on), as the book build does; or, given ``kernel``,
    in that kernel after a :data:`NEXT_LAB` cell, the kernel left running for the next lab.

    Returns {"outcome": "runs" | "not available" (labkit stopped it in Setup; "reason" is labkit's own list of
    what the engine lacks) | "failed" ("reason": the error's last line and the cell), "seconds", "services",
    "needs"}. ``env`` is set in this process while the kernel starts (the kernel inherits it) and restored after;
    AWS_ENDPOINT_URL is cleared unless ``env`` sets it. Shared by the matrix, tests/test_ministack.py and
    tests/test_localstack.py.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    notebook = nbformat.read(path, as_version=4)
    env = {"LABKIT_RUN_SOLUTIONS": "1", **env}
    if kernel is not None:
        notebook.cells.insert(0, nbformat.v4.new_code_cell(NEXT_LAB.format(env=env)))
    saved = {key: os.environ.get(key) for key in (*env, "AWS_ENDPOINT_URL")}
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(env)
    began = time.perf_counter()
    try:
        # shutdown_kernel="immediate" (as nbval does): the verdict is in; a graceful shutdown added 2.4 s a lab
        client = NotebookClient(notebook, timeout=600, kernel_name="python3", shutdown_kernel="immediate",
                                resources={"metadata": {"path": str(path.parent)}},
                                **({} if kernel is None else {"km": kernel.km}))
        if kernel is not None:
            kernel.ensure_alive()  # started (again, if a lab killed it) with ``env`` in this process's environment
        try:
            client.execute()
        finally:
            if kernel is not None and client.kc is not None:
                client.kc.stop_channels()
        outcome = {"outcome": "runs"}
    except CellExecutionError as error:
        text = ANSI.sub("", "".join(o.get("text", "") + "".join(o.get("data", {}).get("text/plain", ""))
                       for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])))
        found = UNAVAILABLE.search(text + ANSI.sub("", str(error)))
        outcome = ({"outcome": "not available", "reason": found.group(1)} if found
                   else {"outcome": "failed", "reason": failure(error)})
    except DeadKernelError:
        outcome = {"outcome": "failed", "reason": "the kernel died"}
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    services, needs = declared(path)
    return {**outcome, "seconds": round(time.perf_counter() - began, 1), "services": services,
            **({"needs": needs} if needs else {})}


def failure(error) -> str:
    """A nbclient ``CellExecutionError`` in one line: the error's name and message (``ename: evalue``, which a
    short labkit message without traceback has too) and the first line of the cell that raised it (nbclient quotes
    the cell first)."""
    lines = ANSI.sub("", str(error)).strip().splitlines()
    cell = lines[2].strip() if len(lines) > 2 and lines[1].startswith("---") else ""
    last = ANSI.sub("", f"{error.ename}: {error.evalue}").strip().splitlines()[0]
    return f"{last[:200]} (in the cell starting `{cell[:80]}`)" if cell else last[:300]


def start_engine(name: str):
    """(environment for a lab or test process, a function that stops the engine, a description) or None."""
    if name == "embedded":
        return {"LABKIT_ENGINE": "embedded"}, lambda: None, {"moto": version("moto"), "boto3": version("boto3")}
    if name == "ministack":
        from labkit.engines.ministack import MiniStackEngine, health

        engine = MiniStackEngine("us-east-1").start()
        return ({"LABKIT_ENGINE": "ministack", "AWS_ENDPOINT_URL": engine.endpoint_url}, engine.stop,
                {"ministack": health(engine.endpoint_url)["version"], "start_s": round(engine.started_in, 2)})
    import localstack

    python = localstack.find_python()
    if python is None:
        return None
    localstack.HOME.mkdir(exist_ok=True)
    process, url, seconds = localstack.start(localstack.ensure_venv(python))
    return ({"LABKIT_ENGINE": "localstack", "AWS_ENDPOINT_URL": url}, lambda: localstack.stop(process),
            {"localstack_core": "2026.3.0", "start_s": round(seconds, 2)})


def first_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return (lines[0] if lines else "")[:240]


def run_conformance(env: dict, python: str = sys.executable) -> dict:
    """Every test of tests/conformance/ on the engine ``env`` names: {test id: {"outcome", "reason"?}}."""
    with tempfile.TemporaryDirectory() as folder:
        report = pathlib.Path(folder) / "junit.xml"
        serial = ["-n", "0"] if importlib.util.find_spec("xdist") else []  # one engine, one process: comparable
        subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *serial, "tests/conformance",
                        f"--junitxml={report}", "-o", "junit_family=xunit1"],
                       cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not report.exists():
            raise RuntimeError("pytest wrote no report: run the conformance tests by hand to see why")
        tree = ET.parse(report)
    results = {}
    for case in tree.iter("testcase"):
        test_id = f"{case.get('file') or case.get('classname').replace('.', '/') + '.py'}::{case.get('name')}"
        test_id = test_id.removeprefix("tests/conformance/")
        failure, error, skipped = case.find("failure"), case.find("error"), case.find("skipped")
        if skipped is not None:
            reason = skipped.get("message", "")
            results[test_id] = {"outcome": "not offered" if "not offered" in reason else "skipped",
                                "reason": first_line(reason)}
        elif failure is not None or error is not None:
            node = failure if failure is not None else error
            results[test_id] = {"outcome": "fail" if failure is not None else "error",
                                "reason": first_line(node.get("message"))}
        else:
            results[test_id] = {"outcome": "pass"}
    return results


def load(path: pathlib.Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, from " + ", ".join(ENGINES))
    parser.add_argument("--labs", default="", help="comma-separated lab slugs (default: every lab)")
    parser.add_argument("--no-labs", action="store_true")
    parser.add_argument("--no-conformance", action="store_true")
    parser.add_argument("--out", help="write the two JSON files to this folder, starting empty (the drift canary), "
                                      "instead of updating data/")
    arguments = parser.parse_args(argv)
    global LABS_RESULTS, CONFORMANCE_RESULTS
    if arguments.out:
        out = pathlib.Path(arguments.out)
        out.mkdir(parents=True, exist_ok=True)
        LABS_RESULTS, CONFORMANCE_RESULTS = out / LABS_RESULTS.name, out / CONFORMANCE_RESULTS.name
    engines = [e.strip() for e in arguments.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(sorted(unknown))}; choose from {', '.join(ENGINES)}")
    labs = sorted((ROOT / "labs").glob("*.ipynb"))
    if arguments.labs:
        wanted = {s.strip() for s in arguments.labs.split(",") if s.strip()}
        unknown_labs = wanted - {p.stem for p in labs}
        if unknown_labs:
            parser.error(f"no lab named {', '.join(sorted(unknown_labs))} in labs/ (give the notebook's name "
                         "without .ipynb, e.g. --labs s3-basics,lambda)")
        labs = [p for p in labs if p.stem in wanted]
    lab_data, conformance_data = load(LABS_RESULTS), load(CONFORMANCE_RESULTS)
    today = time.strftime("%Y-%m-%d")
    for name in engines:
        started = start_engine(name)
        if started is None:
            print(f"{name}: cannot start here (LocalStack's core needs a Python >= 3.13); its recorded run is kept")
            continue
        env, stop, about = started
        try:
            if not arguments.no_labs:
                lab_data.setdefault("engines", {})[name] = {**about, "run_at": today}
                for path in labs:
                    if name == "ministack":  # it starts in under a second: each lab gets a fresh one, as a kernel does
                        stop()
                        env, stop, _ = start_engine(name)
                    result = {**run_lab(path, env), "run_at": today}
                    lab_data = load(LABS_RESULTS) if arguments.out is None else lab_data  # another run may have written
                    lab_data.setdefault("engines", {})[name] = {**about, "run_at": today}
                    lab_data.setdefault("labs", {}).setdefault(path.stem, {})[name] = result
                    print(f"{name:10} {path.stem:26} {result['outcome']:14} {result['seconds']:6.1f} s "
                          f"{result.get('reason', '')[:100]}", flush=True)
                    LABS_RESULTS.write_text(json.dumps(lab_data, indent=2, sort_keys=False) + "\n")
            if not arguments.no_conformance:
                if name == "ministack":  # a fresh one: nothing a lab left behind may sway a test
                    stop()
                    env, stop, _ = start_engine(name)
                began = time.perf_counter()
                results = run_conformance(env)
                if arguments.out is None:  # another run (another engine) may have written since this one began
                    conformance_data = load(CONFORMANCE_RESULTS)
                conformance_data.setdefault("engines", {})[name] = {**about, "run_at": today,
                                                                     "seconds": round(time.perf_counter() - began)}
                for outcomes in conformance_data.setdefault("tests", {}).values():
                    outcomes.pop(name, None)  # a test removed since the last run leaves no stale verdict
                for test_id, result in results.items():
                    conformance_data["tests"].setdefault(test_id, {})[name] = result
                counts = {o: sum(r["outcome"] == o for r in results.values())
                          for o in ("pass", "fail", "error", "not offered", "skipped")}
                print(f"{name:10} conformance: {counts}", flush=True)
                CONFORMANCE_RESULTS.write_text(json.dumps(conformance_data, indent=2) + "\n")
        finally:
            stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
