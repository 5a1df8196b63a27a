"""CodeBuild: moto stores build projects and records builds, but runs no build container.

labkit makes ``StartBuild`` answer with the build of *this* project: moto 5.2.5 returns a build whose ``source``
(a CodeCommit repository in eu-west-2) and ``environment`` (another image) are fixed sample values. The ``Build``
object carries the source and the environment the build uses ("Build", AWS CodeBuild API Reference).
"""
from __future__ import annotations

import copy

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference, Patch

DIFFERENCES = [
    Difference(
        id="codebuild-builds-not-run",
        service="CodeBuild",
        aws="StartBuild queues a build: CodeBuild provisions a build container from the project's image, downloads "
            "the source and runs the buildspec's phases (INSTALL, PRE_BUILD, BUILD, POST_BUILD), then uploads the "
            "artifacts; BatchGetBuilds shows each phase's status as it happens, and a failing command fails its "
            "phase and the build.",
        engine="No container runs and no command is executed: BatchGetBuilds reports every phase SUCCEEDED at "
               "once, whatever the buildspec holds. labkit.buildspec.run runs the phase commands locally instead.",
        doc="Build phase transitions",
        labs=("codebuild",),
    ),
]

TRIGGERS = [
    Trigger("moto.codebuild.responses.CodeBuildResponse.start_build", "codebuild-builds-not-run"),
    Trigger("moto.codebuild.responses.CodeBuildResponse.batch_get_builds", "codebuild-builds-not-run"),
]

PATCHES = [
    trigger_patch("codebuild-notices", TRIGGERS),
    Patch(name="codebuild-build-describes-its-project",
          changes="StartBuild's build carries the project's source and environment (moto: fixed samples)",
          symbols=("moto.codebuild.models.CodeBuildBackend.start_build",),
          upstream="moto codebuild: build the Build object from the project's metadata"),
]

_original_start_build = None


def _start_build(self, project_name, source_version=None, artifact_override=None, *args, **kwargs):
    """moto's ``start_build``, then the build's source and environment set from the project."""
    build = _original_start_build(self, project_name, source_version, artifact_override, *args, **kwargs)
    project = self.codebuild_projects[project_name].project_metadata
    build["source"] = copy.deepcopy(project["source"])
    build["environment"] = copy.deepcopy(project["environment"])
    return build


def install() -> None:
    """Show the notice above when a lab meets it; make StartBuild describe the project's build (idempotent)."""
    global _original_start_build
    from moto.codebuild.models import CodeBuildBackend

    install_triggers(TRIGGERS)
    if _original_start_build is None:
        _original_start_build = CodeBuildBackend.start_build
        CodeBuildBackend.start_build = _start_build
