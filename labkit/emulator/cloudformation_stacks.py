"""CloudFormation stacks (not custom resources, which :mod:`labkit.emulator.cloudformation` serves): where the
embedded engine differs from AWS. moto creates resources synchronously inside CreateStack and implements only part
of the stack life cycle.
"""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="cloudformation-failure-not-rolled-back",
        service="CloudFormation",
        aws="CreateStack returns at once and resources are created in the background; when one fails, the stack "
            "rolls back by default (deleting what it created) and ends ROLLBACK_COMPLETE, unless you chose to "
            "preserve successfully provisioned resources.",
        engine="CreateStack itself answers with the failing resource's error; the stack stays CREATE_IN_PROGRESS and "
               "the resources created before the failure are kept.",
        doc="Choose how to handle failures when provisioning resources",
        labs=("cloudformation",),
    ),
    Difference(
        id="cloudformation-noecho-not-masked",
        service="CloudFormation",
        aws="The value of a NoEcho parameter is masked with asterisks in DescribeStacks, stack events and the "
            "console.",
        engine="DescribeStacks returns the NoEcho parameter's value in clear text.",
        doc="CloudFormation template Parameters syntax",
        labs=("cloudformation",),
    ),
    Difference(
        id="cloudformation-change-set-not-computed",
        service="CloudFormation",
        aws="A change set for an existing stack lists exactly the resources the update would add, modify (with "
            "Replacement True/False) or remove, computed from the stack's current state.",
        engine="The listed changes are the engine's own approximation, not that comparison; UsePreviousValue in a "
               "change set's parameters fails, and an update may not apply a property change in place or "
               "recompute Outputs.",
        doc="Update CloudFormation stacks using change sets",
        labs=("cloudformation",),
    ),
    Difference(
        id="cloudformation-validate-template-parameters",
        service="CloudFormation",
        aws="ValidateTemplate returns the template's description and its parameters (with their defaults and NoEcho "
            "flags).",
        engine="ValidateTemplate returns the description but an empty Parameters list.",
        doc="ValidateTemplate",
        labs=("cloudformation",),
    ),
    Difference(
        id="cloudformation-resource-events-missing",
        service="CloudFormation",
        aws="Stack events include a CREATE_IN_PROGRESS and a CREATE_COMPLETE (or _FAILED) event for every resource, "
            "besides the stack's own events.",
        engine="Only the stack's own events are recorded.",
        doc="DescribeStackEvents",
        labs=("cloudformation",),
    ),
]


def _has_parameters(response) -> bool:
    return "Parameters" in (response._get_param("TemplateBody") or "")


TRIGGERS = [
    Trigger("moto.cloudformation.responses.CloudFormationResponse.validate_template",
            "cloudformation-validate-template-parameters", when=_has_parameters),
    Trigger("moto.cloudformation.responses.CloudFormationResponse.describe_stack_events",
            "cloudformation-resource-events-missing"),
    Trigger("moto.cloudformation.responses.CloudFormationResponse.create_change_set",
            "cloudformation-change-set-not-computed",
            when=lambda response: (response._get_param("ChangeSetType") or "UPDATE") == "UPDATE"),
]

PATCHES = [trigger_patch("cloudformation-stack-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
