"""Checks for labs/vpc."""
from __future__ import annotations

import ipaddress

from ..checks import Verdict, expect, failed, passed
from ..engines import current

RESERVED = 5  # AWS keeps the first four addresses and the last one of every subnet


def usable(cidr: str) -> int:
    return ipaddress.ip_network(cidr).num_addresses - RESERVED


def subnet_plan(vpc_id: str, zones: int = 2, public_hosts: int = 250, private_hosts: int = 1000) -> Verdict:
    """In ``vpc_id``: per AZ (``zones`` of them) one subnet tagged Tier=public with at least ``public_hosts``
    usable addresses whose route table sends 0.0.0.0/0 to an internet gateway, and one tagged Tier=private with
    at least ``private_hosts`` usable addresses and no route to an internet gateway."""
    expect(vpc_id, "my_vpc", str, "the ID of the VPC you created (vpc-...)")
    ec2 = current().client("ec2")
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    if vpc["CidrBlock"] != "10.20.0.0/16":
        return failed(f"The VPC's CIDR is {vpc['CidrBlock']}; the plan asks for 10.20.0.0/16.")
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    main = next((t for t in tables if any(a.get("Main") for a in t.get("Associations", []))), None)

    def table_of(subnet_id):
        for table in tables:
            if any(a.get("SubnetId") == subnet_id for a in table.get("Associations", [])):
                return table
        return main

    def to_internet(table) -> bool:
        return any(r.get("DestinationCidrBlock") == "0.0.0.0/0" and str(r.get("GatewayId", "")).startswith("igw-")
                   for r in (table or {}).get("Routes", []))

    plan: dict[str, dict[str, list]] = {}
    for subnet in subnets:
        tier = {t["Key"]: t["Value"] for t in subnet.get("Tags", [])}.get("Tier")
        if tier not in ("public", "private"):
            return failed(f"Subnet {subnet['CidrBlock']} has no Tier tag (public or private): tag every subnet.")
        plan.setdefault(subnet["AvailabilityZone"], {"public": [], "private": []})[tier].append(subnet)
    if len(plan) < zones:
        return failed(f"The subnets span {len(plan)} Availability Zone(s); spread them over {zones}, one public "
                      "and one private subnet in each (a subnet lives in exactly one AZ).")
    for zone, tiers in sorted(plan.items()):
        for tier, need in (("public", public_hosts), ("private", private_hosts)):
            if len(tiers[tier]) != 1:
                return failed(f"{zone} has {len(tiers[tier])} {tier} subnet(s); it needs exactly one.")
            cidr = tiers[tier][0]["CidrBlock"]
            if usable(cidr) < need:
                return failed(f"The {tier} subnet {cidr} in {zone} has {usable(cidr)} usable addresses (AWS "
                              f"reserves 5 of {ipaddress.ip_network(cidr).num_addresses}); it needs {need}. "
                              "Use a shorter prefix (a bigger block).")
        public, private = tiers["public"][0], tiers["private"][0]
        if not to_internet(table_of(public["SubnetId"])):
            return failed(f"The public subnet {public['CidrBlock']} has no route 0.0.0.0/0 to an internet gateway: "
                          "attach an IGW, add the route to a route table and associate the subnet with it.")
        if to_internet(table_of(private["SubnetId"])):
            return failed(f"The private subnet {private['CidrBlock']} routes 0.0.0.0/0 to an internet gateway, "
                          "which makes it public. Leave it on a table without that route.")
    return passed(f"{len(plan)} AZs, each with a public subnet routed to the internet gateway and a private "
                  "subnet big enough for its hosts.")
