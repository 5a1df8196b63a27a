"""Checks for labs/dynamodb-developers: capacity drills, judged against :mod:`labkit.calculators`.

The arithmetic is AWS's ("DynamoDB read and write operations", Amazon DynamoDB Developer Guide): a read unit covers
4 KB (half a unit when eventually consistent, two when transactional), a write unit 1 KB (two when
transactional); each item is rounded up first, then multiplied by the rate; a Query adds the sizes of the items it
read and rounds that total once.
"""
from __future__ import annotations

import math
import numbers

from ..calculators import capacity_per_second, query_read_units, read_units, write_units
from ..checks import Verdict, expect, failed, passed

DRILLS = {
    "a": "40 strongly consistent reads per second of 7 KB items: RCU",
    "b": "the same 40 reads per second, eventually consistent: RCU",
    "c": "25 writes per second of 1.5 KB items: WCU",
    "d": "10 transactional writes per second (TransactWriteItems) of 3 KB items: WCU",
    "e": "one eventually consistent Query that reads 30 items of 0.5 KB each: read units consumed",
    "f": "12 transactional reads per second (TransactGetItems) of 9 KB items: RCU",
}
"""The drills of the lab's "Your turn", by key."""


def right_answers() -> dict[str, float]:
    """The answer to each drill, computed by the course's calculators."""
    return {
        "a": capacity_per_second("read", 7, 40, "strong"),
        "b": capacity_per_second("read", 7, 40, "eventual"),
        "c": capacity_per_second("write", 1.5, 25),
        "d": capacity_per_second("write", 3, 10, "transactional"),
        "e": query_read_units([0.5] * 30, "eventual"),
        "f": capacity_per_second("read", 9, 12, "transactional"),
    }


def _mistakes() -> dict[str, dict[float, str]]:
    """For each drill, the numbers that common mistakes give, and the hint each deserves."""
    not_rounded = "round the item size up first (7 KB is two 4 KB blocks), then multiply by the rate"
    return {
        "a": {7 / 4 * 40: not_rounded, 7 * 40: "a read unit covers 4 KB, not 1 KB",
              40.0: "a strongly consistent read costs a full unit per 4 KB (half is for eventual consistency)"},
        "b": {80.0: "eventually consistent reads cost half as much as strongly consistent ones",
              7 / 4 * 40 / 2: not_rounded, 7 * 40 / 2: "a read unit covers 4 KB, not 1 KB"},
        "c": {1.5 * 25: "a write unit covers 1 KB and the size rounds up: 1.5 KB costs 2 units",
              25.0: "a 1.5 KB item needs two 1 KB write units, not one"},
        "d": {30.0: "a transactional write costs twice a standard write",
              float(write_units(3) * 10 * 4): "a transactional write costs two units per KB, not four"},
        "e": {float(sum(read_units(0.5, "eventual") for _ in range(30))):
              "a Query adds up the sizes of all the items it read (15 KB) and rounds that total once, not item "
              "by item",
              4.0: "a Query is eventually consistent unless you ask for ConsistentRead: halve the units",
              7.5: "round the 15 KB total up to 16 KB (four 4 KB blocks) before halving"},
        "f": {36.0: "a transactional read costs two units per 4 KB, twice a strongly consistent read",
              9 / 4 * 2 * 12: "round 9 KB up to three 4 KB blocks first",
              float(math.ceil(9 / 4) * 12 / 2): "a transactional read costs twice, not half, a strongly "
                                                "consistent read"},
    }


def capacity_drills(answers) -> Verdict:
    """``answers`` maps each key of :data:`DRILLS` ("a" to "f") to a number of capacity units.

    Passes when every number equals the calculator's; otherwise names each wrong drill with the mistake its
    number suggests. Raises nothing for a learner's mistake (a missing key, a string) — those are hints.
    """
    expect(answers, "my_answers", dict, 'a dictionary such as {"a": 80, "b": ...}, one number per drill')
    right = right_answers()
    missing = [key for key in DRILLS if key not in answers]
    if missing:
        return failed(f"my_answers has no answer for {', '.join(missing)}: give one number per drill, keys "
                      f"{', '.join(DRILLS)}.")
    hints = []
    mistakes = _mistakes()
    for key, question in DRILLS.items():
        value = answers[key]
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            hints.append(f"{key}: {value!r} is not a number (write it without quotes, e.g. 80)")
            continue
        if math.isclose(float(value), float(right[key])):
            continue
        hint = next((why for wrong, why in mistakes[key].items() if math.isclose(float(value), float(wrong))),
                    None)
        hints.append(f"{key} ({question}): {value:g} is not it" + (f" — {hint}" if hint else ""))
    unknown = sorted(str(k) for k in answers if k not in DRILLS)
    if not hints:
        extra = f" (the extra keys {', '.join(unknown)} were ignored)" if unknown else ""
        return passed("All six right: round each item up, multiply by the rate, halve for eventual consistency, "
                      "double for transactions, and round a Query's total once." + extra)
    return failed(f"{len(hints)} of 6 not right yet. " + "; ".join(hints) + ".")
