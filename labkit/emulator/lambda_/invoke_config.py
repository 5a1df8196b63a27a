"""A function's asynchronous-invocation settings, stored as the Lambda API documents them.

- ``DeadLetterConfig`` (``CreateFunction`` / ``UpdateFunctionConfiguration`` and ``AWS::Lambda::Function`` in
  CloudFormation, returned by ``GetFunctionConfiguration``): moto 5.2.5 drops it. Here it is kept on the function
  and, as AWS documents, it is part of the version-specific configuration, locked in when a version is published
  ("Capturing records of Lambda asynchronous invocations").
- The event-invoke config (``PutFunctionEventInvokeConfig`` and its Get/Update/Delete/List, and
  ``AWS::Lambda::EventInvokeConfig``) belongs to "a function, a version, or an alias": its ``Qualifier``
  (``$LATEST`` when none is given). Put "overwrites any existing configuration" and Update changes only the
  settings it names ("Configuring error handling settings for Lambda asynchronous invocations"). moto 5.2.5 ignores
  the Qualifier, appends each Put to a list and answers with the first (so a second Put has no effect), treats
  Update as Put, and has no CloudFormation resource for it. Here the configs are kept per qualifier by this module;
  an asynchronous invocation uses the config of the qualifier it was invoked with (an alias's, a version's, or
  ``$LATEST``'s for an unqualified call): :data:`INVOKED` carries that qualifier from the Invoke request to the
  queue.

Upstream change (moto, ``moto/awslambda``): read ``DeadLetterConfig`` in ``LambdaFunction.__init__``,
``update_configuration`` and ``create_from_cloudformation_json`` and return it from ``get_configuration``; keep
event-invoke configs per qualifier (``responses.py`` reads ``Qualifier``), make Put replace and Update merge; add
an ``AWS::Lambda::EventInvokeConfig`` CloudFormation model.
"""
from __future__ import annotations

import functools
import json
import threading
import time
from urllib.parse import unquote

from ..notices import Trigger, install_triggers, trigger_patch
from ..registry import Patch


def _s3_destination(response) -> bool:
    return ":s3:" in json.dumps((response.json_body or {}).get("DestinationConfig") or {})


_RESPONSE = "moto.awslambda.responses.LambdaResponse."
TRIGGERS = [
    Trigger(_RESPONSE + "put_function_event_invoke_config", "lambda-destination-s3-not-delivered", _s3_destination),
    Trigger(_RESPONSE + "update_function_event_invoke_config", "lambda-destination-s3-not-delivered",
            _s3_destination),
    Trigger(_RESPONSE + "put_function_event_invoke_config", "lambda-async-time-scaled"),
    Trigger(_RESPONSE + "update_function_event_invoke_config", "lambda-async-time-scaled"),
]

PATCHES = [
    Patch(
        name="lambda-dead-letter-config",
        changes="CreateFunction / UpdateFunctionConfiguration / AWS::Lambda::Function keep DeadLetterConfig and "
                "GetFunctionConfiguration returns it; moto drops it.",
        symbols=("moto.awslambda.models.LambdaFunction.__init__",
                 "moto.awslambda.models.LambdaFunction.update_configuration",
                 "moto.awslambda.models.LambdaFunction.get_configuration",
                 "moto.awslambda.models.LambdaFunction.create_from_cloudformation_json"),
        upstream="moto/awslambda/models.py LambdaFunction: store and return DeadLetterConfig.",
    ),
    Patch(
        name="lambda-event-invoke-config-per-qualifier",
        changes="Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s) keep one config per qualifier (Put "
                "replaces, Update merges); AWS::Lambda::EventInvokeConfig creates one. moto ignores the Qualifier, "
                "keeps the first Put forever and treats Update as Put.",
        symbols=("moto.awslambda.responses.LambdaResponse.put_function_event_invoke_config",
                 "moto.awslambda.responses.LambdaResponse.get_function_event_invoke_config",
                 "moto.awslambda.responses.LambdaResponse.update_function_event_invoke_config",
                 "moto.awslambda.responses.LambdaResponse.delete_function_event_invoke_config",
                 "moto.awslambda.responses.LambdaResponse.list_function_event_invoke_configs",
                 "moto.awslambda.models.EventInvokeConfig",
                 "moto.awslambda.exceptions.UnknownEventConfig",
                 "moto.awslambda.models.LambdaBackend.delete_function",
                 "moto.cloudformation.parsing.resource_class_from_type"),
        upstream="moto/awslambda: event-invoke configs per qualifier; an AWS::Lambda::EventInvokeConfig model.",
    ),
    trigger_patch("lambda-async-notices", TRIGGERS),
]

LATEST = "$LATEST"
INVOKED = threading.local()
"""``INVOKED.qualifier``: the qualifier an ``Event`` Invoke request named (set around the request by
:mod:`.concurrency`, read by :func:`labkit.emulator.lambda_.async_invoke.submit`)."""

_lock = threading.Lock()
# (account, region, function name) → qualifier → (config, last modified)
_configs: dict[tuple[str, str, str], dict[str, tuple[dict, float]]] = {}


def dead_letter_target(function) -> str | None:
    """The ``TargetArn`` of the function version's dead-letter queue, or ``None``."""
    config = getattr(function, "dead_letter_config", None) or {}
    return config.get("TargetArn") or None


def split(function_name: str, qualifier: str | None = None) -> tuple[str, str]:
    """``f``, ``f:q``, a partial or full ARN (with or without qualifier) and a Qualifier → (name, qualifier)."""
    name = function_name.split(":function:", 1)[1] if ":function:" in function_name else function_name
    name, _, found = name.partition(":")
    return name, qualifier or found or LATEST


def event_invoke_config(function, qualifier: str | None = None) -> dict:
    """The asynchronous-invocation settings (``MaximumRetryAttempts``, ``MaximumEventAgeInSeconds``,
    ``DestinationConfig``) of the function's ``qualifier`` (default: the version ``function`` is), or ``{}``."""
    key = (function.account_id, function.region, function.function_name)
    with _lock:
        found = _configs.get(key, {}).get(qualifier or str(function.version))
    return dict(found[0]) if found else {}


def _arn(backend, name: str, qualifier: str) -> str:
    base = backend.get_function(name).function_arn.split(":function:")[0]
    return f"{base}:function:{name}:{qualifier}"


def _check_function(backend, name: str, qualifier: str) -> None:
    """Raise moto's ResourceNotFoundException unless the function (and its version or alias) exists."""
    backend.get_function(name, None if qualifier == LATEST else qualifier)


def _answer(backend, name: str, qualifier: str, config: dict, modified: float) -> dict:
    return {"FunctionArn": _arn(backend, name, qualifier), "LastModified": modified, **config}


def put(backend, function_name: str, qualifier: str | None, config: dict, merge: bool = False) -> dict:
    """PutFunctionEventInvokeConfig (``merge=False``) or UpdateFunctionEventInvokeConfig (``merge=True``)."""
    from moto.awslambda.exceptions import UnknownEventConfig
    from moto.awslambda.models import EventInvokeConfig

    name, qualifier = split(function_name, qualifier)
    _check_function(backend, name, qualifier)
    key = (backend.account_id, backend.region_name, name)
    config = {k: v for k, v in (config or {}).items() if k in (
        "MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")}
    with _lock:
        current = _configs.get(key, {}).get(qualifier)
    if merge:
        if current is None:
            raise UnknownEventConfig(_arn(backend, name, qualifier))
        merged = dict(current[0])
        for field, value in config.items():
            if field == "DestinationConfig" and isinstance(value, dict):
                merged["DestinationConfig"] = {**(merged.get("DestinationConfig") or {}), **value}
            else:
                merged[field] = value
        config = merged
    EventInvokeConfig(_arn(backend, name, qualifier), "", config)  # moto's range and ARN checks
    modified = time.time()
    with _lock:
        _configs.setdefault(key, {})[qualifier] = (config, modified)
    return _answer(backend, name, qualifier, config, modified)


def get(backend, function_name: str, qualifier: str | None) -> dict:
    """GetFunctionEventInvokeConfig; moto's ResourceNotFoundException when there is none."""
    from moto.awslambda.exceptions import UnknownEventConfig

    name, qualifier = split(function_name, qualifier)
    _check_function(backend, name, qualifier)
    with _lock:
        found = _configs.get((backend.account_id, backend.region_name, name), {}).get(qualifier)
    if found is None:
        raise UnknownEventConfig(_arn(backend, name, qualifier))
    return _answer(backend, name, qualifier, *found)


def delete(backend, function_name: str, qualifier: str | None) -> None:
    """DeleteFunctionEventInvokeConfig; moto's ResourceNotFoundException when there is none."""
    get(backend, function_name, qualifier)
    name, qualifier = split(function_name, qualifier)
    with _lock:
        _configs.get((backend.account_id, backend.region_name, name), {}).pop(qualifier, None)


def list_configs(backend, function_name: str) -> list[dict]:
    """ListFunctionEventInvokeConfigs: the configs of every qualifier of the function."""
    name, _ = split(function_name)
    backend.get_function(name)
    with _lock:
        found = dict(_configs.get((backend.account_id, backend.region_name, name), {}))
    return [_answer(backend, name, q, *found[q]) for q in sorted(found)]


class EventInvokeConfigResource:
    """``AWS::Lambda::EventInvokeConfig`` ("AWS::Lambda::EventInvokeConfig", CloudFormation template reference)."""

    def __init__(self, account_id: str, region: str, function_name: str, qualifier: str):
        self.account_id, self.region, self.function_name, self.qualifier = account_id, region, function_name, qualifier

    @property
    def physical_resource_id(self) -> str:
        return f"{self.function_name}:{self.qualifier}"

    def is_created(self) -> bool:
        return True

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::EventInvokeConfig"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        from moto.awslambda.models import lambda_backends

        properties = dict(cloudformation_json.get("Properties") or {})
        backend = lambda_backends[account_id][region_name]
        name, qualifier = split(str(properties.pop("FunctionName")), properties.pop("Qualifier", None))
        for field in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
            if field in properties:
                properties[field] = int(properties[field])
        put(backend, name, qualifier, properties)
        return cls(account_id, region_name, name, qualifier)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                        account_id, region_name):
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        properties = cloudformation_json.get("Properties") or {}
        name, qualifier = split(str(properties.get("FunctionName", "")), properties.get("Qualifier"))
        cls(account_id, region_name, name, qualifier).delete()

    def delete(self, account_id=None, region_name=None) -> None:
        with _lock:
            _configs.get((self.account_id, self.region, self.function_name), {}).pop(self.qualifier, None)


_installed = False


def install() -> None:
    """Patch moto's Lambda models and responses once per process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.awslambda.models import LambdaBackend, LambdaFunction
    from moto.awslambda.responses import LambdaResponse

    from .. import lazy

    original_init = LambdaFunction.__init__

    @functools.wraps(original_init)
    def __init__(self, account_id, spec, region, version=1):
        original_init(self, account_id, spec, region, version)
        self.dead_letter_config = dict(spec.get("DeadLetterConfig") or {}) or None

    original_update = LambdaFunction.update_configuration

    @functools.wraps(original_update)
    def update_configuration(self, config_updates):
        if "DeadLetterConfig" in config_updates:
            # A new dict, never an update in place: published versions (shallow copies) keep their own.
            self.dead_letter_config = dict(config_updates["DeadLetterConfig"] or {}) or None
        return original_update(self, config_updates)

    original_get = LambdaFunction.get_configuration

    @functools.wraps(original_get)
    def get_configuration(self, *args, **kwargs):
        config = original_get(self, *args, **kwargs)
        target = dead_letter_target(self)
        if target:
            config["DeadLetterConfig"] = {"TargetArn": target}
        return config

    original_cfn_create = LambdaFunction.create_from_cloudformation_json.__func__

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        function = original_cfn_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        dead_letter = (cloudformation_json.get("Properties") or {}).get("DeadLetterConfig")
        if dead_letter:
            function.dead_letter_config = dict(dead_letter)
        return function

    def path_name(response, keep: int) -> str:
        return unquote(response.path.rsplit("/", keep)[1])

    def qualifier_of(response) -> str | None:
        values = response.querystring.get("Qualifier")
        return values[0] if values else None

    def answer(document) -> tuple:
        return 200, {"content-type": "application/json"}, json.dumps(document)

    def put_response(self):
        return answer(put(self.backend, path_name(self, 2), qualifier_of(self), self.json_body))

    def update_response(self):
        return answer(put(self.backend, path_name(self, 2), qualifier_of(self), self.json_body, merge=True))

    def get_response(self):
        return answer(get(self.backend, path_name(self, 2), qualifier_of(self)))

    def delete_response(self):
        delete(self.backend, path_name(self, 2), qualifier_of(self))
        return 204, {"status": 204}, ""

    def list_response(self):
        return answer({"FunctionEventInvokeConfigs": list_configs(self.backend, path_name(self, 3))})

    original_delete = LambdaBackend.delete_function

    @functools.wraps(original_delete)
    def delete_function(self, function_name, qualifier=None):
        original_delete(self, function_name, qualifier)
        name, found = split(function_name, qualifier)
        with _lock:  # a deleted function (or version) takes its event-invoke configs with it
            if qualifier is None and found == LATEST:
                _configs.pop((self.account_id, self.region_name, name), None)
            else:
                _configs.get((self.account_id, self.region_name, name), {}).pop(found, None)

    LambdaFunction.__init__ = __init__
    LambdaFunction.update_configuration = update_configuration
    LambdaFunction.get_configuration = get_configuration
    LambdaFunction.create_from_cloudformation_json = create_from_cloudformation_json
    LambdaBackend.delete_function = delete_function
    LambdaResponse.put_function_event_invoke_config = put_response
    LambdaResponse.update_function_event_invoke_config = update_response
    LambdaResponse.get_function_event_invoke_config = get_response
    LambdaResponse.delete_function_event_invoke_config = delete_response
    LambdaResponse.list_function_event_invoke_configs = list_response
    install_triggers(TRIGGERS)
    _installed = True
    # CloudFormation's resource type once moto loads CloudFormation: its parser imports most of moto's services,
    # which a lab that only invokes functions must not pay for
    lazy.when_loaded(("moto.cloudformation.parsing",), "lambda-event-invoke-config cloudformation",
                     _add_cloudformation_type)


def _add_cloudformation_type() -> None:
    """``AWS::Lambda::EventInvokeConfig`` in moto's CloudFormation parser (moto has no model for it)."""
    from moto.cloudformation import parsing

    original_resource_class = parsing.resource_class_from_type

    def resource_class_from_type(resource_type: str):
        if resource_type == "AWS::Lambda::EventInvokeConfig":
            return EventInvokeConfigResource
        return original_resource_class(resource_type)

    parsing.resource_class_from_type = resource_class_from_type
