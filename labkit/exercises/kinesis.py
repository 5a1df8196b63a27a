"""Checks for labs/kinesis."""
from __future__ import annotations

import hashlib

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def open_shards(kinesis, stream: str) -> list[dict]:
    return kinesis.list_shards(StreamName=stream, ShardFilter={"Type": "AT_LATEST"})["Shards"]


def placed_record(stream: str, key, predicted_shard, shard_count: int | None = None) -> Verdict:
    """``key`` hashes into the open shard owning hash key 0, ``predicted_shard`` names it, and a record was written.

    With ``shard_count``, the stream must also have exactly that many open shards.
    """
    expect(stream, "my_stream", str, "the name of the stream you created")
    expect(key, "my_key", str, "the partition key you chose")
    expect(predicted_shard, "my_shard", str, "the ShardId you computed, e.g. 'shardId-000000000000'")
    kinesis = current().client("kinesis")
    shards = open_shards(kinesis, stream)
    if shard_count is not None and len(shards) != shard_count:
        return failed(f"{stream} has {len(shards)} open shard(s); create it with ShardCount={shard_count}.")
    hash_key = int(hashlib.md5(str(key).encode("utf-8")).hexdigest(), 16)
    owner = next(s["ShardId"] for s in shards
                 if int(s["HashKeyRange"]["StartingHashKey"]) <= hash_key <= int(s["HashKeyRange"]["EndingHashKey"]))
    first = min(shards, key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]))
    if predicted_shard != owner:
        return failed(f"MD5({key!r}) = {hash_key}, which falls in the range of {owner}, not {predicted_shard}. "
                      "Compare the integer with each open shard's StartingHashKey and EndingHashKey.")
    if owner != first["ShardId"]:
        return failed(f"{key!r} goes to {owner}, but the shard that owns hash key 0 is {first['ShardId']}. "
                      "Try other keys until MD5 lands in that shard's range.")
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=owner,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    keys = set()
    while iterator:
        answer = kinesis.get_records(ShardIterator=iterator, Limit=1000)
        keys |= {r["PartitionKey"] for r in answer["Records"]}
        if not answer["Records"] or not answer.get("MillisBehindLatest"):
            break
        iterator = answer.get("NextShardIterator")
    if key not in keys:
        return failed(f"Your prediction is right, but no record with the key {key!r} is in {owner}: "
                      "call put_record with it.")
    return passed(f"MD5({key!r}) falls in {owner}'s hash-key range, and the record is there.")
