"""What labkit declares as a package: its free PyPI name, its pins, and every library it imports."""
from __future__ import annotations

import ast
import importlib.metadata as metadata
import pathlib
import re
import sys
import tomllib

from packaging.requirements import Requirement

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# "labkit" on PyPI is an unrelated project (`pip index versions --pre labkit` lists its 0.0.x releases);
# `pip index versions --pre dva-labkit` found nothing when the name was chosen.
DISTRIBUTION = "dva-labkit"
# moto is built against one botocore; boto3 and s3transfer are released in step with botocore.
MOVE_TOGETHER = ("moto", "boto3", "botocore", "s3transfer")


def requirements(lines) -> dict[str, Requirement]:
    found = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            found[metadata_name(requirement.name)] = requirement
    return found


def metadata_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> dict[str, Requirement]:
    lines = list(PROJECT["dependencies"])
    for extra in PROJECT.get("optional-dependencies", {}).values():
        lines += extra
    return requirements(lines)


def test_the_distribution_has_its_own_name_and_installs_the_labkit_package():
    import labkit

    assert PROJECT["name"] == DISTRIBUTION
    assert metadata.distribution(DISTRIBUTION).metadata["Name"] == DISTRIBUTION, "reinstall: pip install -e ."
    assert labkit.DISTRIBUTION == DISTRIBUTION
    assert labkit.__version__ == metadata.version(DISTRIBUTION) == PROJECT["version"]
    assert DISTRIBUTION in (metadata.packages_distributions().get("labkit") or [])  # the package it installs


def test_moto_and_the_aws_sdk_are_pinned_together_everywhere():
    pinned = requirements((ROOT / "requirements.txt").read_text().splitlines())
    ours = requirements(PROJECT["dependencies"])
    for name in MOVE_TOGETHER:
        for where, found in (("requirements.txt", pinned), ("pyproject.toml", ours)):
            assert name in found and str(found[name].specifier).startswith("=="), f"{name} is not pinned in {where}"
        assert pinned[name].specifier == ours[name].specifier, f"{name}: requirements.txt and pyproject.toml differ"
        assert metadata.version(name) in ours[name].specifier, f"{name} installed is not the pinned version"


PYODIDE_ONLY = {"micropip"}  # part of Pyodide's distribution, imported by labkit only in the page (pyodide_builds)


def third_party_imports() -> dict[str, set[str]]:
    """Top-level modules imported anywhere in labkit (but its handlers' runtime modules), with the files."""
    found: dict[str, set[str]] = {}
    package = ROOT / "labkit"
    for path in package.rglob("*.py"):
        if "runtime_modules" in path.parts:  # cfnresponse & co. run inside Lambda handlers, not in labkit
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                     else [])
            for name in names:
                top = name.split(".")[0]
                if top != "labkit" and top not in sys.stdlib_module_names and top not in PYODIDE_ONLY:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_library_labkit_imports_is_declared():
    """Not left to arrive as some other package's dependency (joserfc came only through moto)."""
    providers = metadata.packages_distributions()
    ours = declared()
    missing = {}
    for module, files in sorted(third_party_imports().items()):
        distributions = {metadata_name(d) for d in providers.get(module, [])}
        assert distributions, f"{module} (imported by {sorted(files)}) is not installed"
        if not distributions & set(ours):
            missing[module] = sorted(files)
    assert not missing, f"add to pyproject.toml [project] dependencies (and pin in requirements.txt): {missing}"


def test_the_readme_installs_with_the_pinned_uv():
    """README's first command installs uv at requirements.txt's pin, then the requirements with it (not a bare
    ``pip install uv``, which would drift to whatever uv is newest), compiling the packages' bytecode at install as pip
    does: uv does not by default, and where PYTHONDONTWRITEBYTECODE is set every kernel then compiled moto again
    (the book build's lab execution took 311 s instead of 165 s)."""
    readme = (ROOT / "README.md").read_text()
    commands = readme.split("<!-- ci:begin -->", 1)[1].split("<!-- ci:end -->", 1)[0]
    pinned = requirements((ROOT / "requirements.txt").read_text().splitlines())["uv"]
    assert f"pip install uv{pinned.specifier} && uv pip install --compile-bytecode -r requirements.txt" in commands
