"""AWS Batch: the embedded engine runs moto's no-Docker mode (labkit/engines/embedded.py), so no job runs."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="batch-jobs-not-run",
        service="Batch",
        aws="A submitted job moves through SUBMITTED, PENDING (while its dependencies run), RUNNABLE, STARTING and "
            "RUNNING in a container, and ends SUCCEEDED or FAILED by its exit code.",
        engine="No container runs: every job is SUCCEEDED the moment it is submitted, so dependencies never visibly "
               "hold a job back.",
        doc="Job states",
        labs=("batch",),
    ),
    Difference(
        id="batch-events-not-emitted",
        service="Batch",
        aws="Each job state change of a previously submitted job is sent to EventBridge as a 'Batch Job State "
            "Change' event (source aws.batch), which rules can route to targets.",
        engine="No Batch event is emitted: a rule matching source aws.batch never fires.",
        doc="AWS Batch events",
        labs=("batch",),
    ),
]

TRIGGERS = [
    Trigger("moto.batch.responses.BatchResponse.submitjob", "batch-jobs-not-run"),
    Trigger("moto.events.responses.EventsHandler.put_rule", "batch-events-not-emitted",
            when=lambda response: "aws.batch" in (response._get_param("EventPattern") or "")),
]

PATCHES = [trigger_patch("batch-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
