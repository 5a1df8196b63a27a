"""The rules AWS enforces on a weighted alias (``CreateAlias`` / ``UpdateAlias`` with ``RoutingConfig``).

What AWS documents ("Implement Lambda canary deployments using a weighted alias"; "AliasRoutingConfiguration" in
the AWS Lambda API Reference): an alias points to at most two versions — its ``FunctionVersion`` and one
additional version in ``AdditionalVersionWeights`` (key pattern ``[0-9]+``, weight from 0.0 to 1.0); both must be
published (never ``$LATEST``), have the same execution role, and the same dead-letter queue configuration (or
none). moto 5.2.5 stores any routing configuration without a check; here a breach is refused with
``InvalidParameterValueException`` (``ValidationException`` for a weight key or value outside the API's
constraints, as the API reports constraint violations).

Upstream change (moto): validate ``routing_config`` in ``LambdaStorage.put_alias`` and ``update_alias``.
"""
from __future__ import annotations

import functools
import re

from ..registry import Patch

PATCHES = [
    Patch(
        name="lambda-alias-routing-rules",
        changes="CreateAlias / UpdateAlias refuse a RoutingConfig with more than one additional version, "
                "$LATEST, an unpublished version, or versions with different roles or dead-letter queues.",
        symbols=("moto.awslambda.models.LambdaBackend.create_alias",
                 "moto.awslambda.models.LambdaBackend.update_alias",
                 "moto.awslambda.models.LambdaBackend.get_alias",
                 "moto.awslambda.models.LambdaBackend.get_function",
                 "moto.awslambda.exceptions.InvalidParameterValueException",
                 "moto.awslambda.exceptions.ValidationException"),
        upstream="moto/awslambda/models.py LambdaStorage.put_alias / update_alias: validate routing_config.",
    ),
]

VERSION_KEY = re.compile(r"^[0-9]+$")


def _weights(routing_config) -> dict:
    return dict((routing_config or {}).get("AdditionalVersionWeights") or {})


def check_routing(backend, function_name: str, function_version: str | None, routing_config) -> None:
    """Raise moto's ``InvalidParameterValueException`` / ``ValidationException`` if AWS would refuse this routing.

    ``function_version``: the alias's main version; ``routing_config``: ``{"AdditionalVersionWeights": {v: w}}``.
    """
    from moto.awslambda.exceptions import InvalidParameterValueException, ValidationException

    weights = _weights(routing_config)
    if not weights:
        return
    for version, weight in weights.items():
        if not VERSION_KEY.match(str(version)):
            raise ValidationException(
                str(version), "routingConfig.additionalVersionWeights",
                "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]+]")
        if not 0.0 <= float(weight) <= 1.0:
            raise ValidationException(
                str(weight), "routingConfig.additionalVersionWeights",
                "Map value must satisfy constraint: [Member must have value between 0.0 and 1.0]")
    if len(weights) > 1:
        raise InvalidParameterValueException(
            "An alias can point to at most two function versions: its FunctionVersion and one version in "
            f"AdditionalVersionWeights (got {len(weights)} additional versions).")
    if function_version in (None, "", "$LATEST") or not str(function_version).isdigit():
        raise InvalidParameterValueException(
            "$LATEST is not supported for an alias pointing to more than 1 version: a weighted alias routes "
            "between two published versions.")
    extra = str(next(iter(weights)))
    main = backend.get_function(function_name, str(function_version))
    other = backend.get_function(function_name, extra)  # ResourceNotFoundException if it does not exist
    if main.role != other.role:
        raise InvalidParameterValueException(
            f"Versions {function_version} and {extra} have different execution roles; the versions of a weighted "
            "alias must have the same execution role.")
    if (getattr(main, "dead_letter_config", None) or None) != (getattr(other, "dead_letter_config", None) or None):
        raise InvalidParameterValueException(
            f"Versions {function_version} and {extra} have different dead-letter queue configurations; the "
            "versions of a weighted alias must have the same one, or none.")


_installed = False


def install() -> None:
    """Check routing configurations in CreateAlias and UpdateAlias (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.awslambda.models import LambdaBackend

    original_create = LambdaBackend.create_alias
    original_update = LambdaBackend.update_alias

    @functools.wraps(original_create)
    def create_alias(self, name, function_name, function_version, description, routing_config):
        check_routing(self, function_name, function_version, routing_config)
        return original_create(self, name, function_name, function_version, description, routing_config)

    @functools.wraps(original_update)
    def update_alias(self, name, function_name, function_version, description, routing_config):
        if _weights(routing_config) or function_version is not None:
            alias = self.get_alias(name, function_name)
            version = function_version if function_version is not None else alias.function_version
            routing = routing_config if routing_config is not None else alias.routing_config
            check_routing(self, function_name, version, routing)
        return original_update(self, name, function_name, function_version, description, routing_config)

    LambdaBackend.create_alias = create_alias
    LambdaBackend.update_alias = update_alias
    _installed = True
