"""Step Functions quotas at StartExecution (the data flow itself is :mod:`labkit.emulator.stepfunctions`')."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

MAX_PAYLOAD_BYTES = 256 * 1024

DIFFERENCES = [
    Difference(
        id="stepfunctions-start-input-size-not-checked",
        service="Step Functions",
        aws="StartExecution refuses an execution input larger than 256 KB (UTF-8 encoded).",
        engine="The execution starts, and fails at its first state with States.DataLimitExceeded.",
        doc="Step Functions service quotas",
        labs=("step-functions",),
    ),
]

TRIGGERS = [
    Trigger("moto.stepfunctions.responses.StepFunctionResponse.start_execution",
            "stepfunctions-start-input-size-not-checked",
            when=lambda response: len((response._get_param("input") or "").encode()) > MAX_PAYLOAD_BYTES),
]

PATCHES = [trigger_patch("stepfunctions-quota-notices", TRIGGERS)]


def install() -> None:
    """Show the notice above when a lab meets it (idempotent)."""
    install_triggers(TRIGGERS)
