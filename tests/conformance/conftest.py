"""Conformance tests share the process's embedded engine with the other tests: each module deletes what it made."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="module")
def _leave_the_engine_as_found(engine):
    from labkit import hygiene

    before = hygiene.snapshot_all()
    yield
    report = hygiene.remove(lambda: hygiene.added_since(before))
    assert not report.failed, f"the module's resources could not all be deleted: {report.failed}"
