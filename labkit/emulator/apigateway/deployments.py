"""What a stage serves: the snapshot of the API taken when the deployment was created, not the live definition.

AWS documents ("Create a deployment for a REST API in API Gateway") that a stage represents a snapshot of the API —
its methods, integrations, models, mapping templates and Lambda authorizers — and ("Updates to REST APIs that
require redeployment") that a change to a resource, method, integration (or its responses), authorizer, model,
request validator, gateway response or the RestApi itself (its resource policy, its binary media types) reaches
clients only after a new deployment to the stage. Stage settings (stage variables, throttling) and usage plans apply
at once.

moto keeps a ``Deployment`` as an id, a stage name and a description, so a stage URL would serve whatever the API
holds now. :func:`install` wraps ``RestAPI.create_deployment`` to copy, at that moment, what a deployment freezes;
:func:`served` returns the copy of the deployment a stage points at (``CreateDeployment`` with a stage name,
``CreateStage`` with a ``deploymentId``, or ``UpdateStage`` of ``/deploymentId``).

Upstream (moto): ``Deployment`` could keep this snapshot itself (``RestAPI.create_deployment`` taking a deep copy of
``resources``, ``authorizers``, ``models``, ``request_validators``, ``policy`` and
``binaryMediaTypes``) so that every consumer of a stage — including
moto's own ``responses``-based stage callbacks — serves the deployed definition.
"""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field

from ..registry import Patch

#: the attribute of a moto ``Deployment`` that holds its :class:`Snapshot`
ATTRIBUTE = "labkit_snapshot"


@dataclass(frozen=True)
class DeployedResource:
    """A resource as deployed: its id, its full path (``/pets/{id}``) and its methods (copies of moto's)."""
    id: str
    path: str
    methods: dict


@dataclass(frozen=True)
class Snapshot:
    """What a deployment freezes of a REST API.

    ``live`` is True when no snapshot exists (a deployment made before labkit's hook was installed) and the
    API's current definition is served instead.
    """
    resources: tuple[DeployedResource, ...]
    authorizers: dict
    policy: str | None
    binary_media_types: tuple[str, ...]
    models: dict = field(default_factory=dict)
    request_validators: dict = field(default_factory=dict)
    gateway_responses: dict = field(default_factory=dict)
    live: bool = field(default=False)


def take(api, live: bool = False) -> Snapshot:
    """A :class:`Snapshot` of moto ``RestAPI`` ``api`` as it is now."""
    resources = tuple(DeployedResource(id=r.id, path=r.get_path(),
                                       methods=copy.deepcopy(dict(r.resource_methods)))
                      for r in list(api.resources.values()))
    return Snapshot(resources=resources, authorizers=copy.deepcopy(dict(api.authorizers)),
                    policy=api.policy or None,
                    binary_media_types=tuple(t for t in (api.binaryMediaTypes or []) if t),
                    models=copy.deepcopy(dict(api.models)),
                    request_validators=copy.deepcopy(dict(api.request_validators)),
                    gateway_responses=copy.deepcopy(dict(api.gateway_responses)), live=live)


def served(api, stage) -> Snapshot:
    """The snapshot ``stage`` of ``api`` serves: its deployment's, else (no snapshot) the live definition."""
    deployment = api.deployments.get(stage.deployment_id or "")
    snapshot = getattr(deployment, ATTRIBUTE, None)
    return snapshot if snapshot is not None else take(api, live=True)


_installed = False


def install() -> None:
    """Make ``RestAPI.create_deployment`` keep a snapshot on the ``Deployment`` it returns (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.apigateway.models import RestAPI

    original = RestAPI.create_deployment

    @functools.wraps(original)
    def create_deployment(self, *args, **kwargs):
        deployment = original(self, *args, **kwargs)
        setattr(deployment, ATTRIBUTE, take(self))
        return deployment

    RestAPI.create_deployment = create_deployment
    _installed = True


PATCHES = [
    Patch(name="apigateway-deployment-snapshot",
          changes="CreateDeployment keeps a copy of the API's resources, methods, integrations, authorizers, "
                  "models, request validators, gateway responses, resource policy and binary media types; a stage "
                  "serves its "
                  "deployment's copy",
          symbols=("moto.apigateway.models.RestAPI.create_deployment", "moto.apigateway.models.Deployment",
                   "moto.apigateway.models.Resource.get_path", "moto.apigateway.models.Stage"),
          upstream="moto's Deployment could hold the snapshot (a deep copy taken in RestAPI.create_deployment)"),
]
