"""Checks for labs/route53."""
from __future__ import annotations

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def weighted_split(zone_id: str, record_name: str, green_ip: str, share: float = 0.25) -> Verdict:
    """``record_name`` (A) in ``zone_id`` is a set of weighted records in which ``green_ip`` gets ``share`` of the
    total weight and the rest goes to another record."""
    expect(zone_id, "my_zone", str, "the ID of the hosted zone you changed")
    name = record_name.rstrip(".") + "."
    route53 = current().client("route53")
    records = [r for r in route53.list_resource_record_sets(HostedZoneId=zone_id, StartRecordName=name,
                                                            StartRecordType="A")["ResourceRecordSets"]
               if r["Name"] == name and r["Type"] == "A"]
    if not records:
        return failed(f"There is no A record named {name} in the zone yet: create the two weighted records (blue "
                      "and green), each with a Weight and its own SetIdentifier, in one change.")
    if any("Weight" not in r for r in records):
        return failed(f"{name} has a record without a Weight: every record of a weighted set needs Weight and a "
                      "unique SetIdentifier.")
    if len(records) < 2:
        return failed(f"{name} has only one weighted record; add the other colour with its own SetIdentifier.")
    total = sum(r["Weight"] for r in records)
    green = sum(r["Weight"] for r in records
                if any(v["Value"] == green_ip for v in r.get("ResourceRecords", [])))
    if total == 0:
        return failed("All weights are 0: Route 53 would then answer with every record equally.")
    if abs(green / total - share) > 1e-9:
        return failed(f"{green_ip} gets {green}/{total} = {green / total:.0%} of the weight; it should get "
                      f"{share:.0%}. A record's share is its weight divided by the sum of the set's weights.")
    return passed(f"{green_ip} receives {share:.0%} of answers ({green} of {total}); the rest go to the blue stack.")
