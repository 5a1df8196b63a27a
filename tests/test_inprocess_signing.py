"""speedups-inprocess-signing: a request the embedded engine answers in this process skips SigV4's signature only
while nothing reads it; IAM enforcement, moto's own auth, presigned URLs and other endpoints get botocore's."""
from __future__ import annotations

import re

import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

from labkit import name
from labkit.emulator import speedups
from labkit.engines.inprocess import RawBody
from labkit.engines.iam_enforcement import enforce_iam

COMPUTED = re.compile(r"Signature=[0-9a-f]{64}$")


def sent_authorization(client, call) -> str:
    """The Authorization header of the request ``call`` makes with ``client`` (as botocore sends it)."""
    seen = []
    client.meta.events.register("before-send", lambda request, **_: seen.append(request.headers["Authorization"]))
    call()
    return seen[-1].decode() if isinstance(seen[-1], bytes) else seen[-1]


@pytest.fixture()
def user_keys(engine):
    """An IAM user allowed everything, and its access key (deleted after the test)."""
    iam = engine.client("iam")
    user = name("sig-user")
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    iam.put_user_policy(UserName=user, PolicyName="all", PolicyDocument='{"Version": "2012-10-17", "Statement": '
                        '[{"Effect": "Allow", "Action": "*", "Resource": "*"}]}')
    key = iam.create_access_key(UserName=user)["AccessKey"]
    yield {"arn": arn, "aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    from labkit.inventory.iam import delete_user

    delete_user(iam, user)


def test_answered_in_process_the_signature_is_not_computed(engine):
    s3, sqs = engine.client("s3"), engine.client("sqs")
    header = sent_authorization(s3, s3.list_buckets)
    assert header.endswith(f"Signature={speedups.UNCOMPUTED_SIGNATURE}")
    scope = f"Credential={engine.credentials['aws_access_key_id']}/"
    assert header.startswith(f"AWS4-HMAC-SHA256 {scope}") and f"/{engine.region}/s3/aws4_request, " in header
    assert "SignedHeaders=host;x-amz-content-sha256;x-amz-date, " in header  # botocore's list, as signed
    header = sent_authorization(sqs, sqs.list_queues)
    assert header.endswith(speedups.UNCOMPUTED_SIGNATURE) and "/sqs/aws4_request" in header


def test_the_account_and_identity_come_from_the_key_not_the_signature(engine, user_keys):
    sts = engine.client("sts", aws_access_key_id=user_keys["aws_access_key_id"],
                        aws_secret_access_key=user_keys["aws_secret_access_key"])
    assert sent_authorization(sts, sts.get_caller_identity).endswith(speedups.UNCOMPUTED_SIGNATURE)
    assert sts.get_caller_identity()["Arn"] == user_keys["arn"]


def test_enforced_iam_reads_a_computed_signature(engine, user_keys):
    keys = {k: v for k, v in user_keys.items() if k != "arn"}
    s3 = engine.client("s3", **keys)
    wrong = engine.client("s3", aws_access_key_id=keys["aws_access_key_id"], aws_secret_access_key="not-the-secret")
    with enforce_iam():
        assert COMPUTED.search(sent_authorization(s3, s3.list_buckets))
        with pytest.raises(ClientError, match="SignatureDoesNotMatch"):
            wrong.list_buckets()
    assert sent_authorization(s3, s3.list_buckets).endswith(speedups.UNCOMPUTED_SIGNATURE)


def test_moto_own_auth_reads_a_computed_signature(engine, monkeypatch):
    from moto import settings

    monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", 10 ** 9)  # moto would check from that request on
    s3 = engine.client("s3")
    assert COMPUTED.search(sent_authorization(s3, s3.list_buckets))


def test_a_request_that_leaves_the_process_is_signed(engine):
    client = engine.session().client("s3", endpoint_url="http://127.0.0.1:9", region_name="us-east-1",
                                     aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    client.meta.events.register("before-send", lambda request, **_: AWSResponse(
        request.url, 200, {}, RawBody(b'<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>')))
    assert COMPUTED.search(sent_authorization(client, client.list_buckets))


def test_presigned_urls_carry_a_computed_signature(engine):
    s3 = engine.client("s3", config=Config(signature_version="s3v4"))
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
    assert re.search(r"X-Amz-Signature=[0-9a-f]{64}(&|$)", url)


def test_skipped_signing_lists_the_headers_botocore_signs(engine):
    """SignedHeaders names what botocore's own signer would have signed (user-agent and expect left out, host in)."""
    from botocore.auth import AUTH_TYPE_MAPS, S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    credentials = Credentials("AKIDEXAMPLE", "secret", "session-token")
    headers = {"Content-Type": "text/plain", "Expect": "100-continue", "X-Amz-Meta-Mine": "1", "User-Agent": "t"}
    for version, botocore_signer in (("v4", SigV4Auth), ("s3v4", S3SigV4Auth)):
        sent = []
        for signer in (AUTH_TYPE_MAPS[version], botocore_signer):
            request = AWSRequest("PUT", f"{engine.endpoint_for('s3')}/b/k", data=b"x", headers=dict(headers))
            signer(credentials, "s3", "us-east-1").add_auth(request)
            sent.append(request.headers["Authorization"])
        ours, theirs = sent
        assert ours.endswith(speedups.UNCOMPUTED_SIGNATURE) and COMPUTED.search(theirs)
        listed = [re.search(r"SignedHeaders=([^,]*)", header).group(1) for header in sent]
        assert listed[0] == listed[1] and "host" in listed[0].split(";") and "expect" not in listed[0], version
