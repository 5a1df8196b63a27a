"""Shared fixtures: one embedded engine for the unit and integration tests of this process."""
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
