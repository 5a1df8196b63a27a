"""Shared fixtures: one embedded engine for the unit and integration tests of this process; a MiniStack per module."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("LABKIT_ENGINE", "embedded")
# Kernels started by the tests (the Colab test, the labs' kernels) may run the labs' %%solution cells, so CI proves
# every solution right; tests/labnb.py turns it off in each lab's kernel for the learner's pass, then on again.
os.environ["LABKIT_RUN_SOLUTIONS"] = "1"


@pytest.fixture(scope="session")
def engine():
    import labkit

    return labkit.engine()


@pytest.fixture(scope="module")
def ministack_server():
    """A MiniStack labkit starts on loopback for one test module (installed first if it can be, else the module is
    skipped with the reason); yields the started ``MiniStackEngine`` and stops it after the module."""
    import subprocess

    from labkit.engines import ministack

    if ministack.find_python() is None:
        try:
            ministack.install()
        except (OSError, subprocess.CalledProcessError) as exc:
            pytest.skip(f"MiniStack {ministack.VERSION} could not be installed ({exc})")
    engine = ministack.MiniStackEngine("us-east-1").start()
    yield engine
    engine.stop()
