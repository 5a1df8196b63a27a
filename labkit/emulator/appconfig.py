"""AWS AppConfig on the embedded engine: what moto 5.2.5 stores, and what it lacks.

moto keeps AppConfig applications, configuration profiles and hosted configuration versions, but answers
ListApplications with HTTP 500 (NotImplementedError) and has no ListHostedConfigurationVersions, so cleanup could not
find what a lab made. labkit adds both list operations, shaped as the AWS AppConfig API Reference documents them
("ListApplications", "ListHostedConfigurationVersions": ``{"Items": [...]}``). Environments, deployment strategies,
deployments and the AppConfig Data API are not emulated: the differences below say so, and the lab shows them.
"""
from __future__ import annotations

import json

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference, Patch

PATCHES = [
    Patch(
        name="appconfig-list-operations",
        changes="ListApplications and ListHostedConfigurationVersions answer {\"Items\": [...]} from moto's "
                "AppConfig backend (moto answers ListApplications with HTTP 500 and has no "
                "list_hosted_configuration_versions), so cleanup and leftovers() see what a lab made.",
        symbols=("moto.appconfig.responses.AppConfigResponse",
                 "moto.appconfig.models.AppConfigBackend.get_application",
                 "moto.appconfig.models.AppConfigBackend.get_configuration_profile"),
        upstream="moto appconfig: implement list_applications and list_hosted_configuration_versions.",
    ),
]

DIFFERENCES = [
    Difference(
        id="appconfig-no-environments-or-deployments",
        service="AppConfig",
        aws="An application has environments; StartDeployment deploys a configuration version to an environment "
            "with a deployment strategy (linear or exponential growth over DeploymentDurationInMinutes, then a "
            "final bake time while CloudWatch alarms can roll it back).",
        engine="Environments, deployment strategies and deployments are not implemented (the engine answers 404), "
               "so the lab computes a strategy's rollout instead of running one.",
        doc="Working with deployment strategies",
        labs=("appconfig",),
    ),
    Difference(
        id="appconfig-no-data-api",
        service="AppConfig",
        aws="An application reads its deployed configuration with the AppConfig Data API: StartConfigurationSession "
            "returns an InitialConfigurationToken; each GetLatestConfiguration returns the configuration (empty "
            "when unchanged), a NextPollConfigurationToken and NextPollIntervalInSeconds.",
        engine="The AppConfig Data API (appconfigdata) is not implemented (the engine answers 404), and nothing is "
               "ever deployed to read: the lab shows the polling code (latest()) without running it.",
        doc="GetLatestConfiguration",
        labs=("appconfig",),
    ),
    Difference(
        id="appconfig-feature-flags-not-validated",
        service="AppConfig",
        aws="A hosted configuration version of an AWS.AppConfig.FeatureFlags profile must match the feature flag "
            "type schema (a version, flag definitions and their values); AppConfig refuses one that does not.",
        engine="Any content is stored as given, so the lab's check validates the feature-flag document itself.",
        doc="Understanding the type reference for AWS.AppConfig.FeatureFlags",
        labs=("appconfig",),
    ),
]



def _feature_flags_profile(backend, app_id, config_profile_id, *args, **kwargs) -> bool:
    """True when the hosted version is created in a feature-flag profile (which AWS validates, the engine not)."""
    return backend.get_configuration_profile(app_id, config_profile_id)._type == "AWS.AppConfig.FeatureFlags"


TRIGGERS = [
    Trigger("moto.appconfig.models.AppConfigBackend.create_hosted_configuration_version",
            "appconfig-feature-flags-not-validated", when=_feature_flags_profile),
]

PATCHES.append(trigger_patch("appconfig-notices", TRIGGERS))

moto_had_list_applications = None  # what moto's AppConfigResponse defined itself before install()


def list_applications(self) -> str:
    """ListApplications: every application of the account and Region (``{"Items": [{Id, Name, Description}]}``)."""
    apps = self.appconfig_backend.applications.values()
    return json.dumps({"Items": [app.to_json() for app in apps]})


def list_hosted_configuration_versions(self) -> str:
    """ListHostedConfigurationVersions: the versions of one profile, newest first, without their content."""
    app_id = self._get_param("ApplicationId")
    profile_id = self._get_param("ConfigurationProfileId")
    profile = self.appconfig_backend.get_configuration_profile(app_id, profile_id)
    items = []
    for number in sorted(profile.config_versions, reverse=True):
        version = profile.config_versions[number]
        item = {"ApplicationId": app_id, "ConfigurationProfileId": profile_id, "VersionNumber": number,
                "ContentType": version.content_type}
        if version.description is not None:
            item["Description"] = version.description
        if version.version_label is not None:
            item["VersionLabel"] = version.version_label
        items.append(item)
    return json.dumps({"Items": items})


def install() -> None:
    """Add the two list operations to moto's AppConfig responses, and the notices (idempotent)."""
    global moto_had_list_applications
    from moto.appconfig.responses import AppConfigResponse

    if moto_had_list_applications is None:
        moto_had_list_applications = "list_applications" in vars(AppConfigResponse)
        AppConfigResponse.list_applications = list_applications
        AppConfigResponse.list_hosted_configuration_versions = list_hosted_configuration_versions
    install_triggers(TRIGGERS)
