"""Install each emulator module when moto first loads a service it patches, not when the engine starts.

:func:`labkit.emulator.install_all` calls every module's ``install()`` at once, which imports the moto services
they patch (Batch, X-Ray, Step Functions, CloudFormation, …): most of moto, seconds of start-up and tens of MB,
for a lab that uses S3 alone. :func:`install_lazily` instead reads each module's ``PATCHES`` (the moto symbols it
relies on), installs at once the modules whose services are already loaded (or that patch moto's core), and
defers the others until moto loads one of their services (``moto.<service>``, by any path: a request, another
service's model, a test).

A deferred ``install()`` never runs in the middle of an import: an import hook counts the ``moto.*`` imports in
progress in each thread and runs what became due when the outermost one ends, so each installs on fully loaded
modules, before moto answers any request for the service (moto imports a service's package when it first builds
the app or backend that answers it).

Threads (a workshop server answers many requests at once): one install() runs at a time (``_install_lock``, so two
wrappers of one method never race), and no lock of this module is held while a thread waits for an import lock
it does not own. Lazy's bookkeeping lock is held only briefly, never across an install() or an import; a thread
that finishes a moto import while another thread installs does not wait for it (it may hold the import lock that
install needs: the deadlock that froze ``labkit serve``) but leaves what became due to that thread, which runs it
before it lets go; and moto's ``get_backend`` waits for every due install before it returns a backend, when its
thread holds no import lock (:func:`settle`).

Upstream: none; moto's own decorators import services lazily the same way (``moto/backend_index.py``).
"""
from __future__ import annotations

import functools
import importlib
import os
import sys
import threading
from importlib.machinery import PathFinder, SourceFileLoader

from .registry import Patch, modules

ALWAYS_LOADED = ("moto.core", "moto.moto_server", "moto.settings", "moto.utilities", "moto.backends")

PATCHES = [
    Patch(
        name="lazy-install",
        changes="An import hook on moto's packages (a meta path finder wrapping their source loaders) runs each "
                "emulator module's install() when moto first loads a service it patches; _import_backend (what "
                "get_backend calls) settles the due installs before it returns a backend.",
        symbols=("moto.backends.get_backend", "moto.backends._import_backend",
                 "moto.backend_index.backend_url_patterns"),
        upstream="None: how labkit installs its own patches.",
    ),
]

_pending: dict[str, list] = {}  # "moto.batch" → (name, install) of what waits for it
_due: list = []  # (name, install) whose service loaded, to run when the outermost moto import ends
_installed: set[str] = set()
_deferred: set[str] = set()  # emulator modules whose import waits for one of their moto modules
_lock = threading.RLock()  # the lists and sets above; held briefly, never across an install() or an import
_install_lock = threading.RLock()  # one install() at a time, across threads (held across its imports)
_depth = threading.local()  # .value: moto imports in progress in this thread
_installing = threading.local()  # .value: install() calls in progress in this thread
_finder: "MotoImportHook | None" = None


def symbol_module(symbol: str) -> str | None:
    """The moto module that defines ``symbol`` (``moto.events.responses.EventsHandler.put_rule`` →
    ``moto.events.responses``), found in moto's folder without importing anything; None for moto's core."""
    parts = symbol.split(".")
    if parts[0] != "moto" or len(parts) < 2 or ".".join(parts[:2]) in ALWAYS_LOADED:
        return None
    import moto

    folder, found = os.path.dirname(moto.__file__), "moto"
    for part in parts[1:]:
        if os.path.isfile(os.path.join(folder, part, "__init__.py")):
            folder, found = os.path.join(folder, part), f"{found}.{part}"
        elif os.path.isfile(os.path.join(folder, part + ".py")):
            return f"{found}.{part}"
        else:
            break
    return found if found != "moto" else None


def replaced(symbol: str) -> bool:
    """Whether a PATCHES symbol may be something the module replaces: backend registries (``…_backends``,
    ``get_backend``) and exception classes are only read, so their modules do not trigger the install."""
    last = symbol.rsplit(".", 1)[-1]
    return not (last.endswith("_backends") or last == "get_backend" or ".exceptions." in symbol)


def service_modules(module) -> set[str]:
    """The moto modules defining what a module's PATCHES may replace (empty: it patches only moto's core, or
    nothing of moto): loading any of them installs the module.

    A module whose PATCHES also name symbols it only reads (another service's models it reaches into once a
    feature of its own service is used) sets ``INSTALL_WHEN``, the moto modules whose loading installs it: so
    SQS alone never loads Lambda's models (and with them most of moto) for event source mappings it cannot have.
    """
    explicit = getattr(module, "INSTALL_WHEN", None)
    if explicit is not None:
        return set(explicit)
    return {found for patch in getattr(module, "PATCHES", []) for symbol in patch.symbols
            if replaced(symbol) and (found := symbol_module(symbol))}


def install_lazily() -> None:
    """Install what is due now and arrange for the rest to install when moto loads their services (idempotent).

    Each emulator module is itself imported only when one of its moto modules loads (``lazy_manifest.IMPORT_WHEN``,
    generated from the modules by ``python -m labkit.emulator.lazy``): importing all eighty at engine start cost
    about 50 ms of every lab's first answer and 3 MB, mostly for services the lab never calls. A module missing
    from the manifest (added since it was generated) is imported at once, as before.
    """
    from .lazy_manifest import IMPORT_WHEN

    with _install_lock:  # it imports and installs: in the install turn, never under the bookkeeping lock
        for name in module_names():
            if name == __name__ or name in _installed or name in _deferred:
                continue
            packages = IMPORT_WHEN.get(name, "not listed")
            if packages is None:  # no install(): nothing to do until something imports it
                continue
            if isinstance(packages, str) or not packages or name in sys.modules or any(
                    p in sys.modules for p in packages):  # (imported already: by a test, another module)
                _arrange(importlib.import_module(name))
            else:
                _deferred.add(name)
                when_loaded(packages, f"import {name}", functools.partial(_import_and_arrange, name))


def _import_and_arrange(name: str) -> None:
    _arrange(importlib.import_module(name))


def _arrange(module) -> None:
    """Install ``module`` now, or when moto loads what it patches (what install_lazily does for each module)."""
    if module.__name__ in _installed or module.__name__ == __name__ or not callable(getattr(module, "install", None)):
        return
    module.install = _marking(module.__name__, module.install)
    triggers = getattr(module, "TRIGGERS", None)
    if _notices_only(module):
        # only 'Differs from AWS' notices: each wraps one moto method, installed when its module loads
        # (a notice on EventBridge's PutRule must not load all of Batch, whose other notice it shares)
        from .notices import install_triggers

        for trigger in triggers:
            when_loaded({symbol_module(trigger.symbol)} - {None},
                        f"{module.__name__}: {trigger.symbol} ({trigger.difference})",
                        functools.partial(install_triggers, [trigger]))
        _installed.add(module.__name__)
    else:
        when_loaded(service_modules(module), module.__name__, module.install)


def _notices_only(module) -> bool:
    triggers = getattr(module, "TRIGGERS", None)
    symbols = {symbol for patch in getattr(module, "PATCHES", []) for symbol in patch.symbols}
    return bool(triggers) and symbols == {trigger.symbol for trigger in triggers}


def module_names() -> list[str]:
    """Every module of labkit.emulator (and its sub-packages), by name, in name order, found on disk without
    importing any (what :func:`registry.modules` imports)."""
    from .. import emulator

    names = []

    def walk(folder: str, prefix: str) -> None:
        for entry in os.scandir(folder):
            if entry.is_dir() and os.path.isfile(os.path.join(entry.path, "__init__.py")):
                names.append(prefix + entry.name)
                walk(entry.path, prefix + entry.name + ".")
            elif entry.name.endswith(".py") and entry.name != "__init__.py":
                names.append(prefix + entry.name[:-3])

    for folder in emulator.__path__:
        walk(folder, emulator.__name__ + ".")
    return sorted(names)


def triggers(module) -> tuple[str, ...] | None:
    """The moto modules whose loading needs ``module`` imported (sorted); () to import it at engine start; None
    when it has no install() (nothing to do)."""
    if not callable(getattr(module, "install", None)):
        return None
    if _notices_only(module):
        return tuple(sorted({symbol_module(t.symbol) for t in module.TRIGGERS} - {None}))
    return tuple(sorted(service_modules(module)))


def manifest() -> dict[str, tuple[str, ...] | None]:
    """:func:`triggers` of every emulator module (this one excepted), computed by importing them all."""
    return {module.__name__: triggers(module) for module in modules() if module.__name__ != "labkit.emulator.lazy"}


def write_manifest(path: str | None = None) -> str:
    """Write lazy_manifest.py (next to this module, or ``path``) from :func:`manifest`; returns its path."""
    path = path or os.path.join(os.path.dirname(os.path.abspath(__file__)), "lazy_manifest.py")
    lines = ['"""Generated by ``python -m labkit.emulator.lazy`` (tests/test_emulator_lazy.py checks it is current):',
             "each emulator module → the moto modules whose loading needs it imported; () imports it at engine start,",
             'None means it has no install()."""', "", "IMPORT_WHEN = {"]
    for name, packages in sorted(manifest().items()):
        lines.append(f"    {name!r}: {packages!r},")
    lines += ["}", ""]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))
    return path


def when_loaded(packages, name: str, install) -> None:
    """Call ``install()`` once, as soon as one of ``packages`` (moto modules: ``moto.sqs``, ``moto.sqs.models``) is
    loaded (now if one is, or if there are none); ``name`` identifies it (a second call with it does nothing)."""
    global _finder
    if _original_import_backend is None:
        _settle_on_get_backend()
    with _lock:
        if _finder is None:
            _finder = MotoImportHook()
            sys.meta_path.insert(0, _finder)
        if name in _installed:
            return
        packages = set(packages)
        now = not packages or any(package in sys.modules for package in packages)
        if not now:
            for package in packages:
                _pending.setdefault(package, []).append((name, install))
    if now:
        _install((name, install))


def _marking(name: str, install):
    """``install`` marked done before it runs, however it is called (a test or install_all calling the module's
    ``install()`` directly): the imports it makes must not run it a second time, nested, as a deferred install."""
    if getattr(install, "labkit_lazy", False):
        return install

    @functools.wraps(install)
    def marked(*args, **kwargs):
        _installed.add(name)
        return _running(install, *args, **kwargs)

    marked.labkit_lazy = True
    return marked


def pending() -> dict[str, list[str]]:
    """What still waits: ``moto.<service>`` → names of what installs when it loads."""
    with _lock:
        waiting = {package: [name for name, _ in entries if name not in _installed]
                   for package, entries in _pending.items()}
        due = [name for name, _ in _due if name not in _installed]
        if due:  # loaded, still to install
            waiting["(loaded)"] = due
        return waiting


def _install(entry) -> None:
    name, install = entry
    with _lock:
        if name in _installed:
            return
        if getattr(_installing, "value", 0):  # inside another install(): it may have read what this one replaces
            _due.append(entry)
            return
        _installed.add(name)
    _running(install)


def _running(install, *args, **kwargs):
    """Call ``install`` (in the install turn, :data:`_install_lock`); what became due meanwhile runs once the
    outermost install() (and moto import) has ended, so no install wraps a method another install has read but
    not yet replaced."""
    with _install_lock:
        _installing.value = getattr(_installing, "value", 0) + 1
        try:
            return install(*args, **kwargs)
        finally:
            _installing.value -= 1
            if not _installing.value and not getattr(_depth, "value", 0) and _due:
                _run_due()


def _loaded(package: str) -> None:
    with _lock:
        _due.extend(_pending.pop(package, []))


def _run_due(wait: bool = True) -> bool:
    """Run what is due, in the install turn. ``wait=False`` (a thread still inside an import): when another thread
    has the turn, return False at once; that thread runs what is due before it lets the turn go."""
    while True:
        if not _install_lock.acquire(blocking=wait):
            return False
        try:
            while True:
                with _lock:
                    if not _due:
                        break
                    entry = _due.pop(0)
                _install(entry)
        finally:
            _install_lock.release()
        with _lock:  # made due by a thread that found the turn taken just before it was let go
            if not _due:
                return True


def _holds_import_lock() -> bool:
    """Whether this thread holds one of Python's module import locks (inside an import); True when it cannot tell.
    Reads importlib's private lock table (``_module_locks``: name -> weak reference to a lock with ``owner``)."""
    try:
        from importlib import _bootstrap

        me = threading.get_ident()
        for reference in list(_bootstrap._module_locks.values()):
            lock = reference()
            if lock is not None and getattr(lock, "owner", None) == me:
                return True
        return False
    except Exception:  # another Python's importlib: do not wait
        return True


def settle() -> None:
    """Run (or wait for) every install that is due or running, unless this thread is inside an import (then
    waiting could deadlock, see the module docstring): afterwards moto's loaded services have their patches."""
    if getattr(_installing, "value", 0) or getattr(_depth, "value", 0):
        return  # inside an install() or a moto import of this thread: what is due runs when it ends
    _run_due(wait=not _holds_import_lock())


_original_import_backend = None


def _settle_on_get_backend() -> None:
    """Wrap moto's ``backends._import_backend`` (what ``get_backend`` calls to import a service): the backend it
    returns has its patches, even when another thread held the install turn when the service loaded."""
    global _original_import_backend
    from moto import backends

    with _lock:
        if _original_import_backend is not None:
            return
        original = _original_import_backend = backends._import_backend

        @functools.wraps(original)
        def import_backend(*args, **kwargs):
            found = original(*args, **kwargs)
            if _due or _installing_elsewhere():
                settle()
            return found

        backends._import_backend = import_backend


def _installing_elsewhere() -> bool:
    """Whether another thread has the install turn now (an install() may be running for what this thread uses)."""
    if _install_lock.acquire(blocking=False):
        _install_lock.release()
        return False
    return True


class _CountingLoader(SourceFileLoader):
    """moto's own source loader, counting the imports in progress so deferred installs wait for the outermost."""

    def exec_module(self, module) -> None:
        _depth.value = getattr(_depth, "value", 0) + 1
        try:
            super().exec_module(module)
        finally:
            _depth.value -= 1
        if self.name in _pending:
            _loaded(self.name)
        if _depth.value == 0 and not getattr(_installing, "value", 0) and _due:
            _run_due(wait=False)  # this thread holds import locks: never wait for another thread's install


class _MarkingLoader(SourceFileLoader):
    """The source loader of an emulator module whose import waits for its moto modules: imported meanwhile by
    someone else (a test, another module), its install() is marked at once, so calling it directly counts as its
    install and the deferred one does not run it a second time (nested, before the first has recorded anything)."""

    def exec_module(self, module) -> None:
        super().exec_module(module)
        if callable(getattr(module, "install", None)):
            module.install = _marking(module.__name__, module.install)


class MotoImportHook:
    """A meta path finder for ``moto.*`` modules: the usual spec, with a loader that counts (see above); and for
    the emulator modules still waiting to be imported, a loader that marks their install() (:class:`_MarkingLoader`).
    """

    def find_spec(self, fullname, path=None, target=None):
        if fullname in _deferred and fullname not in _installed:
            spec = PathFinder.find_spec(fullname, path)
            if spec is None or type(spec.loader) is not SourceFileLoader:
                return None
            spec.loader = _MarkingLoader(spec.loader.name, spec.loader.path)
            return spec
        if not fullname.startswith("moto.") or not _pending and not _due:
            return None
        spec = PathFinder.find_spec(fullname, path)
        if spec is None or type(spec.loader) is not SourceFileLoader:
            return spec if spec is None else None
        spec.loader = _CountingLoader(spec.loader.name, spec.loader.path)
        return spec

    def invalidate_caches(self) -> None:
        pass


if __name__ == "__main__":
    print("wrote", write_manifest())
