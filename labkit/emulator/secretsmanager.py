"""Secrets Manager rotation: moto runs the rotation function's four steps itself, synchronously."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="secretsmanager-rotation-synchronous",
        service="Secrets Manager",
        aws="RotateSecret starts rotation asynchronously and returns at once; the rotation function's steps run in "
            "the background, and a failed step stops the rotation (the old value stays AWSCURRENT, AWSPENDING "
            "remains for the next attempt).",
        engine="RotateSecret invokes the function for the four steps synchronously, before it returns, carries on "
               "after a failed step, and then makes the new version current itself.",
        doc="RotateSecret",
        labs=("secrets-manager",),
    ),
]

TRIGGERS = [
    Trigger("moto.secretsmanager.responses.SecretsManagerResponse.rotate_secret",
            "secretsmanager-rotation-synchronous"),
]

PATCHES = [trigger_patch("secretsmanager-notices", TRIGGERS)]


def install() -> None:
    """Show the notice above when a lab meets it (idempotent)."""
    install_triggers(TRIGGERS)
