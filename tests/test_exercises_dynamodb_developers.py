"""labkit.exercises.dynamodb_developers: right and wrong answers to the capacity drills."""
from __future__ import annotations

from labkit.checks import evaluate
from labkit.exercises import dynamodb_developers

RIGHT = {"a": 80, "b": 40, "c": 50, "d": 60, "e": 2, "f": 72}


def test_the_calculators_give_the_worked_answers():
    assert dynamodb_developers.right_answers() == RIGHT


def test_right_answers_pass():
    verdict = evaluate(dynamodb_developers.capacity_drills, dict(RIGHT))
    assert verdict.passed, verdict.message


def test_floats_equal_to_the_answer_pass():
    verdict = evaluate(dynamodb_developers.capacity_drills, {k: float(v) for k, v in RIGHT.items()})
    assert verdict.passed, verdict.message


def test_placeholder_is_a_hint():
    verdict = evaluate(dynamodb_developers.capacity_drills, None)
    assert verdict.kind == "failed" and "my_answers is still None" in verdict.message


def test_a_missing_drill_is_named():
    answers = dict(RIGHT)
    del answers["e"]
    verdict = evaluate(dynamodb_developers.capacity_drills, answers)
    assert verdict.kind == "failed" and "no answer for e" in verdict.message


def test_not_rounding_the_item_up_is_explained():
    verdict = evaluate(dynamodb_developers.capacity_drills, {**RIGHT, "a": 70})
    assert verdict.kind == "failed" and "round the item size up first" in verdict.message
    assert verdict.message.startswith("1 of 6")


def test_a_query_rounded_per_item_is_explained():
    verdict = evaluate(dynamodb_developers.capacity_drills, {**RIGHT, "e": 15})
    assert verdict.kind == "failed" and "rounds that total once" in verdict.message


def test_forgetting_the_transaction_doubling_is_explained():
    verdict = evaluate(dynamodb_developers.capacity_drills, {**RIGHT, "d": 30, "f": 36})
    assert verdict.kind == "failed" and verdict.message.startswith("2 of 6")
    assert "twice a standard write" in verdict.message and "twice a strongly consistent read" in verdict.message


def test_a_string_is_a_hint_not_a_crash():
    verdict = evaluate(dynamodb_developers.capacity_drills, {**RIGHT, "b": "40"})
    assert verdict.kind == "failed" and "is not a number" in verdict.message


def test_an_unexplained_wrong_number_still_fails():
    verdict = evaluate(dynamodb_developers.capacity_drills, {**RIGHT, "c": 51})
    assert verdict.kind == "failed" and "c (25 writes" in verdict.message
