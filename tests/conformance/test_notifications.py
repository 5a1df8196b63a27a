"""S3 and SNS deliver to Lambda the events AWS documents.

Pages: "Event message structure" (Amazon S3 User Guide), "Invoking Lambda functions with Amazon SNS notifications"
and "Amazon SNS message and JSON formats". EventBridge → Lambda: tests/conformance/test_eventbridge_lambda.py.
"""
from __future__ import annotations

import json
import time

import pytest


@pytest.fixture(scope="module")
def recorder(engine):
    """A function that copies every event it gets into an SQS queue, and a way to read them back."""
    import labkit

    sqs, lam = labkit.client("sqs"), labkit.client("lambda")
    queue = sqs.create_queue(QueueName=labkit.name("conf-notif"))["QueueUrl"]
    code = ("import json, boto3\ndef handler(event, context):\n"
            f"    boto3.client('sqs').send_message(QueueUrl='{queue}', MessageBody=json.dumps(event))\n")
    name = labkit.name("conf-notif")
    arn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=labkit.lambda_role(),
                              Handler="app.handler", Code={"ZipFile": labkit.zip_code({"app.py": code})})["FunctionArn"]

    def events(timeout: float = 15.0) -> dict:
        deadline = time.time() + timeout
        while time.time() < deadline:
            for message in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", []):
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
                return json.loads(message["Body"])
        raise AssertionError("the function was not invoked")

    yield arn, events
    lam.delete_function(FunctionName=name)
    sqs.delete_queue(QueueUrl=queue)


def test_s3_object_created_event(recorder):
    """'Event message structure': Records[].eventSource aws:s3, eventName ObjectCreated:Put, s3.bucket.name/arn,
    s3.object.key (URL-encoded) and size."""
    import labkit

    arn, events = recorder
    s3 = labkit.client("s3")
    bucket = labkit.name("conf-notif")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_object(Bucket=bucket, Key="a b.txt", Body=b"hi")
    (record,) = events()["Records"]
    assert (record["eventSource"], record["eventName"]) == ("aws:s3", "ObjectCreated:Put")
    assert record["s3"]["bucket"] == {**record["s3"]["bucket"], "name": bucket, "arn": f"arn:aws:s3:::{bucket}"}
    assert (record["s3"]["object"]["key"], record["s3"]["object"]["size"]) == ("a+b.txt", 2)
    s3.delete_object(Bucket=bucket, Key="a b.txt")
    s3.delete_bucket(Bucket=bucket)


def test_sns_lambda_record_carries_the_publish(recorder):
    """'Invoking Lambda functions with Amazon SNS notifications': Records[].EventSource aws:sns,
    EventSubscriptionArn, and Sns with the topic ARN, message id, subject, message and message attributes
    ({name: {Type, Value}}) of the publish."""
    import labkit

    arn, events = recorder
    sns = labkit.client("sns")
    topic = sns.create_topic(Name=labkit.name("conf-notif"))["TopicArn"]
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)["SubscriptionArn"]
    published = sns.publish(TopicArn=topic, Message="hello", Subject="greeting",
                            MessageAttributes={"color": {"DataType": "String", "StringValue": "blue"}})
    (record,) = events()["Records"]
    assert (record["EventSource"], record["EventVersion"]) == ("aws:sns", "1.0")
    assert record["EventSubscriptionArn"] == subscription
    message = record["Sns"]
    assert (message["Type"], message["TopicArn"], message["MessageId"]) == (
        "Notification", topic, published["MessageId"])
    assert (message["Subject"], message["Message"]) == ("greeting", "hello")
    assert message["MessageAttributes"] == {"color": {"Type": "String", "Value": "blue"}}
    sns.delete_topic(TopicArn=topic)
