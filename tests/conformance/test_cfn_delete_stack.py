"""Deleting a stack deletes its REST API, as AWS documents it.

Page: "Deleting a stack" (AWS CloudFormation User Guide): deleting a stack deletes the stack and all its resources.
The embedded engine (moto 5.2.5) kept the stack's ``AWS::ApiGateway::RestApi`` (labkit/emulator/cloudformation_deletes.py).
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import labkit

TEMPLATE = {
    "Resources": {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "conf-cfn-delete"}},
        "Orders": {"Type": "AWS::ApiGateway::Resource",
                   "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                                  "PathPart": "orders"}},
        "Get": {"Type": "AWS::ApiGateway::Method",
                "Properties": {"RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Orders"}, "HttpMethod": "GET",
                               "AuthorizationType": "NONE", "Integration": {"Type": "HTTP_PROXY", "IntegrationHttpMethod": "GET",
                                               "Uri": "https://example.com/orders"}}},
        "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": "Get",
                       "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "prod"}},
    },
    "Outputs": {"ApiId": {"Value": {"Ref": "Api"}}},
}


def _deploy(cfn, name: str) -> str:
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(TEMPLATE))
    cfn.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    return cfn.describe_stacks(StackName=name)["Stacks"][0]["Outputs"][0]["OutputValue"]


def _delete(cfn, name: str) -> None:
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})


@pytest.fixture
def apis(engine):
    cfn, apigateway = labkit.client("cloudformation"), labkit.client("apigateway")
    made = []
    yield cfn, apigateway, made
    for api_id in made:  # only when the test failed: the stack left its API behind
        try:
            apigateway.delete_rest_api(restApiId=api_id)
        except ClientError:
            pass


def test_deleting_a_stack_deletes_its_rest_api(apis):
    cfn, apigateway, made = apis
    name = labkit.name("conf-cfn-del")
    api_id = _deploy(cfn, name)
    made.append(api_id)
    assert apigateway.get_stages(restApiId=api_id)["item"][0]["stageName"] == "prod"
    _delete(cfn, name)
    with pytest.raises(ClientError) as gone:
        apigateway.get_rest_api(restApiId=api_id)
    assert gone.value.response["Error"]["Code"] == "NotFoundException"
    assert api_id not in {api["id"] for api in apigateway.get_rest_apis(limit=500)["items"]}
    made.remove(api_id)


def test_a_rest_api_deleted_by_hand_does_not_stop_the_stack_delete(apis):
    cfn, apigateway, _ = apis
    name = labkit.name("conf-cfn-del")
    api_id = _deploy(cfn, name)
    apigateway.delete_rest_api(restApiId=api_id)
    _delete(cfn, name)
    assert not [s for s in cfn.list_stacks(StackStatusFilter=["DELETE_FAILED"])["StackSummaries"]
                if s["StackName"] == name]


def test_moto_still_lacks_the_rest_api_delete(engine):
    """labkit's delete is needed while moto's RestAPI has only the abstract CloudFormation delete."""
    from moto.apigateway.models import RestAPI  # noqa: F401 - loads the models, which installs labkit's patch

    from labkit.emulator import cloudformation_deletes

    assert cloudformation_deletes.MOTO_DELETE is not None
    assert getattr(cloudformation_deletes.MOTO_DELETE, "__isabstractmethod__", False), \
        "moto now deletes a RestApi with its stack: drop labkit/emulator/cloudformation_deletes.py"
