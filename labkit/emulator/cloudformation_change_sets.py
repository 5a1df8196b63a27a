"""CloudFormation change sets of type CREATE: the new stack is created as CreateStack creates it.

"Create a change set for a new stack" / "ExecuteChangeSet" (AWS CloudFormation User Guide and API Reference):
executing a CREATE change set creates the stack's resources like CreateStack, honouring ``DependsOn`` and every
other dependency. moto 5.2.5 executes it as an update of an empty stack (``ResourceMap.update``), adding resources
in template order and ignoring ``DependsOn``: a CDK ``LambdaRestApi``'s ``AWS::ApiGateway::Deployment`` (which
``DependsOn`` its methods) is then created before the methods and fails ("The REST API doesn't contain any
methods"). ``cdk deploy`` deploys through a change set, so the CDK lab needs it. labkit executes a CREATE change
set with the stack's own template, parameters and ``Stack.create_resources`` (dependency order, Rules, custom
resources). Upstream: moto ``cloudformation/models.py`` ``ChangeSet.apply``.
"""
from __future__ import annotations

from typing import Any

from .registry import Patch

PATCHES = [
    Patch(
        name="cloudformation-create-change-set-order",
        changes="Executing a CREATE change set creates the stack like CreateStack (dependency order, DependsOn "
                "honoured, parameters and Rules checked, Outputs computed) instead of moto's update of an empty stack.",
        symbols=("moto.cloudformation.models.ChangeSet.apply",
                 "moto.cloudformation.models.Stack._create_resource_map",
                 "moto.cloudformation.models.Stack._create_output_map",
                 "moto.cloudformation.models.Stack.create_resources"),
        upstream="moto cloudformation/models.py: ChangeSet.apply for CREATE should call Stack.create_resources.",
    ),
]

_originals: dict[str, Any] = {}


def apply(self) -> None:
    """``ChangeSet.apply``: a CREATE change set creates the stack's resources as CreateStack does."""
    if self.change_set_type != "CREATE":
        return _originals["apply"](self)
    stack = self.stack
    stack.template = self.template
    stack.template_dict = self.template_dict
    stack.description = self.template_dict.get("Description")
    stack.parameters = self.parameters or {}
    stack.resource_map = stack._create_resource_map()
    stack.create_resources()
    stack.output_map = stack._create_output_map()
    if stack.events and stack.events[-1].resource_status == "CREATE_COMPLETE" and \
            stack.events[-1].logical_resource_id == stack.name:
        stack.events.pop()  # ExecuteChangeSet records the stack's CREATE_COMPLETE itself


def install() -> None:
    """Replace ``ChangeSet.apply`` (idempotent)."""
    from moto.cloudformation.models import ChangeSet

    if "apply" not in _originals:
        _originals["apply"] = ChangeSet.apply
        ChangeSet.apply = apply
