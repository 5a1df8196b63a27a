"""Route 53: moto stores hosted zones, records and health checks, answers no DNS query and probes nothing."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="route53-cname-at-apex-accepted",
        service="Route 53",
        aws="A CNAME record cannot be created at the zone apex (the zone's own name); use an alias record there.",
        engine="A CNAME record at the zone apex is accepted.",
        doc="Choosing between alias and non-alias records",
        labs=("route53",),
    ),
    Difference(
        id="route53-no-dns-answers",
        service="Route 53",
        aws="Route 53 answers DNS queries for the zone's records (following weighted, failover and other routing "
            "policies), and TestDNSAnswer returns the answer a resolver would get.",
        engine="No DNS query is answered and TestDNSAnswer is not implemented.",
        doc="TestDNSAnswer",
        labs=("route53",),
    ),
    Difference(
        id="route53-health-checks-not-probed",
        service="Route 53",
        aws="A health check probes its endpoint from several locations at its interval and becomes unhealthy after "
            "its failure threshold; failover records follow it.",
        engine="Nothing is probed: a health check always reports success.",
        doc="How Amazon Route 53 determines whether a health check is healthy",
        labs=("route53",),
    ),
]



def cname_at_apex(backend, zone_id: str, changes) -> bool:
    """True when ``changes`` (moto's parsed ChangeResourceRecordSets batch) creates or upserts a CNAME named as
    the hosted zone itself."""
    apex = backend.get_hosted_zone(zone_id).name.rstrip(".").lower()
    return any(change.get("Action") in ("CREATE", "UPSERT")
               and change["ResourceRecordSet"].get("Type") == "CNAME"
               and change["ResourceRecordSet"].get("Name", "").rstrip(".").lower() == apex
               for change in changes or [])


TRIGGERS = [
    Trigger("moto.route53.responses.Route53.create_health_check", "route53-health-checks-not-probed"),
    Trigger("moto.route53.models.Route53Backend.change_resource_record_sets", "route53-cname-at-apex-accepted",
            when=cname_at_apex),
]

PATCHES = [trigger_patch("route53-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
