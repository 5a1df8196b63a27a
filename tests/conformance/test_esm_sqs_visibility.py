"""SQS event source mapping: the queue's visibility timeout must be at least the function's timeout."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import labkit
from _lambda_conformance import create_function


def test_a_visibility_timeout_below_the_function_timeout_is_refused(engine):
    """Creating and configuring an Amazon SQS event source mapping (AWS Lambda Developer Guide): the queue's
    visibility timeout must be at least the function's timeout, else CreateEventSourceMapping fails with
    InvalidParameterValueException."""
    lam, sqs = labkit.client("lambda"), labkit.client("sqs")
    name = create_function(lam, labkit.lambda_role(), "conf-vis")
    lam.update_function_configuration(FunctionName=name, Timeout=60)
    url = sqs.create_queue(QueueName=labkit.name("vis"), Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    try:
        with pytest.raises(ClientError) as raised:
            lam.create_event_source_mapping(FunctionName=name, EventSourceArn=arn)
        assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
        assert raised.value.response["Error"]["Message"] == \
            "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds"
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "60"})
        uuid = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=arn, Enabled=False)["UUID"]
        lam.delete_event_source_mapping(UUID=uuid)
    finally:
        sqs.delete_queue(QueueUrl=url)
