"""Absent packages: the Node test's stand-ins for the packages Pyodide builds itself, which only Pyodide's CDN serves.

This machine reaches package registries only, and PyPI has no Pyodide (``pyemscripten``) wheels of cryptography,
numpy, matplotlib… The published site loads Pyodide's real builds; tests/browser/driver.py (Node) stands in for them
with labkit's own stand-ins for a build the page could not download (labkit/engines/pyodide_builds.py), given this
test's reason: importing an absent package (or any of its submodules) works, and **any use** of a name from it (a
call, iteration, arithmetic, subclassing…) raises :data:`AbsentPackage` — a ``BaseException``, so no ``except
Exception`` in moto, labkit or a check can turn it into an answer — and is recorded in :data:`uses`. Nothing absent
returns a value. run.mjs copies this file into Pyodide as ``_labkit_absent``, after labkit.
"""
from labkit.engines import pyodide_builds

AbsentPackage = pyodide_builds.Unreachable
REASON = ("is built by Pyodide (part of its distribution, loaded by the published site); this test cannot fetch it, "
          "so this cell needs it and did not run here")
uses: list[dict] = []
"""Every use: ``{"package", "name", **where}``."""
where: dict = {}
"""What the test is running (for example ``{"lab": ..., "cell": ...}``), copied into each use."""
pyodide_builds.listeners.append(lambda package, name: uses.append({"package": package, "name": name, **where}))


def install(names) -> None:
    """Make the top-level packages ``names`` absent (a real copy, if any, still wins: the finder is last)."""
    pyodide_builds.stand_in({name: name for name in names}, REASON)
