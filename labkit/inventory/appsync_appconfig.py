"""Kinds of AWS AppSync (GraphQL APIs; their keys, schema and cache go with them) and AWS AppConfig (applications;
their environments, configuration profiles and hosted configuration versions go with them)."""
from __future__ import annotations

from botocore.exceptions import ClientError

from . import kind, pages


@kind("appsync.graphql-api", "appsync", 35, lambda client, api_id: client.delete_graphql_api(apiId=api_id))
def list_graphql_apis(client):
    return [api["apiId"] for api in pages(client, "list_graphql_apis", "graphqlApis")]


def delete_application(client, app_id: str) -> None:
    """Delete what AppConfig keeps under the application (hosted configuration versions, configuration profiles,
    environments), then the application ("DeleteApplication", "DeleteConfigurationProfile", AWS AppConfig API
    Reference: a profile and its versions are deleted one by one)."""
    for profile in pages(client, "list_configuration_profiles", "Items", ApplicationId=app_id):
        for version in pages(client, "list_hosted_configuration_versions", "Items", ApplicationId=app_id,
                             ConfigurationProfileId=profile["Id"]):
            client.delete_hosted_configuration_version(ApplicationId=app_id, ConfigurationProfileId=profile["Id"],
                                                       VersionNumber=version["VersionNumber"])
        client.delete_configuration_profile(ApplicationId=app_id, ConfigurationProfileId=profile["Id"])
    try:
        environments = list(pages(client, "list_environments", "Items", ApplicationId=app_id))
    except ClientError:  # the embedded engine has no environments (labkit/emulator/appconfig.py)
        environments = []
    for environment in environments:
        client.delete_environment(ApplicationId=app_id, EnvironmentId=environment["Id"])
    client.delete_application(ApplicationId=app_id)


@kind("appconfig.application", "appconfig", 36, delete_application)
def list_applications(client):
    return [app["Id"] for app in pages(client, "list_applications", "Items")]
