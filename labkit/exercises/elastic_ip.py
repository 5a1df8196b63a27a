"""Checks for labs/elastic-ip."""
from __future__ import annotations

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def failover(allocation_id: str, standby_instance: str, primary_instance: str) -> Verdict:
    """The Elastic IP ``allocation_id`` is associated with ``standby_instance`` (running), not the primary."""
    expect(allocation_id, "my_allocation", str, "the AllocationId (eipalloc-...) of the address you allocated")
    ec2 = current().client("ec2")
    address = ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0]
    holder = address.get("InstanceId") or None  # the engine answers "" when unassociated
    if holder is None:
        return failed(f"{address['PublicIp']} is allocated but not associated with any instance: call "
                      "associate_address (and on AWS you would pay for it while it sits idle).")
    if holder == primary_instance:
        return failed(f"{address['PublicIp']} still points to the failed primary {primary_instance}. Remap it to "
                      "the standby with associate_address(..., AllowReassociation=True).")
    if holder != standby_instance:
        return failed(f"{address['PublicIp']} is on {holder}, which is not the standby {standby_instance}.")
    state = ec2.describe_instances(InstanceIds=[holder])["Reservations"][0]["Instances"][0]["State"]["Name"]
    if state != "running":
        return failed(f"The standby is {state}: clients would reach an address that nobody answers. Start it.")
    return passed(f"Clients keep using {address['PublicIp']}; it now reaches the standby {standby_instance}.")
