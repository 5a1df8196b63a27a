"""CloudFormation template Rules and SSM parameter types, as a CDK app's synthesised template uses them.

Pages (AWS CloudFormation User Guide): "CloudFormation template Rules syntax" (rules validate parameter values before
any resource is created; a failing assertion stops the operation with its AssertDescription) and "Specify existing
resources at runtime with CloudFormation-supplied parameter types" (an AWS::SSM::Parameter::Value parameter is read
from Parameter Store when the stack is created).
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import labkit

# What every template synthesised with CDK's DefaultStackSynthesizer carries (aws-cdk-lib 2.275.0), plus one resource.
def template(qualifier: str) -> dict:
    return {
        "Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>",
                                            "Default": f"/cdk-bootstrap/{qualifier}/version"}},
        "Rules": {"CheckBootstrapVersion": {"Assertions": [{
            "Assert": {"Fn::Not": [{"Fn::Contains": [["1", "2", "3", "4", "5"], {"Ref": "BootstrapVersion"}]}]},
            "AssertDescription": "CDK bootstrap stack version 6 required."}]}},
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    }


@pytest.fixture
def stacks(engine):
    cfn, ssm = labkit.client("cloudformation"), labkit.client("ssm")
    made = {"stacks": [], "parameters": []}
    yield cfn, ssm, made
    for stack in made["stacks"]:
        cfn.delete_stack(StackName=stack)
    for parameter in made["parameters"]:
        ssm.delete_parameter(Name=parameter)


def _create(cfn, made, body: dict, **kwargs):
    stack = labkit.name("rules")
    made["stacks"].append(stack)
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(body), **kwargs)
    return stack


def test_missing_ssm_parameter_refuses_the_stack(stacks):
    cfn, _, made = stacks
    with pytest.raises(ClientError) as raised:
        _create(cfn, made, template("nosuchq"))
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert "/cdk-bootstrap/nosuchq/version" in raised.value.response["Error"]["Message"]


def test_failing_assertion_refuses_the_stack_with_its_description(stacks):
    cfn, ssm, made = stacks
    qualifier = labkit.name("q").rsplit("-", 1)[-1]
    ssm.put_parameter(Name=f"/cdk-bootstrap/{qualifier}/version", Value="3", Type="String")
    made["parameters"].append(f"/cdk-bootstrap/{qualifier}/version")
    with pytest.raises(ClientError) as raised:
        _create(cfn, made, template(qualifier))
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert raised.value.response["Error"]["Message"] == "CDK bootstrap stack version 6 required."
    assert not [s for s in cfn.list_stacks()["StackSummaries"]
                if s["StackName"] == made["stacks"][-1] and s["StackStatus"] != "DELETE_COMPLETE"]


def test_assertion_that_holds_creates_the_stack(stacks):
    cfn, ssm, made = stacks
    qualifier = labkit.name("q").rsplit("-", 1)[-1]
    ssm.put_parameter(Name=f"/cdk-bootstrap/{qualifier}/version", Value="30", Type="String")
    made["parameters"].append(f"/cdk-bootstrap/{qualifier}/version")
    stack = _create(cfn, made, template(qualifier))
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert described["StackStatus"] == "CREATE_COMPLETE"


def test_rule_condition_false_skips_its_assertions(stacks):
    cfn, _, made = stacks
    body = {
        "Parameters": {"Env": {"Type": "String", "Default": "dev"}, "Size": {"Type": "String", "Default": "large"}},
        "Rules": {"ProdOnlyLarge": {
            "RuleCondition": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "Assertions": [{"Assert": {"Fn::Contains": [["small"], {"Ref": "Size"}]},
                            "AssertDescription": "prod must be small"}]}},
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    }
    stack = _create(cfn, made, body)
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    with pytest.raises(ClientError, match="prod must be small"):
        _create(cfn, made, body, Parameters=[{"ParameterKey": "Env", "ParameterValue": "prod"}])


def test_moto_still_ignores_rules(engine):
    """Without labkit's patch moto creates the stack whatever the rules say: when this fails, moto evaluates Rules
    upstream and labkit.emulator.cloudformation_rules can go."""
    from moto.cloudformation.parsing import ResourceMap
    from labkit.emulator import cloudformation_rules

    labkit.client("cloudformation").list_stacks()  # moto's CloudFormation (and labkit's patch) loaded
    assert ResourceMap.load_parameters is cloudformation_rules.load_parameters
    resources = ResourceMap.__new__(ResourceMap)
    resources._template = {"Parameters": {"P": {"Type": "String", "Default": "x"}},
                           "Rules": {"R": {"Assertions": [{"Assert": {"Fn::Equals": [{"Ref": "P"}, "y"]}}]}}}
    resources.input_parameters, resources.resolved_parameters, resources._parsed_resources = {}, {}, {}
    cloudformation_rules._originals["load_parameters"](resources)  # moto's own: no error
    assert resources.resolved_parameters == {"P": "x"}
