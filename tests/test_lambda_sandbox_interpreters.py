"""Which Python runs a Lambda runtime's functions: PATH first, then pyenv, then uv; else the kernel's, with a reason.

Fake interpreters (shell scripts that answer the probe with a path and a version) stand in for real installs.
"""
from __future__ import annotations

import os
import stat
import sys

import pytest

from labkit.emulator import lambda_sandbox

OTHER = next(v for v in ((3, 12), (3, 13), (3, 10)) if v != sys.version_info[:2])
RUNTIME = f"python{OTHER[0]}.{OTHER[1]}"


def fake_python(path, version: str):
    """A script that answers ``python -I -S -c ...`` with its own path and ``version``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho {path}\necho {version}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """An empty machine: no python3.X on PATH, empty pyenv and uv folders, a fresh cache."""
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(tmp_path / "uv"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(lambda_sandbox, "sdk_requires_python", lambda: ">=3.10")
    lambda_sandbox.forget_interpreters()
    yield tmp_path
    lambda_sandbox.forget_interpreters()


def test_nothing_installed_means_the_kernels_python_with_a_reason(machine):
    found = lambda_sandbox.interpreter_for(RUNTIME)
    assert (found.executable, found.declared) == (sys.executable, False)
    assert found.reason == (f"this machine has no Python {OTHER[0]}.{OTHER[1]} "
                            "(looked on PATH and in pyenv and uv installs)")


def test_uv_then_pyenv_then_path_take_precedence(machine):
    uv = fake_python(machine / "uv" / f"cpython-{OTHER[0]}.{OTHER[1]}.4-linux-x86_64-gnu" / "bin" / "python",
                     f"{OTHER[0]}.{OTHER[1]}.4")
    assert lambda_sandbox.interpreter_for(RUNTIME).executable == uv
    lambda_sandbox.forget_interpreters()
    fake_python(machine / "pyenv" / "versions" / f"{OTHER[0]}.{OTHER[1]}.1" / "bin" / "python", f"{OTHER[0]}.{OTHER[1]}.1")
    newest = fake_python(machine / "pyenv" / "versions" / f"{OTHER[0]}.{OTHER[1]}.11" / "bin" / "python",
                         f"{OTHER[0]}.{OTHER[1]}.11")
    assert lambda_sandbox.interpreter_for(RUNTIME).executable == newest  # the newest patch release
    lambda_sandbox.forget_interpreters()
    on_path = fake_python(machine / "bin" / RUNTIME, f"{OTHER[0]}.{OTHER[1]}.7")
    found = lambda_sandbox.interpreter_for(RUNTIME)
    assert (found.executable, found.version, found.declared) == (on_path, f"{OTHER[0]}.{OTHER[1]}.7", True)


def test_a_pyenv_shim_and_a_wrong_version_are_not_used(machine, monkeypatch):
    shims = machine / "pyenv" / "shims"
    fake_python(shims / RUNTIME, f"{OTHER[0]}.{OTHER[1]}.0")
    monkeypatch.setenv("PATH", f"{shims}{os.pathsep}{machine / 'bin'}")
    fake_python(machine / "uv" / f"cpython-{OTHER[0]}.{OTHER[1]}.0-linux" / "bin" / "python", "3.99.0")
    assert not lambda_sandbox.interpreter_for(RUNTIME).declared


def test_a_python_the_sdk_cannot_run_on_is_not_used(machine, monkeypatch):
    monkeypatch.setattr(lambda_sandbox, "sdk_requires_python", lambda: ">=3.99")
    fake_python(machine / "bin" / RUNTIME, f"{OTHER[0]}.{OTHER[1]}.2")
    found = lambda_sandbox.interpreter_for(RUNTIME)
    assert not found.declared and "cannot run the notebook's AWS SDK (botocore needs Python >=3.99)" in found.reason


def test_probes_are_remembered_between_kernels(machine, monkeypatch):
    fake_python(machine / "bin" / RUNTIME, f"{OTHER[0]}.{OTHER[1]}.7")
    assert lambda_sandbox.interpreter_for(RUNTIME).version == f"{OTHER[0]}.{OTHER[1]}.7"
    lambda_sandbox.forget_interpreters()  # as a new kernel would

    def no_second_start(executable):
        raise AssertionError(f"{executable} was started again")

    monkeypatch.setattr(lambda_sandbox, "_run_probe", no_second_start)
    assert lambda_sandbox.interpreter_for(RUNTIME).version == f"{OTHER[0]}.{OTHER[1]}.7"


def test_the_kernels_own_version_needs_no_probe(machine):
    runtime = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    found = lambda_sandbox.interpreter_for(runtime)
    assert (found.executable, found.declared, found.is_kernel) == (sys.executable, True, True)


def test_compiled_files_of_vanished_environments_are_pruned(machine, monkeypatch):
    import tempfile

    live = tempfile.mkdtemp(prefix="labkit-lambda-")
    try:
        root = str(machine / "cache" / "labkit" / "lambda-pycache")
        gone = root + os.path.join(os.path.abspath(tempfile.gettempdir()), "labkit-lambda-gone0000")
        kept = root + os.path.abspath(live)
        for folder in (gone, kept):
            os.makedirs(os.path.join(folder, "task"))
        monkeypatch.setattr(lambda_sandbox, "_pruned", set())
        assert lambda_sandbox.pycache_root() == root
        assert not os.path.exists(gone) and os.path.isdir(kept)
    finally:
        os.rmdir(live)
