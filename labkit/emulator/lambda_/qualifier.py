"""``Invoke`` honours its ``Qualifier`` query parameter (a version or an alias), as the Lambda API documents.

boto3 sends ``Invoke(FunctionName="f", Qualifier="2")`` as ``POST /2015-03-31/functions/f/invocations?Qualifier=2``
("Invoke" in the AWS Lambda API Reference). moto 5.2.5 reads a lower-case ``qualifier`` parameter there
(``LambdaResponse.invoke``: ``self._get_param("qualifier")``), so it ignores the version or alias and runs
``$LATEST``. ``install()`` wraps ``LambdaResponse.invoke`` to hand moto the qualifier boto3 sent.

Upstream change (moto): in ``moto/awslambda/responses.py``, ``LambdaResponse.invoke`` should read
``self._get_param("Qualifier")`` (as ``get_function`` and ``delete_function`` already do).
``tests/test_emulator_lambda_qualifier.py::test_moto_still_ignores_the_qualifier`` fails once moto has fixed it;
then delete this module.
"""
from __future__ import annotations

import functools
from urllib.parse import unquote

from ..registry import Patch

PATCHES = [
    Patch(
        name="lambda-invoke-qualifier",
        changes="Invoke passes the Qualifier query parameter (version or alias) to the backend; moto reads "
                "'qualifier' and so always runs $LATEST.",
        symbols=("moto.awslambda.responses.LambdaResponse.invoke",
                 "moto.core.responses.BaseResponse._get_param"),
        upstream="moto/awslambda/responses.py LambdaResponse.invoke: read self._get_param('Qualifier').",
    ),
]

_original = None


def install() -> None:
    """Wrap ``LambdaResponse.invoke`` once per process (idempotent)."""
    global _original
    from moto.awslambda.responses import LambdaResponse

    if _original is not None:
        return
    _original = LambdaResponse.invoke

    @functools.wraps(_original)
    def invoke(self):
        qualifier = self.querystring.get("Qualifier")
        # A qualified name ("f:2" or an ARN ending ":2") already says which version: moto reads it from the path.
        name = unquote(self.path.rsplit("/", 2)[-2]).split(":function:")[-1]
        if qualifier and "qualifier" not in self.querystring and ":" not in name:
            self.querystring["qualifier"] = qualifier
        return _original(self)

    LambdaResponse.invoke = invoke


def original():
    """moto's own ``LambdaResponse.invoke`` (before :func:`install`)."""
    from moto.awslambda.responses import LambdaResponse

    return _original or LambdaResponse.invoke
