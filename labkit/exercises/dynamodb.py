"""Checks for labs/dynamodb."""
from __future__ import annotations

from boto3.dynamodb.types import TypeDeserializer

from ..checks import Verdict, expect, failed, passed
from ..engines import current

_DESERIALIZE = TypeDeserializer()
_TYPES = {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"}


def _plain(item) -> dict:
    """An item as plain Python values, whether it came from the client API (``{"S": "c007"}``, DynamoDB JSON) or
    from the resource API's Table (``"c007"``, numbers as Decimal)."""
    if not isinstance(item, dict):
        return {}
    return {k: _DESERIALIZE.deserialize(v) if isinstance(v, dict) and len(v) == 1 and set(v) <= _TYPES else v
            for k, v in item.items()}


def range_query(table: str, response, customer: str = "c007", start: str = "2026-01-10", end: str = "2026-01-20",
                min_amount: int = 40) -> Verdict:
    """``response`` is a Query answer (client or resource API: DynamoDB JSON or plain values) with exactly the
    wanted items, found with a key condition on the date; it must carry Count and ScannedCount, as every Query
    response does ("Query", Amazon DynamoDB API Reference)."""
    expect(response, "my_response", dict, "the dictionary that ddb.query(...) returns")
    if "Items" not in response:
        return failed("my_response should be the dictionary that ddb.query(...) returns (with 'Items').")
    ddb = current().client("dynamodb")
    in_partition = []
    for page in ddb.get_paginator("query").paginate(
            TableName=table, KeyConditionExpression="customer = :c",
            ExpressionAttributeValues={":c": {"S": customer}}):
        in_partition += page["Items"]
    in_range = [i for i in in_partition if start <= i["order_date"]["S"] <= end]
    wanted = {i["order_date"]["S"] for i in in_range if float(i["amount"]["N"]) >= min_amount}
    items = [_plain(i) for i in response["Items"]]
    lacking = sorted({k for i in items for k in ("customer", "order_date") if k not in i})
    if lacking:
        return failed(f"Some items of your answer have no {' or '.join(lacking)}: a ProjectionExpression returns "
                      "only the attributes it names, so the key attributes were removed. Leave out the projection, "
                      "or name customer and order_date in it too.")
    customers = {str(i["customer"]) for i in items}
    if customers - {customer}:
        return failed(f"Your answer holds items of other customers ({sorted(map(str, customers - {customer}))}): "
                      f"the key condition needs customer = '{customer}'.")
    got = {str(i["order_date"]) for i in items}
    if got != wanted:
        missing, extra = sorted(wanted - got), sorted(got - wanted)
        more = (" Your response has a LastEvaluatedKey: the Query stopped early (Limit, or 1 MB per page), so "
                "this is only the first page. Leave out Limit, or paginate with ExclusiveStartKey."
                if response.get("LastEvaluatedKey") else "")
        return failed(f"Not the right orders: missing {missing}, not wanted {extra}. Dates {start}..{end} "
                      f"inclusive (BETWEEN), and amount >= {min_amount}.{more}")
    absent = [k for k in ("Count", "ScannedCount") if not isinstance(response.get(k), int)]
    if absent:
        return failed(f"my_response has no {' or '.join(absent)}, which every Query response holds: store the "
                      "whole dictionary that query(...) returns, not one built by hand.")
    scanned = response["ScannedCount"]
    if scanned > len(in_range):
        return failed(f"Right items, but the call examined {scanned} items where {len(in_range)} would do: "
                      "put the date range in the KeyConditionExpression (order_date BETWEEN :from AND :to), "
                      "not in a FilterExpression, and use Query rather than Scan.")
    return passed(f"{len(got)} orders, and only {scanned} items examined: the key condition narrowed the read, "
                  "the filter trimmed the result.")
