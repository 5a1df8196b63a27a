"""``cryptography.x509`` is executed when something first uses it, not when moto's IAM module imports it.

moto's ``moto/iam/models.py`` runs ``from cryptography import x509`` at import, for the two IAM calls that parse a
certificate (UploadServerCertificate, UploadSigningCertificate). Executing ``cryptography.x509`` loads
cryptography's Rust extension: about 8 MB of the kernel's resident memory, in every lab that loads IAM (each Lambda
lab does: moto's Lambda imports IAM). Here, at engine start, ``cryptography.x509`` is put in ``sys.modules`` as a
:class:`DeferredModule`: the module object itself, whose code runs the first time one of its names is read
(``x509.load_pem_x509_certificate``, ``from cryptography.x509 import Name``). Then it is the ordinary module. A name
the module does not define (a tool scanning ``sys.modules`` with ``getattr``) raises ``AttributeError`` without
running it, read from its source; its submodules import as usual.

``charset_normalizer`` is deferred the same way, at engine start before moto is imported: moto's core imports
``responses``, which imports ``requests``, which imports it (two compiled mypyc extensions: about 2.5 MB of every
lab's kernel) only to guess the text encoding of a ``requests`` answer that names none
(``Response.apparent_encoding``), which the in-process engine never asks. ``requests`` reads its ``__version__`` at
import to check compatibility: the names of its small ``version`` submodule are bound on the deferred module at once
(:data:`BOUND_AT_ONCE`), so that check does not run the package. ``idna``, which ``requests`` also imports at once,
waits likewise until a URL with a non-ASCII host name is prepared.

Upstream change (moto): ``moto/iam/models.py``: import ``cryptography.x509`` inside the methods that parse a
certificate. (requests: import the encoding detector when ``apparent_encoding`` is first read.)
"""
from __future__ import annotations

import ast
import importlib.util
import sys
import threading
import types

from .registry import Patch

DEFERRED = ("cryptography.x509", "charset_normalizer", "idna")
# a deferred package's submodule run at once, and the names of it bound on the package (read without running it)
BOUND_AT_ONCE = {"charset_normalizer": ("version", ("__version__", "VERSION"))}

PATCHES = [
    Patch(
        name="deferred-cryptography-x509",
        changes="At engine start, cryptography.x509 (imported by moto.iam.models at import) is placed in "
                "sys.modules as a DeferredModule that executes its code when one of its names is first read.",
        symbols=("moto.iam.models.x509",),
        upstream="moto/iam/models.py: import cryptography.x509 where a certificate is parsed.",
    ),
    Patch(
        name="deferred-charset-normalizer",
        changes="At engine start, before moto is imported, charset_normalizer (imported by requests, which moto's "
                "core imports through responses) is placed in sys.modules as a DeferredModule with its version "
                "names bound; it executes when requests first guesses an answer's encoding. idna likewise, until "
                "requests prepares a URL whose host name is not ASCII.",
        symbols=("requests.compat.chardet", "requests.models.chardet", "requests.packages.idna"),
        upstream="requests/compat.py: import the encoding detector when Response.apparent_encoding needs it.",
    ),
]

INSTALL_WHEN = ()  # at engine start: before moto's IAM (or anything else) imports the module

_lock = threading.RLock()  # one module executes at a time; the thread executing it may re-enter


class DeferredModule(types.ModuleType):
    """A module whose code has not run yet: reading a name it defines runs it (once, in place), then reads it."""

    def __getattr__(self, name: str):
        if name not in self.__dict__["_labkit_names"]:  # (the import system's __spec__, __path__… are set)
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        return getattr(load(self), name)


def load(module: types.ModuleType) -> types.ModuleType:
    """Run a :class:`DeferredModule`'s code in it now (no-op once run); returns it.

    While it runs, names it has not defined yet read as missing in its own thread (as in any module being
    imported); another thread waits until it has run. If its code raises, the error propagates and it stays
    deferred.
    """
    with _lock:
        if type(module) is not DeferredModule:
            return module
        state = module.__dict__
        if state.get("_labkit_running"):
            raise AttributeError("partially initialized module")  # its own code, still running
        state["_labkit_running"] = True
        try:
            module.__spec__.loader.exec_module(module)
        finally:
            del state["_labkit_running"]
        del state["_labkit_names"]
        module.__class__ = types.ModuleType
    return module


def defined_names(spec) -> frozenset[str]:
    """Every name the module's source binds at top level, and its submodules' names (nothing is executed)."""
    with open(spec.origin, encoding="utf-8") as source:
        tree = ast.parse(source.read(), spec.origin)
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in getattr(node, "targets", None) or [node.target]:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    import pkgutil

    names.update(info.name for info in pkgutil.iter_modules(spec.submodule_search_locations or []))
    return frozenset(names)


def defer(name: str) -> bool:
    """Put module ``name`` in ``sys.modules`` as a DeferredModule; False (nothing done) when it is imported
    already, not installed, or its source cannot be read (a module-level ``__getattr__`` or ``*`` import: any
    name may be defined)."""
    if name in sys.modules:
        return False
    parent, _, child = name.rpartition(".")
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return False
    try:
        names = defined_names(spec)
    except (OSError, SyntaxError, UnicodeDecodeError):
        return False
    if "__getattr__" in names or "*" in names:
        return False
    module = importlib.util.module_from_spec(spec)
    module.__dict__["_labkit_names"] = names
    module.__class__ = DeferredModule
    sys.modules[name] = module
    if parent:
        setattr(sys.modules[parent], child, module)  # as the import system binds a submodule on its package
    if name in BOUND_AT_ONCE:
        submodule, bound = BOUND_AT_ONCE[name]
        values = importlib.import_module(f"{name}.{submodule}")  # found through the deferred package's __path__
        module.__dict__.update({key: getattr(values, key) for key in bound})
    return True


def install() -> None:
    """Defer each module of :data:`DEFERRED` that nothing has imported yet (idempotent)."""
    for name in DEFERRED:
        defer(name)
