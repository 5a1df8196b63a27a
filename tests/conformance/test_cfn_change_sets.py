"""CloudFormation change sets for a new stack ("Create a change set for a new stack", "ExecuteChangeSet",
AWS CloudFormation User Guide / API Reference): executing a CREATE change set creates the stack as CreateStack does,
so DependsOn orders the resources (as a CDK app's LambdaRestApi needs: its Deployment DependsOn its methods)."""
from __future__ import annotations

import json

import labkit

TEMPLATE = {"Resources": {
    "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "change-set-order"}},
    # listed before the method it depends on: only DependsOn says it must come after
    "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": ["Method"],
                   "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "prod"}},
    "Method": {"Type": "AWS::ApiGateway::Method", "Properties": {
        "RestApiId": {"Ref": "Api"}, "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "HttpMethod": "GET",
        "AuthorizationType": "NONE",
        "Integration": {"Type": "HTTP", "IntegrationHttpMethod": "GET", "Uri": "https://example.com"}}},
}, "Outputs": {"ApiId": {"Value": {"Ref": "Api"}}}}


def test_create_change_set_honours_depends_on(engine):
    cfn = labkit.client("cloudformation")
    stack = labkit.name("change-set")
    cfn.create_change_set(StackName=stack, ChangeSetName="create", ChangeSetType="CREATE",
                          TemplateBody=json.dumps(TEMPLATE))
    try:
        cfn.get_waiter("change_set_create_complete").wait(StackName=stack, ChangeSetName="create",
                                                          WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"
        cfn.execute_change_set(StackName=stack, ChangeSetName="create")
        cfn.get_waiter("stack_create_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        assert described["StackStatus"] == "CREATE_COMPLETE"
        api_id = described["Outputs"][0]["OutputValue"]
        assert [s["stageName"] for s in labkit.client("apigateway").get_stages(restApiId=api_id)["item"]] == ["prod"]
        stack_events = [e["ResourceStatus"] for e in cfn.describe_stack_events(StackName=stack)["StackEvents"]
                        if e["LogicalResourceId"] == stack]
        assert stack_events.count("CREATE_COMPLETE") == 1
    finally:
        cfn.delete_stack(StackName=stack)


def test_moto_still_creates_a_change_sets_resources_in_template_order(engine):
    """Without labkit's patch moto applies a CREATE change set as an update (template order): when this fails,
    moto honours DependsOn upstream and labkit.emulator.cloudformation_change_sets can go."""
    from moto.cloudformation.parsing import ResourceMap
    from labkit.emulator import cloudformation_change_sets

    assert cloudformation_change_sets._originals["apply"].__module__ == "moto.cloudformation.models"
    import inspect
    source = inspect.getsource(cloudformation_change_sets._originals["apply"])
    assert "resource_map.update(" in source  # moto's CREATE path is the update path
    assert "DependsOn" not in inspect.getsource(ResourceMap.update)
