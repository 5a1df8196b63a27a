"""Checks for labs/cloudformation."""
from __future__ import annotations

import json

from ..checks import Verdict, expect, failed, passed
from ..engines import current

DONE = {"CREATE_COMPLETE", "UPDATE_COMPLETE"}


def _template(cfn, stack: str) -> dict:
    body = cfn.get_template(StackName=stack)["TemplateBody"]
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except json.JSONDecodeError:  # YAML, maybe with short forms (!Ref, !GetAtt): cfn-lint's reader knows them
            from cfnlint.decode import cfn_yaml

            body = cfn_yaml.loads(body)
    return body


def _plain(value):
    """cfn-lint's YAML nodes as plain dicts and strings, for comparison."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value) if isinstance(value, str) else value


def archive_queue(stack: str, parameter: str = "RetentionSeconds", resource: str = "Archive",
                  output: str = "ArchiveArn", seconds: int = 86400) -> Verdict:
    """The stack declares ``parameter``, an SQS queue ``resource`` whose retention is Ref'd to it, an output
    ``output`` with the queue's ARN, and was created with ``parameter`` = ``seconds``."""
    expect(stack, "my_stack", str, "the name of the stack you created")
    cfn = current().client("cloudformation")
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    if described["StackStatus"] not in DONE:
        return failed(f"The stack is {described['StackStatus']}; it must reach CREATE_COMPLETE.")
    template = _template(cfn, stack)
    if parameter not in template.get("Parameters", {}):
        return failed(f"The template has no parameter {parameter}: add it under Parameters (Type: Number).")
    queue = template.get("Resources", {}).get(resource)
    if not queue or queue.get("Type") != "AWS::SQS::Queue":
        return failed(f"The template needs a resource {resource} of Type AWS::SQS::Queue.")
    if _plain(queue.get("Properties", {}).get("MessageRetentionPeriod")) != {"Ref": parameter}:
        return failed(f"{resource}'s MessageRetentionPeriod must be {{'Ref': '{parameter}'}}, so the parameter "
                      "decides it at deploy time instead of a value typed into the template.")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    if not outputs.get(output, "").startswith("arn:") or ":sqs:" not in outputs.get(output, ""):
        return failed(f"The stack needs an output {output} whose value is the queue's ARN: "
                      f"{{'Fn::GetAtt': ['{resource}', 'Arn']}} (Ref would give the queue URL).")
    given = {p["ParameterKey"]: p.get("ParameterValue") for p in described.get("Parameters", [])}
    if str(given.get(parameter)) != str(seconds):
        return failed(f"Create the stack with {parameter} = {seconds} (Parameters=[{{'ParameterKey': "
                      f"'{parameter}', 'ParameterValue': '{seconds}'}}]); it is {given.get(parameter)}.")
    sqs = current().client("sqs")
    url = next(r["PhysicalResourceId"] for r in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
               if r["LogicalResourceId"] == resource)
    actual = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MessageRetentionPeriod"])["Attributes"]
    if int(actual["MessageRetentionPeriod"]) != seconds:
        return failed(f"The queue keeps messages {actual['MessageRetentionPeriod']} s, not {seconds} s.")
    return passed(f"{resource} keeps messages for {seconds} s because the parameter said so, and the stack "
                  f"hands out its ARN as {output}.")
