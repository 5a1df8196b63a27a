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

Upstream: none; moto's own decorators import services lazily the same way (``moto/backend_index.py``).
"""
from __future__ import annotations

import functools
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
                "emulator module's install() when moto first loads a service it patches.",
        symbols=("moto.backends.get_backend", "moto.backend_index.backend_url_patterns"),
        upstream="None: how labkit installs its own patches.",
    ),
]

_pending: dict[str, list] = {}  # "moto.batch" → (name, install) of what waits for it
_due: list = []  # (name, install) whose service loaded, to run when the outermost moto import ends
_installed: set[str] = set()
_lock = threading.RLock()
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
    """Install what is due now and arrange for the rest to install when moto loads their services (idempotent)."""
    with _lock:
        for module in modules():
            if module.__name__ in _installed or module.__name__ == __name__ or not callable(
                    getattr(module, "install", None)):
                continue
            module.install = _marking(module.__name__, module.install)
            triggers = getattr(module, "TRIGGERS", None)
            symbols = {symbol for patch in getattr(module, "PATCHES", []) for symbol in patch.symbols}
            if triggers and symbols == {trigger.symbol for trigger in triggers}:
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


def when_loaded(packages, name: str, install) -> None:
    """Call ``install()`` once, as soon as one of ``packages`` (moto modules: ``moto.sqs``, ``moto.sqs.models``) is
    loaded (now if one is, or if there are none); ``name`` identifies it (a second call with it does nothing)."""
    global _finder
    with _lock:
        if _finder is None:
            _finder = MotoImportHook()
            sys.meta_path.insert(0, _finder)
        if name in _installed:
            return
        packages = set(packages)
        if not packages or any(package in sys.modules for package in packages):
            _install((name, install))
        else:
            for package in packages:
                _pending.setdefault(package, []).append((name, install))


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
    if name in _installed:
        return
    if getattr(_installing, "value", 0):  # inside another install(): it may have read what this one replaces
        _due.append(entry)
        return
    _installed.add(name)
    _running(install)


def _running(install, *args, **kwargs):
    """Call ``install``; what became due meanwhile runs once the outermost install() (and moto import) has ended,
    so no install wraps a method another install has read but not yet replaced."""
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


def _run_due() -> None:
    with _lock:
        while _due:
            _install(_due.pop(0))


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
            _run_due()


class MotoImportHook:
    """A meta path finder for ``moto.*`` modules: the usual spec, with a loader that counts (see above)."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith("moto.") or not _pending and not _due:
            return None
        spec = PathFinder.find_spec(fullname, path)
        if spec is None or type(spec.loader) is not SourceFileLoader:
            return spec if spec is None else None
        spec.loader = _CountingLoader(spec.loader.name, spec.loader.path)
        return spec

    def invalidate_caches(self) -> None:
        pass
