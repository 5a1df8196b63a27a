"""labkit.exercises.eventbridge: right and wrong answers, on the embedded engine."""
from __future__ import annotations

from labkit.checks import evaluate
from labkit.exercises import eventbridge

RIGHT = {"source": ["shop.orders"], "detail-type": ["OrderPlaced"], "detail": {
    "store": [{"prefix": "berlin"}], "total": [{"numeric": [">=", 100]}],
    "status": [{"anything-but": ["test"]}], "coupon": [{"exists": True}]}}


def without(key):
    return {**RIGHT, "detail": {k: v for k, v in RIGHT["detail"].items() if k != key}}


def test_right_answer_passes(engine):
    verdict = evaluate(eventbridge.big_berlin_orders, RIGHT)
    assert verdict.passed, verdict.message


def test_without_detail_type_still_right(engine):
    pattern = {k: v for k, v in RIGHT.items() if k != "detail-type"}
    assert evaluate(eventbridge.big_berlin_orders, pattern).passed


def test_each_missing_condition_names_the_order_it_lets_through(engine):
    for key, order in (("total", "e2"), ("store", "e3"), ("status", "e4"), ("coupon", "e5")):
        verdict = evaluate(eventbridge.big_berlin_orders, without(key))
        assert verdict.kind == "failed" and f"{order} matches but should not" in verdict.message, key


def test_missing_source_lets_the_return_through(engine):
    pattern = {"detail": RIGHT["detail"]}
    verdict = evaluate(eventbridge.big_berlin_orders, pattern)
    assert verdict.kind == "failed" and "e7 matches but should not" in verdict.message


def test_conditions_outside_detail_match_nothing(engine):
    pattern = {"source": ["shop.orders"], **RIGHT["detail"]}
    verdict = evaluate(eventbridge.big_berlin_orders, pattern)
    assert verdict.kind == "failed" and "e1, e6 should match but does not" in verdict.message


def test_strictly_greater_than_100_misses_the_order_of_exactly_100(engine):
    pattern = {**RIGHT, "detail": {**RIGHT["detail"], "total": [{"numeric": [">", 100]}]}}
    verdict = evaluate(eventbridge.big_berlin_orders, pattern)
    assert verdict.kind == "failed" and "its total is exactly 100" in verdict.message, verdict.message


def test_invalid_pattern_and_placeholder_are_hints(engine):
    verdict = evaluate(eventbridge.big_berlin_orders, {"detail": {"total": [{"numeric": [">>", 100]}]}})
    assert verdict.kind == "failed" and "EventBridge refuses this pattern" in verdict.message
    assert "my_pattern is still None" in evaluate(eventbridge.big_berlin_orders, None).message


def test_matched_uses_test_event_pattern(engine):
    assert eventbridge.matched({"detail": {"store": ["munich"]}}) == {"e3"}
