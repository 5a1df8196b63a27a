"""Lambda function settings the embedded engine stores but does not act on, or lacks: registered differences.

Pages: "Configuring provisioned concurrency for a function", "Securing Lambda environment variables" and
"Lambda function URLs" (AWS Lambda Developer Guide); "UpdateFunctionConfiguration" (AWS Lambda API Reference).
"""
from __future__ import annotations

from ..notices import Trigger, install_triggers, trigger_patch
from ..registry import Difference

DIFFERENCES = [
    Difference(
        id="lambda-provisioned-concurrency-missing",
        service="lambda",
        aws="PutProvisionedConcurrencyConfig keeps a number of execution environments of a version or alias "
            "initialised in advance (billed while configured); invocations up to that number start without a cold "
            "start.",
        engine="The provisioned-concurrency operations do not exist (HTTP 404). Each function version has one warm "
               "worker process once it has run, whatever you configure.",
        doc="Configuring provisioned concurrency for a function",
        labs=("lambda-operations",),
    ),
    Difference(
        id="lambda-update-kms-key-ignored",
        service="lambda",
        aws="UpdateFunctionConfiguration with KMSKeyArn makes Lambda encrypt the function's environment variables "
            "at rest with that customer managed key, and GetFunctionConfiguration returns the key's ARN.",
        engine="A KMSKeyArn given to CreateFunction is kept and returned, but one given to "
               "UpdateFunctionConfiguration is ignored. Nothing is encrypted either way.",
        doc="Securing Lambda environment variables",
        labs=("lambda-operations",),
    ),
    Difference(
        id="lambda-function-url-not-served",
        service="lambda",
        aws="A function URL (https://<url-id>.lambda-url.<region>.on.aws) invokes the function for any HTTPS "
            "request, checking IAM (SigV4) signatures when AuthType is AWS_IAM.",
        engine="The URL configuration is created and described, but nothing answers at that address; invoke the "
               "function with the Invoke API instead.",
        doc="Lambda function URLs",
        labs=("lambda-operations",),
    ),
]


def _sets_kms_key(response) -> bool:
    return bool(response._get_param("KMSKeyArn"))


TRIGGERS = [
    Trigger("moto.awslambda.responses.LambdaResponse.update_function_configuration",
            "lambda-update-kms-key-ignored", when=_sets_kms_key),
    Trigger("moto.awslambda.responses.LambdaResponse.create_function_url_config", "lambda-function-url-not-served"),
]

PATCHES = [trigger_patch("lambda-configuration-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
