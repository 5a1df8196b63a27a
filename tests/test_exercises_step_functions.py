"""labkit.exercises.step_functions: right and wrong answers, on the embedded engine."""
from __future__ import annotations

import json

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import step_functions

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:nothing"
RETRY = {"ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException"],
         "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2}


@pytest.fixture
def machine(engine):
    sfn = labkit.client("stepfunctions")
    created = []

    def create(task):
        definition = {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": FUNCTION, "End": True,
                                                             **task},
                                                    "Failed": {"Type": "Fail"}}}
        arn = sfn.create_state_machine(name=labkit.name("check"), definition=json.dumps(definition),
                                       roleArn="arn:aws:iam::123456789012:role/sfn")["stateMachineArn"]
        created.append(arn)
        return arn

    yield create
    for arn in created:
        sfn.delete_state_machine(stateMachineArn=arn)


CATCH = [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]


def test_right_answer_passes(machine):
    verdict = evaluate(step_functions.notes_retry, machine({"Retry": [RETRY], "Catch": CATCH}))
    assert verdict.passed, verdict.message


def test_lab_speed_copy_fails(machine):
    fast = {**RETRY, "IntervalSeconds": 1, "BackoffRate": 1.5, "MaxAttempts": 3}
    verdict = evaluate(step_functions.notes_retry, machine({"Retry": [fast], "Catch": CATCH}))
    assert not verdict.passed and "the notes use" in verdict.message


def test_missing_service_error_fails(machine):
    partial = {**RETRY, "ErrorEquals": ["Lambda.ServiceException"]}
    verdict = evaluate(step_functions.notes_retry, machine({"Retry": [partial], "Catch": CATCH}))
    assert not verdict.passed and "no Retry lists all three errors" in verdict.message


def test_missing_catch_fails(machine):
    verdict = evaluate(step_functions.notes_retry, machine({"Retry": [RETRY]}))
    assert not verdict.passed and "no Catch on States.ALL" in verdict.message


def test_empty_answer_fails(engine):
    verdict = evaluate(step_functions.notes_retry, None)
    assert verdict.kind == "failed" and "my_machine is still None" in verdict.message


def _create(sfn, definition):
    return sfn.create_state_machine(name=labkit.name("check"), definition=json.dumps(definition),
                                    roleArn="arn:aws:iam::123456789012:role/sfn")["stateMachineArn"]


INVOKE = "arn:aws:states:::lambda:invoke"
OTHER = "arn:aws:lambda:us-east-1:123456789012:function:other"


def test_task_calling_another_function_fails(engine):
    sfn = labkit.client("stepfunctions")
    arn = _create(sfn, {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": OTHER, "Payload.$": "$"},
                 "Retry": [RETRY], "Catch": CATCH, "End": True}, "Failed": {"Type": "Fail"}}})
    try:
        verdict = evaluate(step_functions.notes_retry, arn, FUNCTION)
        assert verdict.kind == "failed" and "No Task state invokes the function 'nothing'" in verdict.message
        assert "'other'" in verdict.message
        right = _create(sfn, {"StartAt": "Call", "States": {
            "Call": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": FUNCTION, "Payload.$": "$"},
                     "Retry": [RETRY], "Catch": CATCH, "End": True}, "Failed": {"Type": "Fail"}}})
        verdict = evaluate(step_functions.notes_retry, right, FUNCTION)
        assert verdict.passed, verdict.message
        sfn.delete_state_machine(stateMachineArn=right)
    finally:
        sfn.delete_state_machine(stateMachineArn=arn)


def test_task_in_parallel_branch_passes(engine):
    sfn = labkit.client("stepfunctions")
    branch = {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": FUNCTION, "Retry": [RETRY], "Catch": CATCH, "End": True},
        "Failed": {"Type": "Fail"}}}
    arn = _create(sfn, {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "Branches": [branch],
                                                               "End": True}}})
    try:
        verdict = evaluate(step_functions.notes_retry, arn, FUNCTION)
        assert verdict.passed, verdict.message
    finally:
        sfn.delete_state_machine(stateMachineArn=arn)


def test_a_retry_without_catch_fails_with_the_missing_catch_named_once(machine):
    verdict = evaluate(step_functions.notes_retry, machine({"Retry": [RETRY]}))
    assert verdict.kind == "failed" and verdict.message == "Call: no Catch on States.ALL."
    assert not verdict.message.startswith("Not yet")  # the widget adds that prefix itself
