"""Amazon Cognito user pools and identity pools: where the embedded engine differs from AWS."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="cognito-no-messages-sent",
        service="Cognito",
        aws="A user who signs up receives a confirmation code (or link) by email or SMS and stays UNCONFIRMED, "
            "unable to sign in, until ConfirmSignUp with that code.",
        engine="No email or SMS is sent, so there is no code to confirm with; confirm users with "
               "AdminConfirmSignUp.",
        doc="Signing up and confirming user accounts",
        labs=("cognito",),
    ),
    Difference(
        id="cognito-identity-credentials-placeholder",
        service="Cognito",
        aws="GetCredentialsForIdentity validates the login token, then calls AssumeRoleWithWebIdentity with the "
            "identity pool's authenticated or unauthenticated role (set with SetIdentityPoolRoles) and returns "
            "that role's temporary credentials.",
        engine="Any login string is accepted, guest identities are issued even where the pool forbids them, the "
               "credentials are fixed placeholders (not a role's keys), and SetIdentityPoolRoles is not "
               "implemented.",
        doc="Identity pools authentication flow",
        labs=("cognito",),
    ),
]

TRIGGERS = [
    Trigger("moto.cognitoidp.responses.CognitoIdpResponse.sign_up", "cognito-no-messages-sent"),
    Trigger("moto.cognitoidentity.responses.CognitoIdentityResponse.get_credentials_for_identity",
            "cognito-identity-credentials-placeholder"),
]

PATCHES = [trigger_patch("cognito-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
