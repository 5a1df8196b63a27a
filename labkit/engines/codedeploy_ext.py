"""Embedded-engine extension: the CodeDeploy operations moto 5.2.5 lacks and labs need to clean up.

moto can create CodeDeploy applications, deployment groups and deployments but cannot delete them, so a lab
could never leave the engine as it found it. ``install()`` adds ``DeleteApplication`` and
``DeleteDeploymentGroup`` to moto's CodeDeploy handler, with AWS's semantics: deleting an application deletes
its deployment groups (and, here, its deployment records). Idempotent; a no-op when moto is not installed.
"""
from __future__ import annotations

_installed = False


def install() -> bool:
    """Teach moto's CodeDeploy handler the two delete operations (once per process)."""
    global _installed
    if _installed:
        return True
    try:
        from moto.codedeploy import models, responses
    except ImportError:  # not the embedded engine's process
        return False
    from moto.core.responses import EmptyResult

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
        from moto.core.responses import ActionResult

        hooks = self.codedeploy_backend.delete_deployment_group(self._get_param("applicationName"),
                                                                self._get_param("deploymentGroupName"))
        return ActionResult({"hooksNotCleanedUp": hooks})

    models.CodeDeployBackend.delete_application = backend_delete_application
    models.CodeDeployBackend.delete_deployment_group = backend_delete_deployment_group
    responses.CodeDeployResponse.delete_application = delete_application
    responses.CodeDeployResponse.delete_deployment_group = delete_deployment_group
    _installed = True
    return True
