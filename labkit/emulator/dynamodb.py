"""DynamoDB tables (not streams, which :mod:`labkit.emulator.event_sources` serves): where the embedded engine
differs from AWS."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

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
]


def _wants_capacity(response) -> bool:
    return (response._get_param("ReturnConsumedCapacity") or "NONE") != "NONE"


TRIGGERS = [
    Trigger("moto.dynamodb.responses.DynamoHandler.update_table", "dynamodb-global-table-no-replica",
            when=lambda response: bool(response._get_param("ReplicaUpdates"))),
    Trigger("moto.dynamodb.responses.DynamoHandler.scan", "dynamodb-consumed-capacity-flat", when=_wants_capacity),
    Trigger("moto.dynamodb.responses.DynamoHandler.query", "dynamodb-consumed-capacity-flat", when=_wants_capacity),
    Trigger("moto.dynamodb.responses.DynamoHandler.get_item", "dynamodb-consumed-capacity-flat",
            when=_wants_capacity),
]

PATCHES = [trigger_patch("dynamodb-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
