"""DynamoDB tables (not streams, which :mod:`labkit.emulator.event_sources` serves): where the embedded engine
differs from AWS."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference, Patch

# "TransactGetItems" (Amazon DynamoDB API Reference): a call can contain up to 100 TransactGetItem objects.
# moto 5.2.5 refuses more than 25 (the limit before AWS raised it); TransactWriteItems already allows 100 there.
TRANSACT_GET_MAX_ITEMS = 100

DIFFERENCES = [
    Difference(
        id="dynamodb-consumed-capacity-flat",
        service="DynamoDB",
        aws="ConsumedCapacity follows item sizes: a read costs one unit per 4 KB (rounded up; half for an "
            "eventually consistent read), a write one unit per 1 KB.",
        engine="ConsumedCapacity is a flat figure per call that does not follow the size of the items read or "
               "written.",
        doc="DynamoDB read and write operations",
        labs=("dynamodb",),
    ),
    Difference(
        id="dynamodb-global-table-no-replica",
        service="DynamoDB",
        aws="UpdateTable with ReplicaUpdates (global tables version 2019.11.21) creates a replica table in the "
            "other Region (CREATING, then ACTIVE) and replicates every write both ways.",
        engine="The call is accepted but no replica is created and the table lists no Replicas; the legacy "
               "CreateGlobalTable (2017.11.29) is not implemented either.",
        doc="UpdateTable",
        labs=("dynamodb",),
    ),
    Difference(
        id="dynamodb-ttl-never-deletes",
        service="DynamoDB",
        aws="A background process deletes items whose TTL attribute (epoch seconds) is in the past, typically "
            "within a few days of expiry; until then they still appear in reads, queries and scans.",
        engine="TTL can be enabled and described, but expired items are never deleted: they stay until you delete "
               "them (filter them out in reads, as on AWS before the deletion).",
        doc="Working with expired items and time to live (TTL)",
        labs=("dynamodb-developers",),
    ),
    Difference(
        id="dynamodb-batch-never-unprocessed",
        service="DynamoDB",
        aws="BatchWriteItem returns the requests it could not process (throughput exceeded, internal failure) in "
            "UnprocessedItems; the caller retries them with exponential backoff.",
        engine="Nothing is ever throttled, so UnprocessedItems is always empty and a retry loop runs once.",
        doc="BatchWriteItem",
        labs=("dynamodb-developers",),
    ),
    Difference(
        id="dynamodb-batch-write-over-25",
        service="DynamoDB",
        aws="A BatchWriteItem call holds at most 25 put or delete requests; more is refused with "
            "ValidationException.",
        engine="A call with more than 25 requests is accepted and every request is applied.",
        doc="BatchWriteItem",
        labs=("dynamodb-developers",),
    ),
    Difference(
        id="dynamodb-partiql-comparisons",
        service="DynamoDB",
        aws="ExecuteStatement's SELECT accepts comparison conditions in WHERE (<, <=, >, >=, BETWEEN, IN, "
            "begins_with) and returns exactly the items that satisfy them.",
        engine="Only equality conditions joined by AND are answered reliably: <, >, <=, >= fail with an internal "
               "error, and BETWEEN can return the wrong items. Use Query for ranges here.",
        doc="PartiQL select statements for DynamoDB",
        labs=("dynamodb-developers",),
    ),
]


def _compares(statement: str) -> bool:
    """Whether a PartiQL statement's WHERE uses a comparison other than equality."""
    where = statement.upper().partition(" WHERE ")[2]
    return any(op in where for op in ("<", ">", " BETWEEN ", " IN ", "BEGINS_WITH"))


def _wants_capacity(response) -> bool:
    return (response._get_param("ReturnConsumedCapacity") or "NONE") != "NONE"


TRIGGERS = [
    Trigger("moto.dynamodb.responses.DynamoHandler.update_table", "dynamodb-global-table-no-replica",
            when=lambda response: bool(response._get_param("ReplicaUpdates"))),
    Trigger("moto.dynamodb.responses.DynamoHandler.scan", "dynamodb-consumed-capacity-flat", when=_wants_capacity),
    Trigger("moto.dynamodb.responses.DynamoHandler.query", "dynamodb-consumed-capacity-flat", when=_wants_capacity),
    Trigger("moto.dynamodb.responses.DynamoHandler.get_item", "dynamodb-consumed-capacity-flat",
            when=_wants_capacity),
    Trigger("moto.dynamodb.responses.DynamoHandler.update_time_to_live", "dynamodb-ttl-never-deletes"),
    Trigger("moto.dynamodb.responses.DynamoHandler.batch_write_item", "dynamodb-batch-never-unprocessed"),
    Trigger("moto.dynamodb.responses.DynamoHandler.batch_write_item", "dynamodb-batch-write-over-25",
            when=lambda response: sum(len(requests) for requests in
                                      (response._get_param("RequestItems") or {}).values()) > 25),
    Trigger("moto.dynamodb.responses.DynamoHandler.execute_statement", "dynamodb-partiql-comparisons",
            when=lambda response: _compares(response._get_param("Statement") or "")),
]

PATCHES = [
    trigger_patch("dynamodb-notices", TRIGGERS),
    Patch(name="dynamodb-transact-get-100-items",
          changes="TransactGetItems accepts up to 100 items, as AWS documents (moto refused more than 25)",
          symbols=("moto.dynamodb.responses.TRANSACTION_MAX_ITEMS",),
          upstream="moto's dynamodb/responses.py: TRANSACTION_MAX_ITEMS should be 100 (AWS raised the limit)"),
]


def install() -> None:
    """Show the notices above when a lab meets them, and let TransactGetItems hold 100 items (idempotent)."""
    from moto.dynamodb import responses

    install_triggers(TRIGGERS)
    responses.TRANSACTION_MAX_ITEMS = TRANSACT_GET_MAX_ITEMS
