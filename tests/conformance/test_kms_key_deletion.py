"""KMS: ScheduleKeyDeletion and CancelKeyDeletion name the key by key ID or key ARN ("ScheduleKeyDeletion",
"CancelKeyDeletion", AWS Key Management Service API Reference)."""
from __future__ import annotations

import pytest

import labkit


@pytest.mark.parametrize("by", ["KeyId", "Arn"])
def test_key_deletion_is_scheduled_and_cancelled_by_key_id_or_arn(engine, by):
    """Scheduling deletion puts the key in PendingDeletion; cancelling leaves it Disabled (the key ID or the key ARN
    names it in both calls)."""
    kms = labkit.client("kms")
    key = kms.create_key(Description="labkit conformance: key deletion")["KeyMetadata"]
    try:
        kms.schedule_key_deletion(KeyId=key[by], PendingWindowInDays=7)
        assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
        kms.cancel_key_deletion(KeyId=key[by])
        assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"
    finally:
        if kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] != "PendingDeletion":
            kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
