"""Amazon S3 buckets (event notifications are :mod:`labkit.emulator`'s integration modules' concern): what moto
stores but does not act on. The notices hook moto's S3 backend, so they also fire for buckets a CloudFormation
stack configures."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference, Patch

DIFFERENCES = [
    Difference(
        id="s3-lifecycle-not-applied",
        service="S3",
        aws="S3 evaluates lifecycle rules about once a day and transitions or expires the matching objects in the "
            "background.",
        engine="Lifecycle rules are stored and read back, but never acted on: no object is ever transitioned or "
               "expired.",
        doc="Transitioning objects using Amazon S3 Lifecycle",
        labs=("s3-in-depth",),
    ),
    Difference(
        id="s3-lifecycle-minimum-days-not-checked",
        service="S3",
        aws="A lifecycle rule cannot move objects to STANDARD_IA or ONEZONE_IA sooner than 30 days after their "
            "creation: such a rule is rejected.",
        engine="A rule that moves objects to STANDARD_IA or ONEZONE_IA after fewer than 30 days is accepted.",
        doc="Transition",
        labs=("s3-in-depth",),
    ),
    Difference(
        id="s3-replication-not-performed",
        service="S3",
        aws="With a replication configuration, new objects are copied to the destination bucket (ReplicationStatus "
            "PENDING, then COMPLETED on the source) within seconds to minutes.",
        engine="The configuration is validated and stored, but nothing is copied and no ReplicationStatus is set.",
        doc="Replicating objects within and across Regions",
        labs=("s3-in-depth",),
    ),
    Difference(
        id="s3-bucket-policy-conditions-not-evaluated",
        service="S3",
        aws="A bucket policy statement with a Condition (aws:SecureTransport, aws:MultiFactorAuthAge, …) applies "
            "only to the requests whose context matches it.",
        engine="Condition keys are not evaluated: a conditional Deny applies to every object request of the "
               "bucket.",
        doc="IAM JSON policy elements: Condition",
        labs=("s3-in-depth",),
    ),
    Difference(
        id="s3-inventory-not-delivered",
        service="S3",
        aws="An inventory configuration delivers a report to its destination bucket daily or weekly (the first "
            "within 48 hours), and reads back as it was written.",
        engine="No report is ever delivered, and IncludedObjectVersions and OptionalFields read back wrongly.",
        doc="Cataloging and analyzing your data with S3 Inventory",
        labs=("s3-in-depth",),
    ),
    Difference(
        id="s3-presigned-urls-not-checked",
        service="S3",
        aws="A presigned URL is refused after its expiry (403 AccessDenied, 'Request has expired') or when its "
            "signature was tampered with (SignatureDoesNotMatch).",
        engine="An expired presigned URL, or one with a tampered signature, is accepted.",
        doc="Sharing objects with presigned URLs",
        labs=("s3-in-depth",),
    ),
]

IA_CLASSES = ("STANDARD_IA", "ONEZONE_IA")


def too_early(rules) -> bool:
    """True when a lifecycle rule (as moto's backend receives it, parsed from XML) moves current objects to
    STANDARD_IA or ONEZONE_IA after fewer than 30 days."""
    for rule in rules or []:
        transitions = rule.get("Transition") if isinstance(rule, dict) else None
        for transition in transitions if isinstance(transitions, list) else [transitions]:
            if isinstance(transition, dict) and transition.get("StorageClass") in IA_CLASSES:
                days = transition.get("Days")
                if days is not None and int(days) < 30:
                    return True
    return False


TRIGGERS = [
    Trigger("moto.s3.models.S3Backend.put_bucket_lifecycle", "s3-lifecycle-not-applied",
            when=lambda backend, bucket, rules: bool(rules)),
    Trigger("moto.s3.models.S3Backend.put_bucket_lifecycle", "s3-lifecycle-minimum-days-not-checked",
            when=lambda backend, bucket, rules: too_early(rules)),
    Trigger("moto.s3.models.S3Backend.put_bucket_replication", "s3-replication-not-performed"),
    Trigger("moto.s3.models.S3Backend.put_bucket_policy", "s3-bucket-policy-conditions-not-evaluated",
            when=lambda backend, bucket, policy: b'"Condition"' in (policy if isinstance(policy, bytes)
                                                                     else str(policy).encode())),
    Trigger("moto.s3.models.S3Backend.put_bucket_inventory_configuration", "s3-inventory-not-delivered"),
]

PATCHES = [trigger_patch("s3-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
    install_suspended_deletes()


# --- Deleting versions from a versioning-suspended bucket -------------------------------------------------------
#
# moto 5.2.5 treats a suspended bucket as unversioned in S3Backend.delete_object: DeleteObject (or DeleteObjects)
# with a VersionId drops *every* version of the key, and crashes with "'FakeDeleteMarker' object has no attribute
# 'dispose'" (moto.s3.utils._VersionedKeyStore.pop) when one of them is a delete marker — so a bucket versioned,
# then suspended, could not be emptied nor cleaned up. AWS ("Deleting object versions from a versioning-suspended
# bucket"): a request naming a version ID permanently deletes that version (or delete marker) and only it; a request
# without one adds a delete marker. Upstream change: in S3Backend.delete_object test
# ``bucket.versioning_status in ("Enabled", "Suspended")`` rather than ``bucket.is_versioned``, and give
# FakeDeleteMarker a no-op ``dispose``.

import threading

_suspended_lock = threading.RLock()


def _delete_object(original):
    def delete_object(self, bucket_name, key_name, version_id=None, bypass=False):
        bucket = self.get_bucket(bucket_name)
        if getattr(bucket, "versioning_status", None) != "Suspended":
            return original(self, bucket_name, key_name, version_id=version_id, bypass=bypass)
        with _suspended_lock:  # the versioned branch of moto's code is AWS's behaviour for a suspended bucket too
            bucket.versioning_status = "Enabled"
            try:
                return original(self, bucket_name, key_name, version_id=version_id, bypass=bypass)
            finally:
                bucket.versioning_status = "Suspended"
    delete_object.labkit_suspended = True
    delete_object.labkit_original = original
    return delete_object


PATCHES.append(Patch(
    name="s3-suspended-versioning-deletes",
    changes="DeleteObject/DeleteObjects in a versioning-suspended bucket delete only the named version or delete "
            "marker (or add a delete marker), as on AWS; a delete marker can be disposed of.",
    symbols=("moto.s3.models.S3Backend.delete_object", "moto.s3.models.FakeDeleteMarker",
             "moto.s3.models.FakeBucket.is_versioned", "moto.s3.utils._VersionedKeyStore.pop"),
    upstream="S3Backend.delete_object: treat Suspended like Enabled; FakeDeleteMarker.dispose as a no-op.",
))


def install_suspended_deletes() -> None:
    """Patch moto's S3 backend for deletes in versioning-suspended buckets (idempotent)."""
    from moto.s3 import models

    if not getattr(models.S3Backend.delete_object, "labkit_suspended", False):
        models.S3Backend.delete_object = _delete_object(models.S3Backend.delete_object)
    if not hasattr(models.FakeDeleteMarker, "dispose"):
        models.FakeDeleteMarker.dispose = lambda self, garbage=False: None
