"""Systems Manager Parameter Store: where the embedded engine differs from AWS."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

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

PATCHES = [trigger_patch("ssm-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
