"""Binary media types of a REST API, and moto's handling of the ``binaryMediaTypes`` setting.

AWS ("Binary media types for REST APIs in API Gateway"): the API's ``binaryMediaTypes`` lists the content types it
treats as binary; ``*`` is a wildcard (``*/*`` covers every type). For a Lambda proxy integration a request whose
``Content-Type`` is one of them reaches the function base64-encoded with ``isBase64Encoded: true``; a response the
function base64-encodes (``isBase64Encoded: true``) reaches the client as bytes when the *first* media type of the
request's ``Accept`` header is one of them — otherwise the client receives the base64 text.

moto 5.2.5 drops ``binaryMediaTypes`` from ``CreateRestApi`` and reads the documented patch operations wrongly (the
media type is in the path, ``/binaryMediaTypes/image~1png``, with no ``value``: moto appends ``""`` on ``add``,
replaces the whole list on ``replace`` and fails on ``remove``). :func:`install` fixes both, and imports the OpenAPI
extension ``x-amazon-apigateway-binary-media-types`` on ``PutRestApi``.

Upstream (moto): ``APIGatewayResponse.create_rest_api`` should pass ``binaryMediaTypes`` to the backend, and
``RestAPI.apply_patch_operations`` should take the media type from the path (``~1`` is ``/``, ``~0`` is ``~``).
"""
from __future__ import annotations

import fnmatch
import functools
import json

from ..registry import Patch


def media_type(value: str | None) -> str:
    """``"Image/PNG; q=0.8"`` → ``"image/png"`` (no parameters, lower case); ``""`` for none."""
    return (value or "").split(";", 1)[0].strip().lower()


def is_binary(value: str | None, binary_media_types) -> bool:
    """Whether media type ``value`` is one of ``binary_media_types`` (``*`` wildcards allowed)."""
    kind = media_type(value)
    return bool(kind) and any(fnmatch.fnmatchcase(kind, pattern.strip().lower())
                              for pattern in binary_media_types or () if pattern)


def first_accept(accept: str | None) -> str:
    """The first media type of an ``Accept`` header (the one API Gateway decides on), ``""`` for none."""
    return media_type((accept or "").split(",", 1)[0])


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def apply_binary_patch(api, operation: dict) -> bool:
    """Apply one ``/binaryMediaTypes/<type>`` patch operation to moto ``RestAPI`` ``api``; False if not one."""
    path = operation.get("path", "")
    prefix = "/binaryMediaTypes/"
    if not path.startswith(prefix):
        return False
    named = _unescape(path[len(prefix):])
    types = [t for t in (api.binaryMediaTypes or []) if t]
    op = operation.get("op")
    if op == "add":
        if named not in types:
            types.append(named)
    elif op == "remove":
        types = [t for t in types if t != named]
    elif op == "replace":
        value = operation.get("value") or named
        types = [value if t == named else t for t in types] if named in types else types + [value]
    else:
        return False
    api.binaryMediaTypes = types
    return True


_installed = False


def install() -> None:
    """Patch moto's ``CreateRestApi``, ``RestAPI.apply_patch_operations`` and ``put_rest_api`` (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.apigateway.models import APIGatewayBackend, RestAPI
    from moto.apigateway.responses import APIGatewayResponse

    apply_original = RestAPI.apply_patch_operations

    @functools.wraps(apply_original)
    def apply_patch_operations(self, patch_operations):
        rest = [op for op in patch_operations if not apply_binary_patch(self, op)]
        return apply_original(self, rest) if rest else None

    create_original = APIGatewayResponse.create_rest_api

    @functools.wraps(create_original)
    def create_rest_api(self):
        status, headers, body = create_original(self)
        types = self._get_param("binaryMediaTypes")
        if status == 200 and types:
            document = json.loads(body)
            api = self.backend.get_rest_api(document["id"])
            api.binaryMediaTypes = [t for t in types if t]
            document["binaryMediaTypes"] = api.binaryMediaTypes
            body = json.dumps(document)
        return status, headers, body

    put_original = APIGatewayBackend.put_rest_api

    @functools.wraps(put_original)
    def put_rest_api(self, function_id, api_doc, *args, **kwargs):
        api = put_original(self, function_id, api_doc, *args, **kwargs)
        types = api_doc.get("x-amazon-apigateway-binary-media-types") if isinstance(api_doc, dict) else None
        if types:
            api.binaryMediaTypes = [t for t in types if t]
        return api

    RestAPI.apply_patch_operations = apply_patch_operations
    APIGatewayResponse.create_rest_api = create_rest_api
    APIGatewayBackend.put_rest_api = put_rest_api
    _installed = True


PATCHES = [
    Patch(name="apigateway-binary-media-types",
          changes="CreateRestApi keeps binaryMediaTypes; UpdateRestApi add/replace/remove of "
                  "/binaryMediaTypes/<type> act on that type; PutRestApi imports "
                  "x-amazon-apigateway-binary-media-types",
          symbols=("moto.apigateway.responses.APIGatewayResponse.create_rest_api",
                   "moto.apigateway.models.RestAPI.apply_patch_operations",
                   "moto.apigateway.models.APIGatewayBackend.put_rest_api",
                   "moto.apigateway.models.APIGatewayBackend.get_rest_api"),
          upstream="create_rest_api should pass binaryMediaTypes to the backend; apply_patch_operations should "
                   "read the media type from the patch path"),
]
