"""labkit.engines.pyodide_builds: Pyodide's compiled builds that the page could not download are stood in for.

Run on CPython with a stand-in ``micropip`` (its ``install`` loads nothing, as Pyodide's loader does offline: it logs
a package it could not download and raises nothing) and a small lock file; the page itself is tests/test_lite.py.
"""
from __future__ import annotations

import asyncio
import sys
import types

import pytest

from labkit.engines import pyodide_builds

LOCK = {  # lock file entries (Pyodide's pyodide-lock.json ``packages``), with import names no installed module has
    "fake-crypto": {"name": "fake-crypto", "imports": ["fake_crypto"], "depends": ["fake_cffi"]},
    "fake-cffi": {"name": "fake-cffi", "imports": ["fake_cffi", "_fake_cffi_backend"], "depends": []},
    "half-loaded": {"name": "half-loaded", "imports": ["json", "_half_loaded_speedups"], "depends": []},  # as PyYAML
    "unrelated": {"name": "unrelated", "imports": ["fake_unrelated"], "depends": []},
}


@pytest.fixture
def offline_micropip(monkeypatch):
    installed = []

    async def install(names):
        installed.append(list(names))

    micropip = types.ModuleType("micropip")
    micropip.install = install
    compat = types.ModuleType("micropip._compat")
    compat.LOCKFILE_PACKAGES = LOCK
    monkeypatch.setitem(sys.modules, "micropip", micropip)
    monkeypatch.setitem(sys.modules, "micropip._compat", compat)
    monkeypatch.setattr(pyodide_builds, "_unreachable", {})
    yield installed
    for name in [m for m in sys.modules if m.split(".")[0] in {"fake_crypto", "fake_cffi", "_fake_cffi_backend"}]:
        del sys.modules[name]
    if pyodide_builds._FINDER in sys.meta_path:
        sys.meta_path.remove(pyodide_builds._FINDER)


def test_a_build_the_page_could_not_download_imports_and_says_why_when_used(offline_micropip, capsys):
    asyncio.run(pyodide_builds.load(["fake-crypto", "half-loaded"]))
    assert offline_micropip == [["fake-crypto", "half-loaded"]]
    said = capsys.readouterr().out
    assert "fake-cffi, fake-crypto could not be downloaded from Pyodide's CDN" in said and "half-loaded" not in said
    import fake_crypto.hazmat.primitives as primitives  # imports work: moto imports cryptography on every request

    with pytest.raises(pyodide_builds.Unreachable) as raised:
        primitives.hashes.SHA256()
    assert str(raised.value) == f"fake_crypto.hazmat.primitives.hashes.SHA256: fake-crypto {pyodide_builds.REASON}"
    import fake_cffi

    with pytest.raises(pyodide_builds.Unreachable):
        try:
            bool(fake_cffi.FFI)  # no value ever comes out of it, and no `except Exception` turns it into one
        except Exception:  # noqa: BLE001
            pytest.fail("Unreachable was caught by except Exception")
    with pytest.raises(ModuleNotFoundError):  # a package that loaded keeps its real modules only
        import _half_loaded_speedups  # noqa: F401
    with pytest.raises(ModuleNotFoundError):  # and what was not asked for is not stood in for
        import fake_unrelated  # noqa: F401


def test_nothing_is_said_or_stood_in_when_every_build_loaded(offline_micropip, capsys):
    asyncio.run(pyodide_builds.load(["half-loaded"]))
    assert capsys.readouterr().out == "" and pyodide_builds._unreachable == {}


def test_a_type_union_of_unreachable_names_is_a_use(offline_micropip, capsys):
    """joserfc (moto's Cognito) writes ``Ed25519PublicKey | Ed448PublicKey`` when imported: with cryptography
    unreachable that is a use, said in labkit's sentence, not a TypeError that moto turns into HTTP 500."""
    asyncio.run(pyodide_builds.load(["fake-crypto"]))
    from fake_crypto.hazmat.primitives.asymmetric import ed25519, ed448

    with pytest.raises(pyodide_builds.Unreachable, match="fake-crypto"):
        ed25519.Ed25519PublicKey | ed448.Ed448PublicKey  # noqa: B018


def test_no_use_of_an_unreachable_name_gives_a_value_or_an_exception_an_except_could_take(offline_micropip, capsys):
    """Printing, formatting, numbers, comparisons and ``isinstance`` are uses too: before, ``print(np.nan)`` printed
    ``<...UnreachableName object ...>`` and ``isinstance(key, rsa.RSAPrivateKey)`` or ``2 * np.pi`` raised a
    TypeError, which moto answers as HTTP 500 and an ``except Exception`` in a check takes."""
    asyncio.run(pyodide_builds.load(["fake-crypto"]))
    import fake_crypto as crypto

    uses = {"str": str, "repr": repr, "f-string": lambda x: f"{x:>4}", "float": float, "int": int,
            "index": lambda x: [0][x], "2 *": lambda x: 2 * x, "- x": lambda x: -x, "<=": lambda x: x <= 1,
            "!=": lambda x: x != 1, "isinstance": lambda x: isinstance(1, x), "issubclass": lambda x: issubclass(int, x),
            "round": round, "abs": abs, "% 2": lambda x: x % 2, "in": lambda x: 1 in x}
    for label, use in uses.items():
        with pytest.raises(pyodide_builds.Unreachable, match="fake-crypto"):
            try:
                use(crypto.constant)
            except Exception as exc:  # noqa: BLE001
                pytest.fail(f"{label}: {type(exc).__name__} {exc}")
