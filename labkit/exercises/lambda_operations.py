"""Checks for labs/lambda-operations: a function's concurrency and asynchronous-invocation settings.

What AWS documents: "Configuring reserved concurrency for a function" (``PutFunctionConcurrency``; 0 stops every
invocation), "Configuring error handling settings for Lambda asynchronous invocations"
(``PutFunctionEventInvokeConfig``: ``MaximumRetryAttempts`` 0-2, default 2) and "Capturing records of Lambda
asynchronous invocations" (``DestinationConfig``: ``OnSuccess`` / ``OnFailure``).
"""
from __future__ import annotations

from botocore.exceptions import ClientError

from ..checks import Verdict, expect, failed, passed
from ..engines import current

WANTED_RESERVED = 2


def _code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def _queue_exists(sqs, arn: str) -> bool:
    parts = arn.split(":")
    if len(parts) != 6:
        return False
    try:
        sqs.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])
        return True
    except ClientError:
        return False


def async_settings(function_name, failures_queue) -> Verdict:
    """``function_name`` names a function that runs at most 2 invocations at once (reserved concurrency 2), does
    not retry a failed asynchronous event (``MaximumRetryAttempts`` 0), and sends the record of a failed event to
    the queue the exercise names: its ``OnFailure`` destination is ``failures_queue`` (the lab's ``failures_arn``,
    an SQS queue ARN), and that queue exists.

    Every shortfall is named in one hint; the function itself is only read, never changed. Any other queue (the
    lab's ``dlq`` included) is a hint naming ``failures_arn``.
    """
    expect(function_name, "my_function", str, "the name of the function you configured, e.g. worker")
    expect(failures_queue, "failures_arn", str, "the ARN of the lab's failures queue (run the cells of Step 4 "
           "first)")
    engine = current()
    lam, sqs = engine.client("lambda"), engine.client("sqs")
    try:
        lam.get_function(FunctionName=function_name)
    except ClientError as error:
        if _code(error) != "ResourceNotFoundException":
            raise
        return failed(f"There is no function named {function_name!r}: set my_function to the name of the function "
                      "you configured (the lab's is in the variable worker).")
    hints = []
    reserved = lam.get_function_concurrency(FunctionName=function_name).get("ReservedConcurrentExecutions")
    if reserved is None:
        hints.append("it has no reserved concurrency yet (put_function_concurrency with "
                     "ReservedConcurrentExecutions=2)")
    elif reserved == 0:
        hints.append("its reserved concurrency is 0, which stops every invocation; use 2")
    elif reserved != WANTED_RESERVED:
        hints.append(f"its reserved concurrency is {reserved}; at most 2 at once means 2")
    try:
        config = lam.get_function_event_invoke_config(FunctionName=function_name)
    except ClientError as error:
        if _code(error) != "ResourceNotFoundException":
            raise
        config = None
    if config is None:
        hints.append("it has no asynchronous invocation configuration yet (put_function_event_invoke_config with "
                     "MaximumRetryAttempts and DestinationConfig)")
    else:
        retries = config.get("MaximumRetryAttempts")
        if retries is None:
            hints.append("MaximumRetryAttempts is not set, so Lambda keeps its default of 2 retries; set it to 0")
        elif retries != 0:
            hints.append(f"MaximumRetryAttempts is {retries}; a failed event must not be retried, so 0")
        destinations = config.get("DestinationConfig") or {}
        on_failure = (destinations.get("OnFailure") or {}).get("Destination")
        on_success = (destinations.get("OnSuccess") or {}).get("Destination")
        if not on_failure:
            if on_success:
                hints.append("the queue is the OnSuccess destination: records of failed events go to OnFailure")
            else:
                hints.append("there is no OnFailure destination (DestinationConfig={'OnFailure': {'Destination': "
                             "queue ARN}})")
        elif not on_failure.startswith("arn:aws:sqs:"):
            hints.append(f"the OnFailure destination {on_failure} is not an SQS queue ARN")
        elif on_failure != failures_queue:
            other = ("names a queue that does not exist" if not _queue_exists(sqs, on_failure)
                     else "is another queue")
            hints.append(f"the OnFailure destination {on_failure} {other}: the exercise asks for the failures "
                         "queue, so use failures_arn")
        elif not _queue_exists(sqs, on_failure):
            hints.append(f"the failures queue {on_failure} does not exist (run the cells of Step 4 again to create "
                         "it)")
    if not hints:
        return passed("Reserved concurrency 2, no retries, and failed events recorded in the failures queue: a burst "
                      "beyond 2 is throttled, and a failure reaches the queue after one attempt.")
    return failed(f"{function_name}: " + "; ".join(hints) + ".")
