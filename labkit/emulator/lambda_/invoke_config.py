"""A function's asynchronous-invocation settings, stored as the Lambda API documents them.

- ``DeadLetterConfig`` (``CreateFunction`` / ``UpdateFunctionConfiguration``, returned by
  ``GetFunctionConfiguration``): moto 5.2.5 drops it. Here it is kept on the function and, as AWS documents, it is
  part of the version-specific configuration, locked in when a version is published ("Capturing records of Lambda
  asynchronous invocations").
- ``PutFunctionEventInvokeConfig`` "overwrites any existing configuration" and ``UpdateFunctionEventInvokeConfig``
  changes only the settings it names ("Configuring error handling settings for Lambda asynchronous invocations"):
  moto 5.2.5 appends each Put to a list and answers with the first, so a second Put has no effect, and its Update
  is a Put. Here Put replaces and Update merges.

Upstream change (moto, ``moto/awslambda/models.py``): read ``DeadLetterConfig`` in ``LambdaFunction.__init__`` and
``update_configuration`` and return it from ``get_configuration``; make ``put_function_event_invoke_config``
replace ``fn.event_invoke_config`` and ``update_function_event_invoke_config`` merge into it.
"""
from __future__ import annotations

import functools
import json

from ..notices import Trigger, install_triggers, trigger_patch
from ..registry import Difference, Patch


def _qualified(response) -> bool:
    return bool(response.querystring.get("Qualifier"))


def _s3_destination(response) -> bool:
    return ":s3:" in json.dumps((response.json_body or {}).get("DestinationConfig") or {})


_RESPONSE = "moto.awslambda.responses.LambdaResponse."
TRIGGERS = [
    Trigger(_RESPONSE + "put_function_event_invoke_config", "lambda-event-invoke-config-per-qualifier", _qualified),
    Trigger(_RESPONSE + "update_function_event_invoke_config", "lambda-event-invoke-config-per-qualifier",
            _qualified),
    Trigger(_RESPONSE + "put_function_event_invoke_config", "lambda-destination-s3-not-delivered", _s3_destination),
    Trigger(_RESPONSE + "update_function_event_invoke_config", "lambda-destination-s3-not-delivered",
            _s3_destination),
    Trigger(_RESPONSE + "put_function_event_invoke_config", "lambda-async-time-scaled"),
    Trigger(_RESPONSE + "update_function_event_invoke_config", "lambda-async-time-scaled"),
]

PATCHES = [
    Patch(
        name="lambda-dead-letter-config",
        changes="CreateFunction / UpdateFunctionConfiguration keep DeadLetterConfig and GetFunctionConfiguration "
                "returns it; moto drops it.",
        symbols=("moto.awslambda.models.LambdaFunction.__init__",
                 "moto.awslambda.models.LambdaFunction.update_configuration",
                 "moto.awslambda.models.LambdaFunction.get_configuration"),
        upstream="moto/awslambda/models.py LambdaFunction: store and return DeadLetterConfig.",
    ),
    Patch(
        name="lambda-event-invoke-config-put-update",
        changes="PutFunctionEventInvokeConfig replaces the configuration and UpdateFunctionEventInvokeConfig "
                "merges into it; moto keeps the first Put forever and treats Update as Put.",
        symbols=("moto.awslambda.models.LambdaBackend.put_function_event_invoke_config",
                 "moto.awslambda.models.LambdaBackend.update_function_event_invoke_config",
                 "moto.awslambda.models.EventInvokeConfig"),
        upstream="moto/awslambda/models.py: put replaces fn.event_invoke_config; update merges.",
    ),
]

PATCHES.append(trigger_patch("lambda-async-notices", TRIGGERS))

DIFFERENCES = [
    Difference(
        id="lambda-event-invoke-config-per-qualifier",
        service="lambda",
        aws="Asynchronous-invocation settings (PutFunctionEventInvokeConfig) can differ per version and alias "
            "(its Qualifier).",
        engine="One configuration per function, whatever the Qualifier; every version and alias uses it.",
        doc="Configuring error handling settings for Lambda asynchronous invocations",
    ),
]


def dead_letter_target(function) -> str | None:
    """The ``TargetArn`` of the function version's dead-letter queue, or ``None``."""
    config = getattr(function, "dead_letter_config", None) or {}
    return config.get("TargetArn") or None


def event_invoke_config(function) -> dict:
    """The function's asynchronous-invocation settings (``MaximumRetryAttempts``, ``MaximumEventAgeInSeconds``,
    ``DestinationConfig``) as last put, or ``{}``. Read from the function's ``$LATEST`` (see the Difference)."""
    from moto.awslambda.models import lambda_backends

    try:
        latest = lambda_backends[function.account_id][function.region].get_function(function.function_name)
    except Exception:  # noqa: BLE001 - the function was deleted meanwhile
        latest = function
    configs = getattr(latest, "event_invoke_config", None) or []
    return dict(configs[0].config) if configs else {}


_installed = False


def install() -> None:
    """Patch moto's Lambda models once per process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.awslambda.models import EventInvokeConfig, LambdaBackend, LambdaFunction

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

    def put_function_event_invoke_config(self, function_name, config):
        fn = self.get_function(function_name)
        event_config = EventInvokeConfig(fn.function_arn, fn.last_modified, config)
        fn.event_invoke_config = [event_config]
        return event_config.response()

    def update_function_event_invoke_config(self, function_name, config):
        fn = self.get_function(function_name)
        merged = dict(fn.event_invoke_config[0].config) if fn.event_invoke_config else {}
        for key, value in config.items():
            if key == "DestinationConfig" and isinstance(value, dict):
                merged["DestinationConfig"] = {**(merged.get("DestinationConfig") or {}), **value}
            else:
                merged[key] = value
        return put_function_event_invoke_config(self, function_name, merged)

    LambdaFunction.__init__ = __init__
    LambdaFunction.update_configuration = update_configuration
    LambdaFunction.get_configuration = get_configuration
    LambdaBackend.put_function_event_invoke_config = put_function_event_invoke_config
    LambdaBackend.update_function_event_invoke_config = update_function_event_invoke_config
    install_triggers(TRIGGERS)
    _installed = True
