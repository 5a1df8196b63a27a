"""A workshop key's S3 client presigns with Signature Version 4, the only presigned URLs ``labkit serve`` accepts
in workshop mode (labkit/engines/sigv4.py); botocore's default in us-east-1 is Signature Version 2, which made the
s3-in-depth lab's presigned GET and PUT fail with 403 in a student's account."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from labkit.engines.shared import SharedEngine

KEY = {"aws_access_key_id": "AKIAABCDEFGHIJKLMNOP", "aws_secret_access_key": "x" * 40}


def test_a_keyed_engine_presigns_s3_urls_with_sigv4():
    engine = SharedEngine("us-east-1", "http://127.0.0.1:9", "100000000001", credentials=KEY)  # no call is made
    for client in (engine.client("s3"), engine.resource("s3").meta.client):
        for operation in ("get_object", "put_object"):
            url = client.generate_presigned_url(operation, Params={"Bucket": "b", "Key": "k"}, ExpiresIn=60)
            query = parse_qs(urlsplit(url).query)
            assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"], url
            assert query["X-Amz-Credential"][0].startswith(KEY["aws_access_key_id"] + "/"), url
