"""AWS KMS: moto encrypts and decrypts, but enforces neither key policies nor key states."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

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

PATCHES = [trigger_patch("kms-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
