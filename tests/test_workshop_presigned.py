"""Workshop mode verifies presigned URLs (SigV4 query-string authentication) with the student's key and serves them
in the key's account; an expired, changed, foreign or malformed one is refused. A signed request whose X-Amz-Date is
more than 15 minutes from the server's clock (a replay, or a bad clock) is refused as AWS refuses it."""
from __future__ import annotations

import datetime
import urllib.error
import urllib.request

import botocore.auth
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from labkit.engines import sigv4
from workshop_server import StudentEngine, WorkshopServer

NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})


@pytest.fixture(scope="module")
def workshop():
    with WorkshopServer(students=2) as server:
        one, two = server.students
        engines = [server.engine(one), server.engine(two)]
        engines[0].client("s3").create_bucket(Bucket="one-shares")
        engines[0].client("s3").put_object(Bucket="one-shares", Key="report.txt", Body=b"one's report")
        engines[1].client("s3").create_bucket(Bucket="two-private")
        engines[1].client("s3").put_object(Bucket="two-private", Key="secret.txt", Body=b"two's secret")
        yield server.url, engines, (one, two)
        server.check()


def fetch(url: str, method: str = "GET", data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method=method,  # urllib's default type is a form's
                                     headers={"Content-Type": "application/octet-stream"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def error_code(body: bytes) -> str:
    text = body.decode()
    return text.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in text else text


def presign(engine, method: str, params: dict, expires: int = 300, http_method: str | None = None) -> str:
    s3 = engine.client("s3", config=Config(signature_version="s3v4"))
    return s3.generate_presigned_url(method, Params=params, ExpiresIn=expires, HttpMethod=http_method)


def signed_at(monkeypatch, moment: datetime.datetime) -> None:
    """botocore in this test process signs as if its clock read ``moment`` (the server's clock is untouched)."""
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: moment.replace(tzinfo=None))


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


# --- presigned URLs ----------------------------------------------------------------------------------------------

def test_a_presigned_get_and_put_work_in_the_signers_account(workshop):
    _, (one, _), _ = workshop
    status, body = fetch(presign(one, "get_object", {"Bucket": "one-shares", "Key": "report.txt"}))
    assert (status, body) == (200, b"one's report")
    put = presign(one, "put_object", {"Bucket": "one-shares", "Key": "upload.txt"})
    assert fetch(put, "PUT", b"uploaded through a presigned URL")[0] == 200
    assert one.client("s3").get_object(Bucket="one-shares", Key="upload.txt")["Body"].read() == \
        b"uploaded through a presigned URL"
    # usable more than once, until it expires
    assert fetch(presign(one, "get_object", {"Bucket": "one-shares", "Key": "upload.txt"}))[0] == 200


def test_a_presigned_url_works_when_the_student_also_names_their_account(workshop):
    """LABKIT_ACCOUNT_ID set beside the key (optional, and then the key's account): labkit's clients send the account
    header, but a presigned URL must not be signed over it, since whoever fetches the URL sends no such header."""
    url, _, (key, _) = workshop
    named = StudentEngine("us-east-1", url, key["account_id"], credentials={
        "aws_access_key_id": key["access_key_id"], "aws_secret_access_key": key["secret_access_key"]})
    assert named.client("s3").head_object(Bucket="one-shares", Key="report.txt")["ContentLength"] == 12
    assert fetch(presign(named, "get_object", {"Bucket": "one-shares", "Key": "report.txt"})) == (200, b"one's report")


def test_an_expired_presigned_url_is_refused(workshop, monkeypatch):
    _, (one, _), _ = workshop
    signed_at(monkeypatch, now() - datetime.timedelta(hours=2))
    url = presign(one, "get_object", {"Bucket": "one-shares", "Key": "report.txt"}, expires=3600)
    monkeypatch.undo()
    status, body = fetch(url)
    assert (status, error_code(body)) == (403, "AccessDenied") and b"Request has expired" in body


def test_a_changed_presigned_url_is_refused(workshop):
    _, (one, _), _ = workshop
    url = presign(one, "get_object", {"Bucket": "one-shares", "Key": "report.txt"})
    for changed in (url.replace("report.txt", "upload.txt"),            # another object
                    url.replace("X-Amz-Expires=300", "X-Amz-Expires=600"),  # a longer life
                    url[:-4] + ("0000" if not url.endswith("0000") else "1111")):  # the signature itself
        assert changed != url
        status, body = fetch(changed)
        assert (status, error_code(body)) == (403, "SignatureDoesNotMatch"), changed
    # the method is signed too: a GET URL does not PUT
    status, body = fetch(url, "PUT", b"overwrite")
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")


def test_a_presigned_url_reaches_only_its_signers_account(workshop):
    _, (one, _), (_, two_key) = workshop
    status, body = fetch(presign(one, "get_object", {"Bucket": "two-private", "Key": "secret.txt"}))
    assert (status, error_code(body)) == (403, "AccessDenied") and b"secret" not in body.replace(b"secret.txt", b"")
    # signed with a key the server did not issue, or with someone else's secret under one's key id
    stranger = StudentEngine("us-east-1", one.endpoint_url, None, credentials={
        "aws_access_key_id": "AKIAUNKNOWN000000000", "aws_secret_access_key": "x" * 40})
    status, body = fetch(presign(stranger, "get_object", {"Bucket": "one-shares", "Key": "report.txt"}))
    assert (status, error_code(body)) == (403, "InvalidClientTokenId")
    borrowed = StudentEngine("us-east-1", one.endpoint_url, None, credentials={
        "aws_access_key_id": one.credentials["aws_access_key_id"],
        "aws_secret_access_key": two_key["secret_access_key"]})
    status, body = fetch(presign(borrowed, "get_object", {"Bucket": "one-shares", "Key": "report.txt"}))
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")


def test_malformed_and_signature_version_2_presigned_urls_are_refused(workshop):
    _, (one, _), _ = workshop
    url = presign(one, "get_object", {"Bucket": "one-shares", "Key": "report.txt"})
    status, body = fetch(url.replace("X-Amz-Expires=300", "X-Amz-Expires=604801"))
    assert (status, error_code(body)) == (400, "AuthorizationQueryParametersError")
    status, body = fetch("&".join(p for p in url.split("&") if not p.startswith("X-Amz-Date=")))
    assert (status, error_code(body)) == (400, "AuthorizationQueryParametersError")
    v2 = one.client("s3", config=Config(signature_version="s3")).generate_presigned_url(
        "get_object", Params={"Bucket": "one-shares", "Key": "report.txt"})
    assert "AWSAccessKeyId=" in v2
    status, body = fetch(v2)
    assert (status, error_code(body)) == (403, "AccessDenied")


# --- request time (replay) ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("minutes", [-16, 16])
def test_a_request_signed_more_than_15_minutes_off_is_refused(workshop, monkeypatch, minutes):
    _, (one, _), _ = workshop
    s3, sqs = one.client("s3", config=NO_RETRY), one.client("sqs", config=NO_RETRY)
    signed_at(monkeypatch, now() + datetime.timedelta(minutes=minutes))
    with pytest.raises(ClientError) as caught:
        s3.list_objects_v2(Bucket="one-shares")
    error = caught.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (403, "RequestTimeTooSkewed")
    with pytest.raises(ClientError) as caught:
        sqs.list_queues()
    error = caught.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (403, "SignatureDoesNotMatch")
    expected = "Signature expired" if minutes < 0 else "Signature not yet current"
    assert error["Error"]["Message"].startswith(expected), error["Error"]


def test_a_request_signed_within_15_minutes_is_served(workshop, monkeypatch):
    _, (one, _), _ = workshop
    signed_at(monkeypatch, now() - datetime.timedelta(minutes=14))
    assert one.client("s3", config=NO_RETRY).list_objects_v2(Bucket="one-shares")["KeyCount"] >= 1
    assert "QueueUrls" not in one.client("sqs", config=NO_RETRY).list_queues()


def test_request_time_window_edges():
    """The 15-minute rule itself, on both sides of the window and for S3 and other services."""
    server = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)
    stamp = lambda minutes, seconds=0: (server + datetime.timedelta(minutes=minutes, seconds=seconds)).strftime(
        sigv4.AMZ_DATE)
    for inside in (stamp(-15), stamp(15), stamp(0)):
        sigv4.check_request_time(inside, "s3", server)
        sigv4.check_request_time(inside, "sqs", server)
    with pytest.raises(sigv4.Refused) as caught:
        sigv4.check_request_time(stamp(-15, -1), "dynamodb", server)
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.message == "Signature expired: 20260101T114459Z is now earlier than 20260101T114500Z"
    with pytest.raises(sigv4.Refused) as caught:
        sigv4.check_request_time(stamp(15, 1), "s3", server)
    assert (caught.value.code, caught.value.status) == ("RequestTimeTooSkewed", "403 Forbidden")


def test_the_gate_itself_refuses_an_expired_presigned_url():
    """The gate's own expiry rule (labkit's S3 emulator refuses an expired S3 URL too; the gate does for any
    service, before the engine sees the request)."""
    import boto3
    from urllib.parse import parse_qs, urlsplit

    key = sigv4.Key("student-01", "100000000001", "AKIAGATETEST00000001", "s" * 40)
    url = boto3.client("s3", endpoint_url="http://127.0.0.1:4566", region_name="us-east-1",
                       aws_access_key_id=key.access_key_id, aws_secret_access_key=key.secret_access_key,
                       config=Config(signature_version="s3v4")).generate_presigned_url(
        "get_object", Params={"Bucket": "no-such-bucket", "Key": "k"}, ExpiresIn=60)
    parts = urlsplit(url)
    raw_uri, headers = f"{parts.path}?{parts.query}", [("Host", parts.netloc)]
    signed = datetime.datetime.strptime(parse_qs(parts.query)["X-Amz-Date"][0], sigv4.AMZ_DATE).replace(
        tzinfo=datetime.timezone.utc)
    keys = {key.access_key_id: key}
    assert sigv4.verify("GET", raw_uri, headers, b"", keys, now=signed + datetime.timedelta(seconds=60)) == \
        key.account_id
    with pytest.raises(sigv4.Refused) as caught:
        sigv4.verify("GET", raw_uri, headers, b"", keys, now=signed + datetime.timedelta(seconds=61))
    assert (caught.value.code, caught.value.message) == ("AccessDenied", "Request has expired")
