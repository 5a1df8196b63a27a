"""Step Functions: a definition that transitions to a missing state is refused at CreateStateMachine."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import labkit

ROLE = "arn:aws:iam::123456789012:role/sfn-role"


def _definition(catch_target):
    return json.dumps({"StartAt": "Work", "States": {
        "Work": {"Type": "Pass", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": catch_target}], "End": True},
        "Failed": {"Type": "Fail"}}})


@pytest.mark.parametrize("operation", ["create", "update"])
def test_a_catch_to_a_missing_state_is_an_invalid_definition(engine, operation):
    """CreateStateMachine / UpdateStateMachine (AWS Step Functions API Reference): InvalidDefinition — "The
    provided Amazon States Language definition is not valid"; a Catch naming no state is MISSING_TRANSITION_TARGET."""
    sfn = labkit.client("stepfunctions")
    name = labkit.name("missing-target")
    arn = None
    try:
        if operation == "update":
            arn = sfn.create_state_machine(name=name, definition=_definition("Failed"), roleArn=ROLE)["stateMachineArn"]
        with pytest.raises(ClientError) as raised:
            if arn:
                sfn.update_state_machine(stateMachineArn=arn, definition=_definition("Nowhere"))
            else:
                arn = sfn.create_state_machine(name=name, definition=_definition("Nowhere"),
                                               roleArn=ROLE)["stateMachineArn"]
        error = raised.value.response["Error"]
        assert error["Code"] == "InvalidDefinition"
        assert ("MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/Work/Catch[0]/Next"
                in error["Message"])
    finally:
        if arn:
            sfn.delete_state_machine(stateMachineArn=arn)
