"""The browser engine: the embedded engine's moto, answered in-process, for a kernel that runs in the page (Pyodide).

``LABKIT_ENGINE=browser``, chosen automatically when ``sys.platform == "emscripten"``. Pyodide gives Python one
thread, no subprocesses and no listening sockets, so this engine is the embedded engine without anything that needs
them:

- every call is answered in-process (:mod:`labkit.engines.inprocess`, the same ``before-send`` capture and the same
  WSGI app as the embedded engine: moto's dispatcher without Flask, :mod:`labkit.emulator.flaskless`, which imports
  Flask only for a request with an ``Origin`` header or an ``OPTIONS`` request, such as the CORS preflights of the
  s3-security and api-gateway labs); there is no HTTP front, and the engine's address
  (``http://127.0.0.1:4566``) exists only for that capture and for the notebook's own ``requests`` and
  ``urllib.request`` calls (:mod:`labkit.engines.browser_http`: presigned URLs, API Gateway invoke URLs); the
  page's browser itself (a link, an image) and other programs cannot reach it;
- Lambda functions run in this process (:mod:`labkit.emulator.lambda_inprocess`): a fresh module namespace per
  function version, AWS's import rules and error shapes; a timeout cannot preempt a handler (said by a notice and a
  registered difference); asynchronous invocations run inside the request that queued them and event source
  mappings poll after each of the notebook's calls (:mod:`labkit.emulator.browser_scheduler`);
- Step Functions executions run to their end inside StartExecution (:mod:`labkit.emulator.stepfunctions_sync`).

``require`` names what this engine cannot offer (:data:`UNAVAILABLE`); without Pyodide's own ``cryptography``
build no service is offered (moto imports it on every request), and ``require`` says how to load it.

moto's API Gateway imports ``openapi-spec-validator`` when it loads, only to validate the OpenAPI document of
ImportRestApi and PutRestApi; the page does not bundle it (it needs pydantic and rpds-py, compiled builds, for
every lab's first cell), so :func:`stand_in_for_openapi_validator` gives moto a stand-in whose validation says so
in one sentence: every other API Gateway call works.
"""
from __future__ import annotations

import importlib.util
import logging
import sys
import time
import types
from importlib.metadata import version

from .embedded import EmbeddedEngine, aim_moto_clients

ADDRESS_PORT = 4566  # never listened on: the in-process capture answers requests to it
UNAVAILABLE: dict[str, str] = {}
"""Services the browser engine cannot offer even with Pyodide's packages loaded, each with the reason: none known
(the labs' own thread-starting cells are declared by tests/test_pyodide.py, not here)."""


def running_in_browser() -> bool:
    """True under Pyodide (the kernel of JupyterLite, or Pyodide in Node)."""
    return sys.platform == "emscripten"


def has_cryptography() -> bool:
    return importlib.util.find_spec("cryptography") is not None


class BrowserEngine(EmbeddedEngine):
    """moto in this process, answered in-process, with Lambda and Step Functions run without threads."""

    def __init__(self, region: str, account_id: str | None = None):
        super().__init__(region, account_id=account_id, dispatch="inprocess")
        self.name = "browser"
        self.serve_at_once = False

    def start(self) -> "BrowserEngine":
        began = time.perf_counter()
        from moto.core.config import default_user_config

        from ..emulator import apigateway, browser_scheduler, flaskless, lazy, speedups
        from . import browser_http, inprocess
        from .wsgi import HealthRoute

        stand_in_for_openapi_validator()
        default_user_config["stepfunctions"]["execute_state_machine"] = True
        default_user_config["iam"]["load_aws_managed_policies"] = True
        default_user_config["batch"]["use_docker"] = False
        logging.getLogger("moto").setLevel(logging.CRITICAL)
        moto_app = speedups.cache_host_lookup(flaskless.dispatcher())
        self.app = browser_scheduler.wrap(HealthRoute(apigateway.wrap(moto_app, self.account_id),
                                                      {"labkit": version("dva-labkit"), "engine": "browser"}))
        self.port = ADDRESS_PORT
        self._url = f"http://127.0.0.1:{self.port}"
        aim_moto_clients(self, running=True)  # moto's Step Functions tasks call Lambda at MOTO_PORT: captured
        lazy.when_loaded(("moto.awslambda",), f"lambda-inprocess {self._url}", self._attach_lambda)
        lazy.when_loaded(("moto.stepfunctions",), "stepfunctions-without-threads", _sync_stepfunctions)
        lazy.install_lazily()
        inprocess.register()
        browser_http.install()
        inprocess.use_dummy_credentials(self.region, self.credentials)
        inprocess.dispatcher.add(self, self.port)
        self.started_in = time.perf_counter() - began
        return self

    def _attach_lambda(self) -> None:
        from ..emulator import browser_scheduler, lambda_inprocess
        from ..emulator.lambda_ import async_invoke, invoke_hook

        invoke_hook.attach(self._url)
        if not isinstance(invoke_hook._pool, lambda_inprocess.InProcessPool):
            invoke_hook._pool = lambda_inprocess.InProcessPool(self._url, invoke_hook.role_credentials)
            async_invoke._queue = browser_scheduler.sync_event_queue()
            browser_scheduler.install_cooperative_pollers()

    def start_front(self) -> None:
        """There is no HTTP front in the browser: nothing outside this process can call the engine."""

    def unavailable(self, services: list[str]) -> dict[str, str]:
        """Services this engine cannot offer here, each with the reason (see :data:`UNAVAILABLE`)."""
        missing = {s: UNAVAILABLE[s] for s in services if s in UNAVAILABLE}
        if not has_cryptography():
            reason = ("every moto request imports IAM's models (moto.core.responses marks the account visited), "
                      "which need the cryptography package: it is part of the Pyodide distribution but not loaded "
                      "here; run `import micropip; await micropip.install('cryptography')`, then this cell again")
            missing.update({s: reason for s in services if s not in missing})
        return missing

    def describe(self) -> dict:
        return {"engine": self.name, "endpoint": "in-process (no HTTP front in the browser)", "region": self.region,
                "account": self.account_id, "dispatch": "inprocess", "start_seconds": round(self.started_in or 0, 3)}

    def stop(self) -> None:
        """Stop answering; ``MOTO_PORT`` goes back to the newest engine still running, or to what it was before."""
        from . import inprocess

        aim_moto_clients(self, running=False)
        inprocess.dispatcher.remove(self)
        if not inprocess.dispatcher.has_engines():
            inprocess.restore_credentials()


OPENAPI_NOT_BUNDLED = ("ImportRestApi and PutRestApi validate the OpenAPI document with openapi-spec-validator, "
                      "which the browser engine does not bundle: run this step on the embedded engine (Binder, "
                      "Colab or your laptop)")


def stand_in_for_openapi_validator(modules: dict | None = None) -> bool:
    """When ``openapi_spec_validator`` cannot be imported, put a stand-in into ``modules`` (default ``sys.modules``)
    with the names moto.apigateway.models imports: ``validate`` (and ``validate_spec``) raise NotImplementedError
    with :data:`OPENAPI_NOT_BUNDLED` (moto answers HTTP 500, and labkit's engine prints the sentence);
    ``validation.exceptions.OpenAPIValidationError`` is an exception class. Returns True if it put one there."""
    modules = sys.modules if modules is None else modules
    if "openapi_spec_validator" in modules or importlib.util.find_spec("openapi_spec_validator") is not None:
        return False

    def validate(*_, **__):
        raise NotImplementedError(OPENAPI_NOT_BUNDLED)

    package = types.ModuleType("openapi_spec_validator", "labkit's stand-in: " + OPENAPI_NOT_BUNDLED)
    package.__path__ = []
    package.validate = package.validate_spec = validate
    validation = types.ModuleType("openapi_spec_validator.validation")
    validation.__path__ = []
    exceptions = types.ModuleType("openapi_spec_validator.validation.exceptions")
    exceptions.OpenAPIValidationError = type("OpenAPIValidationError", (Exception,), {})
    package.validation, validation.exceptions = validation, exceptions
    modules.update({module.__name__: module for module in (package, validation, exceptions)})
    return True


def _sync_stepfunctions() -> None:
    from ..emulator import stepfunctions_sync

    stepfunctions_sync.apply()


__all__ = ["BrowserEngine", "running_in_browser", "has_cryptography"]
