"""Kinds of the security services: KMS keys and aliases, SSM parameters, Secrets Manager secrets, Cognito pools.

KMS keys cannot be deleted at once: cleanup schedules their deletion with the shortest waiting period AWS allows
(7 days), and a key pending deletion no longer counts as existing. AWS managed keys (``alias/aws/...``) are
never listed: nobody can delete them.

Keys and Cognito pools have generated ids; their identifiers here are ``"<id> <name>"`` (a key's name: its
aliases, else its description), so that on real AWS cleanup recognises what labkit named (``dva-...``).
"""
from __future__ import annotations

from . import kind, pages


def delete_secret(client, arn: str) -> None:
    client.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)


@kind("secretsmanager.secret", "secretsmanager", 15, delete_secret)
def list_secrets(client):
    return [s["ARN"] for s in pages(client, "list_secrets", "SecretList") if not s.get("DeletedDate")]


@kind("ssm.parameter", "ssm", 55, lambda client, name: client.delete_parameter(Name=name))
def list_parameters(client):
    # /aws/... are AWS's public parameters (the embedded engine lists them once they have been read)
    return [p["Name"] for p in pages(client, "describe_parameters", "Parameters") if not p["Name"].startswith("/aws/")]


def delete_identity_pool(client, identifier: str) -> None:
    client.delete_identity_pool(IdentityPoolId=identifier.split()[0])


@kind("cognito-identity.identity-pool", "cognito-identity", 65, delete_identity_pool)
def list_identity_pools(client):
    # identity pool names allow no hyphens: labs use labkit.name(...).replace("-", "_")
    return [f"{p['IdentityPoolId']} {p['IdentityPoolName'].replace('_', '-')}"
            for p in pages(client, "list_identity_pools", "IdentityPools", MaxResults=60)]


def delete_user_pool(client, identifier: str) -> None:
    pool_id = identifier.split()[0]
    domain = client.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("Domain")
    if domain:
        client.delete_user_pool_domain(Domain=domain, UserPoolId=pool_id)
    client.delete_user_pool(UserPoolId=pool_id)


@kind("cognito-idp.user-pool", "cognito-idp", 66, delete_user_pool)
def list_user_pools(client):
    return [f"{p['Id']} {p['Name']}" for p in pages(client, "list_user_pools", "UserPools", MaxResults=60)]


@kind("kms.alias", "kms", 80, lambda client, alias: client.delete_alias(AliasName=alias))
def list_aliases(client):
    return [a["AliasName"] for a in pages(client, "list_aliases", "Aliases")
            if not a["AliasName"].startswith("alias/aws/")]


def schedule_key_deletion(client, identifier: str) -> None:
    client.schedule_key_deletion(KeyId=identifier.split()[0], PendingWindowInDays=7)


@kind("kms.key", "kms", 85, schedule_key_deletion)
def list_keys(client):
    aliases: dict[str, list[str]] = {}
    for alias in pages(client, "list_aliases", "Aliases"):
        if alias.get("TargetKeyId"):
            aliases.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    keys = []
    for key in pages(client, "list_keys", "Keys"):
        metadata = client.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        if metadata.get("KeyManager") == "CUSTOMER" and metadata.get("KeyState") != "PendingDeletion":
            label = " ".join(sorted(aliases.get(key["KeyId"], []))) or metadata.get("Description") or ""
            keys.append(f"{key['KeyId']} {label}".strip())
    return keys
