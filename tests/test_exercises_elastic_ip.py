"""The Elastic IP lab's exercise check: a right answer passes, wrong answers fail with the right hint."""
from __future__ import annotations

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import elastic_ip as ex


@pytest.fixture(scope="module")
def ami(engine):
    return labkit.client("ec2").describe_images(Owners=["amazon"], Filters=[
        {"Name": "name", "Values": ["al2023-ami-2023*-kernel-6.1-x86_64"]}])["Images"][0]["ImageId"]


@pytest.fixture
def setup(ami):
    ec2 = labkit.client("ec2")
    ids = [i["InstanceId"] for i in ec2.run_instances(ImageId=ami, InstanceType="t3.micro", MinCount=2,
                                                       MaxCount=2)["Instances"]]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    yield ec2, allocation, ids[0], ids[1]
    for address in ec2.describe_addresses(AllocationIds=[allocation])["Addresses"]:
        if address.get("AssociationId"):
            ec2.disassociate_address(AssociationId=address["AssociationId"])
    ec2.release_address(AllocationId=allocation)
    ec2.terminate_instances(InstanceIds=ids)


def test_right_answer_passes(setup):
    ec2, allocation, primary, standby = setup
    ec2.associate_address(AllocationId=allocation, InstanceId=primary)
    ec2.associate_address(AllocationId=allocation, InstanceId=standby, AllowReassociation=True)
    assert ex.failover(allocation, standby, primary).passed


def test_still_on_primary_fails(setup):
    ec2, allocation, primary, standby = setup
    ec2.associate_address(AllocationId=allocation, InstanceId=primary)
    verdict = ex.failover(allocation, standby, primary)
    assert not verdict.passed and "still points to the failed primary" in verdict.message


def test_unassociated_fails(setup):
    _, allocation, primary, standby = setup
    verdict = ex.failover(allocation, standby, primary)
    assert not verdict.passed and "not associated with any instance" in verdict.message


def test_stopped_standby_fails(setup):
    ec2, allocation, primary, standby = setup
    ec2.associate_address(AllocationId=allocation, InstanceId=standby)
    ec2.stop_instances(InstanceIds=[standby])
    verdict = ex.failover(allocation, standby, primary)
    assert not verdict.passed and "The standby is stopped" in verdict.message


def test_nothing_fails():
    assert "my_allocation is still None" in evaluate(ex.failover, None, "i-1", "i-2").message
