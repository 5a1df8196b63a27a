"""speedups-timestamps: botocore's timestamp parser remembers date strings and answers exactly as botocore does."""
from __future__ import annotations

import datetime

import botocore.parsers as parsers
import pytest
from botocore.utils import parse_timestamp

from labkit.emulator import speedups

DATES = ["Tue, 01 Dec 2026 12:00:00 GMT", "2026-12-01T12:00:00.000Z", "2026-12-01T12:00:00+02:00",
         "2026-12-01T12:00:00", "12:30:00"]  # the last two leave out the zone, the date: dateutil fills them in


def test_answers_are_botocore_answers():
    parse = speedups.remembered_timestamps(parse_timestamp)
    for value in DATES * 2:  # the second pass is answered from memory
        ours, theirs = parse(value), parse_timestamp(value)
        assert (ours, ours.tzinfo, ours.utcoffset()) == (theirs, theirs.tzinfo, theirs.utcoffset()), value
    assert parse.cache_info().hits == len(DATES)
    for number in (1700000000, 1700000000.5, "1700000000", "1.7e9"):  # epoch seconds, in the local zone: not kept
        assert parse(number) == parse_timestamp(number)
    assert parse.cache_info().currsize == len(DATES)
    with pytest.raises(ValueError, match="Invalid timestamp"):
        parse("not a date")


def test_a_new_day_is_a_new_key(monkeypatch):
    parse = speedups.remembered_timestamps(parse_timestamp)
    parse("12:30:00")
    monkeypatch.setattr(speedups, "today", lambda: datetime.date(2030, 1, 2))
    parse("12:30:00")
    assert parse.cache_info().misses == 2


def test_responses_are_parsed_through_it(engine):
    """botocore still takes its default parser at each response; when this fails, it keeps it elsewhere: move or drop
    speedups-timestamps."""
    s3 = engine.client("s3")
    s3.create_bucket(Bucket="speedups-timestamps")
    try:
        s3.put_object(Bucket="speedups-timestamps", Key="k", Body=b"x")
        assert hasattr(parsers.DEFAULT_TIMESTAMP_PARSER, "cache_info")
        before = parsers.DEFAULT_TIMESTAMP_PARSER.cache_info()
        first = s3.head_object(Bucket="speedups-timestamps", Key="k")["LastModified"]
        second = s3.head_object(Bucket="speedups-timestamps", Key="k")["LastModified"]
        after = parsers.DEFAULT_TIMESTAMP_PARSER.cache_info()
        assert first == second and first.tzinfo is not None
        assert after.hits > before.hits
    finally:
        s3.delete_object(Bucket="speedups-timestamps", Key="k")
        s3.delete_bucket(Bucket="speedups-timestamps")
