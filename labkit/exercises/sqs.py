"""Checks for labs/sqs."""
from __future__ import annotations

import json

from botocore.exceptions import ClientError

from ..checks import Verdict, expect, failed, passed
from ..engines import current

FUNCTION_TIMEOUT = 20
"""The timeout (seconds) of the Lambda consumer in the exercise."""
MAX_RECEIVES = 4
"""How many receives the exercise allows before a message goes to the dead-letter queue."""
LONG_POLL = 20
"""The longest ReceiveMessage wait SQS allows (ReceiveMessageWaitTimeSeconds: 0 to 20; "SetQueueAttributes")."""


def consumer_queue(queue_url) -> Verdict:
    """The queue at ``queue_url`` is ready for a Lambda consumer whose timeout is 20 s.

    What is judged (Amazon SQS API Reference "SetQueueAttributes"; AWS Lambda "Creating and configuring an Amazon
    SQS event source mapping"): ``ReceiveMessageWaitTimeSeconds`` is 20 (long polling by default, its maximum);
    ``VisibilityTimeout`` is at least the function's timeout (Lambda refuses a mapping otherwise); a
    ``RedrivePolicy`` whose ``maxReceiveCount`` is 4 and whose ``deadLetterTargetArn`` is an existing queue.
    ``queue_url``: the queue's URL (str). Returns a :class:`Verdict`; the engine's ``ClientError`` for a queue that
    does not exist becomes a hint.
    """
    expect(queue_url, "my_queue_url", str, "the URL of the queue you created (create_queue(...)['QueueUrl'])")
    sqs = current().client("sqs")
    if not queue_url.startswith(("http://", "https://")):
        return failed(f"{queue_url!r} is not a queue URL: pass the QueueUrl that create_queue returned "
                      "(it starts with http:// or https://).")
    try:
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    except ClientError as exc:
        if "NonExistentQueue" not in exc.response.get("Error", {}).get("Code", "") and \
                exc.response.get("Error", {}).get("Code") != "QueueDoesNotExist":
            raise
        return failed("No queue answers at that URL: run your create_queue cell again (a cleanup deletes the "
                      "queues) and pass its QueueUrl.")
    hints = []
    wait = int(attributes.get("ReceiveMessageWaitTimeSeconds", "0"))
    if wait != LONG_POLL:
        hints.append(f"ReceiveMessageWaitTimeSeconds is {wait}: set it to {LONG_POLL} so that every receive "
                     "long-polls for as long as SQS allows")
    visibility = int(attributes.get("VisibilityTimeout", "30"))
    if visibility < FUNCTION_TIMEOUT:
        hints.append(f"VisibilityTimeout is {visibility} s, shorter than the function's {FUNCTION_TIMEOUT} s "
                     "timeout: a message would reappear while it is still being processed (and Lambda refuses "
                     "such a mapping)")
    redrive = attributes.get("RedrivePolicy")
    if not redrive:
        hints.append("The queue has no RedrivePolicy: add one naming a dead-letter queue's ARN "
                     "(deadLetterTargetArn) and maxReceiveCount")
    else:
        policy = json.loads(redrive)
        count = int(policy.get("maxReceiveCount", 0))
        if count != MAX_RECEIVES:
            hints.append(f"maxReceiveCount is {count}: the exercise allows {MAX_RECEIVES} receives before a "
                         "message moves to the dead-letter queue")
        target = str(policy.get("deadLetterTargetArn", ""))
        name = target.split(":")[-1]
        if target == attributes.get("QueueArn"):
            hints.append("deadLetterTargetArn is the queue's own ARN: a failed message would stay in the same "
                         "queue; create a separate dead-letter queue and use its ARN")
        else:
            try:
                sqs.get_queue_url(QueueName=name)
            except ClientError:
                hints.append(f"The dead-letter queue {name!r} no longer exists: create it again and point "
                             "deadLetterTargetArn at its ARN")
    if hints:
        return failed("; ".join(hints) + ".")
    return passed(f"Long polling by default ({LONG_POLL} s), a visibility timeout of {visibility} s (≥ the "
                  f"function's {FUNCTION_TIMEOUT} s) and a dead-letter queue after {MAX_RECEIVES} receives.")
