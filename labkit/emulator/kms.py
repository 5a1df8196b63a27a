"""AWS KMS: moto encrypts and decrypts, but enforces neither key policies nor key states."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference, Patch

_original = {}

DIFFERENCES = [
    Difference(
        id="kms-key-policies-not-enforced",
        service="KMS",
        aws="Every request to use or manage a KMS key is authorized by the key policy (together with IAM policies "
            "where the key policy allows them).",
        engine="Key policies are stored but never evaluated.",
        doc="Key policies in AWS KMS",
        labs=("kms",),
    ),
    Difference(
        id="kms-key-state-not-enforced",
        service="KMS",
        aws="A disabled key, or one pending deletion, cannot be used in cryptographic operations: KMS answers "
            "KMSInvalidStateException.",
        engine="Key states are recorded, but a disabled key or a key pending deletion still encrypts and decrypts.",
        doc="Key states of AWS KMS keys",
        labs=("kms",),
    ),
    Difference(
        id="kms-deletion-window-not-checked",
        service="KMS",
        aws="ScheduleKeyDeletion accepts a waiting period of 7 to 30 days only.",
        engine="A waiting period shorter than 7 days is accepted.",
        doc="ScheduleKeyDeletion",
        labs=("kms",),
    ),
    Difference(
        id="kms-aws-managed-keys-not-modelled",
        service="KMS",
        aws="The aws/<service> aliases name AWS managed keys: DescribeKey reports KeyManager AWS, and you can "
            "neither change their key policy nor delete them.",
        engine="The aliases are listed, but DescribeKey on one reports a customer managed key (KeyManager "
               "CUSTOMER).",
        doc="DescribeKey",
        labs=("kms",),
    ),
]


def _short_window(response) -> bool:
    days = response._get_param("PendingWindowInDays")
    return days is not None and int(days) < 7


TRIGGERS = [
    Trigger("moto.kms.responses.KmsResponse.put_key_policy", "kms-key-policies-not-enforced"),
    Trigger("moto.kms.responses.KmsResponse.disable_key", "kms-key-state-not-enforced"),
    Trigger("moto.kms.responses.KmsResponse.schedule_key_deletion", "kms-key-state-not-enforced"),
    Trigger("moto.kms.responses.KmsResponse.schedule_key_deletion", "kms-deletion-window-not-checked",
            when=_short_window),
    Trigger("moto.kms.responses.KmsResponse.describe_key", "kms-aws-managed-keys-not-modelled",
            when=lambda response: str(response._get_param("KeyId") or "").startswith("alias/aws/")),
]

PATCHES = [
    trigger_patch("kms-notices", TRIGGERS),
    Patch(name="kms-key-deletion-by-arn",
          changes="ScheduleKeyDeletion and CancelKeyDeletion accept the key ARN as well as the key ID, as AWS "
                  "documents; moto looked the ARN up as a key ID and answered HTTP 500",
          symbols=("moto.kms.models.KmsBackend.schedule_key_deletion", "moto.kms.models.KmsBackend.cancel_key_deletion",
                   "moto.kms.models.KmsBackend.get_key_id"),
          upstream="moto's KmsBackend.schedule_key_deletion / cancel_key_deletion should call get_key_id first"),
]


def _by_key_id(name: str):
    original = _original[name]

    def method(self, key_id: str, *args, **kwargs):
        return original(self, self.get_key_id(key_id), *args, **kwargs)

    method.__name__ = name
    method.__doc__ = (f"moto's {name} with a key ARN turned into the key ID first (\"ScheduleKeyDeletion\", "
                      "\"CancelKeyDeletion\", AWS KMS API Reference: specify the key ID or key ARN).")
    return method


def install() -> None:
    """Show the notices above when a lab meets them, and accept key ARNs in key deletion (idempotent)."""
    from moto.kms.models import KmsBackend

    install_triggers(TRIGGERS)
    if not _original:
        _original["schedule_key_deletion"] = KmsBackend.schedule_key_deletion
        _original["cancel_key_deletion"] = KmsBackend.cancel_key_deletion
        KmsBackend.schedule_key_deletion = _by_key_id("schedule_key_deletion")
        KmsBackend.cancel_key_deletion = _by_key_id("cancel_key_deletion")
