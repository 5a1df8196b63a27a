"""Checks for labs/s3-basics."""
from __future__ import annotations

import re

from ..checks import Verdict, expect, failed, passed
from ..engines import current

BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def s3_bucket_name_hint(value: str, variable: str) -> str | None:
    """A hint if ``value`` cannot be a general purpose bucket's name (3 to 63 lowercase letters, digits, dots and
    hyphens, starting and ending with a letter or digit: "General purpose bucket naming rules", Amazon S3 User
    Guide), else None."""
    if BUCKET_NAME.fullmatch(value):
        return None
    return (f"{variable} = {value[:60]!r} is not a bucket name (3 to 63 lowercase letters, digits, dots or hyphens): "
            "store the name you passed to create_bucket, not an ARN, a URL or a key.")


def versioned_report(bucket: str, key: str = "reports/summary.txt") -> Verdict:
    """The bucket has versioning enabled and ``key`` has at least two versions written while it was on (VersionId
    not ``"null"``: "Working with objects in a versioning-enabled bucket", Amazon S3 User Guide) with different
    bodies (different ETags), the latest not deleted."""
    expect(bucket, "my_bucket", str, "the name of the new bucket you created")
    if hint := s3_bucket_name_hint(bucket, "my_bucket"):
        return failed(hint)
    s3 = current().client("s3")
    status = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    if status != "Enabled":
        return failed(f"Versioning on {bucket} is {status or 'never enabled'}. Call put_bucket_versioning with "
                      "VersioningConfiguration={'Status': 'Enabled'} before you write the object.")
    listing = s3.list_object_versions(Bucket=bucket, Prefix=key)
    every = [v for v in listing.get("Versions", []) if v["Key"] == key]
    versions = [v for v in every if v.get("VersionId") not in (None, "null")]
    if len(versions) < 2:
        before = (" The version with VersionId 'null' was written before versioning was enabled, so it does not "
                  "count." if len(every) > len(versions) else "")
        return failed(f"{key} has {len(versions)} version(s) written while versioning was on; write it twice "
                      f"(two put_object calls) after versioning is on.{before}")
    if len({v.get("ETag") for v in versions}) < 2:
        return failed(f"The {len(versions)} versions of {key} have the same ETag: you wrote the same body each "
                      "time. Write two different bodies, so that the versions differ.")
    if any(m["Key"] == key and m["IsLatest"] for m in listing.get("DeleteMarkers", [])):
        return failed(f"The latest version of {key} is a delete marker: the object looks deleted. "
                      "Put it again, or delete the marker by its VersionId.")
    return passed(f"{key} has {len(versions)} versions in a versioned bucket: every overwrite is kept.")
