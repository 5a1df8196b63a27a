"""VPC: an endpoint's default type, and a VPC that gateways still depend on ("CreateVpcEndpoint", "DeleteVpc",
Amazon EC2 API Reference)."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import labkit


@pytest.fixture
def vpc(engine):
    ec2 = labkit.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    yield ec2, vpc_id
    try:
        ec2.delete_vpc(VpcId=vpc_id)
    except ClientError as error:
        if error.response["Error"]["Code"] != "InvalidVpcID.NotFound":
            raise


def test_an_endpoint_without_a_type_is_a_gateway_endpoint(vpc):
    """VpcEndpointType, "Default: Gateway": the endpoint is described as Gateway and DeleteVpcEndpoints deletes it."""
    ec2, vpc_id = vpc
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=f"com.amazonaws.{ec2.meta.region_name}.s3")
    endpoint_id = endpoint["VpcEndpoint"]["VpcEndpointId"]
    assert endpoint["VpcEndpoint"]["VpcEndpointType"] == "Gateway"
    described = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]
    assert described["VpcEndpointType"] == "Gateway"
    assert not ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id]).get("Unsuccessful")


def _refused(ec2, vpc_id) -> str:
    with pytest.raises(ClientError) as refused:
        ec2.delete_vpc(VpcId=vpc_id)
    return refused.value.response["Error"]["Code"]


def test_a_vpc_with_an_attached_internet_gateway_is_not_deleted(vpc):
    """"You must detach or delete all gateways ... associated with the VPC before you can delete it": with an
    internet gateway attached, DeleteVpc answers DependencyViolation; once it is detached, the VPC is deleted."""
    ec2, vpc_id = vpc
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    try:
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
        assert _refused(ec2, vpc_id) == "DependencyViolation"
        assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
        ec2.delete_vpc(VpcId=vpc_id)
        assert vpc_id not in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    finally:
        ec2.delete_internet_gateway(InternetGatewayId=igw)


def test_a_vpc_with_a_nat_gateway_is_not_deleted(vpc):
    """A NAT gateway keeps its VPC: DeleteVpc answers DependencyViolation while the NAT gateway exists, even once an
    engine let its subnet go (AWS refuses that DeleteSubnet too); after the NAT gateway is deleted, the VPC goes."""
    ec2, vpc_id = vpc
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.77.1.0/24")["Subnet"]["SubnetId"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    try:
        ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat], WaiterConfig={"Delay": 5, "MaxAttempts": 60})
        assert _refused(ec2, vpc_id) == "DependencyViolation"  # the subnet and the NAT gateway
        try:
            ec2.delete_subnet(SubnetId=subnet)
            subnet = None
        except ClientError as error:
            assert error.response["Error"]["Code"] == "DependencyViolation"
        assert _refused(ec2, vpc_id) == "DependencyViolation"  # the NAT gateway, whatever became of its subnet
        ec2.delete_nat_gateway(NatGatewayId=nat)
        ec2.get_waiter("nat_gateway_deleted").wait(NatGatewayIds=[nat], WaiterConfig={"Delay": 5, "MaxAttempts": 60})
        if subnet:
            ec2.delete_subnet(SubnetId=subnet)
        ec2.delete_vpc(VpcId=vpc_id)
        assert vpc_id not in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    finally:
        ec2.release_address(AllocationId=allocation)
