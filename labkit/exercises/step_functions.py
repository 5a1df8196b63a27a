"""Checks for labs/step-functions."""
from __future__ import annotations

import json

from ..checks import Verdict, expect, failed, passed
from ..engines import current

SERVICE_ERRORS = {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException"}
NOTES = {"IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2}


def notes_retry(machine_arn: str) -> Verdict:
    """A Task state of the machine retries the Lambda service errors as the notes say and catches States.ALL."""
    expect(machine_arn, "my_machine", str, "the stateMachineArn that create_state_machine returned")
    sfn = current().client("stepfunctions")
    definition = json.loads(sfn.describe_state_machine(stateMachineArn=machine_arn)["definition"])
    states = definition.get("States", {})
    tasks = {name: s for name, s in states.items() if s.get("Type") == "Task"}
    if not tasks:
        return failed("The state machine has no state of Type 'Task': the Retry belongs on the Task that calls "
                      "the function.")
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
        if catches[0].get("Next") not in states:
            problems.append(f"{name}: the Catch goes to {catches[0].get('Next')!r}, which is not a state of "
                            "the machine")
            continue
        return passed(f"{name} retries Lambda service errors after 2, 4, 8, 16, 32 and 64 seconds, then its "
                      f"Catch moves on to {catches[0]['Next']}.")
    return failed("Not yet: " + "; ".join(problems) + ".")
