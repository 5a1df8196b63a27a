"""``python -m labkit serve`` and ``python -m labkit env``: an engine a terminal (AWS CLI, SAM CLI, Terraform) can use.

``serve`` runs one embedded engine in the foreground (port 4566 by default, the port AWS emulators use) and prints
the ``export`` line a terminal needs; ``env`` prints that line for the engine that is running now. The variables
are the AWS SDKs' and the AWS CLI's own: ``AWS_ENDPOINT_URL`` (service-specific endpoints, in the AWS SDKs and
Tools Reference Guide), ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and ``AWS_DEFAULT_REGION`` (AWS CLI user
guide, "Environment variables to configure the AWS CLI").
"""
from __future__ import annotations

import shlex
import signal
import threading

from .engines.base import EMULATOR_CREDENTIALS, Engine
from .errors import EngineUnavailable

DEFAULT_PORT = 4566
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"


def export_line(endpoint_url: str | None, region: str, credentials: dict | None = None) -> str:
    """The shell line that points the AWS CLI and SDKs in a terminal at ``endpoint_url`` (None: real AWS).

    For an emulator it names the endpoint, its dummy credentials and the region; for real AWS it only removes
    AWS_ENDPOINT_URL and sets the region, leaving the learner's own credentials alone (never printed).
    """
    if endpoint_url is None:
        return f"unset AWS_ENDPOINT_URL; export AWS_DEFAULT_REGION={shlex.quote(region)}"
    credentials = credentials or EMULATOR_CREDENTIALS
    values = {"AWS_ENDPOINT_URL": endpoint_url,
              "AWS_ACCESS_KEY_ID": credentials["aws_access_key_id"],
              "AWS_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"],
              "AWS_DEFAULT_REGION": region}
    return "export " + " ".join(f"{name}={shlex.quote(value)}" for name, value in values.items())


def engine_export_line(engine: Engine) -> str:
    """``export_line`` for an engine object (its endpoint, credentials and region)."""
    return export_line(engine.endpoint_url, engine.region, engine.credentials or None)


def serve(host: str, port: int, region: str) -> None:
    """Run the engine in the foreground until interrupted (Ctrl-C or SIGTERM).

    Raises EngineUnavailable (a LabkitError, shown as one line) when the port is taken.
    """
    from .engines.embedded import EmbeddedEngine
    from .engines.shared import labkit_health

    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    try:
        engine = EmbeddedEngine(region, port=port, host=host).start()
    except EngineUnavailable:
        if labkit_health(f"http://{shown}:{port}", timeout=0.5):
            raise EngineUnavailable(
                f"a labkit engine already serves at http://{shown}:{port}: use it (`python -m labkit env` prints "
                f"its export line), or start another with --port {port + 1}.") from None
        raise EngineUnavailable(
            f"port {port} on {host} is taken by another program: stop it, or choose a free port with "
            f"`python -m labkit serve --port {port + 1}`.") from None
    endpoint = engine.endpoint_url  # read after start: the engine knows its real port (0 picks a free one)
    print(f"labkit engine serving at {endpoint} (region {region}); Ctrl-C stops it.\n"
          "In another terminal, point the AWS CLI, SAM CLI or any AWS SDK at it with:\n"
          f"{export_line(endpoint, region)}\n"
          "Workshops: students use AWS_ENDPOINT_URL=http://<this host>:"
          f"{engine.port} and LABKIT_ACCOUNT_ID=<12 digits, one each>.", flush=True)
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    engine.stop()


def running_engine_line() -> str:
    """The export line for the engine running now, as labkit would choose it from the environment.

    A ``labkit serve`` or LocalStack answering at AWS_ENDPOINT_URL (default http://127.0.0.1:4566), or real AWS
    with LABKIT_ENGINE=aws. Raises EngineUnavailable saying how to start one when nothing answers: an engine
    started by this short-lived command would stop with it.
    """
    from .config import Settings
    from .engines.localstack import health
    from .engines.shared import labkit_health

    settings = Settings.from_env()
    if settings.engine == "aws":
        return "# real AWS (LABKIT_ENGINE=aws): your own credentials, AWS's endpoints\n" + \
            export_line(None, settings.region)
    url = (settings.endpoint_url or DEFAULT_URL).rstrip("/")
    if labkit_health(url, timeout=1.0):
        return f"# labkit engine at {url}\n" + export_line(url, settings.region)
    if health(url, timeout=1.0) is not None:
        return f"# LocalStack at {url}\n" + export_line(url, settings.region)
    raise EngineUnavailable(
        f"no engine answers at {url}. Start one in another terminal with `python -m labkit serve` (it stays in "
        "the foreground), then run `python -m labkit env` again; or set AWS_ENDPOINT_URL to where yours listens.")
