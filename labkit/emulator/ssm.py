"""Systems Manager Parameter Store: what labkit fixes in moto, and where the embedded engine differs from AWS.

DescribeParameters lists "the parameters in your Amazon Web Services account or the parameters shared with you"
(DescribeParameters, AWS Systems Manager API Reference): AWS's public parameters (``/aws/service/...``) are not
among them. moto loads the public parameters a lab reads (thousands, e.g. the ECS-optimised AMIs) into the
account's own store and then lists them, which also makes every paged listing scan them all. labkit leaves them out
of DescribeParameters. Upstream: moto's ``describe_parameters`` should skip names under ``/aws/``.
"""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference, Patch

PUBLIC_PREFIX = "/aws/"
_original_describe = None

DIFFERENCES = [
    Difference(
        id="ssm-securestring-not-encrypted",
        service="Systems Manager",
        aws="A SecureString value is encrypted with a KMS key: without WithDecryption=True, GetParameter returns "
            "the ciphertext; with it, Parameter Store calls KMS to decrypt (the caller needs kms:Decrypt).",
        engine="The value is not encrypted: without decryption it is shown as the placeholder "
               "kms:<key id>:<value>, and KMS is never called.",
        doc="PutParameter",
        labs=("parameter-store",),
    ),
    Difference(
        id="ssm-tiers-and-policies-not-enforced",
        service="Systems Manager",
        aws="A standard parameter holds at most 4 KB and an advanced one 8 KB; an advanced parameter cannot be "
            "changed back to standard; parameter policies (Expiration, ExpirationNotification, "
            "NoChangeNotification) act on the parameter.",
        engine="Tiers and policies are stored but not enforced: a standard parameter over 4 KB is accepted, an "
               "advanced one can be downgraded, and no policy ever acts.",
        doc="Managing parameter tiers",
        labs=("parameter-store",),
    ),
]

TRIGGERS = [
    Trigger("moto.ssm.responses.SimpleSystemManagerResponse.put_parameter", "ssm-securestring-not-encrypted",
            when=lambda response: response._get_param("Type") == "SecureString"),
    Trigger("moto.ssm.responses.SimpleSystemManagerResponse.put_parameter", "ssm-tiers-and-policies-not-enforced",
            when=lambda response: bool(response._get_param("Policies"))
            or response._get_param("Tier") in ("Advanced", "Intelligent-Tiering")),
]

PATCHES = [
    trigger_patch("ssm-notices", TRIGGERS),
    Patch(name="ssm-describe-parameters-own-only",
          changes="DescribeParameters leaves out AWS's public parameters (/aws/...), as AWS does",
          symbols=("moto.ssm.models.SimpleSystemManagerBackend.describe_parameters",),
          upstream="moto's describe_parameters should skip the public parameters it loads on first read"),
]


def describe_own_parameters(self, filters, parameter_filters):
    """``describe_parameters`` without AWS's public parameters (they are not in the caller's account)."""
    return [p for p in _original_describe(self, filters, parameter_filters) if not p.name.startswith(PUBLIC_PREFIX)]


def install() -> None:
    """Show the notices above when a lab meets them, and list only the account's parameters (idempotent)."""
    global _original_describe
    from moto.ssm.models import SimpleSystemManagerBackend

    install_triggers(TRIGGERS)
    if _original_describe is None:
        _original_describe = SimpleSystemManagerBackend.describe_parameters
        SimpleSystemManagerBackend.describe_parameters = describe_own_parameters
