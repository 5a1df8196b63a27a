"""The pure-Python wheels that run labkit under Pyodide, fetched once from PyPI into ``~/.cache/labkit-tests``.

Shared by the book build (``_ext/run_in_browser.py`` bundles them into the JupyterLite site) and the Pyodide tests
(``tests/browser/assets.py`` unpacks them into Pyodide in Node). The list is ``_ext/browser_wheels.txt``; each is
downloaded with ``pip download --no-deps --only-binary=:all: --platform any`` into
``~/.cache/labkit-tests/wheels/<hash of the list>``. Three have no pure wheel on PyPI and are built from their PyPI
source with pip, pure: localstack-client (no wheel at all), PyYAML (without its libyaml extension,
``PYYAML_FORCE_LIBYAML=0``: PyYAML's own pure-Python implementation) and MarkupSafe (without its C speedups, which
it falls back from when no compiler answers: its own pure-Python implementation).

Pyodide itself: :func:`pyodide_core` fetches the npm registry's tarball of the package ``pyodide`` (:data:`PYODIDE`)
over HTTP, checked against the registry's SHA-512, into ``~/.cache/labkit-tests/pyodide-npm/<version>`` (no Node
needed); :func:`lock_entries` and :func:`pure_lock_wheels` read its lock file and fetch from PyPI the pure-Python
packages it lists (the book's site hosts them, the page test serves them).

:func:`wheels_folder` returns the folder or raises :class:`Unavailable` with one line saying what could not be had.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request

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


def wheels_folder() -> pathlib.Path:
    """The folder of the list's wheels, fetched on first use; raises :class:`Unavailable`."""
    wanted = requirements()
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


NPM_REGISTRY = "https://registry.npmjs.org/pyodide/"


def pyodide_core() -> pathlib.Path:
    """The npm package ``pyodide`` at :data:`PYODIDE` (its ``package/`` folder: pyodide.mjs, pyodide.asm.wasm,
    python_stdlib.zip, pyodide-lock.json…), downloaded once from the npm registry and checked against the
    registry's ``dist.integrity`` (SHA-512); raises :class:`Unavailable`."""
    folder = CACHE / "pyodide-npm" / PYODIDE
    if (folder / "complete").exists():
        return folder / "package"
    try:
        with urllib.request.urlopen(NPM_REGISTRY + PYODIDE, timeout=60) as answer:
            dist = json.load(answer)["dist"]
        with urllib.request.urlopen(dist["tarball"], timeout=600) as answer:
            tarball = answer.read()
    except (OSError, KeyError, ValueError) as exc:
        raise Unavailable(f"could not download pyodide@{PYODIDE} from the npm registry: {exc}") from None
    algorithm, _, digest = dist["integrity"].partition("-")
    if algorithm != "sha512" or base64.b64decode(digest) != hashlib.sha512(tarball).digest():
        raise Unavailable(f"pyodide@{PYODIDE}'s tarball does not match the npm registry's checksum")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
        archive.extractall(folder, filter="data")
    (folder / "complete").write_text(dist["integrity"])
    return folder / "package"


def canonical(name: str) -> str:
    """A distribution name as package indexes compare them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_entries(pyodide: pathlib.Path, roots) -> list[dict]:
    """The entries of the lock file (``pyodide-lock.json`` in the folder ``pyodide``) for the package names
    ``roots`` and everything they depend on, sorted by name; raises KeyError for a name the lock does not have."""
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
    be those of these files). Raises Unavailable (also for an entry that is not pure).
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
                               "-d", str(folder), *missing], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise Unavailable(f"pip could not download {', '.join(missing)}: {done.stderr.strip()[-300:]}")
    absent = [name for name, path in files.items() if not path.exists()]
    if absent:
        raise Unavailable(f"PyPI's wheels are not named as Pyodide's lock file says: {absent}")
    return files
