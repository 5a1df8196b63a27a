"""Shared fixtures: one embedded engine for the unit and integration tests of this process."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("LABKIT_ENGINE", "embedded")
# Kernels started by the tests (nbval over labs/, the Colab test) run the labs' %%solution cells, so CI proves
# every solution right; tests/test_labs.py starts its learner's kernel without it (labkit/solutions.py).
os.environ["LABKIT_RUN_SOLUTIONS"] = "1"


@pytest.fixture(scope="session")
def engine():
    import labkit

    return labkit.engine()
