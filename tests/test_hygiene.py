"""Names, tracking and cleanup: everything a lab creates is deleted, dependants first; nothing else is touched."""
from __future__ import annotations

import json
import re

import labkit
from labkit import hygiene, inventory


def test_names_are_unique_readable_and_valid_for_s3():
    first, second = labkit.name("Orders Table!"), labkit.name("Orders Table!")
    assert first != second
    assert re.fullmatch(r"dva-orders-table-[a-z0-9]{5}", first)
    assert len(labkit.name("x" * 100)) <= 63


def test_cleanup_deletes_what_was_created_and_keeps_what_was_there(engine):
    s3, sqs, lam = labkit.client("s3"), labkit.client("sqs"), labkit.client("lambda")
    keep = labkit.name("keep")
    s3.create_bucket(Bucket=keep)
    labkit.require("s3", "sqs", "lambda", "sns", "dynamodb")
    bucket = labkit.name("gone")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"a", b"b"):
        s3.put_object(Bucket=bucket, Key="k", Body=body)
    queue = sqs.create_queue(QueueName=labkit.name("gone"))["QueueUrl"]
    topic = labkit.client("sns").create_topic(Name=labkit.name("gone"))["TopicArn"]
    labkit.client("dynamodb").create_table(
        TableName=labkit.name("gone"), BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    fn = labkit.name("gone")
    lam.create_function(FunctionName=fn, Runtime="python3.12", Role=labkit.lambda_role(), Handler="app.handler",
                        Code={"ZipFile": labkit.zip_code({"app.py": "def handler(e, c):\n    return 1\n"})})
    lam.invoke(FunctionName=fn)  # creates the function's log group
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=fn)

    report = labkit.cleanup()
    kinds = {kind for kind, _ in report.deleted}
    assert {"s3.bucket", "sqs.queue", "sns.topic", "dynamodb.table", "lambda.function",
            "lambda.event-source-mapping", "logs.log-group", "iam.role"} <= kinds
    assert report.failed == []
    order = [kind for kind, _ in report.deleted]
    assert order.index("lambda.event-source-mapping") < order.index("lambda.function")
    assert labkit.leftovers() == {}
    assert keep in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert topic not in json.dumps(inventory.take(engine, inventory.kinds_for(["sns"])), default=list)
    assert "nothing to clean up" == repr(labkit.cleanup())


def test_added_since_sees_resources_of_services_never_required(engine):
    before = hygiene.snapshot_all()
    queue = labkit.client("sqs").create_queue(QueueName=labkit.name("stray"))["QueueUrl"]
    assert hygiene.added_since(before) == {"sqs.queue": [queue]}
    labkit.client("sqs").delete_queue(QueueUrl=queue)
    assert hygiene.added_since(before) == {}


def test_every_kind_lists_on_a_fresh_engine(engine):
    found = inventory.take(engine, inventory.kinds_for())
    assert set(found) == set(inventory.KINDS), "a kind could not list: " + str(set(inventory.KINDS) - set(found))
