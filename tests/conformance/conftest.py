"""Conformance tests run against the engine LABKIT_ENGINE names (embedded by default; see tests/conftest.py).

``LABKIT_ENGINE=ministack pytest tests/conformance`` judges MiniStack by the same tests; ``tests/engine_matrix.py``
runs them on every engine for the book's "Conformance" page. On an engine other than the embedded one:

- a module whose services the engine does not offer is skipped, the reason being labkit's own
  (``Engine.unavailable``); its services are the ones it names in ``labkit.client("…")`` / ``resource("…")`` calls;
- a test that inspects moto or labkit's emulator internals (its source imports ``moto`` or ``labkit.emulator``) is
  marked ``embedded_only`` and skipped: it tests labkit's patches, not AWS behaviour.

Each module shares the process's engine with the other tests and deletes what it made.
"""
from __future__ import annotations

import inspect
import re

import pytest

SERVICE_CALL = re.compile(r"""(?:client|resource)\(\s*["']([a-z0-9-]+)["']""")
INTERNALS = re.compile(r"^\s*(?:from|import) (?:moto\b|labkit\.emulator\b)|labkit\.emulator\.", re.M)


def pytest_configure(config):
    config.addinivalue_line("markers", "embedded_only: inspects moto or labkit's emulator, so runs on the "
                                       "embedded engine only")


def pytest_collection_modifyitems(config, items):
    for item in items:
        function = getattr(item, "function", None)
        if function is not None and "conformance" in str(item.fspath) and INTERNALS.search(inspect.getsource(function)):
            item.add_marker(pytest.mark.embedded_only)


def module_services(module) -> list[str]:
    """The services a conformance module calls (its own source and the helpers it imports from this folder)."""
    sources = [inspect.getsource(module)]
    for name in ("_esm", "_lambda_conformance"):
        if re.search(rf"\b{name}\b", sources[0]):
            sources.append(inspect.getsource(__import__(name)))
    return sorted({service for source in sources for service in SERVICE_CALL.findall(source)})


@pytest.fixture(autouse=True, scope="module")
def _leave_the_engine_as_found(engine, request):
    from labkit import hygiene, inventory

    kinds = inventory.kinds_for()
    if engine.name != "embedded":  # another engine may lack services labkit's inventory lists: only the module's
        services = module_services(request.module)
        missing = engine.unavailable(services)
        if missing:
            pytest.skip("not offered: " + "; ".join(f"{service}: {why}" for service, why in missing.items()))
        kinds = inventory.kinds_for(set(services) | set(hygiene.ALWAYS_TRACKED))
    before = inventory.take(engine, kinds)  # a kind the engine cannot list (a service it lacks) is left out
    unlisted: dict[str, str] = {}  # kinds that listed before the module and not at the last look after it

    def added():
        refused: dict[str, str] = {}
        now = inventory.take(engine, kinds, refused=refused)
        unlisted.clear()
        unlisted.update((kind, code) for kind, code in refused.items() if kind in before)
        return {kind: sorted(ids - before.get(kind, set())) for kind, ids in now.items() if ids - before.get(kind, set())}

    yield
    report = hygiene.remove(added)
    assert not report.failed, f"the module's resources could not all be deleted: {report.failed}"
    assert not unlisted, f"what the module left could not be checked: these kinds no longer list: {unlisted}"


@pytest.fixture(autouse=True)
def _embedded_only(engine, request):
    if request.node.get_closest_marker("embedded_only") and engine.name != "embedded":
        pytest.skip(f"embedded only: it inspects moto or labkit's emulator, not the {engine.name} engine")
