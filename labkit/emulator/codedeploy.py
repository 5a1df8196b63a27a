"""CodeDeploy: the delete operations moto 5.2.5 lacks, which every CodeDeploy lab needs to clean up.

moto can create CodeDeploy applications, deployment groups and deployments but cannot delete them, so a lab could
never leave the engine as it found it. ``install()`` adds ``DeleteApplication`` and ``DeleteDeploymentGroup`` to
moto's CodeDeploy handler with AWS's semantics ("DeleteApplication" and "DeleteDeploymentGroup" in the AWS
CodeDeploy API Reference): deleting an application deletes its deployment groups (and, here, its deployment
records); deleting one that does not exist is not an error.

Upstream change (moto): add ``delete_application`` and ``delete_deployment_group`` to
``moto/codedeploy/models.py`` (``CodeDeployBackend``) and ``responses.py`` (``CodeDeployResponse``), as below.
``tests/test_emulator_codedeploy.py::test_moto_still_lacks_the_deletes`` fails once moto has them; then keep
moto's own and delete this module's patch.
"""
from __future__ import annotations

from .registry import Difference, Patch

OPERATIONS = ("delete_application", "delete_deployment_group")

PATCHES = [
    Patch(
        name="codedeploy-deletes",
        changes="Adds DeleteApplication and DeleteDeploymentGroup (moto has neither), with AWS's semantics.",
        symbols=("moto.codedeploy.models.CodeDeployBackend", "moto.codedeploy.responses.CodeDeployResponse",
                 "moto.codedeploy.responses.CodeDeployResponse.codedeploy_backend",
                 "moto.core.responses.ActionResult", "moto.core.responses.EmptyResult"),
        upstream="moto/codedeploy: implement DeleteApplication and DeleteDeploymentGroup in models and responses.",
    ),
]

DIFFERENCES = [
    Difference(
        id="codedeploy-deployments-not-run",
        service="CodeDeploy",
        aws="A deployment runs on its targets (EC2/on-premises agents, Lambda aliases or ECS services), moves "
            "through its lifecycle events and ends Succeeded, Failed or Stopped.",
        engine="A deployment is recorded but nothing is deployed: no lifecycle event or hook runs, no traffic "
               "shifts, and its status never changes.",
        doc="Working with deployments in CodeDeploy",
        labs=("codedeploy",),
    ),
]

_moto_had: tuple[str, ...] | None = None  # which of OPERATIONS moto itself had before install()


def moto_lacks() -> list[str]:
    """The operations of ``OPERATIONS`` that moto's own CodeDeploy handler lacks (looked at before the patch)."""
    from moto.codedeploy.responses import CodeDeployResponse

    had = _moto_had if _moto_had is not None else tuple(o for o in OPERATIONS if hasattr(CodeDeployResponse, o))
    return [o for o in OPERATIONS if o not in had]


def install() -> bool:
    """Teach moto's CodeDeploy handler the two delete operations (once per process); True when installed."""
    global _moto_had
    if _moto_had is not None:
        return True
    try:
        from moto.codedeploy import models, responses
    except ImportError:  # not the embedded engine's process
        return False
    from moto.core.responses import ActionResult, EmptyResult

    _moto_had = tuple(o for o in OPERATIONS if hasattr(responses.CodeDeployResponse, o))

    def backend_delete_deployment_group(self, application_name: str, deployment_group_name: str) -> list:
        groups = self.deployment_groups.get(application_name, {})
        groups.pop(deployment_group_name, None)  # AWS answers success for a missing group too
        return []

    def backend_delete_application(self, application_name: str) -> None:
        self.applications.pop(application_name, None)  # AWS: no error when it does not exist
        self.deployment_groups.pop(application_name, None)
        for deployment_id in [d for d, info in self.deployments.items()
                              if info.application_name == application_name]:
            del self.deployments[deployment_id]

    def delete_application(self):
        self.codedeploy_backend.delete_application(self._get_param("applicationName"))
        return EmptyResult()

    def delete_deployment_group(self):
        hooks = self.codedeploy_backend.delete_deployment_group(self._get_param("applicationName"),
                                                                self._get_param("deploymentGroupName"))
        return ActionResult({"hooksNotCleanedUp": hooks})

    models.CodeDeployBackend.delete_application = backend_delete_application
    models.CodeDeployBackend.delete_deployment_group = backend_delete_deployment_group
    responses.CodeDeployResponse.delete_application = delete_application
    responses.CodeDeployResponse.delete_deployment_group = delete_deployment_group
    return True
