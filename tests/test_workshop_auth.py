"""Workshop keys: ``python -m labkit serve --students 2`` serves each student in their key's account, and refuses
(HTTP 403, AWS-shaped error) unsigned requests, unknown keys, wrong secrets and a spoofed account header (presigned
URLs and request times: tests/test_workshop_presigned.py). What AWS serves unsigned (a user pool's public keys, the
identity pools' GetId) and an IAM user's own key act in their own account; a StackSet cannot deploy into another's.
Every lab, run in a student's account: its solved pass in tests/labnb.py."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from workshop_server import CLIENT_CONFIG, StudentEngine, WorkshopServer


@pytest.fixture(scope="module")
def server():
    with WorkshopServer(students=2) as running:
        yield running
        running.check()


@pytest.fixture
def workshop(server):
    return server.url, server.students, server.keys_path


def engine_of(url: str, key: dict, account_id: str | None = None) -> StudentEngine:
    return StudentEngine("us-east-1", url, account_id, credentials={
        "aws_access_key_id": key["access_key_id"], "aws_secret_access_key": key["secret_access_key"]})


def refusal(call) -> tuple[int, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["ResponseMetadata"]["HTTPStatusCode"], caught.value.response["Error"]["Code"]


def test_each_student_sees_only_their_own_bucket_and_queue(workshop):
    url, (one, two), _ = workshop
    first, second = engine_of(url, one), engine_of(url, two)
    first.client("s3").create_bucket(Bucket="one-bucket")
    first.client("s3").put_object(Bucket="one-bucket", Key="k", Body=b"one's")
    second.client("s3").create_bucket(Bucket="two-bucket")
    second.client("sqs").create_queue(QueueName="two-queue")
    assert [b["Name"] for b in first.client("s3").list_buckets()["Buckets"]] == ["one-bucket"]
    assert [b["Name"] for b in second.client("s3").list_buckets()["Buckets"]] == ["two-bucket"]
    assert "QueueUrls" not in first.client("sqs").list_queues()
    assert [u.rsplit("/", 1)[1] for u in second.client("sqs").list_queues()["QueueUrls"]] == ["two-queue"]
    assert first.client("sts").get_caller_identity()["Account"] == one["account_id"] != two["account_id"]
    assert second.client("sts").get_caller_identity()["Account"] == two["account_id"]


def test_spoofed_unsigned_unknown_and_wrong_secret_are_refused(workshop):
    url, (one, two), _ = workshop
    engine_of(url, two).client("s3").create_bucket(Bucket="two-private")
    spoofed = engine_of(url, one, account_id=two["account_id"])  # one's key, two's account in the header
    assert refusal(lambda: spoofed.client("s3").list_objects_v2(Bucket="two-private")) == (403, "AccessDenied")
    assert refusal(lambda: spoofed.client("sqs").list_queues()) == (403, "AccessDenied")
    unsigned = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                            config=CLIENT_CONFIG.merge(Config(signature_version=UNSIGNED)))
    assert refusal(lambda: unsigned.list_buckets()) == (403, "MissingAuthenticationToken")
    unknown = engine_of(url, {**one, "access_key_id": "AKIAUNKNOWN000000000"})
    assert refusal(lambda: unknown.client("s3").list_buckets()) == (403, "InvalidClientTokenId")
    assert refusal(lambda: unknown.client("dynamodb").list_tables()) == (403, "InvalidClientTokenId")
    wrong = engine_of(url, {**one, "secret_access_key": two["secret_access_key"]})
    assert refusal(lambda: wrong.client("s3").list_buckets()) == (403, "SignatureDoesNotMatch")
    assert refusal(lambda: wrong.client("sqs").list_queues()) == (403, "SignatureDoesNotMatch")
    # another account's role cannot be assumed (moto would otherwise hand out that account's credentials)
    assume = lambda: engine_of(url, one).client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{two['account_id']}:role/any", RoleSessionName="spoof")
    assert refusal(assume) == (403, "AccessDenied")
    # a resource of another account named by ARN (moto alone would deliver this SNS message across accounts)
    topic = engine_of(url, two).client("sns").create_topic(Name="two-topic")["TopicArn"]
    publish = lambda: engine_of(url, one).client("sns").publish(TopicArn=topic, Message="from one")
    assert refusal(publish) == (403, "AccessDenied")
    # another account's bucket, by its global name
    assert refusal(lambda: engine_of(url, one).client("s3").list_objects_v2(Bucket="two-private")) == \
        (403, "AccessDenied")


def test_a_students_lambda_code_calls_back_in_their_own_account(workshop):
    """The execution role's temporary credentials (issued by the server's STS) are verified like a key."""
    from labkit import zip_code

    url, (one, two), _ = workshop
    first = engine_of(url, one)
    first.client("s3").create_bucket(Bucket="one-lambda-sees")
    engine_of(url, two).client("s3").create_bucket(Bucket="two-lambda-hidden")
    role = first.client("iam").create_role(RoleName="one-fn-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = ("import boto3\ndef handler(event, context):\n"
            "    return sorted(b['Name'] for b in boto3.client('s3').list_buckets()['Buckets'])\n")
    first.client("lambda").create_function(FunctionName="one-lists", Runtime="python3.12", Role=role,
                                            Handler="app.handler", Code={"ZipFile": zip_code({"app.py": code})})
    answer = json.loads(first.client("lambda").invoke(FunctionName="one-lists")["Payload"].read())
    assert "one-lambda-sees" in answer and "two-lambda-hidden" not in answer


def test_verdicts_reach_the_instructor_under_each_students_own_name(workshop, monkeypatch):
    from labkit import progress

    url, (one, two), keys_path = workshop
    for key, student_claims, passed in ((one, "student-02", True), (two, None, False)):
        monkeypatch.setenv("LABKIT_ACCESS_KEY_ID", key["access_key_id"])
        monkeypatch.setenv("LABKIT_SECRET_ACCESS_KEY", key["secret_access_key"])
        if student_claims:  # one pretends to be two: the row is still one's
            monkeypatch.setenv("LABKIT_STUDENT", student_claims)
        else:
            monkeypatch.delenv("LABKIT_STUDENT", raising=False)
        progress.record("workshop_auth.own_name", passed=passed, engine=StudentEngine("us-east-1", url, None))
    # a student cannot read (or otherwise use) the instructor's account
    snoop = engine_of(url, one, account_id="999999999999")
    assert refusal(lambda: snoop.client("dynamodb").scan(TableName="labkit-progress")) == (403, "AccessDenied")
    instructor = next(k for k in json.loads(keys_path.read_text()) if k["student"] == "instructor")
    monkeypatch.setenv("LABKIT_ACCESS_KEY_ID", instructor["access_key_id"])
    monkeypatch.setenv("LABKIT_SECRET_ACCESS_KEY", instructor["secret_access_key"])
    rows = progress.class_progress(StudentEngine("us-east-1", url, None))
    mine = [(r["student"], r["passed"]) for r in rows if r["check"] == "workshop_auth.own_name"]
    assert mine == [("student-01", True), ("student-02", False)]


def test_a_body_changed_after_signing_is_refused(workshop):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url, (one, _), _ = workshop

    def send(body: bytes, signed_body: bytes) -> int:
        request = AWSRequest(method="POST", url=url + "/", data=signed_body, headers={
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables"})
        SigV4Auth(Credentials(one["access_key_id"], one["secret_access_key"]), "dynamodb", "us-east-1").add_auth(request)
        sent = urllib.request.Request(url + "/", data=body, method="POST", headers=dict(request.headers.items()))
        try:
            with urllib.request.urlopen(sent, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            assert b"SignatureDoesNotMatch" in error.read()
            return error.code

    assert send(b"{}", b"{}") == 200  # the same request, unchanged, is served
    assert send(b'{"Limit": 1}', b"{}") == 403


def test_an_iam_users_key_acts_in_its_own_account_until_deleted(workshop):
    """iam:CreateAccessKey in a student's account gives a key the server verifies with its secret; it acts in
    that account (as on AWS), a wrong secret or a deleted key is refused."""
    url, (one, two), _ = workshop
    iam = engine_of(url, one).client("iam")
    iam.create_user(UserName="one-dev")
    made = iam.create_access_key(UserName="one-dev")["AccessKey"]
    user_key = {"access_key_id": made["AccessKeyId"], "secret_access_key": made["SecretAccessKey"]}
    assert engine_of(url, user_key).client("sts").get_caller_identity()["Account"] == one["account_id"]
    assert refusal(lambda: engine_of(url, user_key, account_id=two["account_id"]).client("sqs").list_queues()) == \
        (403, "AccessDenied")
    wrong = engine_of(url, {**user_key, "secret_access_key": two["secret_access_key"]})
    assert refusal(lambda: wrong.client("s3").list_buckets()) == (403, "SignatureDoesNotMatch")
    iam.delete_access_key(UserName="one-dev", AccessKeyId=made["AccessKeyId"])
    iam.delete_user(UserName="one-dev")
    assert refusal(lambda: engine_of(url, user_key).client("s3").list_buckets()) == (403, "InvalidClientTokenId")


def test_a_stack_set_deploys_only_into_the_students_own_account(workshop):
    url, (one, two), _ = workshop
    cfn = engine_of(url, one).client("cloudformation")
    cfn.create_stack_set(StackSetName="one-set", TemplateBody=json.dumps({"Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "one-set-queue"}}}}))
    try:
        assert refusal(lambda: cfn.create_stack_instances(StackSetName="one-set", Accounts=[two["account_id"]],
                                                          Regions=["us-east-1"])) == (403, "AccessDenied")
        assert "QueueUrls" not in engine_of(url, two).client("sqs").list_queues(QueueNamePrefix="one-set")
        cfn.create_stack_instances(StackSetName="one-set", Accounts=[one["account_id"]], Regions=["eu-west-1"])
        assert [(i["Account"], i["Region"]) for i in cfn.list_stack_instances(StackSetName="one-set")["Summaries"]] \
            == [(one["account_id"], "eu-west-1")]
    finally:
        cfn.delete_stack_instances(StackSetName="one-set", Accounts=[one["account_id"]], Regions=["eu-west-1"],
                                   RetainStacks=False)
        cfn.delete_stack_set(StackSetName="one-set")


def test_what_cognito_serves_unsigned_is_served_from_the_pools_account(workshop):
    """A user pool's jwks.json and the identity pools' GetId/GetCredentialsForIdentity are public on AWS: served
    unsigned, in the account that holds the pool; the rest of the server still wants a signature."""
    url, (one, _), _ = workshop
    first = engine_of(url, one)
    pool = first.client("cognito-idp").create_user_pool(PoolName="one-pool")["UserPool"]["Id"]
    with urllib.request.urlopen(f"{url}/{pool}/.well-known/jwks.json", timeout=10) as response:
        assert json.load(response)["keys"][0]["kty"] == "RSA"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{url}/{pool}/.well-known/other.json", timeout=10)
    assert refused.value.code == 403
    identity_pool = first.client("cognito-identity").create_identity_pool(
        IdentityPoolName="one_identities", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    unsigned = boto3.client("cognito-identity", endpoint_url=url, region_name="us-east-1",
                            config=CLIENT_CONFIG.merge(Config(signature_version=UNSIGNED)))
    guest = unsigned.get_id(IdentityPoolId=identity_pool)["IdentityId"]
    assert unsigned.get_credentials_for_identity(IdentityId=guest)["IdentityId"] == guest
    assert [i["IdentityId"] for i in first.client("cognito-identity").list_identities(
        IdentityPoolId=identity_pool, MaxResults=10)["Identities"]] == [guest]
    assert refusal(lambda: unsigned.list_identity_pools(MaxResults=10)) == (403, "MissingAuthenticationToken")
    first.client("cognito-identity").delete_identity_pool(IdentityPoolId=identity_pool)
    first.client("cognito-idp").delete_user_pool(UserPoolId=pool)
