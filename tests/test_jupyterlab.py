"""The README's ``jupyter lab labs/`` works: JupyterLab starts headless and runs a lab through its server.

The test talks to JupyterLab as the browser does: Jupyter Server's REST API (a session for the notebook, which
starts its kernel) and the kernel's websocket (``/api/kernels/<id>/channels``, Jupyter messaging protocol 5.3).
"""
from __future__ import annotations

import asyncio
import datetime
import json
import os
import pathlib
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from tornado.websocket import websocket_connect

from _ports import free_port

ROOT = pathlib.Path(__file__).resolve().parent.parent
LAB = "labs/s3-basics.ipynb"


def api(base: str, token: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(f"{base}{path}", method="POST" if body is not None else "GET",
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """``jupyter lab`` on a free port with a random token, no browser, rooted at the repository."""
    jupyter = shutil.which("jupyter", path=str(pathlib.Path(sys.executable).parent))
    assert jupyter, "jupyter is not installed in this environment: pip install -r requirements.txt"
    port, token = free_port(), secrets.token_hex(16)
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_CONFIG_DIR": str(runtime / "config")}
    log = open(runtime / "jupyterlab.log", "w+b")  # a file, not a pipe: a full pipe would block the kernel's writes
    process = subprocess.Popen(
        [jupyter, "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={ROOT}", "--ServerApp.port_retries=0",
         *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI runs as root; JupyterLab refuses it by default
        stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            api(base, token, "/api/status")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.seek(0)
                pytest.fail(f"JupyterLab did not start: {log.read().decode()[-2000:]}")
            time.sleep(0.5)
    try:
        yield base, token
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def message(code: str, session: str, stop_on_error: bool = True) -> dict:
    """An execute_request. A cell that fails on purpose (tag raises-exception) is sent with stop_on_error false, as
    nbclient sends it (the book build runs on nbclient): otherwise the kernel aborts the requests that reach it just
    after the error (status "aborted"), which on a loaded machine was the next cell's (a CI failure)."""
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "username": "test",
                       "session": session, "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                       "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": stop_on_error}}


async def run_cells(url: str, cells: list[dict]) -> tuple[list[tuple[int, str]], list[str]]:
    """Execute each code cell over the kernel websocket; returns (cell index, error) for cells that failed, and
    the HTML of every rich output (the notebook's view)."""
    connection = await websocket_connect(url)
    session, errors, shown = uuid.uuid4().hex, [], []
    try:
        for index, cell in enumerate(cells):
            expected = "raises-exception" in cell.get("metadata", {}).get("tags", [])
            request = message("".join(cell["source"]), session, stop_on_error=not expected)
            await connection.write_message(json.dumps(request))
            error = None
            while True:
                raw = await asyncio.wait_for(connection.read_message(), timeout=300)
                assert raw is not None, "the kernel's websocket closed"
                reply = json.loads(raw)
                if reply.get("parent_header", {}).get("msg_id") != request["header"]["msg_id"]:
                    continue
                if reply["msg_type"] in ("display_data", "execute_result"):
                    shown.append(reply["content"]["data"].get("text/html", ""))
                if reply["msg_type"] == "error":
                    error = f"{reply['content']['ename']}: {reply['content']['evalue']}"
                if reply["msg_type"] == "execute_reply":
                    if reply["content"]["status"] != "ok":
                        error = error or reply["content"].get("evalue", reply["content"]["status"])
                    break
            if error and not expected:
                errors.append((index, error))
    finally:
        connection.close()
    return errors, shown


def test_a_lab_runs_through_jupyterlab(jupyterlab):
    base, token = jupyterlab
    session = api(base, token, "/api/sessions", {"path": LAB, "type": "notebook", "name": "",
                                                 "kernel": {"name": "python3"}})
    kernel = session["kernel"]["id"]
    cells = [c for c in json.loads((ROOT / LAB).read_text())["cells"] if c["cell_type"] == "code"]
    url = f"{base.replace('http', 'ws')}/api/kernels/{kernel}/channels?token={token}"
    errors, shown = asyncio.run(run_cells(url, cells))
    assert errors == [], errors
    # what the learner sees under the Setup cell (which ends with another line than require): engine and endpoint
    assert any("Engine <strong>embedded</strong> at <code>http://127.0.0.1:" in html for html in shown), shown[:3]


def test_without_the_token_the_server_refuses(jupyterlab):
    base, _ = jupyterlab
    with pytest.raises(urllib.error.HTTPError) as refused:
        api(base, "wrong-token", "/api/sessions")
    assert refused.value.code == 403
