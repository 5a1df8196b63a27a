"""pytest plugin: every test module starts on an empty embedded engine, so it passes alone and in any order.

Loaded with ``-p _engine_reset`` (pyproject's addopts). Before each module, if this process runs an embedded
engine, its state is emptied: moto's backends (moto's own reset, what ``POST /moto-api/reset`` does), labkit's
state beside them (cleanup's baseline, event-source pollers, queued async invocations, warm Lambda environments,
event-invoke configs, SQS message-move tasks, notices shown) — so no module sees what an earlier one created, and
labkit's "what existed before the lab" baseline is taken again. Safe under pytest-xdist: each worker is its own
process with its own engine, and only that process's state is reset. An engine in another process (a shared
``labkit serve``, LocalStack, AWS) is never touched.
"""
from __future__ import annotations

import pytest


def running_embedded_engine():
    """This process's embedded engine if one has started, else None (nothing to reset)."""
    from labkit import engines

    engine = engines._current
    if engine is None or engine.name != "embedded" or type(engine).__name__ == "SharedEngine":
        return None
    return engine


def reset_embedded_engine() -> None:
    """Empty moto's backends and labkit's state beside them (in this process)."""
    from moto.core.base_backend import BackendDict
    from moto.core.model_instances import reset_model_data

    from labkit import hygiene
    from labkit.emulator import event_sources, notices, sqs
    from labkit.emulator.lambda_ import async_invoke, invoke_config, invoke_hook

    event_sources.wait_idle(timeout=5)
    event_sources.stop_all()
    async_invoke.drain(timeout=5)
    async_invoke.queue().clear()
    if invoke_hook._pool is not None:
        invoke_hook._pool.close()  # warm environments hold the code of functions about to disappear
    BackendDict.reset()
    reset_model_data()
    with invoke_config._lock:
        invoke_config._configs.clear()
    sqs._tasks.clear()
    hygiene._baseline.clear()
    hygiene._tracked.clear()
    notices.reset()


@pytest.fixture(scope="module", autouse=True)
def _fresh_engine_per_module():
    """Reset before the module's tests (and its module fixtures) run."""
    if running_embedded_engine() is not None:
        reset_embedded_engine()
    yield
