"""FilterCriteria on SQS, DynamoDB Streams and Kinesis event source mappings, as AWS documents them.

Page: "Lambda event filtering" (now titled "Control which events Lambda sends to your function"), whose operators
are EventBridge's ("Amazon EventBridge event patterns"), and its per-source pages "Using event filtering with an
Amazon SQS event source" and "Using event filtering with a Kinesis event source".
"""
from __future__ import annotations

import base64
import json

import botocore.exceptions
import pytest

import labkit
from _esm import delete_mappings, Recorder, counts, queue, wait_idle  # delete_mappings: autouse
from labkit.emulator.event_sources import filters


def _match(pattern: dict, event: dict) -> bool:
    return filters.matches_any(filters.compile_criteria({"Filters": [{"Pattern": json.dumps(pattern)}]}), event)


@pytest.mark.parametrize("pattern, event, expected", [
    ({"UserID": [None]}, {"UserID": None}, True),                          # Null
    ({"LastName": [""]}, {"LastName": ""}, True),                          # Empty
    ({"Name": ["Alice"]}, {"Name": "Alice"}, True),                        # Equals
    ({"Name": ["Alice"]}, {"Name": "alice"}, False),                       # exact, no case-folding
    ({"Name": [{"equals-ignore-case": "alice"}]}, {"Name": "ALICE"}, True),
    ({"Location": ["New York"], "Day": ["Monday"]}, {"Location": "New York", "Day": "Sunday"}, False),  # And
    ({"PaymentType": ["Credit", "Debit"]}, {"PaymentType": "Debit"}, True),  # Or
    ({"Weather": [{"anything-but": ["Raining"]}]}, {"Weather": "Raining"}, False),  # Not
    ({"Weather": [{"anything-but": ["Raining"]}]}, {"Weather": "Sunny"}, True),
    ({"Price": [{"numeric": ["=", 100]}]}, {"Price": 100}, True),          # Numeric (equals)
    ({"Price": [{"numeric": [">", 10, "<=", 20]}]}, {"Price": 20}, True),  # Numeric (range)
    ({"Price": [{"numeric": [">", 10, "<=", 20]}]}, {"Price": 21}, False),
    ({"Price": [{"numeric": [">", 10]}]}, {"Price": "50"}, False),         # a string is not a number
    ({"ProductName": [{"exists": True}]}, {"ProductName": "x"}, True),     # Exists
    ({"ProductName": [{"exists": False}]}, {"Other": 1}, True),            # Does not exist
    ({"ProductName": [{"exists": False}]}, {"ProductName": "x"}, False),
    ({"Region": [{"prefix": "us-"}]}, {"Region": "us-east-1"}, True),      # Begins with
    ({"Region": [{"prefix": "us-"}]}, {"Region": "eu-west-1"}, False),
    ({"File": [{"suffix": ".png"}]}, {"File": "cat.png"}, True),           # Ends with
    ({"Price": [300]}, {"Price": 300.0}, False),                           # numbers compare as written
    ({"Name": ["Alice"]}, {}, False),                                      # a missing field never matches a value
    ({"a": {"b": ["x"]}}, {"a": {"b": "x", "c": 1}}, True),                # multi-level
    ({"tags": ["red"]}, {"tags": ["blue", "red"]}, True),                  # an array matches by any element
    ({"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "2"}, True),
])
def test_comparison_operators(pattern, event, expected):
    """Lambda event filtering: the comparison operators of the filter rule syntax (Null, Empty, Equals, And, Or,
    Not, Numeric, Exists, Does not exist, Begins with, Ends with), matched character by character."""
    assert _match(pattern, event) is expected


def test_any_filter_matching_is_enough():
    """Lambda event filtering: if an event satisfies any one of the filters, Lambda sends it to the function."""
    criteria = {"Filters": [{"Pattern": json.dumps({"a": ["1"]})}, {"Pattern": json.dumps({"b": ["2"]})}]}
    patterns = filters.compile_criteria(criteria)
    assert filters.matches_any(patterns, {"b": "2"})
    assert not filters.matches_any(patterns, {"a": "2", "b": "1"})




@pytest.fixture
def clients(engine):
    return labkit.client("lambda"), labkit.client("sqs")


def test_sqs_filter_on_body_deletes_the_rest(clients):
    """Lambda event filtering (Properly filtering Amazon SQS messages): only matching messages reach the function;
    Lambda removes the others from the queue; a JSON pattern for body never matches a plain-string body."""
    lam, sqs = clients
    fn = Recorder(lam)
    url, arn = queue(sqs)
    uuid = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=fn.arn, Enabled=False,
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"RequestCode": ["BBBB"]}})}]})["UUID"]
    for body in (json.dumps({"RequestCode": "AAAA"}), json.dumps({"RequestCode": "BBBB"}), "BBBB"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    wait_idle()
    bodies = [json.loads(r["body"]) for b in fn.batches() for r in b]
    assert bodies == [{"RequestCode": "BBBB"}]
    assert counts(sqs, url) == (0, 0)


def test_sqs_plain_string_pattern(clients):
    """Lambda event filtering: a plain-string rule for body matches a plain-string body (and not a JSON one)."""
    lam, sqs = clients
    fn = Recorder(lam)
    url, arn = queue(sqs)
    uuid = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=fn.arn, Enabled=False,
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": [{"prefix": "ERROR"}]})}]})["UUID"]
    for body in ("ERROR disk full", "INFO all good"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    wait_idle()
    assert [r["body"] for b in fn.batches() for r in b] == ["ERROR disk full"]


def test_kinesis_filter_on_data(engine):
    """Using event filtering with a Kinesis event source: patterns for data see the record's base64-decoded JSON;
    records whose data isn't JSON don't match a data pattern."""
    lam, kinesis = labkit.client("lambda"), labkit.client("kinesis")
    fn = Recorder(lam)
    stream = labkit.name("esm-f")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream)
    arn = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamARN"]
    for data in (json.dumps({"Temperature": 55}), json.dumps({"Temperature": 70}), "not json"):
        kinesis.put_record(StreamName=stream, Data=data.encode(), PartitionKey="k")
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=fn.arn, StartingPosition="TRIM_HORIZON",
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"data": {"Temperature": [{"numeric": [">", 50,
                                                                                                  "<=", 60]}]}})}]})
    wait_idle()
    got = [json.loads(base64.b64decode(r["kinesis"]["data"])) for b in fn.batches() for r in b]
    assert got == [{"Temperature": 55}]


def test_dynamodb_filter_on_event_name_and_image(engine):
    """Lambda event filtering (multi-level filtering): a DynamoDB pattern can match eventName and fields nested in
    dynamodb (NewImage in DynamoDB JSON)."""
    lam, ddb = labkit.client("lambda"), labkit.client("dynamodb")
    fn = Recorder(lam)
    table = labkit.name("esm-f")
    arn = ddb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=fn.arn, StartingPosition="LATEST",
        FilterCriteria={"Filters": [{"Pattern": json.dumps(
            {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"plan": {"S": ["pro"]}}}})}]})
    ddb.put_item(TableName=table, Item={"id": {"S": "1"}, "plan": {"S": "free"}})
    ddb.put_item(TableName=table, Item={"id": {"S": "2"}, "plan": {"S": "pro"}})
    ddb.put_item(TableName=table, Item={"id": {"S": "1"}, "plan": {"S": "pro"}})  # MODIFY: filtered out
    wait_idle()
    assert [r["dynamodb"]["Keys"]["id"]["S"] for b in fn.batches() for r in b] == ["2"]


@pytest.mark.parametrize("criteria", [
    {"Filters": [{"Pattern": "{not json"}]},
    {"Filters": [{"Pattern": json.dumps({"data": ["plain"]})}]},
    {"Filters": [{"Pattern": json.dumps({"a": [str(i)]})} for i in range(6)]},
], ids=["invalid-json", "non-json-data-pattern", "six-filters"])
def test_invalid_filter_criteria_are_refused(engine, criteria):
    """Lambda event filtering: a pattern that isn't valid JSON, a non-JSON pattern for a stream's data, or more
    filters than the quota (five by default) make CreateEventSourceMapping fail."""
    lam, kinesis = labkit.client("lambda"), labkit.client("kinesis")
    fn = Recorder(lam)
    stream = labkit.name("esm-f")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    arn = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamARN"]
    with pytest.raises(botocore.exceptions.ClientError) as error:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=fn.arn, StartingPosition="LATEST",
                                        FilterCriteria=criteria)
    assert error.value.response["Error"]["Code"] == "InvalidParameterValueException"
