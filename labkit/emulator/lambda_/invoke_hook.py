"""The two moto methods :mod:`labkit.lambda_runtime.moto_hook` replaces, named for the registry's guard test.

The hook itself is installed by the embedded engine (``moto_hook.install(endpoint)``, before
:func:`labkit.emulator.install_all`), because it needs the engine's endpoint; it lives with the runtime it drives.

- ``LambdaFunction.invoke``: moto runs Lambda code only in Docker; labkit runs the handler in a warm Python worker
  process. Upstream, this stays labkit's (a Docker-free runtime is outside moto's scope).
- ``LambdaBackend.invoke``: moto stores an alias's ``RoutingConfig.AdditionalVersionWeights`` but always runs the
  alias's main version; labkit picks the version by weight ("Implementing Lambda canary deployments using a
  weighted alias" in the AWS Lambda Developer Guide). Upstream change: moto's ``LambdaBackend.invoke`` could pick
  the version from the alias's routing config.
"""
from __future__ import annotations

from ..registry import Patch

PATCHES = [
    Patch(
        name="lambda-runtime",
        changes="LambdaFunction.invoke runs the handler in labkit's Python worker processes instead of Docker "
                "(labkit/lambda_runtime/moto_hook.py).",
        symbols=("moto.awslambda.models.LambdaFunction.invoke",
                 "moto.awslambda.models.lambda_backends"),
        upstream="None: a Docker-free runtime is labkit's own.",
    ),
    Patch(
        name="lambda-alias-weights",
        changes="LambdaBackend.invoke routes an alias's invocations between its versions by "
                "AdditionalVersionWeights (labkit/lambda_runtime/moto_hook.py); moto always runs the main version.",
        symbols=("moto.awslambda.models.LambdaBackend.invoke", "moto.awslambda.models.LambdaStorage.get_alias"),
        upstream="moto/awslambda/models.py LambdaBackend.invoke: choose the version from the alias's RoutingConfig.",
    ),
]
