"""``python -m labkit serve`` and ``python -m labkit env``: an engine a terminal (AWS CLI, SAM CLI, Terraform) can use.

``serve`` runs one embedded engine in the foreground (port 4566 by default, the port AWS emulators use) and prints
the ``export`` line a terminal needs; ``env`` prints that line for the engine that is running now. The variables
are the AWS SDKs' and the AWS CLI's own: ``AWS_ENDPOINT_URL`` (service-specific endpoints, in the AWS SDKs and
Tools Reference Guide), ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and ``AWS_DEFAULT_REGION`` (AWS CLI user
guide, "Environment variables to configure the AWS CLI").
"""
from __future__ import annotations

import os
import shlex
import signal
import threading

from .engines.base import EMULATOR_CREDENTIALS, Engine
from .errors import EngineUnavailable, LabkitError

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


def workshop_keys(students: int | None, keys_path: str | None):
    """The keys a workshop server verifies: issued now (``students``, written to ``keys_path``, never overwriting
    a file) or read from ``keys_path``; None when neither is given (open mode, for one user's terminal)."""
    from .engines import sigv4

    if students is None:
        return sigv4.read_keys(keys_path) if keys_path else None
    path = keys_path or "workshop-keys.json"
    if os.path.exists(path):
        raise LabkitError(f"{path} exists: reuse its keys with `--keys {path}` (without --students), or give "
                          "--keys a new file name to issue new ones.")
    return sigv4.issue_keys(students)


def save_keys(keys, path: str, students: int) -> None:
    """Write newly issued ``keys`` to ``path`` (never overwriting a file); LabkitError saying what to do when the
    file cannot be written (a folder that does not exist or is not writable, a file that appeared meanwhile)."""
    from .engines import sigv4

    try:
        sigv4.write_keys(keys, path)
    except OSError as exc:
        raise LabkitError(f"cannot write the key file {path} ({exc.strerror}): give --keys a new file in a folder "
                          "that exists and you may write to.") from None
    print(f"Issued {students} student keys (and the instructor's) to {path}: hand each student their entry.",
          flush=True)


def host_is_local(host: str) -> bool:
    """Whether this machine may listen on ``host`` (an address of one of its interfaces, or 0.0.0.0/"")."""
    import socket

    try:
        with socket.create_server((host, 0)):
            return True
    except OSError:
        return False


def create_progress_table(endpoint_url: str, region: str, keys) -> None:
    """Create the instructor's progress table with the instructor's key, before any student could (a student's key
    may only CreateTable/PutItem that one table in the instructor's account, see labkit.engines.sigv4)."""
    from .engines.shared import SharedEngine
    from .engines.sigv4 import INSTRUCTOR_ACCOUNT
    from .progress import ensure_table

    instructor = next((k for k in keys if k.account_id == INSTRUCTOR_ACCOUNT), None)
    if instructor is None:  # a key file without the instructor's entry: no dashboard
        return
    engine = SharedEngine(region, endpoint_url, INSTRUCTOR_ACCOUNT, credentials={
        "aws_access_key_id": instructor.access_key_id, "aws_secret_access_key": instructor.secret_access_key})
    ensure_table(engine.client("dynamodb"))


def serve(host: str, port: int, region: str, students: int | None = None, keys_path: str | None = None) -> None:
    """Run the engine in the foreground until interrupted (Ctrl-C or SIGTERM).

    Workshop mode (``students`` or ``keys_path``): every request must be SigV4-signed with an issued key and is
    served in that key's account (:mod:`labkit.engines.sigv4`). Raises EngineUnavailable (a LabkitError, shown as
    one line) when the port is taken, LabkitError for a key file that is missing, bad or would be overwritten.
    """
    from .engines.embedded import EmbeddedEngine
    from .engines.shared import labkit_health

    if not 0 <= port <= 65535:
        raise LabkitError(f"--port {port}: give a port from 1 to 65535, or 0 for any free port (default {DEFAULT_PORT}).")
    keys = workshop_keys(students, keys_path)  # issued keys are written once the port is ours (below)

    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    try:
        engine = EmbeddedEngine(region, port=port, host=host, dispatch="inprocess" if keys is not None else None)
        engine.serve_at_once = False  # the HTTP front serves only once its wrappers are in place (below)
        engine.start()
    except EngineUnavailable:
        if not host_is_local(host):
            raise EngineUnavailable(
                f"{host} is not an address of this machine: give --host one of its addresses, 127.0.0.1 (this "
                "machine only) or 0.0.0.0 (every interface).") from None
        if labkit_health(f"http://{shown}:{port}", timeout=0.5):
            raise EngineUnavailable(
                f"a labkit engine already serves at http://{shown}:{port}: use it (`python -m labkit env` prints "
                f"its export line), or start another with --port {port + 1}.") from None
        raise EngineUnavailable(
            f"port {port} on {host} is taken by another program: stop it, or choose a free port with "
            f"`python -m labkit serve --port {port + 1}`.") from None
    if students is not None:
        try:
            save_keys(keys, keys_path or "workshop-keys.json", students)
        except LabkitError:
            engine.stop()
            raise
    from .engines.wsgi import NoticeHeader

    engine._server.app = NoticeHeader(engine._server.app)  # each request's notices go back to its caller's cell
    if keys is not None:
        from .engines.sigv4 import SigV4Gate

        engine._server.app = SigV4Gate(engine._server.app, keys)  # the HTTP front only, before it serves
        from .lambda_runtime import sandbox  # students' Lambda code: sandboxed when this host allows it

        isolation = sandbox.enable(f"http://{shown}:{engine.port}") + "\n"  # before anything is served
        create_progress_table(engine.endpoint_url, region, keys)
    engine.start_front()
    endpoint = engine.endpoint_url  # read after start: the engine knows its real port (0 picks a free one)
    print(f"labkit engine serving at {endpoint} (region {region}); Ctrl-C stops it.\n"
          "In another terminal, point the AWS CLI, SAM CLI or any AWS SDK at it with:\n"
          f"{export_line(endpoint, region) if keys is None else '(workshop mode: use a key from the key file)'}\n"
          + (isolation + "Workshop mode: every request must be signed with an issued key; students set "
             f"AWS_ENDPOINT_URL=http://<this host>:{engine.port}, LABKIT_ACCESS_KEY_ID and LABKIT_SECRET_ACCESS_KEY."
             if keys is not None else
             "Open mode: requests are not authenticated (any caller may name any account). For a workshop, "
             "restart with --students N."), flush=True)
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    engine.stop()


def running_engine_line() -> str:
    """The export line for the engine running now, as labkit would choose it from the environment.

    A ``labkit serve``, MiniStack or LocalStack answering at AWS_ENDPOINT_URL (default http://127.0.0.1:4566), or
    real AWS with LABKIT_ENGINE=aws. Raises EngineUnavailable saying how to start one when nothing answers: an
    engine started by this short-lived command would stop with it; LabkitError when AWS_ENDPOINT_URL is no
    http(s) URL.
    """
    from .config import Settings, check_endpoint_url
    from .engines.localstack import health
    from .engines.ministack import health as ministack_health
    from .engines.shared import labkit_health

    settings = Settings.from_env()
    if settings.engine == "aws":
        return "# real AWS (LABKIT_ENGINE=aws): your own credentials, AWS's endpoints\n" + \
            export_line(None, settings.region)
    url = check_endpoint_url(settings.endpoint_url or DEFAULT_URL).rstrip("/")
    if labkit_health(url, timeout=1.0):
        return f"# labkit engine at {url}\n" + export_line(url, settings.region)
    if ministack_health(url, timeout=1.0) is not None:  # before LocalStack: MiniStack answers its route too
        return f"# MiniStack at {url}\n" + export_line(url, settings.region)
    if health(url, timeout=1.0) is not None:
        return f"# LocalStack at {url}\n" + export_line(url, settings.region)
    raise EngineUnavailable(
        f"no engine answers at {url}. Start one in another terminal with `python -m labkit serve` (it stays in "
        "the foreground), then run `python -m labkit env` again; or set AWS_ENDPOINT_URL to where yours listens.")
