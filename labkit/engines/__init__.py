"""Choosing the engine: LABKIT_ENGINE = auto (default) | embedded | browser | ministack | localstack | aws.

Under Pyodide (``sys.platform == "emscripten"``: JupyterLite, Pyodide in Node) ``auto`` is the browser engine.

A configured endpoint (AWS_ENDPOINT_URL / LOCALSTACK_HOST) that answers ``/_labkit/health`` is a shared
embedded engine (``python -m labkit serve``, for workshops); one that answers ``/_ministack/health`` is MiniStack
(which also answers LocalStack's health route); any other configured endpoint is LocalStack.
In a JupyterHub user's server whose hub runs labkit's service (labkit.hub), ``auto`` asks the service for the
user's key to the class's shared engine, unless LABKIT_ACCESS_KEY_ID/LABKIT_SECRET_ACCESS_KEY are set.
LABKIT_ENGINE=ministack uses the MiniStack at AWS_ENDPOINT_URL, or starts one (labkit/engines/ministack.py).
"""
from __future__ import annotations

import threading

from .. import hub
from ..config import ENGINES, Settings, check_endpoint_url
from ..errors import LabkitError
from .base import Engine
from .localstack import edge_url, health
from .shared import SharedEngine, explicit_key, labkit_health

_current: Engine | None = None
_lock = threading.Lock()

MOTO_HERE = ("embedded", "browser")
"""Engines whose answers come from labkit's moto inside this Python process: the embedded engine and the browser
engine (the same moto and labkit/emulator patches, under Pyodide). Only there can a check read moto's models or
evaluator directly, and only there does :mod:`labkit.engines.iam_enforcement` enforce IAM."""


def moto_here(engine: Engine | None = None) -> bool:
    """True when ``engine`` (default: this process's engine) answers with moto in this process (:data:`MOTO_HERE`)."""
    return (engine or current()).name in MOTO_HERE


def select(settings: Settings) -> Engine:
    """Build the engine the settings ask for; ``auto`` prefers a LocalStack that is configured or answering."""
    if settings.engine not in ENGINES:
        raise LabkitError(f"LABKIT_ENGINE={settings.engine!r} is not an engine; use one of {', '.join(ENGINES)}.")
    if settings.engine == "aws":
        from .aws import AwsEngine

        return AwsEngine(settings)
    from .browser import BrowserEngine, running_in_browser

    if settings.engine == "browser" or (settings.engine == "auto" and running_in_browser()):
        return BrowserEngine(settings.region, account_id=settings.account_id).start()
    if settings.engine == "auto" and not explicit_key() and hub.configured(settings):
        given = hub.key(settings)  # the hub's labkit service; None: this hub runs per-user engines
        if given is not None:
            return SharedEngine(settings.region, given["endpoint_url"], settings.account_id, credentials={
                "aws_access_key_id": given["access_key_id"], "aws_secret_access_key": given["secret_access_key"]})
    if settings.endpoint_url:
        check_endpoint_url(settings.endpoint_url)
    url = edge_url(settings.endpoint_url, settings.localstack_host)
    configured = bool(settings.endpoint_url or settings.localstack_host)
    if configured and settings.engine in ("auto", "embedded") and labkit_health(url):
        return SharedEngine(settings.region, url, settings.account_id)
    from .ministack import MiniStackEngine, health as ministack_health  # here: `python -m` runs that module

    if settings.engine == "ministack" or (
            settings.engine == "auto" and configured and ministack_health(url, timeout=0.5) is not None):
        return MiniStackEngine(settings.region, url if configured else None, settings.account_id).start()
    if settings.engine == "localstack" or (
            settings.engine == "auto" and (configured or health(url, timeout=0.3) is not None)):
        from .localstack import LocalStackEngine

        return LocalStackEngine(settings.region, url, settings.account_id)
    from .embedded import EmbeddedEngine

    return EmbeddedEngine(settings.region, account_id=settings.account_id).start()


def current() -> Engine:
    """The engine of this process, chosen and started on first use."""
    global _current
    with _lock:
        if _current is None:
            _current = select(Settings.from_env())
        return _current


def use(engine: Engine | None) -> Engine | None:
    """Replace the process's engine (tests, workshop tools); returns the previous one."""
    global _current
    with _lock:
        previous, _current = _current, engine
    return previous
