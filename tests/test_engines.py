"""Engine selection (auto, embedded, localstack, aws) and the short messages for expected failures."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from _ports import free_port
from labkit.config import Settings
from labkit.engines import select
from labkit.engines.localstack import LocalStackEngine
from labkit.errors import AwsNotConfirmed, EngineUnavailable, LabkitError, ServiceUnavailable


def settings(**overrides) -> Settings:
    values = dict(engine="auto", region="us-east-1", prefix="dva", endpoint_url=None, localstack_host=None,
                  aws_confirm="", account_id=None)
    return Settings(**{**values, **overrides})


@pytest.fixture
def fake_localstack():
    """A stand-in for LocalStack's health endpoint, offering s3 and sqs only (like a trimmed community edition)."""
    class Health(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/_localstack/health":
                return self.do_POST()
            body = json.dumps({"services": {"s3": "running", "sqs": "available", "lambda": "disabled"},
                               "edition": "community", "version": "4.14.0"}).encode()
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):  # any API call: a client error, which still shows the service answers
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(400)
            self.end_headers()
            self.wfile.write(b'{"__type": "InvalidAction", "message": "fake LocalStack"}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_auto_uses_a_configured_localstack(fake_localstack):
    engine = select(settings(endpoint_url=fake_localstack))
    assert isinstance(engine, LocalStackEngine)
    assert engine.endpoint_url == fake_localstack
    assert engine.client("s3").meta.endpoint_url == fake_localstack
    assert engine.client("datapipeline").meta.endpoint_url == fake_localstack  # not in localstack-client's map


def test_localstack_host_is_read_like_localstack_client(fake_localstack):
    host = fake_localstack.removeprefix("http://")
    engine = select(settings(localstack_host=host))
    assert engine.endpoint_url == fake_localstack


def test_localstack_reports_services_that_do_not_answer(fake_localstack):
    class Broken(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/_localstack/health" else 500)
            self.end_headers()
            self.wfile.write(json.dumps({"services": {"dynamodb": "available"}}).encode()
                             if self.path == "/_localstack/health" else b"{}")

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        engine = select(settings(engine="localstack", endpoint_url=f"http://127.0.0.1:{server.server_address[1]}"))
        assert "does not answer on this LocalStack" in engine.unavailable(["dynamodb"])["dynamodb"]
    finally:
        server.shutdown()


def test_localstack_reports_missing_services_by_name(fake_localstack, monkeypatch):
    monkeypatch.setattr("labkit.engines.localstack.LocalStackEngine.runs_lambda_code", lambda self: True)
    engine = select(settings(engine="localstack", endpoint_url=fake_localstack))
    missing = engine.unavailable(["s3", "sqs", "rds", "lambda"])
    assert set(missing) == {"rds", "lambda"}, missing
    assert "community" in missing["rds"] and "license" in missing["rds"]
    assert missing["lambda"] == "disabled on this LocalStack"


def test_require_stops_early_with_a_friendly_message(fake_localstack):
    from labkit import engines, require

    previous = engines.use(select(settings(engine="localstack", endpoint_url=fake_localstack)))
    try:
        with pytest.raises(ServiceUnavailable, match=r"rds: not available on LocalStack community"):
            require("s3", "rds")
    finally:
        engines.use(previous)


def test_unreachable_localstack_says_what_to_do():
    engine = select(settings(engine="localstack", endpoint_url=f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(EngineUnavailable, match="docker compose up -d"):
        engine.unavailable(["s3"])


def test_auto_without_localstack_starts_the_embedded_engine(monkeypatch):
    monkeypatch.setattr("labkit.engines.health", lambda url, timeout: None)  # nothing on localhost:4566
    engine = select(settings())
    try:
        assert engine.name == "embedded"
        assert engine.endpoint_url.startswith("http://127.0.0.1:")
        s3 = engine.client("s3")
        s3.create_bucket(Bucket="dva-auto-engine-check")  # the process's engines share one state: not empty
        assert "dva-auto-engine-check" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
        s3.delete_bucket(Bucket="dva-auto-engine-check")
    finally:
        engine.stop()


def test_embedded_engine_port_taken_is_a_short_message():
    import socket

    from labkit.engines.embedded import EmbeddedEngine

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(EngineUnavailable, match="could not listen on 127.0.0.1"):
            EmbeddedEngine("us-east-1", port=taken.getsockname()[1]).start()


def test_real_aws_needs_explicit_confirmation():
    with pytest.raises(AwsNotConfirmed, match="LABKIT_AWS_CONFIRM=I-understand-costs"):
        select(settings(engine="aws"))
    engine = select(settings(engine="aws", aws_confirm="I-understand-costs"))
    assert engine.name == "aws" and engine.endpoint_url is None and engine.credentials == {}


def test_unknown_engine_is_named():
    with pytest.raises(LabkitError, match="is not an engine; use one of auto, embedded, browser, ministack, localstack, aws"):
        select(settings(engine="moto"))


def test_doctor_prints_a_short_message_not_a_traceback():
    result = subprocess.run([sys.executable, "-m", "labkit", "doctor"], capture_output=True, text=True,
                            env={"PATH": "", "LABKIT_ENGINE": "aws"}, timeout=60)
    assert result.returncode == 1
    assert result.stdout.startswith("labkit: LABKIT_ENGINE=aws runs the labs against real AWS")
    assert "Traceback" not in result.stdout + result.stderr


def test_localstack_without_docker_cannot_run_lambda_code(fake_localstack, monkeypatch):
    monkeypatch.setattr("labkit.engines.localstack.localstack_info", lambda url: {"is_docker": False})
    monkeypatch.setattr("labkit.engines.localstack.docker_daemon_answers", lambda: False)
    engine = select(settings(engine="localstack", endpoint_url=fake_localstack))
    engine._health = {"services": {"lambda": "available"}}
    assert "in Docker containers" in engine.unavailable(["lambda"])["lambda"]
    monkeypatch.setattr("labkit.engines.localstack.localstack_info", lambda url: {"is_docker": True})
    assert engine.unavailable(["lambda"]) == {}


@pytest.mark.parametrize("name, emulator", [("embedded", True), ("shared", True), ("browser", True),
                                            ("localstack", False), ("ministack", False), ("aws", False)])
def test_only_labkits_own_engines_are_labkits_emulator(name, emulator):
    from labkit.engines.base import Engine

    assert Engine(name=name, region="us-east-1").is_labkit_emulator is emulator
