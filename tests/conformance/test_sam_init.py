"""A template exactly as `sam init` writes it (Python "Hello World Example") deploys on the embedded engine through
the AWS::Serverless-2016-10-31 transform and answers on its stage URL.

Pages: "AWS SAM template anatomy", "AWS::Serverless::Function", "Api" (event source type), "AWS::Serverless
transform" (AWS CloudFormation), "Generated CloudFormation resources for AWS SAM" (the implicit API).
The only change to the template is the one `sam package` makes: `CodeUri` becomes the S3 location of the zip.
"""
from __future__ import annotations

import json
import re

import pytest

SAM_INIT_TEMPLATE = '''AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: >
  sam-app

  Sample SAM Template for sam-app

# More info about Globals: https://github.com/awslabs/serverless-application-model/blob/master/docs/globals.rst
Globals:
  Function:
    Timeout: 3

    # You can add LoggingConfig parameters such as the Logformat, Log Group, and SystemLogLevel or ApplicationLogLevel.
    LoggingConfig:
      LogFormat: JSON
Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function # More info about Function Resource
    Properties:
      CodeUri: hello_world/
      Handler: app.lambda_handler
      Runtime: python3.13
      Architectures:
      - x86_64
      Events:
        HelloWorld:
          Type: Api # More info about API Event Source
          Properties:
            Path: /hello
            Method: get

Outputs:
  # ServerlessRestApi is an implicit API created by Events key under Resources section.
  HelloWorldApi:
    Description: API Gateway endpoint URL for Prod stage for Hello World function
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/hello/"
  HelloWorldFunction:
    Description: Hello World Lambda Function ARN
    Value: !GetAtt HelloWorldFunction.Arn
  HelloWorldFunctionIamRole:
    Description: Implicit IAM Role created for Hello World function
    Value: !GetAtt HelloWorldFunctionRole.Arn
'''

APP = '''import json


def lambda_handler(event, context):
    return {
        "statusCode": 200,
        "body": json.dumps({
            "message": "hello world",
        }),
    }
'''

EXECUTE_API = re.compile(r"^https://(?P<api>[a-z0-9]+)\.execute-api\.(?P<region>[a-z0-9-]+)\.amazonaws\.com"
                         r"/(?P<stage>[^/]+)(?P<path>/.*)$")


@pytest.fixture(scope="module")
def deployed(engine):
    import labkit

    s3, cfn = labkit.client("s3"), labkit.client("cloudformation")
    bucket, stack = labkit.name("conf-sam-artifacts"), labkit.name("sam-app")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="sam-app/hello.zip", Body=labkit.zip_code({"app.py": APP}))
    body = SAM_INIT_TEMPLATE.replace("CodeUri: hello_world/", f"CodeUri: s3://{bucket}/sam-app/hello.zip")
    cfn.create_stack(StackName=stack, TemplateBody=body, Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
    cfn.get_waiter("stack_create_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    yield {"cfn": cfn, "stack": stack}
    cfn.delete_stack(StackName=stack)
    for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        s3.delete_object(Bucket=bucket, Key=item["Key"])
    s3.delete_bucket(Bucket=bucket)


def test_the_transform_generates_the_documented_resources(deployed):
    """'Generated CloudFormation resources for AWS SAM': a function with an Api event gets HelloWorldFunctionRole,
    an implicit ServerlessRestApi, its deployment, the Prod stage and a Lambda permission for API Gateway."""
    resources = deployed["cfn"].describe_stack_resources(StackName=deployed["stack"])["StackResources"]
    types = {r["LogicalResourceId"]: r["ResourceType"] for r in resources}
    assert types["HelloWorldFunction"] == "AWS::Lambda::Function"
    assert types["HelloWorldFunctionRole"] == "AWS::IAM::Role"
    assert types["ServerlessRestApi"] == "AWS::ApiGateway::RestApi"
    assert types["ServerlessRestApiProdStage"] == "AWS::ApiGateway::Stage"
    assert any(t == "AWS::ApiGateway::Deployment" for t in types.values())
    assert any(t == "AWS::Lambda::Permission" for t in types.values())


def test_globals_apply_to_the_function(deployed, engine):
    """'AWS SAM template anatomy' (Globals): Globals.Function.Timeout applies to every function."""
    import labkit

    outputs = outputs_of(deployed)
    config = labkit.client("lambda").get_function_configuration(FunctionName=outputs["HelloWorldFunction"])
    assert config["Timeout"] == 3
    assert config["Runtime"] == "python3.13" and config["Handler"] == "app.lambda_handler"


def stage_url(deployed, engine):
    """The HelloWorldApi output, checked against AWS's execute-api form, and its parts."""
    outputs = outputs_of(deployed)
    match = EXECUTE_API.match(outputs["HelloWorldApi"])
    assert match, outputs["HelloWorldApi"]
    assert labkit_api(match["api"])["name"] == deployed["stack"]  # the implicit API's Swagger title: stack name
    assert (match["region"], match["stage"], match["path"]) == (engine.region, "Prod", "/hello/")
    return match


def test_the_stage_answers_hello_world(deployed, engine):
    """'Api' event source: GET /hello on the Prod stage of the implicit API invokes the function through a proxy
    integration; the stack's HelloWorldApi output names that API, stage and path."""
    import requests

    from labkit.engines.apigateway_invoke import invoke_url

    import labkit

    match = stage_url(deployed, engine)
    apigw = labkit.client("apigateway")  # 'AWS::ApiGateway::Stage': the stage points at the generated deployment
    deployments = [d["id"] for d in apigw.get_deployments(restApiId=match["api"])["items"]]
    assert apigw.get_stage(restApiId=match["api"], stageName="Prod")["deploymentId"] in deployments
    reply = requests.get(invoke_url(match["api"], match["stage"]) + "/hello", timeout=30)
    assert reply.status_code == 200
    assert reply.json() == {"message": "hello world"}


def test_the_output_url_with_its_trailing_slash_answers(deployed, engine):
    """The output URL exactly as `sam init` writes it (…/Prod/hello/, trailing slash) answers on AWS: a REST API
    routes /hello/ as /hello, and SAM's permission (…/GET/hello) covers it (no AWS page documents the slash; see
    labkit.emulator.apigateway.routing.arn_path for the sources)."""
    import requests

    from labkit.engines.apigateway_invoke import invoke_url

    match = stage_url(deployed, engine)
    reply = requests.get(invoke_url(match["api"], match["stage"]) + match["path"], timeout=30)
    assert reply.status_code == 200


def test_a_template_the_transform_rejects_fails_create_stack(engine):
    """'AWS::Serverless transform': an invalid SAM template is refused with the transform's error."""
    import labkit

    bad = SAM_INIT_TEMPLATE.replace("Handler: app.lambda_handler", "Handler: app.lambda_handler\n      Events: 5")
    with pytest.raises(Exception, match="Transform AWS::Serverless-2016-10-31 failed"):
        labkit.client("cloudformation").create_stack(StackName=labkit.name("bad-sam"), TemplateBody=bad,
                                                     Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])


def outputs_of(deployed) -> dict:
    stack = deployed["cfn"].describe_stacks(StackName=deployed["stack"])["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}


def labkit_api(api_id: str) -> dict:
    import labkit

    return labkit.client("apigateway").get_rest_api(restApiId=api_id)
