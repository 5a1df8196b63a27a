"""CloudFormation custom resources backed by Lambda on the embedded engine: each test asserts what AWS documents.

Pages (AWS CloudFormation User Guide / Template Reference): "Custom resources", "Custom resource request objects",
"Custom resource response objects", "cfn-response module", "AWS::CloudFormation::CustomResource".
The engine scales ServiceTimeout down (labkit.emulator.cloudformation.TIME_SCALE).
"""
from __future__ import annotations

import json

import pytest

# Inline code, as in AWS's examples: it records each request it gets in an SQS queue (so the test can read the
# request objects), then answers with cfnresponse. Properties steer the answer.
HANDLER = """
import json, os
import boto3
import cfnresponse

def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["LOG_QUEUE"], MessageBody=json.dumps(event))
    props = event.get("ResourceProperties", {})
    if props.get("Behaviour") == "silent":
        return
    if props.get("Behaviour") == "fail" and event["RequestType"] != "Delete":
        cfnresponse.send(event, context, cfnresponse.FAILED, {}, reason="size must be at most 10")
        return
    physical = "thing-" + props.get("Generation", "1")
    cfnresponse.send(event, context, cfnresponse.SUCCESS,
                     {"Greeting": "hello " + props.get("Name", ""), "Twice": props.get("Name", "") * 2},
                     physicalResourceId=physical)
"""


@pytest.fixture(scope="module")
def setup(engine):
    import labkit

    cfn, sqs, lam = labkit.client("cloudformation"), labkit.client("sqs"), labkit.client("lambda")
    queue_url = sqs.create_queue(QueueName=labkit.name("conf-cfn-requests"))["QueueUrl"]
    function = labkit.name("conf-cfn-provider")
    arn = lam.create_function(FunctionName=function, Runtime="python3.12", Role=labkit.lambda_role(),
                              Handler="index.handler", Timeout=3,
                              Code={"ZipFile": labkit.zip_code({"index.py": HANDLER})},
                              Environment={"Variables": {"LOG_QUEUE": queue_url}})["FunctionArn"]
    yield {"cfn": cfn, "sqs": sqs, "queue_url": queue_url, "arn": arn}
    lam.delete_function(FunctionName=function)
    sqs.delete_queue(QueueUrl=queue_url)


def requests_seen(setup) -> list[dict]:
    """Every request object the provider received since the last call, in order."""
    seen = []
    while True:
        batch = setup["sqs"].receive_message(QueueUrl=setup["queue_url"], MaxNumberOfMessages=10)
        messages = batch.get("Messages", [])
        if not messages:
            return seen
        for message in messages:
            seen.append(json.loads(message["Body"]))
            setup["sqs"].delete_message(QueueUrl=setup["queue_url"], ReceiptHandle=message["ReceiptHandle"])


def template(arn: str, resource_type: str = "Custom::Greeter", **properties) -> str:
    return json.dumps({
        "Resources": {
            "Greeter": {"Type": resource_type, "Properties": {"ServiceToken": arn, **properties}},
            "Topic": {"Type": "AWS::SNS::Topic",
                      "Properties": {"TopicName": {"Fn::GetAtt": ["Greeter", "Twice"]}}},
        },
        "Outputs": {"Greeting": {"Value": {"Fn::GetAtt": ["Greeter", "Greeting"]}},
                    "Physical": {"Value": {"Ref": "Greeter"}}},
    })


def wait_for(cfn, stack: str, waiter: str) -> dict:
    cfn.get_waiter(waiter).wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return cfn.describe_stacks(StackName=stack)["Stacks"][0]


def test_create_sends_the_documented_request_and_data_reaches_getatt(setup):
    """'Custom resource request objects': Create carries RequestType, ResponseURL, StackId, RequestId,
    ResourceType, LogicalResourceId and ResourceProperties (with ServiceToken); 'Custom resources': the stack
    completes when the provider responds SUCCESS, and Fn::GetAtt reads the response's Data keys, Ref its
    PhysicalResourceId — also in resources that depend on it."""
    import labkit

    cfn, stack = setup["cfn"], labkit.name("conf-custom")
    requests_seen(setup)
    cfn.create_stack(StackName=stack, TemplateBody=template(setup["arn"], Name="ada"))
    described = wait_for(cfn, stack, "stack_create_complete")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    assert outputs == {"Greeting": "hello ada", "Physical": "thing-1"}
    topics = [t["TopicArn"] for t in labkit.client("sns").list_topics()["Topics"]]
    assert any(t.endswith(":adaada") for t in topics), "a resource using Fn::GetAtt on the custom resource"
    (request,) = requests_seen(setup)
    assert request["RequestType"] == "Create"
    assert request["StackId"] == described["StackId"]
    assert request["LogicalResourceId"] == "Greeter"
    assert request["ResourceType"] == "Custom::Greeter"
    assert request["ResourceProperties"] == {"ServiceToken": setup["arn"], "Name": "ada"}
    assert request["ResponseURL"].startswith("http") and request["RequestId"]
    assert "PhysicalResourceId" not in request and "OldResourceProperties" not in request

    cfn.delete_stack(StackName=stack)
    cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    (delete,) = requests_seen(setup)
    assert delete["RequestType"] == "Delete"
    assert delete["PhysicalResourceId"] == "thing-1"
    assert delete["ResourceProperties"] == {"ServiceToken": setup["arn"], "Name": "ada"}


def test_update_sends_old_properties_and_a_new_physical_id_replaces(setup):
    """'Custom resource request objects': Update carries PhysicalResourceId and OldResourceProperties;
    'Custom resources': a new PhysicalResourceId in the response replaces the resource, so CloudFormation sends a
    Delete for the old one."""
    import labkit

    cfn, stack = setup["cfn"], labkit.name("conf-custom-upd")
    cfn.create_stack(StackName=stack, TemplateBody=template(setup["arn"], Name="ada"))
    wait_for(cfn, stack, "stack_create_complete")
    requests_seen(setup)
    cfn.update_stack(StackName=stack, TemplateBody=template(setup["arn"], Name="bob", Generation="2"))
    described = wait_for(cfn, stack, "stack_update_complete")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    assert outputs == {"Greeting": "hello bob", "Physical": "thing-2"}
    update, delete_old = requests_seen(setup)
    assert update["RequestType"] == "Update"
    assert update["PhysicalResourceId"] == "thing-1"
    assert update["ResourceProperties"] == {"ServiceToken": setup["arn"], "Name": "bob", "Generation": "2"}
    assert update["OldResourceProperties"] == {"ServiceToken": setup["arn"], "Name": "ada"}
    assert (delete_old["RequestType"], delete_old["PhysicalResourceId"]) == ("Delete", "thing-1")
    cfn.delete_stack(StackName=stack)


def test_failed_response_fails_the_resource_with_the_reason_and_rolls_back(setup):
    """'Custom resources' / 'Custom resource response objects': Status FAILED with a Reason fails the resource
    (CREATE_FAILED, the reason shown in the stack's events) and the stack rolls back to ROLLBACK_COMPLETE."""
    import labkit

    cfn, stack = setup["cfn"], labkit.name("conf-custom-fail")
    cfn.create_stack(StackName=stack, TemplateBody=template(setup["arn"], Name="x", Behaviour="fail"))
    with pytest.raises(Exception, match="ROLLBACK_COMPLETE|terminal failure"):
        wait_for(cfn, stack, "stack_create_complete")
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    failed = [e for e in cfn.describe_stack_events(StackName=stack)["StackEvents"]
              if e["LogicalResourceId"] == "Greeter" and e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed and "size must be at most 10" in failed[0]["ResourceStatusReason"]
    cfn.delete_stack(StackName=stack)


def test_no_response_fails_after_the_service_timeout(setup):
    """'AWS::CloudFormation::CustomResource': ServiceTimeout is the most time a custom resource operation may take;
    a provider that never responds fails the resource when it runs out (the engine scales the wait down)."""
    import labkit

    cfn, stack = setup["cfn"], labkit.name("conf-custom-silent")
    cfn.create_stack(StackName=stack, TemplateBody=template(setup["arn"], Name="x", Behaviour="silent",
                                                            ServiceTimeout=60))
    with pytest.raises(Exception):
        wait_for(cfn, stack, "stack_create_complete")
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    assert any(e["LogicalResourceId"] == "Greeter" and e["ResourceStatus"] == "CREATE_FAILED" for e in events)
    cfn.delete_stack(StackName=stack)


def test_the_generic_custom_resource_type_is_served_too(setup):
    """'AWS::CloudFormation::CustomResource': the generic type behaves as a Custom::Name resource."""
    import labkit

    cfn, stack = setup["cfn"], labkit.name("conf-custom-generic")
    cfn.create_stack(StackName=stack,
                     TemplateBody=template(setup["arn"], "AWS::CloudFormation::CustomResource", Name="eve"))
    described = wait_for(cfn, stack, "stack_create_complete")
    assert {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}["Greeting"] == "hello eve"
    cfn.delete_stack(StackName=stack)


def test_cfnresponse_puts_the_documented_response_object(tmp_path):
    """'cfn-response module': send() PUTs Status, Reason, PhysicalResourceId (default: the log stream name),
    StackId, RequestId, LogicalResourceId, NoEcho and Data as JSON to the ResponseURL."""
    import importlib.util
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from labkit.emulator.lambda_sandbox import RUNTIME_MODULES

    received = {}

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self):  # noqa: N802 - http.server's naming
            received["method"] = "PUT"
            received["body"] = json.loads(self.rfile.read(int(self.headers["content-length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.handle_request, daemon=True).start()
    spec = importlib.util.spec_from_file_location("cfnresponse", f"{RUNTIME_MODULES}/cfnresponse.py")
    cfnresponse = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cfnresponse)
    context = type("Context", (), {"log_stream_name": "2026/11/30/[$LATEST]abc"})()
    event = {"ResponseURL": f"http://127.0.0.1:{server.server_address[1]}/r", "StackId": "s", "RequestId": "r",
             "LogicalResourceId": "L"}
    cfnresponse.send(event, context, cfnresponse.SUCCESS, {"k": "v"}, noEcho=True)
    server.server_close()
    body = received["body"]
    assert received["method"] == "PUT"
    assert body["Status"] == "SUCCESS" and (cfnresponse.SUCCESS, cfnresponse.FAILED) == ("SUCCESS", "FAILED")
    assert body["PhysicalResourceId"] == "2026/11/30/[$LATEST]abc"
    assert (body["StackId"], body["RequestId"], body["LogicalResourceId"]) == ("s", "r", "L")
    assert body["NoEcho"] is True and body["Data"] == {"k": "v"} and "Reason" in body
