"""The embedded engine: moto's server in a thread of this process, on 127.0.0.1, offline."""
from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
from importlib.metadata import version

from ..errors import EngineUnavailable
from .base import Engine
from .shared import DEFAULT_ACCOUNT, add_account_header


class EmbeddedEngine(Engine):
    """moto server, started lazily, quiet, with real Python Lambda execution and Step Functions runs."""

    def __init__(self, region: str, port: int = 0, host: str = "127.0.0.1", account_id: str | None = None):
        super().__init__(name="embedded", region=region, account_id=account_id or DEFAULT_ACCOUNT)
        self._server = None
        self._thread = None
        self.host, self.port = host, port
        self.started_in: float | None = None

    def start(self) -> "EmbeddedEngine":
        began = time.perf_counter()
        from moto.core.config import default_user_config
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        from .. import emulator
        from ..emulator import apigateway, event_sources, speedups
        from ..emulator.lambda_ import invoke_hook as moto_hook
        from .http_server import KeepAliveServer
        from .wsgi import HealthRoute

        default_user_config["stepfunctions"]["execute_state_machine"] = True
        default_user_config["iam"]["load_aws_managed_policies"] = True  # as on AWS: attachable by ARN
        default_user_config["batch"]["use_docker"] = False  # jobs are recorded, not run in containers
        logging.getLogger("moto").setLevel(logging.CRITICAL)  # a failed execution is the lab's answer, not a log
        moto_app = speedups.cache_host_lookup(DomainDispatcherApplication(create_backend_app))
        app = apigateway.wrap(moto_app, self.account_id)
        app = HealthRoute(app, {"labkit": version("dva-labkit"), "engine": "embedded"})
        try:
            self._server = KeepAliveServer(self.host, self.port, app)
        except OSError as exc:
            raise EngineUnavailable(
                f"The embedded engine could not listen on {self.host}:{self.port} ({exc.strerror}). "
                "Choose another port, or stop the program that holds it.") from None
        self.port = self._server.server_address[1]
        shown_host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        self.endpoint_url = f"http://{shown_host}:{self.port}"
        # Client and server share this process: hand the GIL over sooner than the default 5 ms, which
        # otherwise dominates each call's latency (measured: ~35% faster per call).
        sys.setswitchinterval(0.0005)
        os.environ["MOTO_PORT"] = str(self.port)  # moto's Step Functions runner calls Lambda through it
        moto_hook.attach(self.endpoint_url)
        emulator.install_all()  # labkit/emulator/: what labkit adds to moto, a module per service
        event_sources.resume_all()  # pollers of event source mappings (stopped with the last engine)
        self._thread = threading.Thread(target=self._server.serve_forever, name="labkit-engine", daemon=True)
        self._thread.start()
        atexit.register(self.stop)
        self.started_in = time.perf_counter() - began
        return self

    def _with_account(self, client):
        return client if self.account_id == DEFAULT_ACCOUNT else add_account_header(client, self.account_id)

    def describe(self) -> dict:
        return {**super().describe(), "account": self.account_id,
                "start_seconds": round(self.started_in or 0, 3)}

    def stop(self) -> None:
        from ..emulator.lambda_ import invoke_hook as moto_hook

        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            moto_hook.release(self.endpoint_url)
            if not moto_hook._endpoints:  # the last engine of this process: its mappings stop polling
                from ..emulator import event_sources

                event_sources.stop_all()

