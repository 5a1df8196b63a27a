"""S3 security: bucket-policy conditions (TLS, encryption headers), presigned-URL expiry and CORS preflights, as
the Amazon S3 User Guide documents them."""
from __future__ import annotations

import json
import time

import pytest
import requests
from botocore.exceptions import ClientError

import labkit
from labkit.emulator import s3 as s3_emulator
from labkit.inventory.core import delete_bucket


@pytest.fixture()
def bucket(engine):
    s3 = labkit.client("s3")
    name = labkit.name("secure")
    s3.create_bucket(Bucket=name)
    yield name
    s3.delete_bucket_policy(Bucket=name)
    delete_bucket(s3, name)


def _policy(bucket, statement):
    return json.dumps({"Version": "2012-10-17", "Statement": [dict(statement, Principal="*")]})


def _code(call):
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"]
    return "OK"


def test_a_deny_unless_sse_kms_refuses_only_the_uploads_without_it(bucket):
    """Bucket policy examples using condition keys / Condition operators: StringNotEquals on
    s3:x-amz-server-side-encryption denies a PutObject without the header (absent key, negated operator: true)
    and one with another value; one with aws:kms passes."""
    s3 = labkit.client("s3")
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, {
        "Effect": "Deny", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}))
    assert _code(lambda: s3.put_object(Bucket=bucket, Key="a", Body=b"x")) == "AccessDenied"
    assert _code(lambda: s3.put_object(Bucket=bucket, Key="a", Body=b"x", ServerSideEncryption="AES256")) \
        == "AccessDenied"
    assert _code(lambda: s3.put_object(Bucket=bucket, Key="a", Body=b"x", ServerSideEncryption="aws:kms")) == "OK"
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"x"  # GetObject: not the denied action


def test_a_null_condition_denies_only_when_the_header_is_missing(bucket):
    """Condition operators, Null: "true" matches when the key is absent from the request."""
    s3 = labkit.client("s3")
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, {
        "Effect": "Deny", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}))
    assert _code(lambda: s3.put_object(Bucket=bucket, Key="a", Body=b"x")) == "AccessDenied"
    assert _code(lambda: s3.put_object(Bucket=bucket, Key="a", Body=b"x", ServerSideEncryption="AES256")) == "OK"


def test_secure_transport_false_denies_plain_http_requests(bucket):
    """aws:SecureTransport is false for a request over plain HTTP (the embedded engine's only transport), so the
    documented 'deny unless TLS' statement refuses it."""
    s3 = labkit.client("s3")
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, {
        "Effect": "Deny", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))
    assert _code(lambda: s3.get_object(Bucket=bucket, Key="a")) == "AccessDenied"


def test_request_values_read_the_scheme_and_headers():
    assert s3_emulator.request_values("https://h/b/k", {})["aws:securetransport"] == "true"
    values = s3_emulator.request_values("http://h/b/k", {"x-amz-server-side-encryption": "aws:kms"})
    assert values == {"aws:securetransport": "false", "s3:x-amz-server-side-encryption": "aws:kms"}


def test_condition_operators_follow_the_documented_missing_key_rules():
    holds = s3_emulator.condition_holds
    assert holds({"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}, {})  # negated, absent: true
    assert not holds({"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}, {})  # absent: false
    assert holds({"StringEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}, {})
    assert holds({"Bool": {"aws:SecureTransport": False}}, {"aws:securetransport": "false"})
    assert not holds({"Null": {"s3:x-amz-server-side-encryption": "false"}}, {})


def test_string_like_matches_wildcards_case_sensitively():
    """IAM JSON policy elements: Condition operators: StringLike is case-sensitive, * is any run of characters and
    ? one character; StringNotLike is its negation, true when the key is absent."""
    holds = s3_emulator.condition_holds
    key = "s3:x-amz-server-side-encryption-aws-kms-key-id"
    arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab"
    assert holds({"StringLike": {key: "arn:aws:kms:*:123456789012:key/*"}}, {key: arn})
    assert holds({"StringLike": {key: "arn:aws:kms:us-east-?:*"}}, {key: arn})
    assert not holds({"StringLike": {key: "arn:aws:kms:us-east-??:*"}}, {key: arn})
    assert not holds({"StringLike": {key: "ARN:AWS:KMS:*"}}, {key: arn})
    assert not holds({"StringLike": {key: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab."}}, {key: arn})
    assert not holds({"StringNotLike": {key: ["other", "arn:aws:kms:*"]}}, {key: arn})
    assert holds({"StringNotLike": {key: arn}}, {})
    assert s3_emulator.conditions_supported({"Statement": [{"Condition": {"StringNotLikeIfExists": {key: arn}}}]})


def test_a_deny_string_not_like_the_key_arn_admits_only_that_key(bucket):
    """A Deny with StringNotLike on the KMS key ARN refuses uploads with no key or another key, and admits the one
    with that key (Condition operators; Specifying server-side encryption with AWS KMS (SSE-KMS))."""
    s3 = labkit.client("s3")
    kms = labkit.client("kms")
    key, other = (kms.create_key()["KeyMetadata"]["Arn"] for _ in range(2))
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, {
        "Effect": "Deny", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"StringNotLike": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key}}}))
    put = lambda **kw: _code(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", **kw))  # noqa: E731
    assert put() == "AccessDenied"
    assert put(ServerSideEncryption="aws:kms", SSEKMSKeyId=other) == "AccessDenied"
    assert put(ServerSideEncryption="aws:kms", SSEKMSKeyId=key) == "OK"
    for arn in (key, other):
        kms.schedule_key_deletion(KeyId=arn.split("/")[-1], PendingWindowInDays=7)


def test_a_deny_of_get_object_refuses_head_object_too(bucket):
    """HeadObject needs the s3:GetObject permission (HeadObject, Amazon S3 API Reference), so a bucket policy that
    denies s3:GetObject over plain HTTP refuses HeadObject there as well."""
    s3 = labkit.client("s3")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, {
        "Effect": "Deny", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))
    assert _code(lambda: s3.get_object(Bucket=bucket, Key="k")) == "AccessDenied"
    assert _code(lambda: s3.head_object(Bucket=bucket, Key="k")) in ("403", "AccessDenied")  # HEAD has no body
    s3.delete_bucket_policy(Bucket=bucket)
    assert _code(lambda: s3.head_object(Bucket=bucket, Key="k")) == "OK"


def test_a_policy_with_other_condition_keys_is_left_to_moto():
    policy = {"Statement": [{"Effect": "Deny", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}
    assert not s3_emulator.conditions_supported(policy)


def test_an_expired_presigned_url_is_refused(bucket):
    """Sharing objects with presigned URLs: after its expiry a presigned URL gets 403 AccessDenied."""
    s3 = labkit.client("s3")
    labkit.engine().endpoint_url  # noqa: B018 - the HTTP front serves from here on
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "a"}, ExpiresIn=1)
    assert requests.get(url, timeout=10).content == b"x"
    time.sleep(2.1)
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 403 and b"Request has expired" in answer.content


def test_a_preflight_is_answered_by_the_rule_matching_origin_method_and_headers(bucket):
    """How Amazon S3 evaluates the CORS configuration: the first rule matching the preflight's origin, method and
    headers answers it; with none, 403."""
    s3 = labkit.client("s3")
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{
        "AllowedOrigins": ["https://shop.example.com"], "AllowedMethods": ["GET", "PUT"],
        "AllowedHeaders": ["content-type"], "MaxAgeSeconds": 600}]})
    url = f"{labkit.engine().endpoint_url}/{bucket}/photo.jpg"

    def ask(origin, method, headers=""):
        extra = {"Access-Control-Request-Headers": headers} if headers else {}
        return requests.options(url, timeout=10, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                                          **extra})

    ok = ask("https://shop.example.com", "PUT", "content-type")
    assert ok.status_code == 200 and ok.headers["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert ok.headers["Access-Control-Max-Age"] == "600"
    assert ask("https://evil.example.net", "PUT").status_code == 403
    assert ask("https://shop.example.com", "DELETE").status_code == 403  # moto: 200
    assert ask("https://shop.example.com", "PUT", "x-secret").status_code == 403


def test_moto_still_ignores_the_context_of_bucket_policy_conditions():
    """moto's own check denies a conditional Deny even for a request that does not match it: when this fails,
    moto evaluates conditions upstream and labkit's patch can go."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    policy = json.dumps({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                                        "Resource": "arn:aws:s3:::b/*",
                                        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
    assert IAMPolicy(policy).is_action_permitted("s3:PutObject", "arn:aws:s3:::b/k",
                                                 incoming_condition_values={"aws:SecureTransport": "true"}) \
        == PermissionResult.DENIED
