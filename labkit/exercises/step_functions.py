"""Checks for labs/step-functions."""
from __future__ import annotations

import json

from ..checks import Verdict, expect, failed, passed
from ..engines import current

SERVICE_ERRORS = {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException"}
NOTES = {"IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2}


def _function_name(ref) -> str | None:
    """The function name in a Lambda function reference: a name, ``name:qualifier``, a partial ARN
    (``123456789012:function:name``) or a full ARN, with or without a version or alias ("Invoke", AWS Lambda API
    Reference, FunctionName)."""
    if not isinstance(ref, str) or not ref:
        return None
    parts = ref.split(":")
    if "function" in parts:
        i = parts.index("function")
        return parts[i + 1] if i + 1 < len(parts) else None
    return parts[0]


def _task_target(state: dict) -> str | None:
    """The function a Task state invokes: ``Parameters.FunctionName`` (or ``Arguments``) of the optimized
    ``arn:aws:states:::lambda:invoke`` integration, else a Lambda function ARN as the ``Resource``."""
    resource = state.get("Resource", "")
    if isinstance(resource, str) and resource.startswith("arn:aws:states:::lambda:invoke"):
        for field in ("Parameters", "Arguments"):
            block = state.get(field) or {}
            if isinstance(block, dict) and "FunctionName" in block:
                return _function_name(block["FunctionName"])
        return None
    return _function_name(resource) if ":function:" in str(resource) else None


def _all_states(states: dict) -> dict:
    """Every state of a machine by name, including those inside Parallel branches and Map iterators."""
    found = {}
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        found[name] = state
        inner = list(state.get("Branches", []) or [])
        inner += [state[k] for k in ("Iterator", "ItemProcessor") if isinstance(state.get(k), dict)]
        for sub in inner:
            found.update(_all_states(sub.get("States", {}) or {}))
    return found


def notes_retry(machine_arn: str, function_arn: str | None = None) -> Verdict:
    """A Task state of the machine (at top level, or in a Parallel branch or Map iterator) that invokes
    ``function_arn`` retries the Lambda service errors as the notes say and catches States.ALL.

    ``function_arn`` is the function the exercise names (``flaky_arn``); Tasks invoking another function do not
    count. Without it, any Task counts.
    """
    expect(machine_arn, "my_machine", str, "the stateMachineArn that create_state_machine returned")
    sfn = current().client("stepfunctions")
    definition = json.loads(sfn.describe_state_machine(stateMachineArn=machine_arn)["definition"])
    every = _all_states(definition.get("States", {}))
    tasks = {name: s for name, s in every.items() if s.get("Type") == "Task"}
    if not tasks:
        return failed("The state machine has no state of Type 'Task': the Retry belongs on the Task that calls "
                      "the function.")
    if function_arn:
        wanted = _function_name(function_arn)
        calling = {name: s for name, s in tasks.items() if _task_target(s) == wanted}
        if not calling:
            others = sorted({t for t in map(_task_target, tasks.values()) if t})
            return failed(f"No Task state invokes the function {wanted!r} (flaky_arn)"
                          + (f"; your Tasks call {others}" if others else "")
                          + ": put flaky_arn in Parameters.FunctionName of the lambda:invoke Task.")
        tasks = calling
    problems = []
    for name, state in tasks.items():
        retriers = [r for r in state.get("Retry", []) if SERVICE_ERRORS <= set(r.get("ErrorEquals", []))]
        if not retriers:
            problems.append(f"{name}: no Retry lists all three errors {', '.join(sorted(SERVICE_ERRORS))}")
            continue
        wrong = {k: retriers[0].get(k) for k, v in NOTES.items() if retriers[0].get(k) != v}
        if wrong:
            problems.append(f"{name}: the retrier has {wrong}; the notes use {NOTES}")
            continue
        catches = [c for c in state.get("Catch", []) if "States.ALL" in c.get("ErrorEquals", [])]
        if not catches:
            problems.append(f"{name}: no Catch on States.ALL")
            continue
        if catches[0].get("Next") not in every:
            problems.append(f"{name}: the Catch goes to {catches[0].get('Next')!r}, which is not a state of "
                            "the machine")
            continue
        return passed(f"{name} retries Lambda service errors after 2, 4, 8, 16, 32 and 64 seconds, then its "
                      f"Catch moves on to {catches[0]['Next']}.")
    return failed("; ".join(problems) + ".")
