"""The dynamodb exercise check: a right answer passes, wrong answers fail with a useful hint."""
from __future__ import annotations

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import dynamodb as checks

VALUES = {":c": {"S": "c007"}, ":from": {"S": "2026-01-10"}, ":to": {"S": "2026-01-20"}, ":min": {"N": "40"}}


@pytest.fixture(scope="module")
def table(engine):
    ddb = engine.client("dynamodb")
    name = labkit.name("test-orders")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                                           {"AttributeName": "order_date", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"},
                                {"AttributeName": "order_date", "KeyType": "RANGE"}])
    with engine.resource("dynamodb").Table(name).batch_writer() as batch:
        for c in range(6, 9):
            for day in range(1, 26):
                batch.put_item(Item={"customer": f"c{c:03d}", "order_date": f"2026-01-{day:02d}",
                                     "amount": (day * 7 + c * 3) % 100})
    yield name
    ddb.delete_table(TableName=name)


def test_right_answer_passes(engine, table):
    response = engine.client("dynamodb").query(
        TableName=table, KeyConditionExpression="customer = :c AND order_date BETWEEN :from AND :to",
        FilterExpression="amount >= :min", ExpressionAttributeValues=VALUES)
    verdict = checks.range_query(table, response)
    assert verdict.passed, verdict.message


def test_date_range_in_filter_fails(engine, table):
    response = engine.client("dynamodb").query(
        TableName=table, KeyConditionExpression="customer = :c",
        FilterExpression="order_date BETWEEN :from AND :to AND amount >= :min", ExpressionAttributeValues=VALUES)
    verdict = checks.range_query(table, response)
    assert not verdict.passed
    assert "put the date range in the KeyConditionExpression" in verdict.message


def test_scan_fails(engine, table):
    response = engine.client("dynamodb").scan(
        TableName=table, FilterExpression="customer = :c AND order_date BETWEEN :from AND :to AND amount >= :min",
        ExpressionAttributeValues=VALUES)
    verdict = checks.range_query(table, response)
    assert not verdict.passed
    assert "use Query rather than Scan" in verdict.message


def test_missing_filter_fails(engine, table):
    response = engine.client("dynamodb").query(
        TableName=table, KeyConditionExpression="customer = :c AND order_date BETWEEN :from AND :to",
        ExpressionAttributeValues={k: v for k, v in VALUES.items() if k != ":min"})
    verdict = checks.range_query(table, response)
    assert not verdict.passed
    assert "Not the right orders" in verdict.message


def test_wrong_customer_fails(engine, table):
    response = engine.client("dynamodb").query(
        TableName=table, KeyConditionExpression="customer = :c AND order_date BETWEEN :from AND :to",
        FilterExpression="amount >= :min", ExpressionAttributeValues={**VALUES, ":c": {"S": "c006"}})
    verdict = checks.range_query(table, response)
    assert not verdict.passed
    assert "items of other customers" in verdict.message


def test_unset_answer_fails(table):
    verdict = evaluate(checks.range_query, table, None)
    assert verdict.kind == "failed"
    assert "my_response is still None" in verdict.message
    verdict = evaluate(checks.range_query, table, {"Count": 0})
    assert verdict.kind == "failed" and "my_response should be" in verdict.message


def _resource_query(engine, table, **extra):
    from boto3.dynamodb.conditions import Attr, Key
    return engine.resource("dynamodb").Table(table).query(
        KeyConditionExpression=Key("customer").eq("c007") & Key("order_date").between("2026-01-10", "2026-01-20"),
        FilterExpression=Attr("amount").gte(40), **extra)


def test_resource_api_answer_passes(engine, table):
    verdict = evaluate(checks.range_query, table, _resource_query(engine, table))
    assert verdict.passed, verdict.message


def test_resource_api_wrong_answer_fails(engine, table):
    from boto3.dynamodb.conditions import Key
    response = engine.resource("dynamodb").Table(table).query(
        KeyConditionExpression=Key("customer").eq("c007") & Key("order_date").between("2026-01-10", "2026-01-20"))
    verdict = evaluate(checks.range_query, table, response)
    assert verdict.kind == "failed" and "Not the right orders" in verdict.message


def test_hand_built_response_fails(engine, table):
    right = _resource_query(engine, table)
    verdict = evaluate(checks.range_query, table, {"Items": right["Items"]})
    assert verdict.kind == "failed" and "has no Count or ScannedCount" in verdict.message


def test_projection_without_keys_fails(engine, table):
    verdict = evaluate(checks.range_query, table, _resource_query(engine, table, ProjectionExpression="amount"))
    assert verdict.kind == "failed" and "ProjectionExpression returns only the attributes" in verdict.message


def test_limit_mentions_pagination(engine, table):
    verdict = evaluate(checks.range_query, table, _resource_query(engine, table, Limit=1))
    assert verdict.kind == "failed" and "LastEvaluatedKey" in verdict.message
