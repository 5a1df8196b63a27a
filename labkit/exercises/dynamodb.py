"""Checks for labs/dynamodb."""
from __future__ import annotations

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def range_query(table: str, response, customer: str = "c007", start: str = "2026-01-10", end: str = "2026-01-20",
                min_amount: int = 40) -> Verdict:
    """``response`` is a Query answer with exactly the wanted items, found with a key condition on the date."""
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
    customers = {i.get("customer", {}).get("S") for i in response["Items"]}
    if customers - {customer}:
        return failed(f"Your answer holds items of other customers ({sorted(c for c in customers if c)}): "
                      f"the key condition needs customer = '{customer}'.")
    got = {i.get("order_date", {}).get("S") for i in response["Items"]}
    if got != wanted:
        missing, extra = sorted(wanted - got), sorted(got - wanted)
        return failed(f"Not the right orders: missing {missing}, not wanted {extra}. Dates {start}..{end} "
                      f"inclusive (BETWEEN), and amount >= {min_amount}.")
    scanned = response.get("ScannedCount", 0)
    if scanned > len(in_range):
        return failed(f"Right items, but the call examined {scanned} items where {len(in_range)} would do: "
                      "put the date range in the KeyConditionExpression (order_date BETWEEN :from AND :to), "
                      "not in a FilterExpression, and use Query rather than Scan.")
    return passed(f"{len(got)} orders, and only {scanned} items examined: the key condition narrowed the read, "
                  "the filter trimmed the result.")
