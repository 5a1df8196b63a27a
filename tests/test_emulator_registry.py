"""Every labkit patch of moto names the moto symbols it needs; this fails loudly when a moto release moves one."""
from __future__ import annotations

import pytest

from labkit.emulator import registry

PATCHES = registry.patches()


@pytest.mark.parametrize("patch", PATCHES, ids=[p.name for p in PATCHES])
def test_every_symbol_a_patch_relies_on_exists(patch):
    assert patch.symbols, f"{patch.name} names no moto symbol"
    for symbol in patch.symbols:
        registry.resolve(symbol)  # raises LookupError naming what moved


def test_a_moved_symbol_is_reported():
    with pytest.raises(LookupError, match="has no 'no_such_method'"):
        registry.resolve("moto.sqs.models.SQSBackend.no_such_method")
    with pytest.raises(LookupError, match="no module"):
        registry.resolve("no_such_package.thing")


def test_differences_are_documented():
    ids = [d.id for d in registry.differences()]
    assert len(ids) == len(set(ids)), "a difference id is used twice"
    for difference in registry.differences():
        assert difference.aws and difference.engine and difference.doc, difference.id
