"""Runs labs inside Pyodide (started by tests/browser/run.mjs): each code cell through IPython, solutions on.

DRIVER_ARGS (JSON, set by run.mjs): {"labs": ["s3-basics", ...]}. JS_TIMES: Pyodide's start and the unpacking.
Prints one line ``LABKIT-RESULT {json}``: per lab its check verdicts, its cells' errors, its time; the time from
Pyodide's start to the first S3 answer; the modules of Flask imported by then; and every use of an absent package.

**Absent packages.** Pyodide builds some packages itself (cryptography, numpy, matplotlib, pandas); the published
site loads them with Pyodide, but this test can fetch only pure-Python wheels from PyPI. moto imports
``cryptography`` on every request (``moto.core.responses`` → ``moto.iam.models``) and the labs import matplotlib and
pandas in their Setup, so each of these names imports here as an *absent* module (tests/browser/absent.py): any use
raises :class:`AbsentPackage` and is recorded. The test fails on any use of ``cryptography``; a cell that uses
matplotlib or pandas is reported as needing it (its check verdicts are still asserted). A cell stopped by an absent
package leaves half-made values behind (``plan`` still the list ``pd.DataFrame(plan)`` was to turn into a table):
the names it would have bound or filled from the failing statement on stand for the package too (:func:`poison`),
so a later cell that uses them needs it as well, instead of failing on a value the page would never have. A
``%%solution`` cell stopped by one (labkit.solutions raises SolutionFailed after it) counts the same way.
"""
import ast
import importlib
import json
import linecache
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
from labkit.inventory import ListingFailed  # noqa: E402

engine = labkit.engine()
bucket = labkit.name("first")
labkit.client("s3").create_bucket(Bucket=bucket)
assert labkit.client("s3").list_objects_v2(Bucket=bucket)["KeyCount"] == 0
labkit.client("s3").delete_bucket(Bucket=bucket)
TIMES["first_s3_answer_in_python_s"] = time.perf_counter() - T0
TIMES["first_s3_answer_s"] = TIMES["pyodide_load_s"] + TIMES["unpack_s"] + TIMES["first_s3_answer_in_python_s"]
# what of Flask the first answers imported: nothing (labkit/emulator/flaskless.py; Flask is for CORS requests only)
FLASK_IMPORTED = sorted(name for name in ("flask", "flask_cors", "click", "itsdangerous", "blinker")
                        if name in sys.modules)

# --- verdicts, as the widget shows them -------------------------------------------------------------------------
verdicts: list[dict] = []
_evaluate = labkit.checks.evaluate


def recording_evaluate(check_fn, *args, **kwargs):
    result = _evaluate(check_fn, *args, **kwargs)
    verdicts.append({"lab": current_lab["lab"], "cell": current_lab["cell"], "check": labkit.checks._label(check_fn),
                     "kind": result.kind, "message": result.message[:300], "details": result.details[-800:]})
    return result


labkit.checks.evaluate = recording_evaluate

from IPython.core.history import HistoryManager  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

HistoryManager.enabled = False
shell = InteractiveShell.instance()
os.environ["LABKIT_RUN_SOLUTIONS"] = "1"
labkit.solutions.register(shell)  # %%solution, as `import labkit` does in a kernel

def not_run(body: list, line: int) -> list:
    """The statements of ``body`` that a failure at ``line`` kept from running or from finishing: the failing
    statement, every one after it, and, inside an ``if``, ``try`` or ``with``, only from the failing statement of
    its block on; a loop counts whole (its body runs again)."""
    for k, stmt in enumerate(body):
        if stmt.lineno <= line <= stmt.end_lineno:
            blocks = [] if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)) else [
                block for field in ("body", "orelse", "finalbody") for block in [getattr(stmt, field, None)]
                if block and block[0].lineno <= line <= block[-1].end_lineno]
            return (not_run(blocks[0], line) if blocks else [stmt]) + body[k + 1:]
    return []


def poison(error: AbsentPackage, package: str) -> list[str]:
    """Make the names a cell stopped by ``error`` would have bound or filled stand for ``package`` (absent): those
    bound by the statements it did not run or finish (:func:`not_run`), the containers they store into
    (``rows[k] = ...``, ``table.col = ...``) and the cell's own names whose methods they call
    (``subnets.update(...)``). Names bound before the failure keep their finished values. Returns the names, sorted."""
    failing = None
    tb = error.__traceback__
    while tb is not None:  # the innermost cell frame (a %%solution's body runs in a cell of its own)
        if tb.tb_frame.f_globals is shell.user_ns and tb.tb_frame.f_code.co_name == "<module>":
            failing = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    if failing is None:
        return []
    tree = ast.parse("".join(linecache.getlines(failing[0])))
    bound_in_cell = {node.id for node in ast.walk(tree)
                     if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    names = set()
    for node in (n for stmt in not_run(tree.body, failing[1]) for n in ast.walk(stmt)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, ast.Store) \
                and isinstance(node.value, ast.Name):
            names.add(node.value.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in bound_in_cell:
            names.add(node.func.value.id)
    module = importlib.import_module(str(error).split(":")[0].split(".")[0])  # the absent module the cell used
    for name in names:  # its stand-in for each: any use, printing too (botocore prints a refused value), needs it
        shell.user_ns[name] = getattr(module, name)
    return sorted(names)


nested_results: list = []  # what the cells run inside the current cell returned (a %%solution's body)
_run_cell = shell.run_cell


def run_nested_cell(*args, **kwargs):
    result = _run_cell(*args, **kwargs)
    nested_results.append(result)
    return result


shell.run_cell = run_nested_cell  # labkit.solutions runs a solution with get_ipython().run_cell

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
        nested_results.clear()
        result = _run_cell(source, store_history=False, silent=False)
        error = result.error_in_exec or result.error_before_exec
        if error is None:
            continue
        if isinstance(error, labkit.solutions.SolutionFailed):  # the solution's own error, if a package was absent
            error = next((r.error_in_exec for r in nested_results if isinstance(r.error_in_exec, AbsentPackage)),
                         error)
        if isinstance(error, AbsentPackage):
            package = str(error).split(":")[1].strip().split()[0]
            needs.append({"cell": index, "needs": package, "stands_for": poison(error, package)})
        elif "raises-exception" not in tags:
            errors.append({"cell": index, "error": f"{type(error).__name__}: {error}"[:500],
                           "trace": "".join(traceback.format_exception(error))[-1500:]})
    seconds = round(time.perf_counter() - began, 2)
    try:
        left = {kind: names for kind, names in labkit.leftovers().items() if names}  # after the lab's Cleanup
    except ListingFailed as refused:  # a kind nobody could list is not "nothing left": test_pyodide shows it
        left = {"not checked": [str(refused)]}
    labs[slug] = {"seconds": seconds, "errors": errors, "needs": needs, "left": left,
                  "verdicts": [v for v in verdicts if v["lab"] == slug]}

print("LABKIT-RESULT " + json.dumps({
    "engine": engine.name, "platform": sys.platform, "python": sys.version.split()[0],
    "times": {k: round(v, 2) for k, v in TIMES.items()}, "flask_imported": FLASK_IMPORTED, "labs": labs,
    "absent_uses": absent.uses}))
