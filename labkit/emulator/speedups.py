"""Remember answers moto recomputes on every request, though they never change (measured: ~20 % of moto's time).

- ``camelcase_to_underscores`` turns each parameter and attribute name into snake case, character by character.
- ``method_names_from_class`` lists a response class's methods with ``inspect.getmembers`` on every call.
- ``DomainDispatcherApplication.get_backend_for_host`` lists moto's package folder on every request to map the
  Host header to a service (:func:`cache_host_lookup`; measured: about 1 ms per call).

All depend only on their argument, so a cache changes no answer. moto's modules import the two helpers by name,
so the cached versions replace every reference already imported, and moto's own module for those imported later.

Upstream change (moto): ``functools.lru_cache`` on the two helpers in ``moto/core/utils.py`` and on
``get_backend_for_host``. ``tests/test_emulator_speedups.py::test_moto_still_recomputes`` fails once moto caches
them; then delete this module.
"""
from __future__ import annotations

import functools
import sys

from .registry import Patch

NAMES = ("camelcase_to_underscores", "method_names_from_class")

PATCHES = [
    Patch(
        name="speedups-helpers",
        changes="Caches moto.core.utils.camelcase_to_underscores and method_names_from_class (pure functions) "
                "wherever moto's modules imported them.",
        symbols=tuple(f"moto.core.utils.{name}" for name in NAMES),
        upstream="moto/core/utils.py: functools.lru_cache on both helpers.",
    ),
    Patch(
        name="speedups-host-lookup",
        changes="Caches the embedded engine's DomainDispatcherApplication.get_backend_for_host (per Host header).",
        symbols=("moto.moto_server.werkzeug_app.DomainDispatcherApplication.get_backend_for_host",),
        upstream="moto/moto_server/werkzeug_app.py: cache get_backend_for_host per host.",
    ),
]


def install() -> None:
    """Swap in the cached helpers (idempotent)."""
    import moto.core.utils as utils

    for name in NAMES:
        original = getattr(utils, name)
        if hasattr(original, "uncached"):
            continue
        faster = remembered(original)
        for module in list(sys.modules.values()):
            if getattr(module, name, None) is original:
                setattr(module, name, faster)


def cache_host_lookup(app):
    """Have this moto ``DomainDispatcherApplication`` remember which backend answers each Host header."""
    app.get_backend_for_host = functools.lru_cache(maxsize=256)(app.get_backend_for_host)
    return app


def remembered(function):
    """``function`` with its answers cached; unhashable arguments and list answers are handled as before."""
    cached = functools.lru_cache(maxsize=8192)(function)

    @functools.wraps(function)
    def lookup(argument):
        try:
            answer = cached(argument)
        except TypeError:  # an unhashable argument: compute as moto would
            return function(argument)
        return list(answer) if isinstance(answer, list) else answer  # callers get their own list, as before

    lookup.uncached = function
    return lookup
