"""Checks for labs/sns-filtering."""
from __future__ import annotations

import json

from botocore.exceptions import ClientError

from ..checks import Verdict, expect, failed, passed
from ..engines import current
from ..naming import name

ORDERS = [  # the six orders of the lab: id, store, sku, amount, status, coupon
    ("o1", "berlin", "BOOK-0042", 35, "new", None),
    ("o2", "paris", "TOY-0007", 120, "new", "SPRING"),
    ("o3", "berlin", "BOOK-0100", 999, "test", None),
    ("o4", "madrid", "GAME-0001", 1000, "paid", None),
    ("o5", "hamburg", "BOOKMARK-1", 4, "new", "EXPIRED"),
    ("o6", "berlin", "TOY-0008", 250, "paid", "VIP"),
]
WAREHOUSE = {"o1", "o5", "o6"}


def delivered(policy: dict, scope: str = "MessageAttributes") -> set[str]:
    """Subscribe a fresh queue with ``policy``, publish the six orders, return the ids that arrive (then tidy up)."""
    engine = current()
    sns, sqs = engine.client("sns"), engine.client("sqs")
    topic = sns.create_topic(Name=name("check"))["TopicArn"]
    url = sqs.create_queue(QueueName=name("check"))["QueueUrl"]
    try:
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                                                    "Action": "sqs:SendMessage", "Resource": arn}]})})
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                      Attributes={"RawMessageDelivery": "true", "FilterPolicy": json.dumps(policy),
                                  "FilterPolicyScope": scope})
        for order_id, store, sku, amount, status, coupon in ORDERS:
            attributes = {"store": store, "sku": sku, "status": status, "coupon": coupon}
            sns.publish(TopicArn=topic, Message=json.dumps({"id": order_id}), MessageAttributes={
                **{k: {"DataType": "String", "StringValue": v} for k, v in attributes.items() if v is not None},
                "amount": {"DataType": "Number", "StringValue": str(amount)}})
        ids = set()
        for _ in range(len(ORDERS)):
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
            if not batch:
                break
            ids.update(json.loads(m["Body"])["id"] for m in batch)
            for m in batch:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return ids
    finally:
        sns.delete_topic(TopicArn=topic)
        sqs.delete_queue(QueueUrl=url)


def warehouse_policy(policy) -> Verdict:
    """``policy`` delivers exactly the Berlin or Hamburg orders that are not test orders."""
    expect(policy, "my_policy", dict, "a filter policy, for example {'store': ['berlin']}")
    try:
        got = delivered(policy)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "InvalidParameter":
            raise
        return failed(f"SNS rejects this filter policy: {exc.response['Error'].get('Message', '')}. Every key "
                      "takes a list of values or conditions, e.g. {'store': ['berlin']}.")
    missing, extra = sorted(WAREHOUSE - got), sorted(got - WAREHOUSE)
    if got == WAREHOUSE:
        return passed("Exactly o1, o5 and o6 arrived: two keys ANDed, two stores ORed, and test orders excluded.")
    hints = []
    names = {"store", "sku", "status", "coupon", "amount"}  # the message attributes of ORDERS
    for key in policy:
        if isinstance(key, str) and key not in names and key.lower() in names:
            hints.append(f"The key {key!r} is not the message attribute {key.lower()!r}: attribute names are "
                         "case-sensitive, and a policy key must match the name exactly (\"Amazon SNS subscription "
                         "filter policies\")")
    if missing:
        hints.append(f"{', '.join(missing)} did not arrive (is each store listed as a value of the same key? "
                     "values within a key are ORed)")
    if extra:
        hints.append(f"{', '.join(extra)} arrived but should not (o3 is a test order: exclude it with "
                     "anything-but; orders from other stores need a store condition)")
    return failed("; ".join(hints) + ".")
