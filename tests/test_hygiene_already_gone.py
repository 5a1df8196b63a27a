"""Cleanup after a stack: what the stack took with it counts as deleted, quietly; a real failure is still one.

Page: "Deleting a stack" (AWS CloudFormation User Guide): deleting a stack deletes its resources. Cleanup deletes
stacks first, so a queue the stack made is gone when the queue's turn comes (issue 16: the CDK lab's Cleanup
showed moto's ``UserWarning: Exception(QueueDoesNotExist) … does not match an error shape``).
"""
from __future__ import annotations

import dataclasses
import json
import warnings

from botocore.exceptions import ClientError

import labkit
from labkit import inventory

TEMPLATE = {"Resources": {"Receipts": {"Type": "AWS::SQS::Queue"}},
            "Outputs": {"Url": {"Value": {"Ref": "Receipts"}}}}


def _stack_with_a_queue() -> str:
    cfn = labkit.client("cloudformation")
    name = labkit.name("hyg-stack")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(TEMPLATE))
    cfn.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    return cfn.describe_stacks(StackName=name)["Stacks"][0]["Outputs"][0]["OutputValue"]


def test_a_queue_deleted_with_its_stack_is_deleted_without_a_second_delete(engine, monkeypatch):
    labkit.require("cloudformation", "sqs")
    stack_queue = _stack_with_a_queue()
    own_queue = labkit.client("sqs").create_queue(QueueName=labkit.name("hyg-own"))["QueueUrl"]
    deletes = []
    real = inventory.KINDS["sqs.queue"]
    monkeypatch.setitem(inventory.KINDS, "sqs.queue", dataclasses.replace(
        real, delete=lambda client, url: (deletes.append(url), real.delete(client, url))))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = labkit.cleanup()
    assert report.failed == []
    deleted_queues = {url.rsplit("/", 1)[1] for kind, url in report.deleted if kind == "sqs.queue"}
    assert {stack_queue.rsplit("/", 1)[1], own_queue.rsplit("/", 1)[1]} <= deleted_queues
    assert [url.rsplit("/", 1)[1] for url in deletes] == [own_queue.rsplit("/", 1)[1]], \
        "a queue its stack already deleted was deleted again"
    assert not [w for w in caught if "error shape" in str(w.message)], [str(w.message) for w in caught]
    assert labkit.leftovers() == {}


def test_a_delete_that_fails_while_the_resource_exists_is_reported(engine, monkeypatch):
    labkit.require("sqs")
    queue = labkit.client("sqs").create_queue(QueueName=labkit.name("hyg-stuck"))["QueueUrl"]
    real = inventory.KINDS["sqs.queue"]

    def refuse(client, url):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "DeleteQueue")

    monkeypatch.setitem(inventory.KINDS, "sqs.queue", dataclasses.replace(real, delete=refuse))
    report = labkit.cleanup()
    assert ("sqs.queue", queue, "AccessDenied: not allowed") in report.failed
    assert ("sqs.queue", queue) not in report.deleted
    monkeypatch.setitem(inventory.KINDS, "sqs.queue", real)
    assert labkit.cleanup().failed == []
