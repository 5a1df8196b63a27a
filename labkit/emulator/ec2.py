"""EC2 and VPC: where the embedded engine differs from AWS."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference, Patch

_original = {}

DIFFERENCES = [
    Difference(
        id="ec2-eip-remap-shown-on-both",
        service="EC2",
        aws="Associating an Elastic IP already in use with another instance (AllowReassociation) moves it: the "
            "first instance loses it and gets a new public address from Amazon's pool, or none.",
        engine="DescribeAddresses shows the move, but the first instance still shows the Elastic IP as its public "
               "address.",
        doc="AssociateAddress",
        labs=("elastic-ip",),
    ),
    Difference(
        id="vpc-acl-default-deny-not-listed",
        service="VPC",
        aws="Every network ACL ends with a rule numbered * that denies any traffic no other rule matched; it is "
            "listed with the ACL's entries and cannot be removed.",
        engine="The final * deny rule is not listed with the ACL's entries.",
        doc="Control subnet traffic with network access control lists",
        labs=("vpc",),
    ),
    Difference(
        id="vpc-peering-overlap-accepted",
        service="VPC",
        aws="A peering connection between VPCs with overlapping IPv4 CIDR blocks fails: its status goes to failed "
            "at once.",
        engine="The peering connection between overlapping VPCs is created and can be accepted.",
        doc="CreateVpcPeeringConnection",
        labs=("vpc",),
    ),
]

def overlapping_peers(response) -> bool:
    """True when a CreateVpcPeeringConnection request names two VPCs whose primary IPv4 CIDR blocks overlap."""
    import ipaddress

    from moto.ec2.models import ec2_backends

    account = response._get_param("PeerOwnerId") or response.current_account
    region = response._get_param("PeerRegion") or response.region
    mine = response.ec2_backend.get_vpc(response._get_param("VpcId"))
    peer = ec2_backends[account][region].get_vpc(response._get_param("PeerVpcId"))
    return ipaddress.ip_network(mine.cidr_block).overlaps(ipaddress.ip_network(peer.cidr_block))


TRIGGERS = [
    Trigger("moto.ec2.responses.elastic_ip_addresses.ElasticIPAddresses.associate_address",
            "ec2-eip-remap-shown-on-both",
            when=lambda response: str(response._get_param("AllowReassociation")).lower() == "true"),
    Trigger("moto.ec2.responses.network_acls.NetworkACLs.create_network_acl", "vpc-acl-default-deny-not-listed"),
    Trigger("moto.ec2.responses.vpc_peering_connections.VPCPeeringConnections.create_vpc_peering_connection",
            "vpc-peering-overlap-accepted", when=overlapping_peers),
]

PATCHES = [
    trigger_patch("ec2-notices", TRIGGERS),
    Patch(name="ec2-vpc-endpoint-default-gateway",
          changes="CreateVpcEndpoint without VpcEndpointType makes a Gateway endpoint, as AWS documents (moto stored "
                  "no type, and DeleteVpcEndpoints then answered HTTP 500)",
          symbols=("moto.ec2.models.vpcs.VPCBackend.create_vpc_endpoint",),
          upstream="moto's VPCBackend.create_vpc_endpoint should default endpoint_type to 'Gateway'"),
    Patch(name="ec2-delete-vpc-dependencies",
          changes="DeleteVpc is refused with DependencyViolation while an internet gateway is attached to the VPC or "
                  "a NAT gateway in it is not deleted, as AWS does (moto deleted the VPC)",
          symbols=("moto.ec2.models.vpcs.VPCBackend.delete_vpc", "moto.ec2.exceptions.DependencyViolationError"),
          upstream="moto's VPCBackend.delete_vpc has a TODO for dependent internet gateways and ignores NAT gateways"),
]


def create_vpc_endpoint(self, *args, **kwargs):
    """moto's ``create_vpc_endpoint`` with ``endpoint_type`` defaulting to ``"Gateway"`` ("CreateVpcEndpoint",
    Amazon EC2 API Reference: VpcEndpointType, Default: Gateway)."""
    if not kwargs.get("endpoint_type") and len(args) < 3:
        kwargs["endpoint_type"] = "Gateway"
    return _original["create_vpc_endpoint"](self, *args, **kwargs)


def delete_vpc(self, vpc_id: str):
    """moto's ``delete_vpc``, first refusing with DependencyViolation while an internet gateway is attached or a NAT
    gateway is not deleted ("DeleteVpc", Amazon EC2 API Reference: detach or delete all gateways and resources
    associated with the VPC before deleting it)."""
    from moto.ec2.exceptions import DependencyViolationError

    attached = self.describe_internet_gateways(filters={"attachment.vpc-id": [vpc_id]})
    nat = [n for n in getattr(self, "nat_gateways", {}).values() if n.vpc_id == vpc_id and n.state != "deleted"]
    if attached or nat:
        raise DependencyViolationError(f"The vpc '{vpc_id}' has dependencies and cannot be deleted.")
    return _original["delete_vpc"](self, vpc_id)


def install() -> None:
    """Show the notices above when a lab meets them; default endpoints to Gateway; refuse DeleteVpc while gateways
    depend on the VPC (idempotent)."""
    from moto.ec2.models.vpcs import VPCBackend

    install_triggers(TRIGGERS)
    if not _original:
        _original["create_vpc_endpoint"] = VPCBackend.create_vpc_endpoint
        _original["delete_vpc"] = VPCBackend.delete_vpc
        VPCBackend.create_vpc_endpoint = create_vpc_endpoint
        VPCBackend.delete_vpc = delete_vpc
