"""Checks: verdicts, hints instead of tracebacks, widgets that show the verdict at once, solutions that wait."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import labkit
from labkit.checks import BROKE, evaluate, expect, verdict_html
from labkit.errors import LabkitError


def test_a_passing_check_is_a_passing_verdict():
    verdict = evaluate(lambda x: labkit.passed("fine") if x == 1 else labkit.failed("x must be 1"), 1)
    assert verdict.passed and verdict.message == "fine" and verdict.kind == "passed"
    assert "✓" in verdict_html(verdict)


def test_a_failing_check_carries_its_hint():
    verdict = evaluate(lambda x: labkit.passed() if x == 1 else labkit.failed("x must be 1"), 2)
    assert verdict.kind == "failed" and verdict.message == "x must be 1"
    assert "✗" in verdict_html(verdict) and "Not yet" in verdict_html(verdict)


def test_engine_errors_become_hints():
    def check():
        raise ClientError({"Error": {"Code": "NoSuchBucket", "Message": "The bucket does not exist"}}, "HeadBucket")

    verdict = evaluate(check)
    assert verdict.kind == "failed"
    assert "NoSuchBucket" in verdict.message and "does the name match" in verdict.message


def test_a_labkit_error_is_a_hint():
    verdict = evaluate(lambda: (_ for _ in ()).throw(LabkitError("say this")))
    assert verdict.kind == "failed" and verdict.message == "say this"


def test_a_placeholder_answer_is_a_hint_saying_what_to_do():
    def versioned(bucket):
        expect(bucket, "my_bucket", str, "the name of the bucket you created")
        return labkit.passed()

    for placeholder in (None, "", {}, []):
        verdict = evaluate(versioned, placeholder)
        assert verdict.kind == "failed"
        assert verdict.message.startswith(f"my_bucket is still {placeholder!r}: set it to the name of the bucket")
    verdict = evaluate(versioned, {"Location": "/photos"})
    assert verdict.kind == "failed"
    assert "my_bucket should be a string (the name of the bucket you created), not dict" in verdict.message
    assert evaluate(versioned, "photos").passed


def test_an_exception_inside_a_check_is_the_check_broken_never_the_learner():
    def buggy(answer):
        return labkit.passed() if answer["Items"] else labkit.failed("no items")  # our bug: answer is a list

    verdict = evaluate(buggy, [1])
    assert verdict.kind == "broken" and not verdict.passed
    assert verdict.message == BROKE and "our bug, not your answer" in verdict.message
    assert "TypeError" in verdict.details and "buggy" in verdict.details
    shown = verdict_html(verdict)
    assert "⚠ Check broke" in shown and "Not yet" not in shown
    assert "<details>" in shown and shown.index("<details>") < shown.index("TypeError")  # folded, not a wall


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


def test_check_output_carries_the_verdict_without_widget_state(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    labkit.check(lambda: labkit.failed("add a tag"))
    bundle = shown[0]._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the live widget, with its button
    assert 'data-verdict="failed"' in bundle["text/html"] and "add a tag" in bundle["text/html"]
    assert bundle["text/plain"] == "✗ Not yet: add a tag"


def test_solution_cells_run_only_when_asked(monkeypatch, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    from labkit import solutions

    shell = InteractiveShell.instance()
    solutions.register(shell)
    monkeypatch.delenv(solutions.ENV, raising=False)
    shell.user_ns["my_bucket"] = None
    shell.run_cell("%%solution\n#@title Solution\nmy_bucket = 'solved'\n")
    assert shell.user_ns["my_bucket"] is None and solutions.NOT_RUN in capsys.readouterr().out
    monkeypatch.setenv(solutions.ENV, "1")
    shell.run_cell("%%solution\n#@title Solution\nmy_bucket = 'solved'\n")
    assert shell.user_ns["my_bucket"] == "solved"
    failing = shell.run_cell("%%solution\nraise RuntimeError('the solution is wrong')\n")
    assert isinstance(failing.error_in_exec, solutions.SolutionFailed)


# Every lab's check, with the lab's other arguments stood in for: (module, check, arguments around the answer).
LAB_CHECKS = [
    ("api_gateway", "gold_plan", lambda a: ("a1b2c3", a, a)),
    ("batch", "failed_jobs_pattern", lambda a: (a, "arn:aws:batch:us-east-1:123456789012:job-queue/q")),
    ("cloudformation", "archive_queue", lambda a: (a,)),
    ("cloudwatch", "error_alarm", lambda a: (a, "arn:aws:sns:us-east-1:123456789012:t")),
    ("codedeploy", "hook_order", lambda a: (a,)),
    ("codepipeline", "manual_gate", lambda a: (a,)),
    ("cognito", "group_in_id_token", lambda a: (a, "us-east-1_abc", "client")),
    ("dynamodb", "range_query", lambda a: ("dva-no-table-00000", a)),
    ("ecs", "sidecar_task", lambda a: (a,)),
    ("elastic_beanstalk", "scaling_config", lambda a: (a,)),
    ("elastic_ip", "failover", lambda a: (a, "i-1", "i-2")),
    ("iam", "least_privilege_prefix", lambda a: (a, "dva-no-bucket-00000")),
    ("kinesis", "placed_record", lambda a: (a, a, a)),
    ("kms", "envelope", lambda a: (a, "alias/none", b"message")),
    ("lambda_", "canary_alias", lambda a: (a,)),
    ("parameter_store", "environment_config", lambda a: (a, "/dva-app-00000")),
    ("quicksight_data_pipeline", "daily_copy", lambda a: (a,)),
    ("rds", "slow_log_group", lambda a: (a,)),
    ("route53", "weighted_split", lambda a: (a, "checkout.example.com", "192.0.2.77")),
    ("s3_basics", "versioned_report", lambda a: (a,)),
    ("s3_in_depth", "archive_rule", lambda a: (a,)),
    ("sam", "canary_alias", lambda a: (a,)),
    ("sns_filtering", "warehouse_policy", lambda a: (a,)),
    ("step_functions", "notes_retry", lambda a: (a,)),
    ("vpc", "subnet_plan", lambda a: (a,)),
    ("xray", "checkout_trace", lambda a: (a,)),
]
WRONG_ANSWERS = [None, "", {}, [], 42, "dva-nothing-00000", {"id": "x"}, ["x"]]


@pytest.mark.parametrize("module, name, arguments", LAB_CHECKS, ids=[f"{m}.{n}" for m, n, _ in LAB_CHECKS])
def test_placeholders_and_wrong_kinds_of_answer_get_a_hint_never_a_broken_check(engine, module, name, arguments):
    import importlib

    check = getattr(importlib.import_module(f"labkit.exercises.{module}"), name)
    for answer in WRONG_ANSWERS:
        verdict = evaluate(check, *arguments(answer))
        assert verdict.kind == "failed" and len(verdict.message) > 20, (answer, verdict)


@pytest.mark.parametrize("not_a_check", ["garbage", None, 42])
def test_check_with_something_not_callable_is_a_clear_type_error(not_a_check):
    with pytest.raises(TypeError, match="labkit.check needs a check function first"):
        labkit.check(not_a_check)


def test_an_answer_left_out_is_a_hint_naming_what_to_pass(monkeypatch):
    from labkit.exercises import s3_basics

    verdict = evaluate(s3_basics.versioned_report)
    assert verdict.kind == "failed", verdict
    assert "no answer for bucket" in verdict.message
    assert "labkit.check(s3_basics.versioned_report, my_bucket)" in verdict.message
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    labkit.check(s3_basics.versioned_report)
    assert shown[0].verdict.kind == "failed" and "pass your answer" in shown[0].verdict.message


def test_too_many_arguments_is_a_hint():
    def one(answer):
        return labkit.passed()

    verdict = evaluate(one, 1, 2)
    assert verdict.kind == "failed" and "does not take" in verdict.message
    assert evaluate(one, 1).passed
