"""What labkit adds to or changes in moto, one module (or package) per service.

Every module here may define:

- ``install()``: apply its patches to moto; called once per process by :func:`install_all` when the embedded
  engine starts (it must be idempotent);
- ``PATCHES``: a list of :class:`labkit.emulator.registry.Patch` — what it changes in moto and which moto symbols it
  relies on (``tests/test_emulator_registry.py`` fails loudly when moto moves one);
- ``DIFFERENCES``: a list of :class:`labkit.emulator.registry.Difference` — where the embedded engine still differs
  from AWS's documented behaviour (the book's "How the emulator differs from AWS" page is generated from them).

Modules are found by walking this package, so adding one needs no edit elsewhere.
"""
from __future__ import annotations

from .registry import install_all

__all__ = ["install_all"]
