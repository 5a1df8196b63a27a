"""Pyodide's own builds in the page: loaded from Pyodide's CDN, or stood in for when the page cannot download them.

The book's JupyterLite site hosts Pyodide and every pure-Python package a lab needs, so a lab keeps running with the
network cut off after its page loaded. The packages Pyodide compiles itself (cryptography, numpy, matplotlib,
pandas, Pillow…) stay on Pyodide's CDN: the site's lock file points at them there. :func:`load`, awaited by each
lab's first cell in the page, loads them with micropip; a package the page could not download (offline) becomes
*unreachable*: importing it still works — moto imports cryptography on every request and the labs import
matplotlib in their Setup, though most never use them — and any use of a name from it (a call, an attribute's
value, iteration, arithmetic, subclassing…) raises :class:`Unreachable`, whose one sentence says what the cell
needed and why it cannot be had. Nothing unreachable returns a value, and :class:`Unreachable` is a
``BaseException``, so no ``except Exception`` in moto, labkit or a check turns it into an answer.

micropip: https://micropip.pyodide.org; Pyodide's lock file and loadPackage (which logs a package it could not
download instead of raising): https://pyodide.org/en/stable/usage/api/js-api.html#pyodide.loadPackage.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types

REASON = ("is built by Pyodide and this page could not download it from Pyodide's CDN (is the network off?): "
          "reconnect, restart the kernel and run the notebook again from its first cell")
"""Why an unreachable package cannot be used in the page (after ``"<name>: <package> "``)."""

listeners: list = []
"""Callables ``(package, dotted_name)`` told of every use of an unreachable package before it raises (tests)."""
_unreachable: dict[str, tuple[str, str]] = {}  # top-level import name -> (package, reason)


class Unreachable(BaseException):
    """A name of a package this page could not load was used; the message says which and why."""


USES = tuple(f"__{name}__" for name in (
    "call", "iter", "reversed", "len", "bool", "getitem", "setitem", "delitem", "contains", "setattr", "delattr",
    "enter", "exit", "aenter", "aexit", "await", "aiter", "anext",
    "repr", "str", "format", "bytes", "float", "int", "complex", "index", "round", "trunc", "floor", "ceil",
    "neg", "pos", "abs", "invert", "eq", "ne", "lt", "le", "gt", "ge", "instancecheck", "subclasscheck",
    *(f"{side}{op}" for op in ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "divmod", "pow",
                               "lshift", "rshift", "and", "xor", "or") for side in ("", "r", "i"))))
"""The special methods through which an :class:`UnreachableName` is used: each raises :class:`Unreachable` (a
printed or formatted value, a number, a comparison, an ``isinstance`` against it, a type union such as joserfc's
``Ed25519PublicKey | Ed448PublicKey`` at import…), so none gives a value or a TypeError an ``except`` could take."""


class UnreachableName:
    """Stands for a name of an unreachable package: attribute access gives another; any use raises Unreachable."""

    def __init__(self, dotted: str):
        object.__setattr__(self, "_dotted", dotted)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return UnreachableName(f"{self._dotted}.{name}")

    def _use(self, *_, **__):
        package, reason = _unreachable[self._dotted.split(".")[0]]
        for listener in listeners:
            listener(package, self._dotted)
        raise Unreachable(f"{self._dotted}: {package} {reason}")

    __hash__ = object.__hash__

    def __mro_entries__(self, bases):
        self._use()


for _special in USES:
    setattr(UnreachableName, _special, UnreachableName._use)
del _special


class UnreachableModule(types.ModuleType):
    """A module of an unreachable package: importing it works, and each name taken from it is an
    :class:`UnreachableName` (its dunder names, which Python's import machinery probes, are absent)."""

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return UnreachableName(f"{self.__name__}.{name}")


class UnreachableFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds every module of an unreachable package that no other finder has (it is last on ``sys.meta_path``)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] not in _unreachable:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        module = UnreachableModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


_FINDER = UnreachableFinder()


def stand_in(modules: dict[str, str], reason: str = REASON) -> None:
    """Make the top-level modules ``modules`` (import name → the package that provides it) unreachable for
    ``reason`` (a real copy, if one is installed later, still wins: the finder is last on ``sys.meta_path``)."""
    _unreachable.update({module: (package, reason) for module, package in modules.items()})
    if _FINDER not in sys.meta_path:
        sys.meta_path.append(_FINDER)


def closure(lock: dict, names) -> list[dict]:
    """The lock file's entries (``lock``: its ``packages``) for ``names`` and everything they depend on."""
    packages = {key.lower().replace("_", "-"): entry for key, entry in lock.items()}
    wanted, stack = {}, [name.lower().replace("_", "-") for name in names]
    while stack:
        name = stack.pop()
        if name not in wanted and name in packages:
            wanted[name] = packages[name]
            stack.extend(dep.lower().replace("_", "-") for dep in packages[name].get("depends", []))
    return [wanted[name] for name in sorted(wanted)]


def lock_packages() -> dict:
    """Pyodide's lock file's packages as the page's Pyodide read them (micropip's reading: ``micropip.freeze()``
    would also list the installed wheels, and fails on those installed without their dependencies)."""
    from micropip._compat import LOCKFILE_PACKAGES

    return LOCKFILE_PACKAGES


async def load(names: list[str]) -> None:
    """Load Pyodide's builds ``names`` (lock file names: ``["cryptography", "matplotlib"]``) and what they depend on
    with micropip; stand in (:func:`stand_in`) for each package of theirs that did not load (none of its modules
    can be found) and print one sentence naming them (nothing when everything loaded)."""
    import micropip

    try:
        await micropip.install(names)
    except Exception as exc:  # noqa: BLE001 - the packages it could not install are named below
        print(f"micropip could not install {', '.join(names)}: {exc}")
    modules = {}
    for entry in closure(lock_packages(), names):
        imports = entry.get("imports") or []
        if imports and all(importlib.util.find_spec(module) is None for module in imports):
            modules.update({module: entry["name"] for module in imports})
    stand_in(modules)
    if modules:
        print(f"Pyodide's builds of {', '.join(sorted(set(modules.values())))} could not be downloaded from Pyodide's "
              "CDN (is the network off?): the lab runs without them, and a cell that needs one says so.")


__all__ = ["REASON", "Unreachable", "closure", "listeners", "load", "stand_in"]
