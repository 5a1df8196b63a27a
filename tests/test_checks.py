"""Checks: verdicts, hints instead of tracebacks, widgets that show the verdict at once."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import labkit
from labkit.checks import evaluate, verdict_html
from labkit.errors import LabkitError


def test_a_passing_check_is_a_passing_verdict():
    verdict = evaluate(lambda x: labkit.passed("fine") if x == 1 else labkit.failed("x must be 1"), 1)
    assert verdict.passed and verdict.message == "fine"
    assert "✓" in verdict_html(verdict)


def test_a_failing_check_carries_its_hint():
    verdict = evaluate(lambda x: labkit.passed() if x == 1 else labkit.failed("x must be 1"), 2)
    assert not verdict.passed and verdict.message == "x must be 1"
    assert "✗" in verdict_html(verdict) and "Not yet" in verdict_html(verdict)


def test_engine_errors_become_hints():
    def check():
        raise ClientError({"Error": {"Code": "NoSuchBucket", "Message": "The bucket does not exist"}}, "HeadBucket")

    verdict = evaluate(check)
    assert not verdict.passed
    assert "NoSuchBucket" in verdict.message and "does the name match" in verdict.message


def test_wrong_shaped_answers_become_hints():
    assert "expected shape" in evaluate(lambda answer: labkit.passed() if answer["k"] else None, None).message
    assert evaluate(lambda: (_ for _ in ()).throw(LabkitError("say this"))).message == "say this"


def test_a_check_must_return_a_verdict():
    with pytest.raises(TypeError, match="must return labkit.passed"):
        evaluate(lambda: True)


def test_check_widget_shows_the_verdict_immediately(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    labkit.check(lambda: labkit.failed("add a tag"))
    button, output = shown[0].children
    assert button.description == "Check my work"
    assert "add a tag" in output.value
    state = {"done": False}
    labkit.check(lambda: labkit.passed("tagged") if state["done"] else labkit.failed("add a tag"))
    button, output = shown[1].children
    state["done"] = True
    button.click()
    assert "tagged" in output.value
