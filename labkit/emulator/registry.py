"""The registry of labkit's changes to moto and of the embedded engine's known differences from AWS.

Each module of :mod:`labkit.emulator` declares its own ``PATCHES`` and ``DIFFERENCES``; this module finds them by
walking the package, so the registry is always complete and no list is kept by hand.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from types import ModuleType


@dataclass(frozen=True)
class Patch:
    """One change labkit makes to moto (or a library moto uses).

    ``symbols``: dotted paths (``"moto.sqs.models.SQSBackend.send_message"``) that must exist for the patch to
    work; ``upstream``: the change that would make the patch unnecessary (an upstream issue or a sentence).
    """
    name: str
    changes: str
    symbols: tuple[str, ...]
    upstream: str = ""


@dataclass(frozen=True)
class Difference:
    """A known way the embedded engine still differs from AWS's documented behaviour.

    ``aws``: what AWS does (its documented behaviour); ``engine``: what the embedded engine does instead;
    ``doc``: the title of the AWS documentation page that documents ``aws``.
    """
    id: str
    service: str
    aws: str
    engine: str
    doc: str
    labs: tuple[str, ...] = field(default=())


def modules() -> list[ModuleType]:
    """Every module of :mod:`labkit.emulator` (and its sub-packages), imported, in name order."""
    from .. import emulator

    found = []
    for info in sorted(pkgutil.walk_packages(emulator.__path__, emulator.__name__ + "."), key=lambda i: i.name):
        found.append(importlib.import_module(info.name))
    return found


def patches() -> list[Patch]:
    """All patches declared by the emulator's modules."""
    return [p for module in modules() for p in getattr(module, "PATCHES", [])]


def differences() -> list[Difference]:
    """All known differences from AWS declared by the emulator's modules."""
    return [d for module in modules() for d in getattr(module, "DIFFERENCES", [])]


def resolve(symbol: str):
    """The object a dotted path names (``package.module.Class.attribute``); raises LookupError if it is gone."""
    parts = symbol.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                raise LookupError(f"{symbol}: {'.'.join(parts[:cut])} has no {attribute!r}")
            target = getattr(target, attribute)
        return target
    raise LookupError(f"{symbol}: no module to import")


_installed = False


def install_all() -> None:
    """Apply every emulator module's ``install()`` once per process (the embedded engine calls this at start)."""
    global _installed
    if _installed:
        return
    for module in modules():
        install = getattr(module, "install", None)
        if callable(install):
            install()
    _installed = True
