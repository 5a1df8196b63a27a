"""EventBridge TestEventPattern answers whether a pattern matches an event, as AWS documents."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import labkit

EVENT = {"id": "1", "account": "123456789012", "source": "shop.orders", "time": "2026-11-30T12:00:00Z",
         "region": "us-east-1", "resources": [], "detail-type": "OrderPlaced",
         "detail": {"store": "berlin-1", "total": 120, "status": "new", "coupon": "WINTER"}}


def _result(pattern, event=EVENT):
    return labkit.client("events").test_event_pattern(EventPattern=json.dumps(pattern),
                                                      Event=json.dumps(event))["Result"]


@pytest.mark.parametrize("pattern, expected", [
    ({"source": ["shop.orders"]}, True),
    ({"source": ["shop.returns"]}, False),
    ({"detail": {"store": [{"prefix": "berlin"}]}}, True),
    ({"detail": {"total": [{"numeric": [">=", 100, "<", 1000]}]}}, True),
    ({"detail": {"total": [{"numeric": ["<", 100]}]}}, False),
    ({"detail": {"status": [{"anything-but": ["test"]}]}}, True),
    ({"detail": {"status": [{"anything-but": ["new"]}]}}, False),
    ({"detail": {"coupon": [{"exists": True}]}}, True),
    ({"detail": {"coupon": [{"exists": False}]}}, False),
    ({"source": ["shop.orders"], "detail": {"store": ["paris"]}}, False),  # fields are ANDed
])
def test_result_true_or_false(engine, pattern, expected):
    """TestEventPattern (Amazon EventBridge API Reference): "Tests whether the specified event pattern matches the
    provided event" and returns Result (Boolean). Comparison operators as on "Content filtering in Amazon
    EventBridge event patterns" (prefix, numeric, anything-but, exists)."""
    assert _result(pattern) is expected


def test_an_invalid_pattern_is_refused(engine):
    """TestEventPattern's errors include InvalidEventPatternException."""
    with pytest.raises(ClientError) as caught:
        _result({"detail": {"total": [{"numeric": [">>", 1]}]}})
    assert caught.value.response["Error"]["Code"] == "InvalidEventPatternException"


def test_the_event_needs_its_mandatory_fields(engine):
    """TestEventPattern: in the Event, "the following fields are mandatory: id account source time region resources
    detail-type"."""
    with pytest.raises(ClientError):
        _result({"source": ["shop.orders"]}, {"source": "shop.orders", "detail": {}})


def test_moto_still_has_the_stub(engine):
    """When this fails, moto implements TestEventPattern upstream and labkit's patch can go."""
    from labkit.emulator import eventbridge

    assert eventbridge.moto_had_test_event_pattern_stub is True
