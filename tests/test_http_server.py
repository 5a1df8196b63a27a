"""The embedded engine's keep-alive HTTP server: connections reused, bodies framed exactly, closed on stop."""
from __future__ import annotations

import http.client
import io
import threading

import pytest

from labkit.engines.embedded import EmbeddedEngine
from labkit.engines.http_server import KeepAliveServer


@pytest.fixture(scope="module")
def fresh():
    """An engine of its own, so connection counts are this module's alone."""
    engine = EmbeddedEngine("us-east-1").start()
    yield engine
    engine.stop()


def count_connections(server: KeepAliveServer) -> list:
    accepted = []
    original = server.process_request

    def counting(request, client_address):
        accepted.append(client_address)
        original(request, client_address)

    server.process_request = counting
    return accepted


def test_a_client_reuses_one_connection(fresh):
    s3 = fresh.client("s3")
    s3.list_buckets()
    accepted = count_connections(fresh._server)
    for _ in range(20):
        s3.list_buckets()
    assert len(accepted) == 0, f"{len(accepted)} new connections for 20 calls on an open one"


def test_bodies_and_heads_keep_the_connection_in_step(fresh):
    s3 = fresh.client("s3")
    s3.create_bucket(Bucket="keepalive-framing")
    big = bytes(range(256)) * 8192  # 2 MiB: botocore sends Expect: 100-continue
    s3.put_object(Bucket="keepalive-framing", Key="big", Body=big, Metadata={"my_key": "underscored"})
    head = s3.head_object(Bucket="keepalive-framing", Key="big")
    assert head["ContentLength"] == len(big)
    assert head["Metadata"] == {"my_key": "underscored"}  # moto's S3 metadata spelling survives
    assert s3.get_object(Bucket="keepalive-framing", Key="big")["Body"].read() == big
    s3.delete_object(Bucket="keepalive-framing", Key="big")
    s3.delete_bucket(Bucket="keepalive-framing")


def test_a_chunked_upload_is_read_to_its_end(fresh):
    host, port = fresh.endpoint_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("PUT", "/chunked-upload", headers={"Host": f"{host}:{port}"})
    assert connection.getresponse().read() is not None
    connection.request("PUT", "/chunked-upload/note.txt", body=io.BytesIO(b"first part, second part"),
                       headers={"Transfer-Encoding": "chunked", "Content-Type": "text/plain"},
                       encode_chunked=True)
    response = connection.getresponse()
    response.read()
    assert response.status == 200
    connection.request("GET", "/_labkit/health")  # same connection: the upload left nothing behind
    assert b'"engine": "embedded"' in connection.getresponse().read()
    s3 = fresh.client("s3")
    assert s3.get_object(Bucket="chunked-upload", Key="note.txt")["Body"].read() == b"first part, second part"
    fresh.client("s3").delete_object(Bucket="chunked-upload", Key="note.txt")
    fresh.client("s3").delete_bucket(Bucket="chunked-upload")
    connection.close()


def test_an_app_error_is_a_500_and_the_connection_stays_usable(capsys):
    def app(environ, start_response):
        if environ["PATH_INFO"] == "/boom":
            raise RuntimeError("emulator bug")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"fine"]

    server = KeepAliveServer("127.0.0.1", 0, app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        connection.request("GET", "/boom")
        response = connection.getresponse()
        assert (response.status, response.read()) == (500, b"Internal Server Error")
        connection.request("GET", "/after")
        assert connection.getresponse().read() == b"fine"
        err = capsys.readouterr().err
        assert "labkit engine: error on GET /boom: RuntimeError: emulator bug" in err
        assert len(err.strip().splitlines()) == 1, err  # one line, never the engine's traceback
    finally:
        server.shutdown()
        server.server_close()


def test_stopping_the_engine_closes_open_connections():
    engine = EmbeddedEngine("us-east-1").start()
    host, port = engine.endpoint_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/_labkit/health")
    assert connection.getresponse().read()
    engine.stop()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        connection.request("GET", "/_labkit/health")
        connection.getresponse()
