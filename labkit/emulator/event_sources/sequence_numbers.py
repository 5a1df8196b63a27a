"""Stream records numbered atomically: Kinesis ``Shard.put_record`` and DynamoDB Streams ``StreamShard.add``.

moto numbers a shard's records as "the last number + 1" without a lock: two puts at once (the engine serves
requests in threads) get the same sequence number, and Kinesis then overwrites one record with the other. One lock
per model makes numbering atomic, so each record keeps its own number, as the Kinesis API documents it ("Record",
Amazon Kinesis Data Streams API Reference: ``SequenceNumber`` is "the unique identifier of the record within its
shard").

Each model is patched when moto loads it (Kinesis and DynamoDB separately: a DynamoDB lab never loads Kinesis).

Upstream change (moto): ``moto/kinesis/models.py`` ``Shard.put_record`` and ``moto/dynamodb/models/table.py``
``StreamShard.add``: take a lock (or an ``itertools.count``) when numbering records.
"""
from __future__ import annotations

import functools
import threading

from ..registry import Patch

PATCHES = [
    Patch(
        name="stream-sequence-numbers-atomic",
        changes="Kinesis Shard.put_record and DynamoDB StreamShard.add number records under a lock: moto computes "
                "'last + 1' unlocked, so concurrent puts got the same sequence number (and Kinesis lost a record).",
        symbols=("moto.kinesis.models.Shard.put_record", "moto.dynamodb.models.table.StreamShard.add"),
        upstream="moto/kinesis/models.py Shard.put_record and moto/dynamodb/models/table.py StreamShard.add: take a "
                 "lock (or an itertools.count) when numbering records.",
    ),
]

INSTALL_WHEN = ()  # install() at once: it only arranges for each model to be patched when moto loads it


def _serialise(owner, name: str) -> None:
    method = getattr(owner, name)
    if getattr(method, "labkit_serialised", False):
        return
    lock = threading.Lock()

    def serialised(self, *args, _method=method, _lock=lock, **kwargs):
        with _lock:
            return _method(self, *args, **kwargs)

    functools.update_wrapper(serialised, method)
    serialised.labkit_serialised = True
    setattr(owner, name, serialised)


def _kinesis() -> None:
    from moto.kinesis.models import Shard

    _serialise(Shard, "put_record")


def _dynamodb() -> None:
    from moto.dynamodb.models.table import StreamShard

    _serialise(StreamShard, "add")


def install() -> None:
    """Patch each model now if moto has loaded it, else when it does (idempotent)."""
    from .. import lazy

    lazy.when_loaded(("moto.kinesis.models",), "stream-sequence-numbers kinesis", _kinesis)
    lazy.when_loaded(("moto.dynamodb.models.table",), "stream-sequence-numbers dynamodb", _dynamodb)
