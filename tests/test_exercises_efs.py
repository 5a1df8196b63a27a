"""The efs exercise check: a right answer passes, wrong answers fail with a useful hint."""
from __future__ import annotations

import pytest

import labkit
from labkit.exercises import efs as checks


@pytest.fixture
def setup(engine):
    ec2, efs = engine.client("ec2"), engine.client("efs")
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.77.3.0/24", AvailabilityZone="us-east-1c")["Subnet"]["SubnetId"]
    app = ec2.create_security_group(GroupName=labkit.name("t-app"), Description="app", VpcId=vpc)["GroupId"]
    nfs = ec2.create_security_group(GroupName=labkit.name("t-nfs"), Description="nfs", VpcId=vpc)["GroupId"]
    closed = ec2.create_security_group(GroupName=labkit.name("t-closed"), Description="no rules", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=nfs, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049, "UserIdGroupPairs": [{"GroupId": app}]}])
    fs = efs.create_file_system(CreationToken=labkit.name("t-fs"))["FileSystemId"]
    yield {"fs": fs, "subnet": subnet, "app": app, "nfs": nfs, "closed": closed}
    for target in efs.describe_mount_targets(FileSystemId=fs)["MountTargets"]:
        efs.delete_mount_target(MountTargetId=target["MountTargetId"])
    efs.delete_file_system(FileSystemId=fs)
    for group in (closed, nfs, app):
        ec2.delete_security_group(GroupId=group)
    ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_vpc(VpcId=vpc)


def test_right_answer_passes(engine, setup):
    engine.client("efs").create_mount_target(FileSystemId=setup["fs"], SubnetId=setup["subnet"],
                                             SecurityGroups=[setup["nfs"]])
    verdict = checks.mountable_from(setup["fs"], "us-east-1c", setup["app"])
    assert verdict.passed, verdict.message


def test_no_mount_target_fails(setup):
    verdict = checks.mountable_from(setup["fs"], "us-east-1c", setup["app"])
    assert not verdict.passed
    assert "has no mount target in us-east-1c" in verdict.message


def test_closed_security_group_fails(engine, setup):
    engine.client("efs").create_mount_target(FileSystemId=setup["fs"], SubnetId=setup["subnet"],
                                             SecurityGroups=[setup["closed"]])
    verdict = checks.mountable_from(setup["fs"], "us-east-1c", setup["app"])
    assert not verdict.passed
    assert "do not admit TCP 2049" in verdict.message
