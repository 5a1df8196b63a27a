"""Checks for labs/efs."""
from __future__ import annotations

from ..checks import Verdict, failed, passed
from ..engines import current

NFS_PORT = 2049


def mountable_from(file_system_id: str, az: str, client_group: str) -> Verdict:
    """The file system has a mount target in ``az`` whose security groups admit NFS from ``client_group``."""
    efs = current().client("efs")
    ec2 = current().client("ec2")
    targets = [t for t in efs.describe_mount_targets(FileSystemId=file_system_id)["MountTargets"]
               if t.get("AvailabilityZoneName") == az]
    if not targets:
        return failed(f"{file_system_id} has no mount target in {az}: call create_mount_target with the subnet "
                      f"of {az}.")
    target = targets[0]
    groups = efs.describe_mount_target_security_groups(MountTargetId=target["MountTargetId"])["SecurityGroups"]
    for group in ec2.describe_security_groups(GroupIds=groups)["SecurityGroups"]:
        for rule in group.get("IpPermissions", []):
            protocol_ok = rule.get("IpProtocol") in ("tcp", "-1", "6")
            port_ok = rule.get("IpProtocol") == "-1" or rule.get("FromPort", 0) <= NFS_PORT <= rule.get("ToPort", 0)
            source_ok = any(p.get("GroupId") == client_group for p in rule.get("UserIdGroupPairs", []))
            if protocol_ok and port_ok and source_ok:
                return passed(f"Clients in {client_group} can reach the mount target in {az} "
                              f"({target.get('IpAddress')}) on TCP {NFS_PORT}.")
    return failed(f"The mount target in {az} exists, but its security groups {groups} do not admit TCP "
                  f"{NFS_PORT} from {client_group}. Use the nfs group, or add that rule.")
