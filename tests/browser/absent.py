"""Absent packages: test-only stand-ins for the packages Pyodide builds itself, which only Pyodide's CDN serves.

This machine reaches package registries only, and PyPI has no Pyodide (``pyemscripten``) wheels of cryptography,
numpy, matplotlib… The published site loads Pyodide's real builds; the tests stand in for them with this module:
importing an absent package (or any of its submodules) works, and **any use** of a name from it (a call, iteration,
arithmetic, subclassing…) raises :class:`AbsentPackage` — a ``BaseException``, so no ``except Exception`` in moto,
labkit or a check can turn it into an answer — and is recorded in :data:`uses`. Nothing absent returns a value.

Used twice, the same file: tests/browser/driver.py (Node, :func:`install` for the whole list) and the stand-in
wheels tests/test_lite.py serves in place of Pyodide's (each wheel's package calls :func:`become_absent`).
"""
import importlib.abc
import importlib.machinery
import sys
import types

uses: list[dict] = []
"""Every use: ``{"package", "name", **where}``."""
where: dict = {}
"""What the test is running (for example ``{"lab": ..., "cell": ...}``), copied into each use."""
_names: set[str] = set()


class AbsentPackage(BaseException):
    """A package this test cannot fetch was used (not merely imported)."""


class Absent:
    """Stands for a name of an absent package: attribute access gives another; any use raises AbsentPackage."""

    def __init__(self, dotted: str):
        object.__setattr__(self, "_dotted", dotted)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Absent(f"{self._dotted}.{name}")

    def _use(self, *_, **__):
        package = self._dotted.split(".")[0]
        uses.append({"package": package, "name": self._dotted, **where})
        raise AbsentPackage(f"{self._dotted}: {package} is built by Pyodide (part of its distribution, loaded by the "
                            "published site); this test cannot fetch it, so this cell needs it and did not run here")

    __call__ = __iter__ = __len__ = __bool__ = __getitem__ = __setitem__ = __enter__ = __exit__ = _use
    __add__ = __radd__ = __sub__ = __mul__ = __truediv__ = __eq__ = __lt__ = __gt__ = __contains__ = _use
    __setattr__ = _use
    __hash__ = object.__hash__

    def __mro_entries__(self, bases):
        self._use()


class AbsentModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Absent(f"{self.__name__}.{name}")


class AbsentFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds every module of an absent package that no other finder has (it is last on ``sys.meta_path``)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] not in _names:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        module = AbsentModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


_FINDER = AbsentFinder()


def install(names) -> None:
    """Make the top-level packages ``names`` absent (a real copy, if any, still wins: the finder is last)."""
    _names.update(names)
    if _FINDER not in sys.meta_path:
        sys.meta_path.append(_FINDER)


def become_absent(module: types.ModuleType) -> None:
    """Called by a stand-in wheel's package ``__init__``: the package and its submodules become absent."""
    install([module.__name__])
    module.__class__ = AbsentModule
    module.__path__ = []
