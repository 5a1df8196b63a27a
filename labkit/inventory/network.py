"""Networking kinds: EC2 instances and Elastic IPs, the VPC and its parts (non-default only), Route 53.

Default VPC pieces (the default VPC, its subnets, main route tables, default network ACLs and security
groups) are never listed: a lab cannot delete them and must not.
"""
from __future__ import annotations

import functools
import sys

from botocore.exceptions import ClientError

from . import kind, pages
from ..engines import current, moto_here

GONE = {"deleted", "deleting", "terminated", "shutting-down", "failed", "rejected", "expired"}


def unused_on_embedded(module: str, backends: str, region: str | None = None):
    """Skip listing (return nothing) while moto in this process (embedded, browser engine) has not even created this
    service's backend.

    Starting moto's EC2 backend takes seconds; every lab's leftover probe lists every kind, so a lab that
    never touches EC2 must not pay for it. On other engines the lister always runs.
    """
    def wrap(lister):
        @functools.wraps(lister)
        def maybe(client):
            engine = current()
            if moto_here(engine):
                models = sys.modules.get(module)
                per_account = dict.get(getattr(models, backends), engine.account_id) if models else None
                if per_account is None or (region or client.meta.region_name) not in dict.keys(per_account):
                    return []
            return lister(client)
        return maybe
    return wrap


ec2_only_if_used = unused_on_embedded("moto.ec2.models", "ec2_backends")


# --- EC2 instances and Elastic IPs ---------------------------------------------------------------

def release_address(ec2, allocation_id: str) -> None:
    """Disassociate the address if it is in use, then release it."""
    for address in ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"]:
        if address.get("AssociationId"):
            ec2.disassociate_address(AssociationId=address["AssociationId"])
    ec2.release_address(AllocationId=allocation_id)


@kind("ec2.elastic-ip", "ec2", 5, release_address)
@ec2_only_if_used
def list_addresses(ec2):
    return [a["AllocationId"] for a in ec2.describe_addresses()["Addresses"] if a.get("AllocationId")]


@kind("ec2.instance", "ec2", 10, lambda ec2, iid: ec2.terminate_instances(InstanceIds=[iid]))
@ec2_only_if_used
def list_instances(ec2):
    return [i["InstanceId"] for r in pages(ec2, "describe_instances", "Reservations") for i in r["Instances"]
            if i["State"]["Name"] not in GONE]


# --- VPC parts, dependants first -----------------------------------------------------------------

def delete_nat_gateway(ec2, nat_id: str) -> None:
    """Delete it and wait until it is "deleted": until then its Elastic IP and subnet are still in use."""
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    ec2.get_waiter("nat_gateway_deleted").wait(NatGatewayIds=[nat_id], WaiterConfig={"Delay": 5, "MaxAttempts": 60})


@kind("ec2.nat-gateway", "ec2", 11, delete_nat_gateway)
@ec2_only_if_used
def list_nat_gateways(ec2):
    return [n["NatGatewayId"] for n in pages(ec2, "describe_nat_gateways", "NatGateways")
            if n["State"] not in GONE]


@kind("ec2.vpc-endpoint", "ec2", 12, lambda ec2, eid: ec2.delete_vpc_endpoints(VpcEndpointIds=[eid]))
@ec2_only_if_used
def list_vpc_endpoints(ec2):
    return [e["VpcEndpointId"] for e in pages(ec2, "describe_vpc_endpoints", "VpcEndpoints")
            if e["State"].lower() not in GONE]


@kind("ec2.vpc-peering", "ec2", 13,
      lambda ec2, pid: ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pid))
@ec2_only_if_used
def list_peerings(ec2):
    return [p["VpcPeeringConnectionId"]
            for p in pages(ec2, "describe_vpc_peering_connections", "VpcPeeringConnections")
            if p["Status"]["Code"] not in GONE]


def delete_internet_gateway(ec2, igw_id: str) -> None:
    for gateway in ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"]:
        for attachment in gateway.get("Attachments", []):
            ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=attachment["VpcId"])
    ec2.delete_internet_gateway(InternetGatewayId=igw_id)


@kind("ec2.internet-gateway", "ec2", 14, delete_internet_gateway)
@ec2_only_if_used
def list_internet_gateways(ec2):
    return [g["InternetGatewayId"] for g in pages(ec2, "describe_internet_gateways", "InternetGateways")]


@kind("ec2.egress-only-internet-gateway", "ec2", 14,
      lambda ec2, gid: ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=gid))
@ec2_only_if_used
def list_egress_only_gateways(ec2):
    return [g["EgressOnlyInternetGatewayId"]
            for g in ec2.describe_egress_only_internet_gateways().get("EgressOnlyInternetGateways", [])]


def delete_route_table(ec2, rtb_id: str) -> None:
    for table in ec2.describe_route_tables(RouteTableIds=[rtb_id])["RouteTables"]:
        for association in table.get("Associations", []):
            if not association.get("Main"):
                ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
    ec2.delete_route_table(RouteTableId=rtb_id)


@kind("ec2.route-table", "ec2", 15, delete_route_table)
@ec2_only_if_used
def list_route_tables(ec2):
    return [t["RouteTableId"] for t in pages(ec2, "describe_route_tables", "RouteTables")
            if not any(a.get("Main") for a in t.get("Associations", []))]


def delete_network_acl(ec2, acl_id: str) -> None:
    """Hand the ACL's subnets back to their VPC's default ACL, then delete it."""
    acl = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]
    if acl.get("Associations"):
        default = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [acl["VpcId"]]},
                                                     {"Name": "default", "Values": ["true"]}])["NetworkAcls"]
        for association in acl["Associations"]:
            if default:
                ec2.replace_network_acl_association(AssociationId=association["NetworkAclAssociationId"],
                                                    NetworkAclId=default[0]["NetworkAclId"])
    ec2.delete_network_acl(NetworkAclId=acl_id)


@kind("ec2.network-acl", "ec2", 15, delete_network_acl)
@ec2_only_if_used
def list_network_acls(ec2):
    return [a["NetworkAclId"] for a in pages(ec2, "describe_network_acls", "NetworkAcls") if not a["IsDefault"]]


def delete_security_group(ec2, group_id: str) -> None:
    """Revoke its rules first (a rule naming another group blocks that group's deletion), then delete it."""
    for group in ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]:
        for revoke, rules in ((ec2.revoke_security_group_ingress, group.get("IpPermissions")),
                              (ec2.revoke_security_group_egress, group.get("IpPermissionsEgress"))):
            for rule in rules or []:
                try:
                    revoke(GroupId=group_id, IpPermissions=[rule])
                except ClientError:  # e.g. a rule naming a group that is already gone: deleting drops it too
                    pass
    ec2.delete_security_group(GroupId=group_id)


@kind("ec2.security-group", "ec2", 16, delete_security_group)
@ec2_only_if_used
def list_security_groups(ec2):
    return [g["GroupId"] for g in pages(ec2, "describe_security_groups", "SecurityGroups")
            if g["GroupName"] != "default"]


@kind("ec2.subnet", "ec2", 17, lambda ec2, sid: ec2.delete_subnet(SubnetId=sid))
@ec2_only_if_used
def list_subnets(ec2):
    return [s["SubnetId"] for s in pages(ec2, "describe_subnets", "Subnets") if not s.get("DefaultForAz")]


@kind("ec2.vpc", "ec2", 18, lambda ec2, vid: ec2.delete_vpc(VpcId=vid))
@ec2_only_if_used
def list_vpcs(ec2):
    return [v["VpcId"] for v in pages(ec2, "describe_vpcs", "Vpcs") if not v.get("IsDefault")]


# --- Route 53 ------------------------------------------------------------------------------------

def delete_hosted_zone(route53, zone_id: str) -> None:
    """Delete every record but the zone's own SOA and NS, then the zone."""
    zone = route53.get_hosted_zone(Id=zone_id)["HostedZone"]["Name"]
    doomed = [r for r in pages(route53, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone_id)
              if not (r["Type"] in ("SOA", "NS") and r["Name"] == zone)]
    if doomed:
        route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
            "Changes": [{"Action": "DELETE", "ResourceRecordSet": r} for r in doomed]})
    route53.delete_hosted_zone(Id=zone_id)


@kind("route53.hosted-zone", "route53", 20, delete_hosted_zone)
@unused_on_embedded("moto.route53.models", "route53_backends", region="aws")  # a global service
def list_hosted_zones(route53):
    return [z["Id"].split("/")[-1] for z in pages(route53, "list_hosted_zones", "HostedZones")]


@kind("route53.health-check", "route53", 21,
      lambda route53, hid: route53.delete_health_check(HealthCheckId=hid))
@unused_on_embedded("moto.route53.models", "route53_backends", region="aws")
def list_health_checks(route53):
    return [h["Id"] for h in pages(route53, "list_health_checks", "HealthChecks")]
