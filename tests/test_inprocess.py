"""In-process dispatch on the embedded engine: the kernel's calls skip HTTP; the lazy HTTP front shares the state."""
from __future__ import annotations

import json
import os
import urllib.request

import boto3
import pytest

from labkit.engines import inprocess
from labkit.engines.embedded import EmbeddedEngine
from labkit.errors import LabkitError


@pytest.fixture()
def fresh():
    """An in-process engine of its own (the process's engines share moto's state, not their front)."""
    engine = EmbeddedEngine("us-east-1", dispatch="inprocess").start()
    yield engine
    engine.stop()


def test_labkit_clients_are_answered_without_http(fresh):
    s3 = fresh.client("s3")
    before = inprocess.dispatcher.calls
    s3.create_bucket(Bucket="inprocess-no-http")
    assert "inprocess-no-http" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.delete_bucket(Bucket="inprocess-no-http")
    assert inprocess.dispatcher.calls - before == 3
    assert not fresh.front_serving, "no call needed the HTTP front, so it must not serve"


def test_plain_boto3_in_the_kernel_lands_on_the_engine(fresh):
    fresh.client("sqs").create_queue(QueueName="inprocess-plain-boto3")
    before = inprocess.dispatcher.calls
    sqs = boto3.client("sqs", region_name="us-east-1")  # no endpoint_url: an AWS hostname
    assert sqs.meta.endpoint_url.endswith(".amazonaws.com")
    urls = sqs.list_queues(QueueNamePrefix="inprocess-plain")["QueueUrls"]
    assert [url.rsplit("/", 1)[-1] for url in urls] == ["inprocess-plain-boto3"]
    assert inprocess.dispatcher.calls - before == 1  # answered here, never sent to AWS
    assert os.environ["AWS_ACCESS_KEY_ID"] == fresh.credentials["aws_access_key_id"]  # dummy keys, not the learner's
    sqs.delete_queue(QueueUrl=urls[0])


def test_the_aws_engine_captures_nothing(fresh, monkeypatch):
    class Aws:
        name = "aws"

    assert inprocess.dispatcher.engine_for("s3.us-east-1.amazonaws.com") is not None
    monkeypatch.setattr("labkit.engines._current", Aws())
    assert inprocess.dispatcher.engine_for("s3.us-east-1.amazonaws.com") is None
    assert inprocess.dispatcher.engine_for("localhost:4566") is None  # LocalStack's and others' addresses too


def test_reading_endpoint_url_starts_the_front_on_the_same_state(fresh):
    fresh.client("s3").create_bucket(Bucket="inprocess-seen-over-http")
    assert not fresh.front_serving
    url = fresh.endpoint_url
    assert fresh.front_serving and url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url + "/_labkit/health", timeout=10) as response:
        assert json.load(response)["engine"] == "embedded"
    with urllib.request.urlopen(url + "/", timeout=10) as response:  # ListBuckets, as a terminal would ask
        assert b"<Name>inprocess-seen-over-http</Name>" in response.read()
    fresh.client("s3").delete_bucket(Bucket="inprocess-seen-over-http")


def test_a_presigned_url_is_served_over_http(fresh):
    s3 = fresh.client("s3")
    s3.create_bucket(Bucket="inprocess-presigned")
    s3.put_object(Bucket="inprocess-presigned", Key="a.txt", Body=b"fetched by urllib")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "inprocess-presigned", "Key": "a.txt"})
    assert fresh.front_serving  # presigning started it: urllib cannot use the in-process path
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"fetched by urllib"
    s3.delete_object(Bucket="inprocess-presigned", Key="a.txt")
    s3.delete_bucket(Bucket="inprocess-presigned")


def test_a_non_default_account_stays_apart_in_process():
    from moto.s3.models import s3_backends

    other = EmbeddedEngine("us-east-1", account_id="210987654321", dispatch="inprocess").start()
    try:
        other.client("s3").create_bucket(Bucket="inprocess-other-account")
        assert "inprocess-other-account" in s3_backends["210987654321"]["aws"].buckets
        assert "inprocess-other-account" not in s3_backends["123456789012"]["aws"].buckets
        other.client("s3").delete_bucket(Bucket="inprocess-other-account")
    finally:
        other.stop()


def test_s3_metadata_and_big_bodies_survive_in_process(fresh):
    s3 = fresh.client("s3")
    s3.create_bucket(Bucket="inprocess-framing")
    big = bytes(range(256)) * 8192
    s3.put_object(Bucket="inprocess-framing", Key="big", Body=big, Metadata={"my_key": "underscored"})
    head = s3.head_object(Bucket="inprocess-framing", Key="big")
    assert head["ContentLength"] == len(big) and head["Metadata"] == {"my_key": "underscored"}
    assert s3.get_object(Bucket="inprocess-framing", Key="big")["Body"].read() == big
    s3.delete_object(Bucket="inprocess-framing", Key="big")
    s3.delete_bucket(Bucket="inprocess-framing")


def test_an_engine_error_is_a_500_in_process_too(fresh, capsys, monkeypatch):
    def broken(environ, start_response):
        raise RuntimeError("emulator bug")

    monkeypatch.setattr(fresh, "app", broken)
    response = inprocess.respond(fresh.app, "GET", fresh._url + "/", [], b"")
    assert (response.status_code, response.content) == (500, b"Internal Server Error")
    assert "labkit engine: error on GET /: RuntimeError: emulator bug" in capsys.readouterr().err


def test_an_unknown_dispatch_says_what_to_set(monkeypatch):
    monkeypatch.setenv("LABKIT_DISPATCH", "carrier-pigeon")
    with pytest.raises(LabkitError, match="LABKIT_DISPATCH='carrier-pigeon' is not a dispatch; use one of inprocess"):
        EmbeddedEngine("us-east-1")


def test_stopping_the_last_engine_restores_the_environment(monkeypatch):
    saved = inprocess._saved_environment
    engines = list(inprocess.dispatcher._engines)
    for engine in engines:  # this process's other engines, set aside for the test
        inprocess.dispatcher.remove(engine)
    monkeypatch.setattr(inprocess, "_saved_environment", None)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "learner-own-key")
    try:
        engine = EmbeddedEngine("us-east-1", dispatch="inprocess").start()
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        engine.stop()
        assert os.environ["AWS_ACCESS_KEY_ID"] == "learner-own-key"
    finally:
        for engine in engines:
            inprocess.dispatcher.add(engine, engine.port)
        inprocess._saved_environment = saved


def test_the_app_sees_the_same_request_in_process_as_over_http():
    """make_environ gives the WSGI app the headers, path and body the HTTP front gives it for the same request:
    repeated headers joined, S3 metadata spelling kept, underscored names dropped, Transfer-Encoding/Expect left
    out, Content-Length the body's; werkzeug reads the body the same."""
    import http.client
    import threading

    from moto.moto_server.werkzeug_app import BackendRequest

    from labkit.engines.http_server import KeepAliveServer
    from labkit.engines.inprocess import make_environ

    seen = []

    def app(environ, start_response):
        seen.append(dict(environ, body=BackendRequest(environ).get_data()))
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]

    server = KeepAliveServer("127.0.0.1", 0, app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{server.server_address[1]}"
    headers = [("Host", host), ("X-Amz-Meta-my_key", "v"), ("x-amz-meta-Other", "w"), ("X-Amz-Date", "20261201T000000Z"),
               ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "AmazonSSM.GetParameter"),
               ("Accept", "a"), ("Accept", "b"), ("some_name", "dropped"), ("Content-Length", "9")]
    body = b'{"a": 1}\n'
    try:
        connection = http.client.HTTPConnection(host)
        connection.putrequest("POST", "/a%2Fb/c%20d?x=1&y=%2F", skip_host=True, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders(body)
        connection.getresponse().read()
        connection.close()
    finally:
        server.shutdown()
        server.server_close()
    over_http = seen[0]
    in_process = make_environ("POST", f"http://{host}/a%2Fb/c%20d?x=1&y=%2F",
                              [*headers[:-1], ("Transfer-Encoding", "chunked"), ("Expect", "100-continue")], body)
    app(in_process, lambda *_: None)
    kept = ("CONTENT_TYPE", "CONTENT_LENGTH", "PATH_INFO", "QUERY_STRING", "RAW_URI", "REQUEST_METHOD", "body",
            "moto.preserved_header_names")
    for environ in (over_http, seen[1]):
        environ.pop("HTTP_CONNECTION", None)
    picked = [{key: value for key, value in environ.items() if key in kept or key.startswith("HTTP_")}
              for environ in (over_http, seen[1])]
    assert picked[0] == picked[1]
    assert picked[1]["HTTP_ACCEPT"] == "a,b" and picked[1]["HTTP_X_AMZ_META_MY_KEY"] == "v"
    assert "HTTP_SOME_NAME" not in picked[1] and "HTTP_TRANSFER_ENCODING" not in picked[1]


def test_header_pairs_are_botocore_s_items():
    """The request's (name, value) pairs equal list(headers.items()) for botocore's HeadersDict (names as set, the
    first spelling kept, in order) and for any other mapping."""
    from botocore.awsrequest import HeadersDict

    headers = HeadersDict({"Content-Type": "a", "X-Amz-Date": "d", "x-amz-meta-My_Key": "v"})
    headers["content-type"] = "b"
    headers["Expect"] = "100-continue"
    del headers["x-amz-date"]
    for given in (headers, {"A": "1", "b": "2"}):
        assert inprocess.header_pairs(given) == list(given.items())
    assert inprocess.header_pairs(headers)[0] == ("Content-Type", "b")
