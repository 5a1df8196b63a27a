"""Service models held without AWS's documentation text; docstrings read it back from botocore's file.

botocore's service models (``<service>/<version>/service-2.json``) carry AWS's API reference: a ``documentation``
string on the service, each operation, shape and member. In a lab kernel nothing reads it but botocore's docstring
generation (``help(client.invoke)``, ``client.invoke?`` in Jupyter), yet every model a client or moto loads stays
in memory with it: 38 % of a model's memory (measured on the lambda lab's five models, s3, lambda, dynamodb, iam and
logs: 7.9 MB decoded, 4.9 MB without it). So:

- the shared botocore loader (:func:`labkit.emulator.speedups.plain_json_file_loader`) decodes each service model
  with :func:`decode`: every JSON object loses its ``documentation`` member when that member is a string (a member
  *named* documentation, whose value is a shape reference, stays; so does the text of the client context
  parameters, which botocore's ``ServiceModel`` reads), at the speed of a plain ``json.loads``;
- :func:`install` has botocore's lazily generated docstrings (``LazyLoadedDocstring``: client methods, paginators,
  waiters, boto3's resources) made from the same model read with its documentation, from botocore's own file, when
  one is first shown (:func:`documented`), so ``help()`` shows AWS's text as before. Only the last documented
  model read is kept (a learner who never asks for help never holds one). boto3's resource attributes
  (``help(table.item_count)``) are documented from a member's shape, which does not name its service: their
  one-line description is left out; their type is shown.

Upstream change (botocore): none needed; a loader option to leave documentation out of models used only at runtime.
"""
from __future__ import annotations

import functools
import json
import os

from .registry import Patch

PATCHES = [
    Patch(
        name="model-docs-on-demand",
        changes="The shared loader decodes service models without their documentation strings; botocore's "
                "LazyLoadedDocstring._create_docstring makes each docstring from the model read again with its "
                "documentation (botocore's own loader), so help() on a client method, paginator or waiter reads "
                "as before.",
        symbols=("botocore.docs.docstring.LazyLoadedDocstring._create_docstring",
                 "botocore.loaders.JSONFileLoader._load_file", "botocore.model.ServiceModel.operation_model"),
        upstream="botocore: a loader option to leave documentation out of service models used only at runtime.",
    ),
]

SERVICE_MODEL_FILE = "service-2.json"  # botocore's file name of a service model (.json or .json.gz)


def is_service_model(path: str) -> bool:
    """Whether ``path`` is a botocore service model file (``…/service-2.json`` or ``…/service-2.json.gz``)."""
    return os.path.basename(path).startswith(SERVICE_MODEL_FILE)


KEPT = "clientContextParams"  # botocore's ServiceModel.client_context_parameters reads each one's documentation


def decode(text: str):
    """A service model's JSON ``text`` decoded as ``json.loads`` does, except that every object loses its
    ``documentation`` member when that member is a string (AWS's text; a member *named* documentation, whose value
    is a shape reference, stays), but the client context parameters, whose documentation botocore reads. Raises
    ``json.JSONDecodeError`` as ``json.loads`` does. As fast as ``json.loads``: one object hook that only notes."""
    noted = []

    def note(members: dict) -> dict:
        if type(members.get("documentation")) is str:
            noted.append(members)
        return members

    model = json.loads(text, object_hook=note)
    kept = {id(p) for p in model.get(KEPT, {}).values()} if isinstance(model, dict) else set()
    for members in noted:
        if id(members) not in kept:
            del members["documentation"]
    return model


def documented(service_model):
    """``service_model`` (a ``botocore.model.ServiceModel``) as botocore reads it, documentation included: its
    ``service-2`` file of the same API version, read again through a loader of botocore's own (not the shared one).
    The last one read is kept (``help()`` of a client makes a docstring per method); raises what botocore's loader
    raises if the file is gone."""
    return _documented(service_model.service_name, service_model.api_version)


@functools.lru_cache(maxsize=1)
def _documented(name: str, api_version: str):
    from botocore.loaders import create_loader
    from botocore.model import ServiceModel

    return ServiceModel(create_loader().load_service_model(name, "service-2", api_version), service_name=name)


def with_documentation(arguments: dict) -> dict:
    """A docstring's generation arguments (``LazyLoadedDocstring``'s keyword arguments) with each model in them
    replaced by its documented one (:func:`documented`): ``service_model``, ``operation_model`` and the
    ``method_description`` botocore took from the operation's documentation."""
    arguments = dict(arguments)
    operation = arguments.get("operation_model")
    service = arguments.get("service_model") or getattr(operation, "service_model", None)
    if service is None:
        return arguments
    full = documented(service)
    if "service_model" in arguments:
        arguments["service_model"] = full
    if operation is not None:
        arguments["operation_model"] = full.operation_model(operation.name)
        if "method_description" in arguments:
            arguments["method_description"] = arguments["operation_model"].documentation
    return arguments


def install() -> None:
    """Have botocore's lazy docstrings made from documented models (idempotent)."""
    from botocore.docs.docstring import LazyLoadedDocstring

    original = LazyLoadedDocstring._create_docstring
    if getattr(original, "labkit_documented", False):
        return

    @functools.wraps(original)
    def create_docstring(self):
        saved = self._gen_kwargs
        self._gen_kwargs = with_documentation(saved)
        try:
            return original(self)
        finally:
            self._gen_kwargs = saved

    create_docstring.labkit_documented = True
    LazyLoadedDocstring._create_docstring = create_docstring
