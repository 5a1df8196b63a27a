"""Basic request validation: a method's request validator checks required parameters and the body's model.

AWS ("Request validation for REST APIs in API Gateway"): with a request validator on the method,

- ``validateRequestParameters``: every request parameter the method marks required
  (``method.request.querystring.q``, ``method.request.header.h``, ``method.request.path.p`` set to ``true``) must be
  present and not blank, else ``400 {"message": "Missing required request parameters: [q]"}``; only presence is
  checked, not type or format;
- ``validateRequestBody``: the body must match the JSON schema (draft 4) of the model the method names for the
  request's content type (or for ``$default``), else ``400 {"message": "Invalid request body"}``; with no model for
  the content type the body is not validated.

The validators and models are the deployment's (a change needs a new deployment: "Updates to REST APIs that require
redeployment").
"""
from __future__ import annotations

import json

from .binary import media_type
from .routing import Reply

LOCATIONS = {"querystring": "query", "header": "header", "path": "path"}


def validate(method, snapshot, request) -> None:
    """Raise :class:`Reply` 400 when the method's request validator rejects ``request``; nothing without one."""
    validator = snapshot.request_validators.get(method.request_validator_id or "")
    if validator is None:
        return
    if validator.validate_request_parameters:
        missing = missing_parameters(method.request_parameters or {}, request)
        if missing:
            raise Reply(400, {"message": f"Missing required request parameters: [{', '.join(missing)}]"},
                        "the method's request validator found required parameters missing or blank",
                        kind="BAD_REQUEST_PARAMETERS")
    if validator.validate_request_body:
        schema = body_schema(method.request_models or {}, snapshot.models, request.header("Content-Type"))
        if schema is not None and not body_matches(request.body, schema):
            raise Reply(400, {"message": "Invalid request body"},
                        "the body does not match the method's request model (JSON schema)", kind="BAD_REQUEST_BODY")


def missing_parameters(declared: dict, request) -> list[str]:
    """Names of the required parameters (``method.request.<where>.<name>: true``) absent or blank in ``request``."""
    missing = []
    for key, required in declared.items():
        parts = key.split(".", 3)
        if not required or len(parts) != 4 or parts[:2] != ["method", "request"] or parts[2] not in LOCATIONS:
            continue
        where, name = LOCATIONS[parts[2]], parts[3]
        if where == "query":
            value = (request.query.get(name) or [""])[-1]
        elif where == "header":
            value = request.header(name, "")
        else:
            value = request.path_parameters.get(name, "")
        if not value:
            missing.append(name)
    return missing


def body_schema(request_models: dict, models: dict, content_type: str | None):
    """The JSON schema (a dict) of the model the method names for ``content_type`` (or ``$default``), else None."""
    wanted = media_type(content_type)
    chosen = next((name for kind, name in request_models.items() if media_type(kind) == wanted and wanted), None)
    chosen = chosen or request_models.get("$default")
    model = models.get(chosen) if chosen else None
    if model is None or not model.schema:
        return None
    return json.loads(model.schema) if isinstance(model.schema, str) else model.schema


def body_matches(body: bytes, schema: dict) -> bool:
    """Whether ``body`` is JSON that satisfies JSON schema ``schema`` (draft 4, as API Gateway models use)."""
    from jsonschema import Draft4Validator

    try:
        document = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        return False
    return Draft4Validator(schema).is_valid(document)
