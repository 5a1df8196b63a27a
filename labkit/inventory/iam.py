"""IAM kinds: users, groups, roles, customer managed policies, instance profiles (detached before deletion)."""
from __future__ import annotations

from . import kind, pages


def delete_user(iam, user: str) -> None:
    for group in pages(iam, "list_groups_for_user", "Groups", UserName=user):
        iam.remove_user_from_group(GroupName=group["GroupName"], UserName=user)
    for key in pages(iam, "list_access_keys", "AccessKeyMetadata", UserName=user):
        iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    for policy in pages(iam, "list_attached_user_policies", "AttachedPolicies", UserName=user):
        iam.detach_user_policy(UserName=user, PolicyArn=policy["PolicyArn"])
    for policy in pages(iam, "list_user_policies", "PolicyNames", UserName=user):
        iam.delete_user_policy(UserName=user, PolicyName=policy)
    try:
        iam.delete_login_profile(UserName=user)
    except iam.exceptions.NoSuchEntityException:
        pass
    iam.delete_user(UserName=user)


def delete_group(iam, group: str) -> None:
    for user in iam.get_group(GroupName=group).get("Users", []):
        iam.remove_user_from_group(GroupName=group, UserName=user["UserName"])
    for policy in pages(iam, "list_attached_group_policies", "AttachedPolicies", GroupName=group):
        iam.detach_group_policy(GroupName=group, PolicyArn=policy["PolicyArn"])
    for policy in pages(iam, "list_group_policies", "PolicyNames", GroupName=group):
        iam.delete_group_policy(GroupName=group, PolicyName=policy)
    iam.delete_group(GroupName=group)


def delete_role(iam, role: str) -> None:
    for profile in pages(iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=role):
        iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=role)
    for policy in pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role):
        iam.detach_role_policy(RoleName=role, PolicyArn=policy["PolicyArn"])
    for policy in pages(iam, "list_role_policies", "PolicyNames", RoleName=role):
        iam.delete_role_policy(RoleName=role, PolicyName=policy)
    iam.delete_role(RoleName=role)


def delete_policy(iam, arn: str) -> None:
    for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
        if not version["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    iam.delete_policy(PolicyArn=arn)


@kind("iam.user", "iam", 100, delete_user)
def list_users(iam):
    return [u["UserName"] for u in pages(iam, "list_users", "Users")]


@kind("iam.group", "iam", 101, delete_group)
def list_groups(iam):
    return [g["GroupName"] for g in pages(iam, "list_groups", "Groups")]


@kind("iam.instance-profile", "iam", 102,
      lambda iam, name: iam.delete_instance_profile(InstanceProfileName=name))
def list_instance_profiles(iam):
    return [p["InstanceProfileName"] for p in pages(iam, "list_instance_profiles", "InstanceProfiles")]


@kind("iam.role", "iam", 101, delete_role)
def list_roles(iam):
    return [r["RoleName"] for r in pages(iam, "list_roles", "Roles")]


@kind("iam.policy", "iam", 103, delete_policy)
def list_policies(iam):
    return [p["Arn"] for p in pages(iam, "list_policies", "Policies", Scope="Local")]
