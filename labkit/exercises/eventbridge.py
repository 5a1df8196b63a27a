"""Checks for labs/eventbridge."""
from __future__ import annotations

import json

from botocore.exceptions import ClientError

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def _order(order_id: str, store: str, total, status: str, coupon: str | None = None,
           source: str = "shop.orders", detail_type: str = "OrderPlaced") -> dict:
    detail = {"orderId": order_id, "store": store, "total": total, "status": status}
    if coupon is not None:
        detail["coupon"] = coupon
    return {"version": "0", "id": f"event-{order_id}", "account": "123456789012", "source": source,
            "time": "2026-11-30T12:00:00Z", "region": "us-east-1", "resources": [], "detail-type": detail_type,
            "detail": detail}


EVENTS = [  # the lab's sample events: which the exercise's pattern must match, and why the others must not
    _order("e1", "berlin-mitte", 100, "new", "WINTER"),       # exactly 100: "at least 100" includes it
    _order("e2", "berlin-mitte", 99, "new", "WINTER"),        # total below 100
    _order("e3", "munich", 500, "new", "WINTER"),              # store not berlin…
    _order("e4", "berlin-ost", 300, "test", "WINTER"),         # a test order
    _order("e5", "berlin-ost", 300, "paid"),                   # no coupon
    _order("e6", "berlin-ost", 1000, "paid", "VIP"),
    _order("e7", "berlin-mitte", 200, "new", "WINTER", source="shop.returns", detail_type="ReturnRequested"),
]
WANTED = {"e1", "e6"}
WHY_NOT = {
    "e2": "its total is 99 (use a numeric condition: >= 100)",
    "e3": "its store is munich (match stores with the prefix 'berlin')",
    "e4": "it is a test order (exclude status 'test' with anything-but)",
    "e5": "it has no coupon (require the field with exists: true)",
    "e7": "it comes from shop.returns (match source 'shop.orders' only)",
}


def matched(pattern: dict) -> set[str]:
    """The ids of :data:`EVENTS` that ``pattern`` matches, by the engine's ``TestEventPattern``."""
    events = current().client("events")
    text = json.dumps(pattern)
    return {event["detail"]["orderId"] for event in EVENTS
            if events.test_event_pattern(EventPattern=text, Event=json.dumps(event))["Result"]}


def big_berlin_orders(pattern) -> Verdict:
    """``pattern`` (an event pattern, dict) matches exactly the sample orders e1 and e6.

    Judged with EventBridge's own ``TestEventPattern`` ("TestEventPattern", Amazon EventBridge API Reference) over
    :data:`EVENTS`; operators as in "Content filtering in Amazon EventBridge event patterns". An invalid pattern
    (``InvalidEventPatternException``) becomes a hint quoting EventBridge's reason. Returns a :class:`Verdict`.
    """
    expect(pattern, "my_pattern", dict, "an event pattern, for example {'source': ['shop.orders']}")
    try:
        got = matched(pattern)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") != "InvalidEventPatternException":
            raise
        return failed(f"EventBridge refuses this pattern: {error.get('Message', '')} Every field's value is a list "
                      "of values or conditions, e.g. {'detail': {'total': [{'numeric': ['>=', 100]}]}}.")
    if got == WANTED:
        return passed("Exactly e1 and e6 match: source, prefix, numeric, anything-but and exists, all ANDed.")
    hints = []
    missing, extra = sorted(WANTED - got), sorted(got - WANTED)
    if missing == ["e1"]:
        hints.append("e1 should match but does not: its total is exactly 100, and \"at least 100\" includes 100 "
                     "(numeric >=, not >)")
    elif missing:
        hints.append(f"{', '.join(missing)} should match but does not (are the conditions under 'detail', and "
                     "do the field names match the event's: store, total, status, coupon?)")
    for order_id in extra:
        hints.append(f"{order_id} matches but should not: {WHY_NOT[order_id]}")
    return failed("; ".join(hints) + ".")
