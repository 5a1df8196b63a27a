"""Amazon RDS: moto emulates the API; no database engine runs behind it."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="rds-no-database-engine",
        service="RDS",
        aws="A DB instance runs its database engine: the status goes creating, backing-up, then available over "
            "minutes; its endpoint resolves and accepts connections; it writes log files and sends metrics to "
            "CloudWatch every minute; a Multi-AZ instance shows its standby's Availability Zone.",
        engine="No database runs: the instance is available at once, its endpoint does not resolve, it lists one "
               "placeholder log file, sends no metric and leaves SecondaryAvailabilityZone empty.",
        doc="Multi-AZ DB instance deployments for Amazon RDS",
        labs=("rds",),
    ),
    Difference(
        id="rds-events-not-published",
        service="RDS",
        aws="An event subscription sends the RDS events of its source type, sources and categories (failover, "
            "failure, low storage…) to its SNS topic.",
        engine="The subscription is stored, but no event is ever published to the topic.",
        doc="Using Amazon RDS event notification",
        labs=("rds",),
    ),
]

TRIGGERS = [
    Trigger("moto.rds.responses.RDSResponse.create_db_instance", "rds-no-database-engine"),
    Trigger("moto.rds.responses.RDSResponse.create_event_subscription", "rds-events-not-published"),
]

PATCHES = [trigger_patch("rds-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
