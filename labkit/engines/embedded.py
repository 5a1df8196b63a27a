"""The embedded engine: moto in this process, offline; the notebook's calls answered in-process, HTTP on demand.

Two ways in, one state (moto's global backends) and one WSGI app (moto's dispatcher wrapped by labkit; moto's server
without Flask, :mod:`labkit.emulator.flaskless`):

- **in-process** (default): ``labkit.client``/``resource``/``session`` and plain boto3 clients made in this process
  after the engine started are answered by :mod:`labkit.engines.inprocess` in the calling thread, without HTTP;
- **the HTTP front** (:mod:`labkit.engines.http_server`, keep-alive): for everything outside the kernel (Lambda
  worker processes calling back, a terminal, the AWS CLI, ``labkit serve``, API Gateway invoke URLs fetched with
  requests/urllib, presigned URLs). Its socket is bound when the engine starts (so its address is known and a
  taken port is reported at once), but it serves only from the first time something needs it: reading
  :attr:`EmbeddedEngine.endpoint_url`, invoking a Lambda function, presigning a URL, or an explicit port/host.

``LABKIT_DISPATCH=http`` keeps the old path: the front serves from the start and every call goes through it.
"""
from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
from importlib.metadata import version

from ..errors import EngineUnavailable, LabkitError
from .base import Engine
from .shared import DEFAULT_ACCOUNT, add_account_header

DISPATCH_VARIABLE = "LABKIT_DISPATCH"
DISPATCHES = ("inprocess", "http")
PRESIGNING = ("-query", "-presign-post")  # botocore's signature-version suffixes for presigned URLs and POSTs


def dispatch_from_env() -> str:
    """``LABKIT_DISPATCH``: ``inprocess`` (default) or ``http``; anything else is a LabkitError saying what to set."""
    value = (os.environ.get(DISPATCH_VARIABLE) or "inprocess").strip().lower()
    if value not in DISPATCHES:
        raise LabkitError(f"{DISPATCH_VARIABLE}={value!r} is not a dispatch; use one of {', '.join(DISPATCHES)} "
                          "(or unset it).")
    return value


_moto_port_engines: list = []  # running embedded engines of this process, newest last
_moto_port_before: list = [None]  # MOTO_PORT as it was before the first of them started


def aim_moto_clients(engine, running: bool) -> None:
    """Keep ``MOTO_PORT`` at the newest running embedded engine of this process (``running``: it starts or stops).

    moto's own clients reach "the moto server" at ``localhost:$MOTO_PORT``: Step Functions Task states (Lambda
    invoke, the service integrations) and CloudFormation's custom-resource ResponseURL. An engine that stops while
    another of the process still runs (a test or a tool that starts its own) hands the variable back to that one;
    else every later Task state failed with States.Runtime "Could not connect to the endpoint URL" (its closed port).
    When the last one stops, the variable is what it was before the first started.
    """
    if running:
        if not _moto_port_engines:
            _moto_port_before[0] = os.environ.get("MOTO_PORT")
        _moto_port_engines.append(engine)
    elif engine in _moto_port_engines:
        _moto_port_engines.remove(engine)
    else:
        return  # stopped before (stop runs again at exit)
    if _moto_port_engines:
        os.environ["MOTO_PORT"] = str(_moto_port_engines[-1].port)
    elif _moto_port_before[0] is None:
        os.environ.pop("MOTO_PORT", None)
    else:
        os.environ["MOTO_PORT"] = _moto_port_before[0]


INVOKE_PATH = "/_user_request_"  # in every API Gateway invoke URL (labkit.emulator.apigateway.routing.URL_PATTERN)


class ApiGatewayOnDemand:
    """WSGI app: moto's, until the first API Gateway invoke URL (``/restapis/{api}/{stage}/_user_request_/…``);
    from then on labkit's API Gateway invoker (:func:`labkit.emulator.apigateway.wrap`) in front of it. Importing
    the invoker (eleven modules) at engine start delayed every lab's first answer for an API few labs call."""

    def __init__(self, app, account_id: str):
        self.app, self.account_id = app, account_id
        self._invoker = None
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if self._invoker is None and INVOKE_PATH not in environ.get("PATH_INFO", ""):
            return self.app(environ, start_response)
        return self.invoker()(environ, start_response)

    def invoker(self):
        """labkit's API Gateway invoker around moto's app (made once)."""
        if self._invoker is None:
            with self._lock:
                if self._invoker is None:
                    from ..emulator import apigateway

                    self._invoker = apigateway.wrap(self.app, self.account_id)
        return self._invoker


class EmbeddedEngine(Engine):
    """moto, quiet, with real Python Lambda execution and Step Functions runs.

    ``port``/``host``: where the HTTP front listens (0: a free port). An explicit port, or a host other than
    loopback, means someone outside this process will call it (``labkit serve``): the front serves at once.
    ``dispatch``: ``inprocess`` or ``http`` (default: ``LABKIT_DISPATCH``).
    """

    default_account = DEFAULT_ACCOUNT
    __eq__ = object.__eq__  # an engine is itself: comparing fields would read endpoint_url (and start the front)
    __hash__ = object.__hash__

    def __init__(self, region: str, port: int = 0, host: str = "127.0.0.1", account_id: str | None = None,
                 dispatch: str | None = None):
        self._url: str | None = None
        super().__init__(name="embedded", region=region, account_id=account_id or DEFAULT_ACCOUNT)
        self.dispatch = dispatch or dispatch_from_env()
        if self.dispatch not in DISPATCHES:
            raise LabkitError(f"dispatch={self.dispatch!r}: use one of {', '.join(DISPATCHES)}.")
        self.app = None
        self._server = None
        self._thread = None
        self._front_lock = threading.Lock()
        self.host, self.port = host, port
        self.serve_at_once = port != 0 or host not in ("127.0.0.1", "localhost")
        self.started_in: float | None = None

    # --- the address ------------------------------------------------------------------------------------------
    @property
    def endpoint_url(self) -> str | None:
        """The HTTP front's URL (``http://127.0.0.1:<port>``); reading it starts the front, since whoever asks
        is about to call it from outside the in-process path (a terminal, requests, another process)."""
        if self._url is not None:
            self.start_front()
        return self._url

    @endpoint_url.setter
    def endpoint_url(self, value: str | None) -> None:
        self._url = value

    @property
    def front_serving(self) -> bool:
        """Whether the HTTP front has started serving."""
        return self._thread is not None

    def endpoint_for(self, service: str) -> str | None:
        # labkit's clients name the front's address, so URLs they build (queue URLs, presigned URLs) point at it;
        # their calls themselves are answered in-process (or over HTTP with LABKIT_DISPATCH=http)
        return self._url

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(region={self.region!r}, address={self._url!r}, dispatch={self.dispatch!r}, "
                f"front_serving={self.front_serving})")

    # --- life cycle -------------------------------------------------------------------------------------------
    def start(self) -> "EmbeddedEngine":
        began = time.perf_counter()
        from ..emulator import deferred_imports

        deferred_imports.install()  # before moto: its core imports requests, which imports charset_normalizer
        from moto.core.config import default_user_config

        from ..emulator import event_sources, flaskless, lazy, speedups
        from . import inprocess
        from .http_server import KeepAliveServer
        from .wsgi import HealthRoute

        default_user_config["stepfunctions"]["execute_state_machine"] = True
        default_user_config["iam"]["load_aws_managed_policies"] = True  # as on AWS: attachable by ARN
        default_user_config["batch"]["use_docker"] = False  # jobs are recorded, not run in containers
        logging.getLogger("moto").setLevel(logging.CRITICAL)  # a failed execution is the lab's answer, not a log
        moto_app = speedups.freeze_after_loading(speedups.cache_host_lookup(flaskless.dispatcher()))
        app = ApiGatewayOnDemand(moto_app, self.account_id)
        self.app = HealthRoute(app, {"labkit": version("dva-labkit"), "engine": "embedded"})
        try:
            self._server = KeepAliveServer(self.host, self.port, self.app)  # bound and listening; serves later
        except OSError as exc:
            raise EngineUnavailable(
                f"The embedded engine could not listen on {self.host}:{self.port} ({exc.strerror}). "
                "Choose another port, or stop the program that holds it.") from None
        self.port = self._server.server_address[1]
        shown_host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        self._url = f"http://{shown_host}:{self.port}"
        aim_moto_clients(self, running=True)  # moto's Step Functions runner calls Lambda through MOTO_PORT
        # Lambda's hook (and the moto packages it needs) once moto loads Lambda: not for a lab that never uses it
        lazy.when_loaded(("moto.awslambda",), f"lambda-invoke-hook {self._url}", self._attach_lambda)
        lazy.install_lazily()  # labkit/emulator/: a module per service, each installed when moto loads its service
        # pollers of event source mappings (stopped with the last engine), once moto has Lambda's models
        lazy.when_loaded(("moto.awslambda",), f"event-source-pollers {self._url}", event_sources.resume_all)
        if self.dispatch == "inprocess":
            inprocess.register()
            inprocess.use_dummy_credentials(self.region, self.credentials)
            inprocess.dispatcher.add(self, self.port)
        if self.dispatch == "http" or self.serve_at_once:
            self.start_front()
        atexit.register(self.stop)
        self.started_in = time.perf_counter() - began
        return self

    def _attach_lambda(self) -> None:
        from ..emulator.lambda_ import invoke_hook as moto_hook

        if self._server is not None:  # still running
            moto_hook.attach(self._url, before_invoke=self.start_front)

    def start_front(self) -> None:
        """Serve the HTTP front (once; it shares the in-process path's state)."""
        if self._thread is not None or self._server is None:
            return
        with self._front_lock:
            if self._thread is not None or self._server is None:
                return
            # Client and server may share this process: hand the GIL over sooner than the default 5 ms, which
            # otherwise dominates each HTTP call's latency (measured: ~35% faster per call).
            sys.setswitchinterval(0.0005)
            thread = threading.Thread(target=self._server.serve_forever, name="labkit-engine", daemon=True)
            thread.start()
            self._thread = thread

    def session(self):
        """The engine's boto3 session; it shares botocore's loaded service models with moto (one parse each)."""
        if self._session is None:
            from ..emulator.speedups import shared_loader

            super().session()._session.register_component("data_loader", shared_loader())
        return self._session

    def _with_account(self, client):
        if self.dispatch == "inprocess":
            client.meta.events.register("before-sign", self._front_for_presigning)
        return client if self.account_id == DEFAULT_ACCOUNT else add_account_header(client, self.account_id)

    def _front_for_presigning(self, signature_version=None, **_):
        """A presigned URL is fetched by something else (urllib, a browser, curl): the front must answer it."""
        if isinstance(signature_version, str) and signature_version.endswith(PRESIGNING):
            self.start_front()

    def describe(self) -> dict:
        endpoint = self._url if self.front_serving else f"in-process (HTTP front at {self._url} when needed)"
        return {"engine": self.name, "endpoint": endpoint, "region": self.region, "account": self.account_id,
                "dispatch": self.dispatch, "start_seconds": round(self.started_in or 0, 3)}

    def stop(self) -> None:
        from ..emulator.lambda_ import invoke_hook as moto_hook
        from . import inprocess

        aim_moto_clients(self, running=False)
        inprocess.dispatcher.remove(self)
        if self.dispatch == "inprocess" and not inprocess.dispatcher.has_engines():
            inprocess.restore_credentials()
        if self._server is not None:
            if self._thread is not None:
                self._server.shutdown()
                self._thread = None
            self._server.server_close()
            self._server = None
            moto_hook.release(self._url)
            if not moto_hook._endpoints:  # the last engine of this process: its mappings stop polling
                from ..emulator import event_sources

                event_sources.stop_all()
