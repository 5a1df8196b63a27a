"""``python -m labkit hub-service``: a JupyterHub managed service that hands each hub user their workshop key and
keeps the class's Check my work verdicts.

JupyterHub starts it (``c.JupyterHub.services``, see ``workshop/jupyterhub_config.py``) with its own environment
(``JUPYTERHUB_SERVICE_URL``, ``JUPYTERHUB_SERVICE_PREFIX``, ``JUPYTERHUB_API_URL``, ``JUPYTERHUB_API_TOKEN``).
Every request is authenticated with the caller's **hub token** (``Authorization: token <JUPYTERHUB_API_TOKEN>``,
the header jupyterhub.services.auth.HubAuth reads): the service asks the hub who the token belongs to
(``GET /hub/api/user`` with that token) and requires the token to hold ``access:services!service=<name>``
(JupyterHub's "Services" and "Scopes" documentation). The service needs no scope of its own.

Routes, under the service's prefix (``/services/labkit/``):

- ``GET users/<name>/key``: the caller's key for the shared engine (``labkit serve --students N --keys FILE``):
  ``{"student", "account_id", "access_key_id", "secret_access_key", "endpoint_url"}``. The first request of a user
  takes the next unassigned student entry of the key file; the assignment is kept in ``<state>/assignments.json``.
  Without ``--keys`` (per-user embedded engines) it answers 404 with ``"mode": "per-user"``.
- ``POST users/<name>/progress`` with ``{"check": "s3_basics.versioned_report", "passed": true}``: stores the
  caller's latest verdict of that check (``<state>/progress.sqlite``).
- ``GET progress``: every stored verdict (``{"rows": [{"student", "lab", "check", "passed", "time"}]}``), for hub
  admins and the members of ``--instructors-group``.

``<name>`` must be the caller's own hub name: anything else is refused with 403. No token: 401; a token the hub
does not know or that lacks the access scope: 403. Errors are JSON ``{"message": ...}``.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
import time
from http import HTTPStatus
from urllib.parse import urlparse

from .errors import LabkitError
from .hub import lab_of

CHECK_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,199}")  # labkit.checks' labels: module.function


class Refusal(Exception):
    """A request the service answers with an HTTP error ``status`` and a one-sentence ``message``."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


class ClassBook:
    """The service's state: which key each hub user holds, and the class's latest verdicts.

    ``keys``: the entries of a ``labkit serve`` key file (:class:`labkit.engines.sigv4.Key`), or None for per-user
    engines; ``engine_url``: the shared engine as students' servers reach it; ``state``: a folder (created) for
    ``assignments.json`` (hub user name -> key file entry name) and ``progress.sqlite``.
    """

    def __init__(self, state: str, keys=None, engine_url: str | None = None):
        os.makedirs(state, exist_ok=True)
        self.keys = None if keys is None else {k.student: k for k in keys}
        self.engine_url = engine_url
        self.assignments_path = os.path.join(state, "assignments.json")
        try:
            with open(self.assignments_path) as source:
                self.assignments: dict[str, str] = json.load(source)
        except FileNotFoundError:
            self.assignments = {}
        self.db = sqlite3.connect(os.path.join(state, "progress.sqlite"))
        self.db.execute("CREATE TABLE IF NOT EXISTS progress (student TEXT, check_name TEXT, lab TEXT, "
                        "passed INTEGER, time INTEGER, PRIMARY KEY (student, check_name))")
        self.db.commit()

    def key_for(self, user: str) -> dict:
        """``user``'s key (assigned now if they have none, and kept); Refusal 404 in per-user mode, 409 when every
        student entry of the key file is taken."""
        if self.keys is None:
            raise Refusal(404, "this hub runs one embedded engine per student server (per-user mode): there is no "
                               "shared engine key to hand out.", mode="per-user")
        student = self.assignments.get(user)
        if student is None:
            taken = set(self.assignments.values())
            free = [s for s in sorted(self.keys) if s.startswith("student-") and s not in taken]
            if not free:
                raise Refusal(409, f"every student key of the key file is handed out ({len(taken)}): ask your "
                                   "instructor to issue more (labkit serve --students N with a new --keys file).")
            student = free[0]
            self.assignments[user] = student
            self._save_assignments()
        key = self.keys.get(student)
        if key is None:
            raise Refusal(409, f"your key ({student}) is no longer in the key file: ask your instructor.")
        return {**key.__dict__, "endpoint_url": self.engine_url}

    def _save_assignments(self) -> None:
        folder = os.path.dirname(self.assignments_path)
        fd, scratch = tempfile.mkstemp(prefix=".assignments-", dir=folder)
        with os.fdopen(fd, "w") as out:
            json.dump(self.assignments, out, indent=1, sort_keys=True)
        os.replace(scratch, self.assignments_path)  # atomic: a crash never leaves half a file

    def record(self, user: str, body: dict) -> None:
        """Store ``user``'s verdict ``body`` (``{"check": str, "passed": bool}``); Refusal 400 for another shape."""
        body = body if isinstance(body, dict) else {}
        check, passed = body.get("check"), body.get("passed")
        if not isinstance(check, str) or not CHECK_NAME.fullmatch(check) or not isinstance(passed, bool):
            raise Refusal(400, 'send JSON {"check": "<lab>.<check>", "passed": true or false}.')
        self.db.execute("INSERT OR REPLACE INTO progress VALUES (?, ?, ?, ?, ?)",
                        (user, check, lab_of(check), int(passed), int(time.time())))
        self.db.commit()

    def rows(self) -> list[dict]:
        """Every stored verdict, by student then check (the rows labkit.progress.class_progress returns)."""
        cursor = self.db.execute("SELECT student, lab, check_name, passed, time FROM progress "
                                 "ORDER BY student, check_name")
        return [{"student": s, "lab": lab, "check": c, "passed": bool(p), "time": t} for s, lab, c, p, t in cursor]


def make_app(book: ClassBook, prefix: str, instructors_group: str | None = None):
    """The tornado application serving ``book`` under ``prefix`` (``/services/<name>/``).

    Each request's token is checked by jupyterhub.services.auth.HubAuth (the hub's API URL, the service's name and
    token come from JupyterHub's environment): the hub must know it, it must be a user's, and it must hold the
    service's access scope (``HubAuth.access_scopes``, ``access:services!service=<name>``).
    """
    from jupyterhub.services.auth import HubAuth
    from tornado import web

    auth = HubAuth()

    class Handler(web.RequestHandler):
        async def prepare(self):
            token = auth.get_token(self, in_cookie=False)
            if not token:
                raise Refusal(401, "send your JupyterHub API token: Authorization: token $JUPYTERHUB_API_TOKEN.")
            model = await auth.user_for_token(token, use_cache=False, sync=False)  # a revoked token: refused at once
            if not model or model.get("kind") != "user" or not auth.check_scopes(auth.access_scopes, model):
                raise Refusal(403, "the hub does not know this token, or it may not use the labkit service.")
            self.current_user = model

        def own(self, name: str) -> str:
            """``name`` when it is the caller's own hub name; Refusal 403 otherwise."""
            me = self.current_user["name"]
            if name != me:
                raise Refusal(403, f"you are {me}: you may use only users/{me}/....")
            return name

        def log_exception(self, typ, value, tb):
            if not isinstance(value, Refusal):  # a refusal is an answer, not a fault
                super().log_exception(typ, value, tb)

        def write_error(self, status_code, **kwargs):
            error = kwargs.get("exc_info", (None, None))[1]
            self.set_header("Content-Type", "application/json")
            if isinstance(error, Refusal):
                self.set_status(error.status)
                self.finish(json.dumps({"message": error.message, **error.extra}))
            else:
                self.finish(json.dumps({"message": HTTPStatus(status_code).phrase}))

    class KeyHandler(Handler):
        def get(self, name):
            self.write(book.key_for(self.own(name)))

    class ProgressHandler(Handler):
        def post(self, name):
            try:
                body = json.loads(self.request.body or b"null")
            except ValueError:
                body = None
            book.record(self.own(name), body)
            self.set_status(204)

    class ClassHandler(Handler):
        def get(self):
            user = self.current_user
            if not (user.get("admin") or (instructors_group and instructors_group in user.get("groups", []))):
                who = "hub admins" + (f" and the {instructors_group} group" if instructors_group else "")
                raise Refusal(403, f"the class's progress is for {who} only.")
            self.write({"rows": book.rows()})

    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    return web.Application([(prefix + r"users/([^/]+)/key", KeyHandler),
                            (prefix + r"users/([^/]+)/progress", ProgressHandler),
                            (prefix + r"progress", ClassHandler)])


def main(state: str, keys_path: str | None, engine_url: str | None, instructors_group: str | None,
         bind: str | None = None) -> None:
    """Run the service until JupyterHub stops it. LabkitError (one line) when it is not started by a hub, when
    ``--keys`` comes without ``--engine-url``, or for a key file that is missing or bad."""
    from .engines import sigv4

    service_url = os.environ.get("JUPYTERHUB_SERVICE_URL")
    if not service_url or not os.environ.get("JUPYTERHUB_API_TOKEN"):
        raise LabkitError("the hub service runs under JupyterHub: declare it in c.JupyterHub.services (see "
                          "workshop/jupyterhub_config.py) and let the hub start it.")
    if keys_path and not engine_url:
        raise LabkitError("--keys needs --engine-url: the shared engine's address as students' servers reach it.")
    keys = sigv4.read_keys(keys_path) if keys_path else None
    book = ClassBook(state, keys, engine_url if keys_path else None)
    app = make_app(book, os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"), instructors_group)
    where = urlparse(service_url)
    import signal

    from tornado.ioloop import IOLoop

    app.listen(where.port or 80, bind if bind is not None else where.hostname)
    mode = f"shared engine {engine_url}, {len(keys)} keys" if keys else "per-user engines: progress only"
    print(f"labkit hub service at {service_url} ({mode})", flush=True)
    loop = IOLoop.current()
    for signum in (signal.SIGINT, signal.SIGTERM):  # the hub stops its services with SIGINT (then SIGTERM)
        loop.asyncio_loop.add_signal_handler(signum, loop.stop)
    loop.start()
