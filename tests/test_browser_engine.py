"""The browser engine (labkit/engines/browser.py) on CPython: what Pyodide needs, checked without Pyodide.

Its patches are process-wide (Lambda in-process, Step Functions and background work without threads), so the
scenarios run in a process of their own (tests/browser/cpython_scenarios.py), never in a shared pytest worker.
tests/test_pyodide.py runs labs on it under Pyodide itself.
"""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seen():
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "browser" / "cpython_scenarios.py")],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    lines = [line for line in done.stdout.splitlines() if line.startswith("SCENARIOS ")]
    assert done.returncode == 0 and lines, done.stdout[-2000:] + done.stderr[-3000:]
    return json.loads(lines[-1][len("SCENARIOS "):])


def test_chosen_by_labkit_engine_browser(seen):
    assert seen["engine"] == "browser"


def test_moto_port_is_the_engine_s_while_it_runs_and_given_back_when_it_stops(seen):
    """moto's own clients (Step Functions Task states) call localhost:$MOTO_PORT: the engine's address while it
    runs; when it stops, what it was before (as the embedded engine does, labkit.engines.embedded.aim_moto_clients)."""
    from labkit.engines.browser import ADDRESS_PORT

    assert seen["moto_port"] == [str(ADDRESS_PORT), "5999"]


def test_require_names_every_service_when_cryptography_is_missing(seen):
    assert seen["unavailable"] == {}
    assert seen["unavailable_without_cryptography"] == ["lambda", "s3"]


def test_each_function_has_its_own_module_namespace(seen):
    assert seen["namespaces"] == ['"one"', '"two"', '"one"']


def test_a_handler_imports_what_aws_gives_it_and_nothing_of_the_notebook(seen):
    error, payload = seen["import_notebook_package"]
    assert error == "Unhandled"
    assert json.loads(payload)["errorType"] == "Runtime.ImportModuleError"
    assert "No module named 'moto'" in json.loads(payload)["errorMessage"]
    assert seen["import_sdk"] == [None, '"ok"']


def test_a_handler_past_its_timeout_is_reported_timed_out(seen):
    error, payload = seen["timeout"]
    assert error == "Unhandled" and json.loads(payload)["errorType"] == "Sandbox.Timedout"


def test_background_work_runs_without_threads(seen):
    assert seen["async_done_when_invoke_returns"] == 1
    assert seen["execution"] == ["SUCCEEDED", '["sfn", 2]']
    assert seen["esm_done_after_next_call"] == 1
    assert seen["threads"] == 1


def test_the_notebook_fetches_the_engine_s_urls_in_process(seen):
    """A presigned URL (as an API Gateway invoke URL) is fetched with requests or urllib.request from the engine's
    address, where nothing listens in the page: the engine answers in-process, its errors as HTTP errors."""
    assert seen["presigned_requests"] == ["fetched in-process", 404]
    assert seen["presigned_urllib"] == ["fetched in-process", 404]


def test_moto_here_counts_the_browser_engine_with_the_embedded_one():
    """Checks and IAM enforcement that read moto in this process treat the browser engine as the embedded one (the
    IAM lab's check asked the policy simulator, which moto lacks, and broke in the page)."""
    from types import SimpleNamespace

    from labkit.engines import moto_here
    from labkit.engines.iam_enforcement import enforcement_available

    engines = {name: SimpleNamespace(name=name) for name in ("embedded", "browser", "shared", "localstack", "aws")}
    assert [name for name, engine in engines.items() if moto_here(engine)] == ["embedded", "browser"]
    assert {name: enforcement_available(engine) for name, engine in engines.items()} == {
        "embedded": "enforced", "browser": "enforced", "shared": "none", "localstack": "none", "aws": "always"}


def test_openapi_validator_stand_in_says_what_the_page_lacks(monkeypatch):
    """Without openapi-spec-validator moto's API Gateway could not load in the page (every call answered 500): the
    stand-in takes the names moto imports, and its validation raises the one sentence, never a pass or a verdict."""
    import importlib.util

    from labkit.engines import browser

    assert browser.stand_in_for_openapi_validator(modules := {}) is False and modules == {}  # the real one is here
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert browser.stand_in_for_openapi_validator(modules) is True
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    scope: dict = {}
    exec("from openapi_spec_validator import validate, validate_spec\n"  # moto.apigateway.models' imports
         "from openapi_spec_validator.validation.exceptions import OpenAPIValidationError", scope)
    for validate in (scope["validate"], scope["validate_spec"]):
        with pytest.raises(NotImplementedError, match="does not bundle"):
            validate({"openapi": "3.0.0"})
    assert not issubclass(NotImplementedError, scope["OpenAPIValidationError"])  # moto's except does not catch it


def test_the_engine_shows_itself_as_the_browser_engine():
    """``labkit.engine()`` as a cell's last line: the page's engine read 'EmbeddedEngine(...)' (the embedded engine's
    repr, inherited), though its address is only captured in-process and nothing outside the page can reach it."""
    from labkit.engines.browser import BrowserEngine
    from labkit.engines.embedded import EmbeddedEngine

    assert repr(BrowserEngine("eu-west-1")).startswith("BrowserEngine(region='eu-west-1'")
    assert repr(EmbeddedEngine("eu-west-1", dispatch="inprocess")).startswith("EmbeddedEngine(region='eu-west-1'")
