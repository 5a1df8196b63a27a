"""CodePipeline: moto stores pipelines and executions but runs no action."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="codepipeline-actions-not-run",
        service="CodePipeline",
        aws="Creating a pipeline starts an execution; each execution runs its stages' actions in order (source, "
            "build, deploy, approval…) and is InProgress until it ends Succeeded, Failed or Stopped; "
            "GetPipelineState shows each action's latest status.",
        engine="No execution starts on creation; StartPipelineExecution records an execution that is Succeeded at "
               "once without running any action; GetPipelineState is not implemented.",
        doc="Start a pipeline in CodePipeline",
        labs=("codepipeline",),
    ),
]

TRIGGERS = [
    Trigger("moto.codepipeline.responses.CodePipelineResponse.create_pipeline", "codepipeline-actions-not-run"),
    Trigger("moto.codepipeline.responses.CodePipelineResponse.start_pipeline_execution",
            "codepipeline-actions-not-run"),
]

PATCHES = [trigger_patch("codepipeline-notices", TRIGGERS)]


def install() -> None:
    """Show the notice above when a lab meets it (idempotent)."""
    install_triggers(TRIGGERS)
