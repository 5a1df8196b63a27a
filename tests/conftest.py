"""Shared fixtures: one embedded engine for the unit and integration tests of this process."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("LABKIT_ENGINE", "embedded")


@pytest.fixture(scope="session")
def engine():
    import labkit

    return labkit.engine()
