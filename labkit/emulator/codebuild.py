"""CodeBuild: moto stores build projects and records builds, but runs no build container."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="codebuild-builds-not-run",
        service="CodeBuild",
        aws="StartBuild queues a build: CodeBuild provisions a build container from the project's image, downloads "
            "the source and runs the buildspec's phases (INSTALL, PRE_BUILD, BUILD, POST_BUILD), then uploads the "
            "artifacts; BatchGetBuilds shows each phase's status as it happens, and a failing command fails its "
            "phase and the build.",
        engine="No container runs and no command is executed: StartBuild answers with a build whose source and "
               "environment are fixed sample values (not the project's), and BatchGetBuilds reports every phase "
               "SUCCEEDED at once, whatever the buildspec holds. labkit.buildspec.run runs the phase commands "
               "locally instead.",
        doc="Build phase transitions",
        labs=("codebuild",),
    ),
]

TRIGGERS = [
    Trigger("moto.codebuild.responses.CodeBuildResponse.start_build", "codebuild-builds-not-run"),
    Trigger("moto.codebuild.responses.CodeBuildResponse.batch_get_builds", "codebuild-builds-not-run"),
]

PATCHES = [trigger_patch("codebuild-notices", TRIGGERS)]


def install() -> None:
    """Show the notice above when a lab meets it (idempotent)."""
    install_triggers(TRIGGERS)
