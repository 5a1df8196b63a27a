"""S3: deleting object versions from a versioning-suspended bucket, and cleaning such a bucket up."""
from __future__ import annotations

import labkit
from labkit.inventory.core import delete_bucket


def _suspended_bucket_with_marker(s3):
    bucket = labkit.name("suspended")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"1")
    s3.delete_object(Bucket=bucket, Key="k")  # a delete marker
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    return bucket


def test_deleting_a_version_of_a_suspended_bucket_deletes_only_it(engine):
    """Deleting object versions from a versioning-suspended bucket (Amazon S3 User Guide): a DELETE naming a
    version ID permanently deletes that version (or delete marker); the other versions stay."""
    s3 = labkit.client("s3")
    bucket = _suspended_bucket_with_marker(s3)
    listed = s3.list_object_versions(Bucket=bucket)
    marker = listed["DeleteMarkers"][0]["VersionId"]
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": marker}], "Quiet": True})
    after = s3.list_object_versions(Bucket=bucket)
    assert after.get("DeleteMarkers", []) == []
    assert [v["VersionId"] for v in after["Versions"]] == [listed["Versions"][0]["VersionId"]]
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"1"  # the marker was hiding it
    delete_bucket(s3, bucket)


def test_a_suspended_bucket_with_a_delete_marker_is_emptied_and_deleted(engine):
    """Deleting object versions from a versioning-suspended bucket: every version and delete marker can be deleted
    by version ID, so cleanup empties the bucket and deletes it."""
    s3 = labkit.client("s3")
    bucket = _suspended_bucket_with_marker(s3)
    delete_bucket(s3, bucket)
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_moto_still_deletes_every_version_of_a_suspended_bucket(engine):
    """Without labkit's patch moto deletes every version of the key when one version of a suspended bucket is
    deleted: when this fails, moto fixed it upstream and labkit.emulator.s3's patch can go."""
    from moto.s3.models import S3Backend

    backend = S3Backend("us-east-1", "123456789012")
    name = labkit.name("motobug")
    backend.create_bucket(name, "us-east-1")
    backend.put_bucket_versioning(name, "Enabled")
    first = backend.put_object(name, "k", b"1")
    backend.put_object(name, "k", b"2")
    backend.put_bucket_versioning(name, "Suspended")
    S3Backend.delete_object.labkit_original(backend, name, "k", version_id=first.version_id)
    try:
        assert backend.get_bucket(name).keys.getlist("k", []) == []  # the other version went too
    finally:
        backend.delete_bucket(name)
