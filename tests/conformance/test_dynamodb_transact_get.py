"""DynamoDB TransactGetItems: one call reads up to 100 items ("TransactGetItems", Amazon DynamoDB API Reference)."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import labkit


@pytest.fixture
def table(engine):
    client = labkit.client("dynamodb")
    name = labkit.name("conf-txget")
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    client.get_waiter("table_exists").wait(TableName=name)
    yield client, name
    client.delete_table(TableName=name)


def _gets(name, count):
    return [{"Get": {"TableName": name, "Key": {"id": {"S": f"item-{i:03d}"}}}} for i in range(count)]


def test_transact_get_items_reads_100_items(table):
    """"A TransactGetItems call can contain up to 100 TransactGetItem objects": 100 reads in one call succeed and
    answer one response per item, in order."""
    client, name = table
    for i in range(100):
        client.put_item(TableName=name, Item={"id": {"S": f"item-{i:03d}"}, "n": {"N": str(i)}})
    responses = client.transact_get_items(TransactItems=_gets(name, 100))["Responses"]
    assert [r["Item"]["n"]["N"] for r in responses] == [str(i) for i in range(100)]


def test_transact_get_items_refuses_101_items(table):
    """More than 100 is refused with ValidationException."""
    client, name = table
    with pytest.raises(ClientError) as refused:
        client.transact_get_items(TransactItems=_gets(name, 101))
    assert refused.value.response["Error"]["Code"] == "ValidationException"
