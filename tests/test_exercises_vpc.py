"""The VPC lab's exercise check: a right answer passes, wrong answers fail with the right hint."""
from __future__ import annotations

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import vpc as ex
from labkit.inventory import network


@pytest.fixture
def ec2(engine):
    client = labkit.client("ec2")
    made = {"vpcs": []}
    yield client, made
    for vpc in made["vpcs"]:
        for igw in client.describe_internet_gateways(
                Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])["InternetGateways"]:
            network.delete_internet_gateway(client, igw["InternetGatewayId"])
        for subnet in client.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]:
            client.delete_subnet(SubnetId=subnet["SubnetId"])
        for table in client.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]:
            if not any(a.get("Main") for a in table.get("Associations", [])):
                network.delete_route_table(client, table["RouteTableId"])
        client.delete_vpc(VpcId=vpc)


def build(ec2, private_prefix=22, zones=("us-east-1a", "us-east-1b"), public_route=True, tag_private=True):
    client, made = ec2
    vpc = client.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    made["vpcs"].append(vpc)
    igw = client.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    client.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = client.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    if public_route:
        client.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    for i, zone in enumerate(zones):
        public = client.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=zone,
                                      TagSpecifications=[{"ResourceType": "subnet",
                                                          "Tags": [{"Key": "Tier", "Value": "public"}]}])
        client.associate_route_table(RouteTableId=table, SubnetId=public["Subnet"]["SubnetId"])
        tags = [{"Key": "Tier", "Value": "private"}] if tag_private else [{"Key": "Name", "Value": "x"}]
        client.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{16 + 4 * i}.0/{private_prefix}", AvailabilityZone=zone,
                             TagSpecifications=[{"ResourceType": "subnet", "Tags": tags}])
    return vpc


def test_right_answer_passes(ec2):
    assert ex.subnet_plan(build(ec2)).passed


def test_private_subnet_too_small_fails(ec2):
    verdict = ex.subnet_plan(build(ec2, private_prefix=23))
    assert not verdict.passed and "usable addresses (AWS reserves 5 of 512)" in verdict.message


def test_one_zone_fails(ec2):
    verdict = ex.subnet_plan(build(ec2, zones=("us-east-1a",)))
    assert not verdict.passed and "span 1 Availability Zone" in verdict.message


def test_public_without_route_fails(ec2):
    verdict = ex.subnet_plan(build(ec2, public_route=False))
    assert not verdict.passed and "no route 0.0.0.0/0 to an internet gateway" in verdict.message


def test_untagged_fails(ec2):
    verdict = ex.subnet_plan(build(ec2, tag_private=False))
    assert not verdict.passed and "has no Tier tag" in verdict.message


def test_no_vpc_fails():
    assert "my_vpc is still None" in evaluate(ex.subnet_plan, None).message
