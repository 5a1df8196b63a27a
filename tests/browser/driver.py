"""Runs labs inside Pyodide (started by tests/browser/run.mjs): each code cell through IPython, solutions on.

DRIVER_ARGS (JSON, set by run.mjs): {"labs": ["s3-basics", ...]}. JS_TIMES: Pyodide's start and the unpacking.
Prints one line ``LABKIT-RESULT {json}``: per lab its check verdicts, its cells' errors, its time; the time from
Pyodide's start to the first S3 answer; and every use of an absent package.

**Absent packages.** Pyodide builds some packages itself (cryptography, numpy, matplotlib, pandas); the published
site loads them with Pyodide, but this test can fetch only pure-Python wheels from PyPI. moto imports
``cryptography`` on every request (``moto.core.responses`` → ``moto.iam.models``) and the labs import matplotlib and
pandas in their Setup, so each of these names imports here as an *absent* module (tests/browser/absent.py): any use
raises :class:`AbsentPackage` and is recorded. The test fails on any use of ``cryptography``; a cell that uses
matplotlib or pandas is reported as needing it (its check verdicts are still asserted).
"""
import json
import os
import sys
import time
import traceback

T0 = time.perf_counter()
sys.dont_write_bytecode = True
ARGS = json.loads(DRIVER_ARGS)  # noqa: F821 - set by run.mjs
TIMES = dict(JS_TIMES)  # noqa: F821 - set by run.mjs

ABSENT = ("cryptography", "numpy", "matplotlib", "pandas", "PIL")
import _labkit_absent as absent  # noqa: E402 - tests/browser/absent.py, copied in by run.mjs
from _labkit_absent import AbsentPackage  # noqa: E402

absent.install(ABSENT)
current_lab = absent.where  # {"lab", "cell"}: recorded with each use of an absent package

# --- the first S3 answer ---------------------------------------------------------------------------------------
LABS = ARGS.get("labs_dir", "/home/pyodide/labs")
os.chdir(LABS)
import labkit  # noqa: E402
import labkit.checks  # noqa: E402
import labkit.solutions  # noqa: E402

engine = labkit.engine()
bucket = labkit.name("first")
labkit.client("s3").create_bucket(Bucket=bucket)
assert labkit.client("s3").list_objects_v2(Bucket=bucket)["KeyCount"] == 0
labkit.client("s3").delete_bucket(Bucket=bucket)
TIMES["first_s3_answer_in_python_s"] = time.perf_counter() - T0
TIMES["first_s3_answer_s"] = TIMES["pyodide_load_s"] + TIMES["unpack_s"] + TIMES["first_s3_answer_in_python_s"]

# --- verdicts, as the widget shows them -------------------------------------------------------------------------
verdicts: list[dict] = []
_evaluate = labkit.checks.evaluate


def recording_evaluate(check_fn, *args, **kwargs):
    result = _evaluate(check_fn, *args, **kwargs)
    verdicts.append({"lab": current_lab["lab"], "cell": current_lab["cell"], "check": labkit.checks._label(check_fn),
                     "kind": result.kind, "message": result.message[:300]})
    return result


labkit.checks.evaluate = recording_evaluate

from IPython.core.history import HistoryManager  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

HistoryManager.enabled = False
shell = InteractiveShell.instance()
os.environ["LABKIT_RUN_SOLUTIONS"] = "1"
labkit.solutions.register(shell)  # %%solution, as `import labkit` does in a kernel

labs = {}
for slug in ARGS["labs"]:
    notebook = json.load(open(f"{LABS}/{slug}.ipynb"))
    current_lab["lab"] = slug
    errors, needs = [], []
    began = time.perf_counter()
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        source = "".join(cell["source"])
        if "remove-cell" in tags and "pip" in source:
            continue  # Colab's install cell: labkit is here already
        current_lab["cell"] = index
        result = shell.run_cell(source, store_history=False, silent=False)
        error = result.error_in_exec or result.error_before_exec
        if error is None:
            continue
        if isinstance(error, AbsentPackage):
            needs.append({"cell": index, "needs": str(error).split(":")[1].strip().split()[0]})
        elif "raises-exception" not in tags:
            errors.append({"cell": index, "error": f"{type(error).__name__}: {error}"[:500],
                           "trace": "".join(traceback.format_exception(error))[-1500:]})
    seconds = round(time.perf_counter() - began, 2)
    left = {kind: names for kind, names in labkit.leftovers().items() if names}  # after the lab's Cleanup
    labs[slug] = {"seconds": seconds, "errors": errors, "needs": needs, "left": left,
                  "verdicts": [v for v in verdicts if v["lab"] == slug]}

print("LABKIT-RESULT " + json.dumps({
    "engine": engine.name, "platform": sys.platform, "python": sys.version.split()[0],
    "times": {k: round(v, 2) for k, v in TIMES.items()}, "labs": labs, "absent_uses": absent.uses}))
