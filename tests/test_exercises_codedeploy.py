"""The CodeDeploy lab's exercise check: a right answer passes, wrong answers fail with the right hint."""
from __future__ import annotations

from labkit.checks import evaluate
from labkit.exercises import codedeploy as ex

RIGHT = ["BeforeBlockTraffic", "AfterBlockTraffic", "ApplicationStop", "BeforeInstall", "AfterInstall",
         "ApplicationStart", "ValidateService", "BeforeAllowTraffic", "AfterAllowTraffic"]


def test_right_answer_passes():
    assert ex.hook_order(RIGHT).passed
    assert ex.scriptable("ec2-in-place") == RIGHT


def test_lambda_order():
    assert ex.hook_order(["BeforeAllowTraffic", "AfterAllowTraffic"], platform="lambda").passed


def test_swapped_fails():
    wrong = RIGHT.copy()
    wrong[3], wrong[4] = wrong[4], wrong[3]
    verdict = ex.hook_order(wrong)
    assert not verdict.passed and "Position 4 should be BeforeInstall, not AfterInstall" in verdict.message


def test_reserved_event_fails():
    verdict = ex.hook_order(RIGHT[:3] + ["DownloadBundle"] + RIGHT[3:])
    assert not verdict.passed and "DownloadBundle cannot run scripts" in verdict.message


def test_missing_hook_fails():
    verdict = ex.hook_order(RIGHT[:-1])
    assert not verdict.passed and "Missing: AfterAllowTraffic" in verdict.message


def test_unknown_hook_fails():
    verdict = ex.hook_order(RIGHT + ["AfterAllowTestTraffic"])
    assert not verdict.passed and "AfterAllowTestTraffic is not a hook" in verdict.message


def test_empty_fails():
    assert "my_order is still []" in evaluate(ex.hook_order, []).message
    verdict = evaluate(ex.hook_order, "BeforeBlockTraffic, AfterBlockTraffic")
    assert verdict.kind == "failed" and "my_order should be a list" in verdict.message
