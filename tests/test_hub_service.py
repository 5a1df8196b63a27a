"""labkit's JupyterHub service (labkit/hub_service.py, labkit/hub.py) against a real JupyterHub started here.

The hub runs with workshop/jupyterhub_config.py (the file workshop.md shows) loaded unchanged, after this test's
own settings: random loopback ports, sqlite in a temporary folder, the built-in DummyAuthenticator with a password
and SimpleLocalProcessSpawner, and configurable-http-proxy installed with npm into ~/.cache/labkit-tests/chp. A
``labkit serve --students 2`` (tests/workshop_server.py) is the shared engine whose key file the service hands out.
Users and tokens are made as an admin through the hub's REST API; one user's server is spawned and runs a labkit
call and a verdict in a kernel, end to end.
"""
from __future__ import annotations

import asyncio
import json
import os
import pathlib
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

from _ports import free_port
from browser.assets import CACHE, Unavailable, node_and_npm
from workshop_server import WorkshopServer, stop_process

ROOT = pathlib.Path(__file__).resolve().parent.parent
SNIPPET = ROOT / "workshop" / "jupyterhub_config.py"
CHP = "5.3.0"  # configurable-http-proxy, JupyterHub's default proxy
ADMIN_TOKEN = secrets.token_hex(16)
PASSWORD = "workshop-password"
START_TIMEOUT = 90  # seconds for the hub, its proxy and the service to answer on a busy 2-core machine


def proxy_command() -> list[str]:
    """``[node, configurable-http-proxy]``, installed once with npm into the tests' cache; skip if npm cannot."""
    try:
        node, npm = node_and_npm()
    except Unavailable as why:
        pytest.skip(str(why))
    folder = CACHE / "chp"
    script = folder / "node_modules" / "configurable-http-proxy" / "bin" / "configurable-http-proxy"
    package = script.parent.parent / "package.json"
    if not script.exists() or f'"version": "{CHP}"' not in package.read_text():
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([*npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder),
                               f"configurable-http-proxy@{CHP}"], capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not script.exists():
            pytest.skip(f"npm could not install configurable-http-proxy@{CHP}: {done.stderr.strip()[-300:]}")
    return [node, str(script)]


def call(url: str, token: str | None = None, method: str = "GET", body=None) -> tuple[int, dict]:
    """(status, JSON answer) of one HTTP request with an optional hub token."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"token {token}"
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, text = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    try:
        return status, json.loads(text) if text else {}
    except ValueError:
        return status, {"text": text.decode(errors="replace")}


class Hub:
    """A JupyterHub in a temporary folder, with labkit's service configured by :data:`SNIPPET`."""

    def __init__(self, folder: pathlib.Path, engine: WorkshopServer):
        self.folder = folder
        self.proxy_port, self.service_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.proxy_port}"
        self.service = f"http://127.0.0.1:{self.service_port}/services/labkit/"
        self.state = folder / "labkit-state"
        (folder / "jupyterhub_config.py").write_text(f"""
import sys
c = get_config()
c.JupyterHub.bind_url = "{self.url}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.command = {proxy_command()!r}
c.JupyterHub.db_url = "sqlite:///{folder}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{folder}/cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = "{PASSWORD}"
c.Authenticator.allow_all = True
c.Authenticator.admin_users = {{"teacher"}}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{folder}/home/{{username}}"
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.args = ["--allow-root",  # the tests run as root in CI; jupyter_server refuses root without it
                  # a plain Jupyter server (kernels and their REST API) starts faster than one with JupyterLab
                  "--ServerApp.jpserver_extensions=jupyterlab=False", "--ServerApp.jpserver_extensions=jupyter_lsp=False",
                  "--ServerApp.jpserver_extensions=notebook_shim=False"]
c.JupyterHub.services = [{{"name": "test-admin", "api_token": "{ADMIN_TOKEN}"}}]
c.JupyterHub.load_roles = [{{"name": "test-admin", "services": ["test-admin"],
                            "scopes": ["admin:users", "admin:servers", "tokens", "admin:groups"]}}]
load_subconfig("{SNIPPET}")
""")
        env = {**os.environ, "LABKIT_KEYS": str(engine.keys_path), "LABKIT_ENGINE_URL": engine.url,
               "LABKIT_HUB_STATE": str(self.state), "LABKIT_SERVICE_URL": f"http://127.0.0.1:{self.service_port}",
               "LABKIT_INSTRUCTORS_GROUP": "instructors"}
        self.log_path = folder / "hub.log"
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", "jupyterhub_config.py"],
                                            cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)

    def wait(self) -> None:
        """Until the hub's API (through the proxy) and labkit's service answer; RuntimeError with the log if not."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if call(self.api("")[:-1], ADMIN_TOKEN)[0] == 200 and call(self.service + "progress")[0] == 401:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"JupyterHub did not start: {self.log()}")
            time.sleep(0.3)

    def api(self, path: str) -> str:
        return f"{self.url}/hub/api/{path}"

    def admin(self, method: str, path: str, body=None) -> dict:
        status, answer = call(self.api(path), ADMIN_TOKEN, method, body)
        assert status < 300, (method, path, status, answer, self.log())
        return answer

    def token(self, user: str, **body) -> str:
        """A new API token of ``user``, made by the admin (``body``: e.g. ``scopes``)."""
        return self.admin("POST", f"users/{user}/tokens", {"note": "test", **body})["token"]

    def log(self, tail: int = 5000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:]

    def stop(self) -> None:
        stop_process(self.process)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """(Hub, WorkshopServer, tokens): users alice and bob, carol in the instructors group, admin teacher, each with
    a token."""
    folder = tmp_path_factory.mktemp("hub")
    proxy_command()  # install the proxy (or skip) before anything starts
    with WorkshopServer(students=2) as engine:
        running = Hub(folder, engine)
        try:
            running.wait()
            running.admin("POST", "users", {"usernames": ["alice", "bob", "carol"]})  # teacher: in admin_users
            running.admin("POST", "groups/instructors", {"users": ["carol"]})  # a teaching assistant, no admin
            tokens = {user: running.token(user) for user in ("alice", "bob", "carol", "teacher")}
            yield running, engine, tokens
        finally:
            running.process.terminate()  # the hub and the engine stop at the same time
    running.stop()


def test_each_user_gets_their_own_key_and_it_works_in_their_own_account(hub):
    running, engine, tokens = hub
    status, alice = call(running.service + "users/alice/key", tokens["alice"])
    assert status == 200, alice
    status, bob = call(running.service + "users/bob/key", tokens["bob"])
    assert status == 200, bob
    issued = {k["student"]: k for k in engine.students}
    assert alice["student"] != bob["student"] and {alice["student"], bob["student"]} <= issued.keys()
    for key in (alice, bob):
        assert key["access_key_id"] == issued[key["student"]]["access_key_id"]
        assert key["account_id"] == issued[key["student"]]["account_id"]
        assert key["endpoint_url"] == engine.url
    assert call(running.service + "users/alice/key", tokens["alice"])[1] == alice  # kept, not re-assigned
    assert json.loads((running.state / "assignments.json").read_text()) == {"alice": alice["student"],
                                                                           "bob": bob["student"]}

    bucket = f"alice-{uuid.uuid4().hex[:8]}"
    as_alice, as_bob = engine.engine(alice), engine.engine(bob)
    as_alice.client("s3").create_bucket(Bucket=bucket)
    assert as_alice.client("sts").get_caller_identity()["Account"] == alice["account_id"]
    assert bucket in [b["Name"] for b in as_alice.client("s3").list_buckets()["Buckets"]]
    assert bucket not in [b["Name"] for b in as_bob.client("s3").list_buckets()["Buckets"]]
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError, match="AccessDenied"):
        as_bob.client("s3").list_objects_v2(Bucket=bucket)


def test_a_user_cannot_take_anothers_key_or_post_as_them(hub):
    running, _, tokens = hub
    status, answer = call(running.service + "users/bob/key", tokens["alice"])
    assert status == 403 and "you are alice" in answer["message"]
    assert "secret_access_key" not in answer
    status, _ = call(running.service + "users/bob/key?user=bob", tokens["alice"])
    assert status == 403
    status, _ = call(running.service + "users/bob/progress", tokens["alice"], "POST",
                     {"check": "s3_basics.versioned_report", "passed": True})
    assert status == 403
    rows = call(running.service + "progress", tokens["teacher"])[1]["rows"]
    assert not [r for r in rows if r["student"] == "bob" and r["check"] == "s3_basics.versioned_report"]


def test_no_token_an_unknown_token_or_one_without_the_access_scope_is_refused(hub):
    running, _, _ = hub
    status, answer = call(running.service + "users/alice/key")
    assert status == 401 and "JUPYTERHUB_API_TOKEN" in answer["message"]
    assert call(running.service + "users/alice/key", secrets.token_hex(16))[0] == 403
    narrow = running.token("alice", scopes=["read:users:name!user=alice"])  # no access:services!service=labkit
    assert call(running.service + "users/alice/key", narrow)[0] == 403
    assert call(running.service + "users/alice/key", ADMIN_TOKEN)[0] == 403  # a service's token is no user's


def test_progress_reaches_the_admins_dashboard_and_no_one_elses(hub):
    running, _, tokens = hub
    check = "s3_basics.versioned_report"
    status, _ = call(running.service + "users/alice/progress", tokens["alice"], "POST", {"check": check, "passed": False})
    assert status == 204
    assert call(running.service + "users/alice/progress", tokens["alice"], "POST",
                {"check": check, "passed": True})[0] == 204  # the latest verdict replaces the earlier one
    status, answer = call(running.service + "progress", tokens["teacher"])
    assert status == 200
    mine = [r for r in answer["rows"] if r["student"] == "alice" and r["check"] == check]
    assert len(mine) == 1 and mine[0]["passed"] is True and mine[0]["lab"] == "s3_basics"
    status, answer = call(running.service + "progress", tokens["carol"])  # the instructors group
    assert status == 200 and [r for r in answer["rows"] if r["student"] == "alice" and r["check"] == check]
    status, answer = call(running.service + "progress", tokens["bob"])
    assert status == 403 and "hub admins and the instructors group" in answer["message"]
    for bad in ({"check": check}, {"check": "../x", "passed": True}, {"check": check, "passed": "yes"}, b"not json"):
        status, answer = call(running.service + "users/alice/progress", tokens["alice"], "POST", bad)
        assert status == 400 and '"check"' in answer["message"], bad


def test_labkits_client_posts_verdicts_and_reads_the_class_as_the_dashboard_does(hub):
    from labkit import hub as client
    from labkit.errors import LabkitError

    running, _, tokens = hub
    as_bob = hub_settings(hub_service_url=running.service, hub_token=tokens["bob"], hub_user="bob")
    assert client.post_verdict(as_bob, "sqs.dead_letter", False) is True
    assert client.post_verdict(hub_settings(hub_service_url=running.service, hub_token=tokens["bob"],
                                            hub_user="alice"), "sqs.dead_letter", True) is False  # not bob's name
    rows = client.class_progress(hub_settings(hub_service_url=running.service, hub_token=tokens["teacher"],
                                              hub_user="teacher"))
    assert [(r["lab"], r["passed"]) for r in rows if r["student"] == "bob"] == [("sqs", False)]
    assert not [r for r in rows if r["student"] == "alice" and r["check"] == "sqs.dead_letter"]
    with pytest.raises(LabkitError, match="refused the class's progress .*HTTP 403"):
        client.class_progress(as_bob)


def run_in_kernel(running: Hub, user: str, token: str, code: str) -> str:
    """Run ``code`` in a new kernel of ``user``'s (started) server through the hub's proxy; its stdout. Raises
    AssertionError with the traceback when the code fails."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    status, kernel = call(f"{running.url}/user/{user}/api/kernels", token, "POST", {"name": "python3"})
    assert status == 201, (status, kernel)

    async def execute() -> str:
        url = f"ws://127.0.0.1:{running.proxy_port}/user/{user}/api/kernels/{kernel['id']}/channels"
        socket = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"}))
        msg_id = uuid.uuid4().hex
        socket.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": user, "session": uuid.uuid4().hex, "msg_type": "execute_request",
                       "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        out, errors = [], []
        while True:
            message = json.loads(await asyncio.wait_for(socket.read_message(), 120))
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                errors.append("\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle":
                socket.close()
                assert not errors, errors
                return "".join(out)

    try:
        return asyncio.run(execute())
    finally:
        call(f"{running.url}/user/{user}/api/kernels/{kernel['id']}", token, "DELETE")


def test_a_spawned_server_uses_its_key_and_reports_progress_end_to_end(hub):
    running, engine, tokens = hub
    running.admin("POST", "users/alice/server")
    deadline = time.monotonic() + 120
    while not running.admin("GET", "users/alice")["servers"].get("", {}).get("ready"):
        assert time.monotonic() < deadline, running.log()
        time.sleep(0.3)
    printed = run_in_kernel(running, "alice", tokens["alice"], """
import json, labkit
from labkit import progress
engine = labkit.engine()
s3 = labkit.client("s3")
s3.create_bucket(Bucket=labkit.name("hub"))
progress.record("hub_e2e.kernel_call", True)
print(json.dumps({"engine": engine.name, "url": engine.endpoint_url, "account": engine.account_id,
                  "buckets": len(s3.list_buckets()["Buckets"])}))
""")
    seen = json.loads(printed.strip().splitlines()[-1])
    alice = call(running.service + "users/alice/key", tokens["alice"])[1]
    assert seen["engine"] == "shared" and seen["url"] == engine.url and seen["account"] == alice["account_id"]
    rows = call(running.service + "progress", tokens["teacher"])[1]["rows"]
    assert {"student": "alice", "check": "hub_e2e.kernel_call", "passed": True} in [
        {k: r[k] for k in ("student", "check", "passed")} for r in rows]


def hub_settings(**values):
    """Settings as labkit reads them in a hub user's server (LABKIT_ENGINE=auto)."""
    from labkit.config import Settings

    base = dict(engine="auto", region="us-east-1", prefix="dva", endpoint_url=None, localstack_host=None,
                aws_confirm="", account_id=None)
    return Settings(**{**base, **values})


def test_labkit_picks_up_the_key_from_the_hub_and_an_explicit_key_still_wins(hub, monkeypatch):
    from labkit.engines import select

    running, engine, tokens = hub
    for variable in ("LABKIT_ACCESS_KEY_ID", "LABKIT_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(variable, raising=False)
    settings = hub_settings(hub_service_url=running.service, hub_token=tokens["bob"], hub_user="bob")
    bob = call(running.service + "users/bob/key", tokens["bob"])[1]
    chosen = select(settings)
    assert (chosen.name, chosen.endpoint_url, chosen.account_id) == ("shared", engine.url, bob["account_id"])
    alice = call(running.service + "users/alice/key", tokens["alice"])[1]
    monkeypatch.setenv("LABKIT_ACCESS_KEY_ID", alice["access_key_id"])
    monkeypatch.setenv("LABKIT_SECRET_ACCESS_KEY", alice["secret_access_key"])
    chosen = select(hub_settings(hub_service_url=running.service, hub_token=tokens["bob"], hub_user="bob",
                                 endpoint_url=engine.url))
    assert chosen.account_id == alice["account_id"]


def test_a_hub_service_that_does_not_answer_is_one_sentence(monkeypatch):
    from labkit.engines import select
    from labkit.errors import LabkitError

    for variable in ("LABKIT_ACCESS_KEY_ID", "LABKIT_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(variable, raising=False)
    url = f"http://127.0.0.1:{free_port()}/services/labkit/"
    with pytest.raises(LabkitError, match="does not answer .*ask your instructor"):
        select(hub_settings(hub_service_url=url, hub_token="t", hub_user="alice"))


def keys(students: int):
    from labkit.engines.sigv4 import issue_keys

    return issue_keys(students)


def test_assignments_are_kept_and_the_instructor_key_is_never_handed_out(tmp_path):
    from labkit.hub_service import ClassBook, Refusal

    issued = keys(2)
    book = ClassBook(str(tmp_path), issued, "http://engine:4566")
    first, second = book.key_for("alice")["student"], book.key_for("bob")["student"]
    assert {first, second} == {"student-01", "student-02"}
    again = ClassBook(str(tmp_path), issued, "http://engine:4566")  # a restarted service reads its assignments
    assert again.key_for("bob")["student"] == second and again.key_for("alice")["student"] == first
    with pytest.raises(Refusal) as refused:
        again.key_for("carol")  # only the instructor's entry is left
    assert refused.value.status == 409 and "every student key" in refused.value.message


def test_per_user_mode_hands_out_no_key_but_keeps_progress(tmp_path):
    from labkit.hub_service import ClassBook, Refusal

    book = ClassBook(str(tmp_path))
    with pytest.raises(Refusal) as refused:
        book.key_for("alice")
    assert refused.value.status == 404 and refused.value.extra == {"mode": "per-user"}
    book.record("alice", {"check": "sqs.dead_letter", "passed": False})
    assert [(r["student"], r["lab"], r["passed"]) for r in book.rows()] == [("alice", "sqs", False)]


def test_per_user_engines_the_service_hands_no_key_and_labkit_keeps_its_own_engine(hub, tmp_path):
    """The same service without --keys, beside the hub (its HubAuth asks the same hub), as a per-user hub runs it."""
    from labkit import hub as client

    running, _, tokens = hub
    port = free_port()
    env = {**os.environ, "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}", "JUPYTERHUB_SERVICE_NAME": "labkit",
           "JUPYTERHUB_SERVICE_PREFIX": "/services/labkit/", "JUPYTERHUB_API_URL": running.api("")[:-1],
           "JUPYTERHUB_API_TOKEN": ADMIN_TOKEN}
    with open(tmp_path / "service.log", "w") as log:
        service = subprocess.Popen([sys.executable, "-m", "labkit", "hub-service", "--state", str(tmp_path)],
                                   env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/services/labkit/"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if call(url + "progress")[0] == 401:
                    break
            except OSError:
                pass
            assert service.poll() is None and time.monotonic() < deadline, (tmp_path / "service.log").read_text()
            time.sleep(0.2)
        as_alice = hub_settings(hub_service_url=url, hub_token=tokens["alice"], hub_user="alice")
        assert client.key(as_alice) is None  # labkit then chooses its engine as without a hub: its own
        status, answer = call(url + "users/alice/key", tokens["alice"])
        assert status == 404 and answer["mode"] == "per-user"
        assert client.post_verdict(as_alice, "kms.envelope", True) is True
        rows = client.class_progress(hub_settings(hub_service_url=url, hub_token=tokens["teacher"], hub_user="teacher"))
        assert [(r["student"], r["check"], r["passed"]) for r in rows] == [("alice", "kms.envelope", True)]
    finally:
        service.terminate()
        service.wait(timeout=30)


@pytest.mark.parametrize("arguments, environment, says", [
    (["--keys", "k.json", "--engine-url", "http://e:4566"], {}, "runs under JupyterHub"),
    (["--keys", "k.json"], {"JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:1", "JUPYTERHUB_API_TOKEN": "t"},
     "--keys needs --engine-url"),
    (["--keys", "missing.json", "--engine-url", "http://e:4566"],
     {"JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:1", "JUPYTERHUB_API_TOKEN": "t"}, "no key file at missing.json"),
])
def test_a_service_started_wrongly_says_what_to_do_in_one_line(tmp_path, arguments, environment, says):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERHUB_")}
    done = subprocess.run([sys.executable, "-m", "labkit", "hub-service", "--state", str(tmp_path), *arguments],
                          env={**env, **environment}, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.startswith("labkit: ") and says in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
