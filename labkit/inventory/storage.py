"""Storage & data kinds: Kinesis Data Streams, Data Firehose, RDS and EFS.

Order: RDS and EFS resources go before the subnets and security groups of ``network.py`` (orders 16-18), RDS
event subscriptions and DB instances before the subnet and parameter groups they use, and a Firehose delivery
stream before the Kinesis stream it reads and the S3 bucket it writes.
"""
from __future__ import annotations

from . import kind, pages


# --- Data Firehose and Kinesis ----------------------------------------------------------------------------
@kind("firehose.delivery-stream", "firehose", 33,
      lambda client, name: client.delete_delivery_stream(DeliveryStreamName=name, AllowForceDelete=True))
def list_delivery_streams(client):
    names, start = [], None
    while True:
        answer = client.list_delivery_streams(**({"ExclusiveStartDeliveryStreamName": start} if start else {}))
        names += answer.get("DeliveryStreamNames", [])
        if not answer.get("HasMoreDeliveryStreams") or not names:
            return names
        start = names[-1]


@kind("kinesis.stream", "kinesis", 35,
      lambda client, name: client.delete_stream(StreamName=name, EnforceConsumerDeletion=True))
def list_streams(client):
    return list(pages(client, "list_streams", "StreamNames"))


# --- RDS --------------------------------------------------------------------------------------------------
@kind("rds.event-subscription", "rds", 6,
      lambda client, name: client.delete_event_subscription(SubscriptionName=name))
def list_event_subscriptions(client):
    return [s["CustSubscriptionId"] for s in pages(client, "describe_event_subscriptions", "EventSubscriptionsList")]


def delete_db_instance(client, identifier: str) -> None:
    client.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True, DeleteAutomatedBackups=True)


@kind("rds.db-instance", "rds", 7, delete_db_instance)
def list_db_instances(client):
    # Read replicas first: a source instance is deleted after the replicas that read from it.
    found = list(pages(client, "describe_db_instances", "DBInstances"))
    found = [i for i in found if i.get("DBInstanceStatus") != "deleting"]
    found.sort(key=lambda i: not i.get("ReadReplicaSourceDBInstanceIdentifier"))
    return [i["DBInstanceIdentifier"] for i in found]


@kind("rds.db-snapshot", "rds", 8,
      lambda client, name: client.delete_db_snapshot(DBSnapshotIdentifier=name))
def list_db_snapshots(client):
    return [s["DBSnapshotIdentifier"] for s in pages(client, "describe_db_snapshots", "DBSnapshots",
                                                     SnapshotType="manual")]


@kind("rds.db-subnet-group", "rds", 9, lambda client, name: client.delete_db_subnet_group(DBSubnetGroupName=name))
def list_db_subnet_groups(client):
    return [g["DBSubnetGroupName"] for g in pages(client, "describe_db_subnet_groups", "DBSubnetGroups")
            if g["DBSubnetGroupName"] != "default"]


@kind("rds.db-parameter-group", "rds", 9,
      lambda client, name: client.delete_db_parameter_group(DBParameterGroupName=name))
def list_db_parameter_groups(client):
    return [g["DBParameterGroupName"] for g in pages(client, "describe_db_parameter_groups", "DBParameterGroups")
            if not g["DBParameterGroupName"].startswith("default.")]


# --- EFS --------------------------------------------------------------------------------------------------
def delete_file_system(client, file_system_id: str) -> None:
    """Delete the access points and mount targets first (a file system with mount targets is in use)."""
    for point in client.describe_access_points(FileSystemId=file_system_id).get("AccessPoints", []):
        client.delete_access_point(AccessPointId=point["AccessPointId"])
    for target in client.describe_mount_targets(FileSystemId=file_system_id).get("MountTargets", []):
        client.delete_mount_target(MountTargetId=target["MountTargetId"])
    client.delete_file_system(FileSystemId=file_system_id)


@kind("efs.file-system", "efs", 12, delete_file_system)
def list_file_systems(client):
    return [f["FileSystemId"] for f in pages(client, "describe_file_systems", "FileSystems")
            if f.get("LifeCycleState") not in ("deleting", "deleted")]
