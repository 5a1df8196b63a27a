"""Lambda alias operations take FunctionName as a name, an ARN or a partial ARN, as AWS documents
("ListAliases", "GetAlias": "Name formats — Function name, Function ARN, Partial ARN"). moto 5.2.5 reads
ListAliases' FunctionName from the URL path without decoding it, so an ARN arrives as ``arn%3Aaws%3A…`` and is
refused with ResourceNotFoundException naming that garbled text. Upstream change: ``unquote`` the path segment in
moto.awslambda.responses.LambdaResponse.list_aliases.
"""
from __future__ import annotations

from urllib.parse import unquote

from ..registry import Patch

METHODS = ("list_aliases", "get_alias", "delete_alias", "create_alias", "update_alias")

PATCHES = [Patch(
    name="lambda-alias-function-name-formats",
    changes="ListAliases/GetAlias/CreateAlias/UpdateAlias/DeleteAlias accept a function name, ARN or partial ARN.",
    symbols=tuple(f"moto.awslambda.models.LambdaBackend.{m}" for m in METHODS),
    upstream="unquote FunctionName in LambdaResponse.list_aliases; accept partial ARNs.",
)]


def plain_name(function_name: str) -> str:
    """The function's name from a name, an ARN or a partial ARN (URL-encoded or not)."""
    text = unquote(function_name)
    if ":function:" in text:
        text = text.split(":function:", 1)[1].split(":", 1)[0]
    return text


def _wrap(original, method):
    if method == "list_aliases":
        def wrapped(self, function_name, *args, **kwargs):
            return original(self, plain_name(function_name), *args, **kwargs)
    else:
        def wrapped(self, name, function_name, *args, **kwargs):
            return original(self, name, plain_name(function_name), *args, **kwargs)
    wrapped.labkit_original = original
    return wrapped


def install() -> None:
    """Accept every documented FunctionName format in the alias operations (idempotent)."""
    from moto.awslambda.models import LambdaBackend

    for method in METHODS:
        current = getattr(LambdaBackend, method)
        if not hasattr(current, "labkit_names"):
            wrapped = _wrap(current, method)
            wrapped.labkit_names = True
            setattr(LambdaBackend, method, wrapped)
