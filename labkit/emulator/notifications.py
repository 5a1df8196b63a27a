"""SNS → Lambda delivers the event AWS documents ("Invoking Lambda functions with Amazon SNS notifications").

AWS: the function receives ``{"Records": [{"EventVersion": "1.0", "EventSubscriptionArn": <subscription ARN>,
"EventSource": "aws:sns", "Sns": {"Type": "Notification", "MessageId", "TopicArn", "Subject" (null when none),
"Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertUrl", "UnsubscribeUrl", "MessageAttributes":
{name: {"Type", "Value"}}}}]}``, invoked asynchronously.

moto 5.2.5 (``LambdaBackend.send_sns_message``) sends a fixed sample instead: ``TopicArn`` and
``EventSubscriptionArn`` "arn:aws:sns:EXAMPLE", a 1970 timestamp, the same ``MessageId`` every time and two
made-up message attributes (``Test``, ``TestBinary``) in place of the published ones — a handler that reads its
attributes or topic sees values nobody sent. Here the lambda protocol of ``Subscription.publish`` builds the
documented event from the publish itself (moto's own ``get_post_data`` gives the notification's fields).

Checked and left as moto has them (right): S3 event notifications (``Records[].eventName``, ``s3.bucket``,
``s3.object`` with the URL-encoded key) and SNS → SQS (the JSON notification in the message body).

Upstream change (moto ``sns/models.py`` / ``awslambda/models.py``): pass the subscription ARN, topic ARN, message
id, timestamp and message attributes to ``send_sns_message`` and build the record from them.
"""
from __future__ import annotations

import json
from typing import Any

from .registry import Difference, Patch

PATCHES = [
    Patch(
        name="sns-lambda-event",
        changes="SNS → Lambda invokes the function with the documented record built from the publish (topic, "
                "subscription, message id, timestamp, message attributes), asynchronously.",
        symbols=("moto.sns.models.Subscription.publish", "moto.sns.models.Subscription.get_post_data",
                 "moto.awslambda.utils.get_backend"),
        upstream="moto sns/models.py: pass the publish's fields to LambdaBackend.send_sns_message.",
    ),
]

DIFFERENCES: list[Difference] = []  # EventBridge → Lambda: labkit.emulator.eventbridge

_original_publish = None


def lambda_record(subscription, message: str, message_id: str, subject: str | None,
                  message_attributes: dict[str, Any] | None) -> dict:
    """The SNS event a Lambda subscriber receives for one publish (AWS's documented shape)."""
    post = subscription.get_post_data(message, message_id, subject, message_attributes=message_attributes)
    return {"Records": [{
        "EventVersion": "1.0", "EventSubscriptionArn": subscription.arn, "EventSource": "aws:sns",
        "Sns": {"Type": post["Type"], "MessageId": post["MessageId"], "TopicArn": post["TopicArn"],
                "Subject": subject, "Message": post["Message"], "Timestamp": post["Timestamp"],
                "SignatureVersion": post["SignatureVersion"], "Signature": post["Signature"],
                "SigningCertUrl": post["SigningCertURL"], "UnsubscribeUrl": post["UnsubscribeURL"],
                "MessageAttributes": {name: {"Type": value["Type"], "Value": value["Value"]}
                                      for name, value in (message_attributes or {}).items()}},
    }]}


def publish(self, message, message_id, subject=None, message_attributes=None, group_id=None,
            deduplication_id=None, message_structure=None) -> None:
    """``Subscription.publish``; the lambda protocol builds AWS's record and invokes asynchronously."""
    if self.protocol != "lambda":
        return _original_publish(self, message, message_id, subject, message_attributes, group_id,
                                 deduplication_id, message_structure)
    if self._filter_policy_matcher is not None and not self._filter_policy_matcher.matches(
            message_attributes, message):
        return None
    if message_structure == "json":
        message = self._parse_message_structure(message, self.protocol)
    from moto.awslambda.utils import get_backend

    parts = self.endpoint.split(":")
    backend = get_backend(self.account_id, parts[3])
    function = backend._lambdas.get_function_by_name_or_arn_with_qualifier(
        parts[6], parts[7] if len(parts) > 7 else None)
    body = json.dumps(lambda_record(self, message, message_id, subject, message_attributes))
    from .lambda_ import async_invoke

    async_invoke.submit(function, body)  # SNS invokes a subscribed function asynchronously
    return None


def install() -> None:
    """Replace the lambda protocol of moto's SNS delivery (once per process)."""
    global _original_publish
    from moto.sns.models import Subscription

    if _original_publish is None:
        _original_publish = Subscription.publish
        Subscription.publish = publish
