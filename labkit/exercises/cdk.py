"""Checks for labs/cdk: judge the deployed stack (its template, its resources, the function's configuration)."""
from __future__ import annotations

import json
from fnmatch import fnmatchcase

from botocore.exceptions import ClientError

from ..checks import Verdict, expect, failed, passed
from ..engines import current

SEND = "sqs:SendMessage"
DONE = ("CREATE_COMPLETE", "UPDATE_COMPLETE")


def deployed_template(cfn, stack: str) -> dict:
    """The template of the deployed stack (``GetTemplate``; boto3 decodes a JSON body, a string is decoded here)."""
    body = cfn.get_template(StackName=stack)["TemplateBody"]
    return json.loads(body) if isinstance(body, str) else body


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _names_queue(resource, queue_ids: set[str]) -> str | None:
    """The queue's logical id when ``resource`` is ``Fn::GetAtt [<queue>, Arn]``, else ``None``."""
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        target = resource["Fn::GetAtt"]
        target = target.split(".") if isinstance(target, str) else target
        if target[0] in queue_ids and target[1] == "Arn":
            return target[0]
    return None


def _role_id(function: dict) -> str | None:
    role = function.get("Properties", {}).get("Role")
    if isinstance(role, dict) and "Fn::GetAtt" in role:
        return _as_list(role["Fn::GetAtt"])[0]
    return None


def queue_grant(stack, env_var: str = "QUEUE_URL") -> Verdict:
    """The deployed ``stack`` has an SQS queue; its function's role may send to that queue only (a grant, not a
    wildcard); the function's ``env_var`` holds the queue's URL.

    ``stack``: the CloudFormation stack name. Reads DescribeStacks, GetTemplate, DescribeStackResources and the
    function's configuration (Lambda GetFunctionConfiguration). Raises nothing for a learner's mistake: a missing
    stack, queue, grant or variable is a hint.
    """
    expect(stack, "my_stack", str, "the name of the stack you deployed (artifact.stack_name)")
    cfn = current().client("cloudformation")
    try:
        described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    except ClientError as error:
        if error.response["Error"]["Code"] == "ValidationError":
            return failed(f"There is no stack named {stack!r}: deploy your app with deploy(assembly, artifact) and "
                          "put artifact.stack_name (the deployed name, not the construct id) in my_stack.")
        raise
    if described["StackStatus"] not in DONE:
        return failed(f"Stack {stack} is {described['StackStatus']}: it must deploy completely (CREATE_COMPLETE).")
    resources = deployed_template(cfn, stack).get("Resources", {})
    by_type: dict[str, list[str]] = {}
    for logical_id, resource in resources.items():
        by_type.setdefault(resource.get("Type"), []).append(logical_id)
    queue_ids = set(by_type.get("AWS::SQS::Queue", []))
    if not queue_ids:
        return failed(f"Stack {stack} has no AWS::SQS::Queue: create one in your stack with sqs.Queue(self, ...).")
    functions = by_type.get("AWS::Lambda::Function", [])
    if not functions:
        return failed(f"Stack {stack} has no Lambda function: subclass OrdersStack so the function is in it too.")
    function_id = functions[0]
    role_id = _role_id(resources[function_id])
    granted, too_wide = None, []
    for policy_id in by_type.get("AWS::IAM::Policy", []):
        properties = resources[policy_id].get("Properties", {})
        if {"Ref": role_id} not in _as_list(properties.get("Roles", [])):
            continue
        for statement in _as_list(properties.get("PolicyDocument", {}).get("Statement", [])):
            actions = [str(a) for a in _as_list(statement.get("Action", []))]
            # IAM action names are case-insensitive and may hold wildcards ("sqs:Send*" allows SendMessage too)
            if statement.get("Effect") != "Allow" or not any(fnmatchcase(SEND.lower(), a.lower()) for a in actions):
                continue
            targets = _as_list(statement.get("Resource", []))
            # a wildcard in an ARN ("arn:aws:sqs:*:*:*") reaches other queues, as "*" does
            if any(isinstance(t, str) and "*" in t for t in targets) or any(a.lower() in ("sqs:*", "*") for a in actions):
                too_wide.append(policy_id)
            else:
                granted = granted or next((q for q in map(lambda r: _names_queue(r, queue_ids), targets) if q), None)
    if too_wide:
        return failed("The function's role may do more than send to your queue (a wildcard action or resource in "
                      f"{too_wide[0]}): use the queue's grant method, queue.grant_send_messages(self.handler), "
                      "which allows the send actions on that queue's ARN only.")
    if granted is None:
        return failed("The function's role may not send messages to the queue: call "
                      "queue.grant_send_messages(self.handler) in your stack (a grant writes the IAM policy).")
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId")
                for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]}
    variables = current().client("lambda").get_function_configuration(
        FunctionName=physical[function_id]).get("Environment", {}).get("Variables", {})
    if env_var not in variables:
        return failed(f"The deployed function has no {env_var} variable: "
                      f"self.handler.add_environment({env_var!r}, queue.queue_url).")
    if variables[env_var] != physical.get(granted):
        return failed(f"{env_var} is {variables[env_var]!r}, not the queue's URL: pass queue.queue_url (a token "
                      "CloudFormation resolves to the URL at deploy time).")
    return passed(f"Stack {stack} has the queue; the grant lets the function send to that queue only, and "
                  f"{env_var} gives it the queue's URL.")
