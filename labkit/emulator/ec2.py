"""EC2 and VPC: where the embedded engine differs from AWS."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

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

PATCHES = [trigger_patch("ec2-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
