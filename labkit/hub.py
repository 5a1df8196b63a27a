"""labkit in a JupyterHub user's server: talk to labkit's hub service (:mod:`labkit.hub_service`) with the hub token.

The hub's configuration (``workshop/jupyterhub_config.py``) sets ``LABKIT_HUB_SERVICE_URL`` in every user server's
environment; JupyterHub itself sets ``JUPYTERHUB_API_TOKEN`` (the server's token) and ``JUPYTERHUB_USER``. With all
three, labkit asks the service for the user's key when it chooses the engine (:func:`key`), sends each Check my
work verdict there (:func:`post_verdict`), and the instructor dashboard reads the class from it
(:func:`class_progress`). Only the standard library is used: the kernel imports no JupyterHub code.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from .config import Settings
from .errors import LabkitError

TIMEOUT = 10  # seconds per request to the service (it is on the hub's network)


def lab_of(check: str) -> str:
    """The lab a check belongs to: the first dotted part of its name (``s3_basics.versioned_report``)."""
    return check.split(".")[0]


def configured(settings: Settings) -> bool:
    """Whether this process runs in a hub user's server whose hub runs labkit's service."""
    return bool(settings.hub_service_url and settings.hub_token and settings.hub_user)


def _call(settings: Settings, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """(status, JSON answer) of one request to the service with the server's hub token; raises OSError when the
    service does not answer."""
    url = settings.hub_service_url.rstrip("/") + "/" + path
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {settings.hub_token}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            status, text = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    try:
        document = json.loads(text) if text else {}
    except ValueError:
        document = {"message": text[:200].decode(errors="replace")}
    return status, document if isinstance(document, dict) else {}


def key(settings: Settings) -> dict | None:
    """This user's key for the class's shared engine, from the hub service: ``{"student", "account_id",
    "access_key_id", "secret_access_key", "endpoint_url"}``; None when the hub runs per-user engines.

    Raises LabkitError (one sentence for the learner) when the service does not answer or refuses.
    """
    try:
        status, answer = _call(settings, "GET", f"users/{settings.hub_user}/key")
    except OSError as error:
        raise LabkitError(f"the hub's labkit service at {settings.hub_service_url} does not answer ({error}): ask "
                          "your instructor to check the hub.") from None
    if status == 404 and answer.get("mode") == "per-user":
        return None
    if status != 200 or not {"access_key_id", "secret_access_key", "endpoint_url"} <= answer.keys():
        raise LabkitError(f"the hub's labkit service did not give your key (HTTP {status}: "
                          f"{answer.get('message', 'no reason given')}).")
    return answer


def post_verdict(settings: Settings, check: str, passed: bool) -> bool:
    """Send this user's verdict of ``check`` to the service; whether it was stored (never raises: progress must
    not disturb the learner)."""
    try:
        status, _ = _call(settings, "POST", f"users/{settings.hub_user}/progress",
                          {"check": check, "passed": passed})
    except OSError:
        return False
    return status == 204


def class_progress(settings: Settings) -> list[dict]:
    """Every verdict of the class (student = hub user name, lab, check, passed, time), for hub admins and the
    service's instructors group; LabkitError saying why otherwise."""
    try:
        status, answer = _call(settings, "GET", "progress")
    except OSError as error:
        raise LabkitError(f"the hub's labkit service at {settings.hub_service_url} does not answer ({error}).") \
            from None
    if status != 200:
        raise LabkitError(f"the hub's labkit service refused the class's progress (HTTP {status}: "
                          f"{answer.get('message', 'no reason given')}).")
    return answer["rows"]
