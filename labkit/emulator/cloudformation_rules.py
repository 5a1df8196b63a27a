"""CloudFormation template ``Rules`` and SSM parameter types: what labkit adds to moto.

"CloudFormation template Rules syntax" (AWS CloudFormation User Guide): the optional ``Rules`` section validates
parameter values before CloudFormation creates or updates any resource; a rule's assertions apply when its
``RuleCondition`` is true (or when it has none), and a failing assertion stops the operation with the assertion's
``AssertDescription``. moto 5.2.5 ignores ``Rules`` altogether, so a CDK app's ``CheckBootstrapVersion`` rule (every
template synthesised with the default synthesizer has it) never fires. labkit evaluates the rules after the
parameters are resolved and refuses CreateStack/UpdateStack with ``ValidationError`` and the description.

Rule-specific intrinsic functions evaluated here: ``Fn::And``, ``Fn::Or``, ``Fn::Not``, ``Fn::Equals``,
``Fn::Contains``, ``Fn::EachMemberEquals``, ``Fn::EachMemberIn`` and ``Ref`` to a parameter. ``Fn::RefAll``,
``Fn::ValueOf`` and ``Fn::ValueOfAll`` read the account's resources: a rule using them is not evaluated (a
``Difference`` below says so).

"Specify existing resources at runtime with CloudFormation-supplied parameter types" (User Guide): a parameter of
type ``AWS::SSM::Parameter::Value<…>`` takes its value from Parameter Store when the stack is created. moto 5.2.5
fails with an internal error (HTTP 500) when that parameter does not exist; labkit answers ``ValidationError``
naming it, as CloudFormation refuses the stack (for a CDK app: the environment was not bootstrapped).
Upstream: moto ``cloudformation/parsing.py`` ``ResourceMap.load_parameters`` and ``parse_ssm_parameter``.
"""
from __future__ import annotations

from typing import Any

from .registry import Difference, Patch

PATCHES = [
    Patch(
        name="cloudformation-template-rules",
        changes="Evaluate the template's Rules section after the parameters are resolved (CreateStack, UpdateStack): "
                "a failing assertion is a ValidationError with its AssertDescription; a missing Parameter Store "
                "parameter behind an AWS::SSM::Parameter::Value parameter is a ValidationError, not an HTTP 500.",
        symbols=("moto.cloudformation.parsing.ResourceMap.load_parameters",
                 "moto.cloudformation.parsing.ResourceMap.parse_ssm_parameter"),
        upstream="moto cloudformation/parsing.py: evaluate Rules in load(); raise ValidationError in "
                 "parse_ssm_parameter when the parameter does not exist.",
    ),
]

DIFFERENCES = [
    Difference(
        id="cloudformation-rules-account-lookups",
        service="CloudFormation",
        aws="Rule assertions may use Fn::RefAll, Fn::ValueOf and Fn::ValueOfAll, which look up values of resources "
            "in the account and Region (for example every VPC id) while CloudFormation evaluates the rule.",
        engine="A rule whose condition or assertions use one of these three functions is not evaluated: the stack "
               "is created as if its assertions held.",
        doc="CloudFormation template Rules syntax",
    ),
]

_originals: dict[str, Any] = {}
_LOOKUPS = ("Fn::RefAll", "Fn::ValueOf", "Fn::ValueOfAll")


class _NotEvaluated(Exception):
    """A rule uses a function that reads the account's resources."""


def _value(node: Any, parameters: dict[str, Any]) -> Any:
    """A rule function's value: booleans for the condition functions, strings or lists for the others."""
    if isinstance(node, dict) and len(node) == 1:
        (function, args), = node.items()
        if function in _LOOKUPS:
            raise _NotEvaluated(function)
        if function == "Ref":
            return parameters.get(args, args)
        if function == "Fn::And":
            return all(_truth(arg, parameters) for arg in args)
        if function == "Fn::Or":
            return any(_truth(arg, parameters) for arg in args)
        if function == "Fn::Not":
            return not _truth(args[0], parameters)
        if function == "Fn::Equals":
            left, right = (_value(arg, parameters) for arg in args)
            return str(left) == str(right)
        if function == "Fn::Contains":
            options, value = (_value(arg, parameters) for arg in args)
            return str(value) in [str(option) for option in options]
        if function == "Fn::EachMemberEquals":
            members, value = (_value(arg, parameters) for arg in args)
            return all(str(member) == str(value) for member in members)
        if function == "Fn::EachMemberIn":
            members, allowed = (_value(arg, parameters) for arg in args)
            return all(str(member) in [str(a) for a in allowed] for member in members)
    if isinstance(node, list):
        return [_value(item, parameters) for item in node]
    return node


def _truth(node: Any, parameters: dict[str, Any]) -> bool:
    value = _value(node, parameters)
    return value if isinstance(value, bool) else str(value).lower() == "true"


def failed_assertion(template: dict, parameters: dict[str, Any]) -> str | None:
    """The description of the first failing assertion of ``template``'s ``Rules`` (``None`` when all hold).

    ``parameters``: the resolved parameter values by name. A rule without ``RuleCondition`` always applies; one
    whose condition is false is skipped; a rule that uses Fn::RefAll/ValueOf/ValueOfAll is not evaluated.
    """
    for name, rule in (template.get("Rules") or {}).items():
        try:
            if "RuleCondition" in rule and not _truth(rule["RuleCondition"], parameters):
                continue
            for assertion in rule.get("Assertions") or []:
                if not _truth(assertion.get("Assert"), parameters):
                    return assertion.get("AssertDescription") or f"Template rule {name} failed"
        except _NotEvaluated:
            continue
    return None


def load_parameters(self) -> None:
    """``ResourceMap.load_parameters``, then the template's Rules against the resolved values."""
    from moto.cloudformation.exceptions import ValidationError

    _originals["load_parameters"](self)
    message = failed_assertion(self._template, self.resolved_parameters)
    if message is not None:
        raise ValidationError(message=message)


def parse_ssm_parameter(self, value: str, value_type: str) -> Any:
    """``ResourceMap.parse_ssm_parameter``, refusing a parameter that is not in Parameter Store."""
    from moto.cloudformation.exceptions import ValidationError
    from moto.ssm.models import ssm_backends

    if ssm_backends[self._account_id][self._region_name].get_parameter(value) is None:
        raise ValidationError(message=f"Unable to fetch parameters [{value}] from parameter store for this account.")
    return _originals["parse_ssm_parameter"](self, value, value_type)


def install() -> None:
    """Evaluate Rules and refuse missing SSM parameters (idempotent)."""
    from moto.cloudformation.parsing import ResourceMap

    if "load_parameters" not in _originals:
        _originals["load_parameters"] = ResourceMap.load_parameters
        _originals["parse_ssm_parameter"] = ResourceMap.parse_ssm_parameter
        ResourceMap.load_parameters = load_parameters
        ResourceMap.parse_ssm_parameter = parse_ssm_parameter
