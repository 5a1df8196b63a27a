"""Kinesis Data Streams (resharding) and Amazon Data Firehose: where the embedded engine differs from AWS.
Stream records read by Lambda are :mod:`labkit.emulator.event_sources`' concern."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="kinesis-uniform-scaling-uneven",
        service="Kinesis",
        aws="UpdateShardCount with UNIFORM_SCALING leaves the stream with the target number of open shards, each "
            "owning an equal share of the hash-key space.",
        engine="The stream reaches the target number of open shards, but their hash-key ranges are not evened out.",
        doc="UpdateShardCount",
        labs=("kinesis",),
    ),
    Difference(
        id="kinesis-closed-shards-receive-records",
        service="Kinesis",
        aws="After a split or a merge the parent shards are closed: new records go only to the open shard whose "
            "hash-key range holds the record's hash key.",
        engine="New records can still be routed by the ranges of closed parent shards.",
        doc="PutRecord",
        labs=("kinesis",),
    ),
    Difference(
        id="firehose-kinesis-source-not-read",
        service="Firehose",
        aws="A delivery stream whose source is a Kinesis data stream reads that stream's shards itself and delivers "
            "the records to its destination.",
        engine="The configuration is stored, but the source stream is never read: nothing is delivered.",
        doc="CreateDeliveryStream",
        labs=("kinesis",),
    ),
    Difference(
        id="firehose-no-buffering",
        service="Firehose",
        aws="Firehose buffers incoming records until the buffering size or interval is reached, then writes them "
            "to S3 as one object under a YYYY/MM/DD/HH/ prefix.",
        engine="Direct PUT records are written to S3 at once, one object per PutRecord or PutRecordBatch call.",
        doc="BufferingHints",
        labs=("kinesis",),
    ),
]


def _kinesis_source(response) -> bool:
    return bool(response._get_param("KinesisStreamSourceConfiguration"))


TRIGGERS = [
    Trigger("moto.kinesis.responses.KinesisResponse.update_shard_count", "kinesis-uniform-scaling-uneven"),
    Trigger("moto.kinesis.responses.KinesisResponse.split_shard", "kinesis-closed-shards-receive-records"),
    Trigger("moto.kinesis.responses.KinesisResponse.merge_shards", "kinesis-closed-shards-receive-records"),
    Trigger("moto.firehose.responses.FirehoseResponse.create_delivery_stream", "firehose-kinesis-source-not-read",
            when=_kinesis_source),
    Trigger("moto.firehose.responses.FirehoseResponse.create_delivery_stream", "firehose-no-buffering",
            when=lambda response: not _kinesis_source(response)),
]

PATCHES = [trigger_patch("kinesis-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
