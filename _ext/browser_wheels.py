"""The pure-Python wheels that run labkit under Pyodide, fetched once from PyPI into ``~/.cache/labkit-tests``.

Shared by the book build (``_ext/run_in_browser.py`` bundles them into the JupyterLite site) and the Pyodide tests
(``tests/browser/assets.py`` unpacks them into Pyodide in Node). The list is ``_ext/browser_wheels.txt``; each is
downloaded with ``pip download --no-deps --only-binary=:all: --platform any`` into
``~/.cache/labkit-tests/wheels/<hash of the list>``. Three have no pure wheel on PyPI and are built from their PyPI
source with pip, pure: localstack-client (no wheel at all), PyYAML (without its libyaml extension,
``PYYAML_FORCE_LIBYAML=0``: PyYAML's own pure-Python implementation) and MarkupSafe (without its C speedups, which
it falls back from when no compiler answers: its own pure-Python implementation).

:func:`wheels_folder` returns the folder or raises :class:`Unavailable` with one line saying what could not be had.
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

PYODIDE = "314.0.7"
"""The Pyodide the labs are tested on (npm package ``pyodide``) and the book's JupyterLite site loads."""
HERE = pathlib.Path(__file__).resolve().parent
LIST = HERE / "browser_wheels.txt"
CACHE = pathlib.Path(os.environ.get("LABKIT_TESTS_CACHE") or pathlib.Path.home() / ".cache" / "labkit-tests")
BUILT_FROM_SOURCE = {"localstack-client": {}, "pyyaml": {"PYYAML_FORCE_LIBYAML": "0"},
                     "markupsafe": {"CC": "false"}}
PYODIDE_BUILDS = frozenset({"pyyaml", "markupsafe"})
"""Names of the list that Pyodide's own distribution also has (a published JupyterLite site loads those)."""


class Unavailable(Exception):
    """A wheel could not be fetched or built (the message says which and why)."""


def requirements(leave_out: frozenset[str] = frozenset()) -> list[str]:
    """``name==version`` lines of the list, less the names (lower case) in ``leave_out``."""
    lines = [line.split("#")[0].strip() for line in LIST.read_text().splitlines()]
    return [line for line in lines if line and line.split("==")[0].lower() not in leave_out]


def wheels_folder(leave_out: frozenset[str] = frozenset()) -> pathlib.Path:
    """The folder of the list's wheels (less ``leave_out``), fetched on first use; raises :class:`Unavailable`."""
    wanted = requirements(leave_out)
    folder = CACHE / "wheels" / hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:12]
    if (folder / "complete").exists():
        return folder
    CACHE.mkdir(parents=True, exist_ok=True)
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="wheels-", dir=CACHE))
    plain = [r for r in wanted if r.split("==")[0].lower() not in BUILT_FROM_SOURCE]
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    done = subprocess.run([*pip, "download", "--no-deps", "--only-binary=:all:", "--platform", "any",
                           "--python-version", "3.14", "--implementation", "py", "-d", str(scratch), *plain],
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise Unavailable(f"pip could not download the wheels: {done.stderr.strip()[-300:]}")
    for requirement in wanted:
        name = requirement.split("==")[0].lower()
        if name in BUILT_FROM_SOURCE:
            done = subprocess.run([*pip, "wheel", "--no-deps", "--no-cache-dir", f"--no-binary={name}", "-w",
                                   str(scratch), requirement], capture_output=True, text=True, timeout=900,
                                  env={**os.environ, **BUILT_FROM_SOURCE[name]})
            if done.returncode != 0:
                raise Unavailable(f"pip could not build {requirement}: {done.stderr.strip()[-300:]}")
    impure = [p.name for p in scratch.glob("*.whl") if not p.name.endswith(("-none-any.whl"))]
    if impure:
        raise Unavailable(f"not pure-Python wheels, Pyodide cannot load them: {impure}")
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch.rename(folder)
    (folder / "complete").write_text("\n".join(wanted))
    return folder
