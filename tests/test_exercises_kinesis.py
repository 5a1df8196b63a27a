"""The kinesis exercise check: a right answer passes, wrong answers fail with a useful hint."""
from __future__ import annotations

import hashlib

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import kinesis as checks


@pytest.fixture(scope="module")
def stream(engine):
    kinesis = engine.client("kinesis")
    name = labkit.name("test-clicks")
    kinesis.create_stream(StreamName=name, ShardCount=4)
    yield name
    kinesis.delete_stream(StreamName=name)


def shard_of(key: str) -> int:
    return int(hashlib.md5(key.encode()).hexdigest(), 16) * 4 // 2**128


def key_for(shard: int, prefix: str) -> str:
    return next(f"{prefix}-{i}" for i in range(1000) if shard_of(f"{prefix}-{i}") == shard)


def test_right_answer_passes(engine, stream):
    key = key_for(0, "right")
    engine.client("kinesis").put_record(StreamName=stream, PartitionKey=key, Data=b"{}")
    verdict = checks.placed_record(stream, key, "shardId-000000000000")
    assert verdict.passed, verdict.message


def test_wrong_prediction_fails(engine, stream):
    key = key_for(0, "wrong-guess")
    engine.client("kinesis").put_record(StreamName=stream, PartitionKey=key, Data=b"{}")
    verdict = checks.placed_record(stream, key, "shardId-000000000003")
    assert not verdict.passed
    assert "falls in the range of shardId-000000000000, not shardId-000000000003" in verdict.message


def test_wrong_shard_fails(engine, stream):
    key = key_for(2, "other-shard")
    verdict = checks.placed_record(stream, key, "shardId-000000000002")
    assert not verdict.passed
    assert "the shard that owns hash key 0 is shardId-000000000000" in verdict.message


def test_record_not_written_fails(stream):
    key = key_for(0, "never-written")
    verdict = checks.placed_record(stream, key, "shardId-000000000000")
    assert not verdict.passed
    assert "call put_record" in verdict.message


def test_unset_answer_fails(stream):
    verdict = evaluate(checks.placed_record, stream, None, None)
    assert verdict.kind == "failed"
    assert "my_key is still None" in verdict.message


def test_wrong_shard_count_fails(engine, stream):
    key = key_for(0, "count")
    engine.client("kinesis").put_record(StreamName=stream, PartitionKey=key, Data=b"{}")
    assert checks.placed_record(stream, key, "shardId-000000000000", shard_count=4).passed
    verdict = checks.placed_record(stream, key, "shardId-000000000000", shard_count=3)
    assert not verdict.passed
    assert "has 4 open shard(s); create it with ShardCount=3" in verdict.message
