"""Checks for labs/s3-in-depth."""
from __future__ import annotations

from ..checks import Verdict, expect, failed, passed
from ..engines import current
from .s3_basics import s3_bucket_name_hint


def rule_prefix(rule: dict) -> str | None:
    """The prefix a lifecycle rule applies to, whichever way the filter is written."""
    filt = rule.get("Filter", {})
    if "Prefix" in filt:
        return filt["Prefix"]
    if "And" in filt:
        return filt["And"].get("Prefix")
    return rule.get("Prefix")


def archive_rule(bucket: str, prefix: str = "archive/", glacier_days: int = 90, expire_days: int = 365) -> Verdict:
    """The bucket has an enabled rule for ``prefix``: GLACIER after ``glacier_days``, expiry after ``expire_days``."""
    expect(bucket, "my_bucket", str, "the name of the bucket you created and gave a lifecycle configuration")
    if hint := s3_bucket_name_hint(bucket, "my_bucket"):
        return failed(hint)
    s3 = current().client("s3")
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except s3.exceptions.ClientError as exc:
        if exc.response["Error"]["Code"] == "NoSuchLifecycleConfiguration":
            return failed(f"{bucket} has no lifecycle configuration yet: call put_bucket_lifecycle_configuration.")
        raise
    mine = [r for r in rules if rule_prefix(r) == prefix]
    if not mine:
        found = [rule_prefix(r) for r in rules]
        return failed(f"No rule filters on the prefix {prefix!r} (found prefixes {found}). "
                      f"Use \"Filter\": {{\"Prefix\": \"{prefix}\"}}.")
    rule = mine[0]
    if rule.get("Status") != "Enabled":
        return failed("The rule exists but its Status is not 'Enabled', so S3 would ignore it.")
    glacier = [t for t in rule.get("Transitions", []) if t.get("StorageClass") == "GLACIER"]
    if not glacier or glacier[0].get("Days") != glacier_days:
        return failed(f"The rule needs a transition to GLACIER after {glacier_days} days "
                      f"(found transitions {rule.get('Transitions', [])}).")
    if rule.get("Expiration", {}).get("Days") != expire_days:
        return failed(f"The rule needs \"Expiration\": {{\"Days\": {expire_days}}} "
                      f"(found {rule.get('Expiration')}).")
    return passed(f"Objects under {prefix} go to Glacier after {glacier_days} days and are deleted after "
                  f"{expire_days}.")
