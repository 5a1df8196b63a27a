"""AWS AppConfig list operations the embedded engine adds (labkit/emulator/appconfig.py).

ListApplications and ListHostedConfigurationVersions (AWS AppConfig API Reference): each answers ``{"Items": [...]}``;
a hosted configuration version is listed with its VersionNumber, ContentType and VersionLabel, not its content.
"""
from __future__ import annotations

import pytest

import labkit


@pytest.fixture
def app(engine):
    client = labkit.client("appconfig")
    app_id = client.create_application(Name=labkit.name("conf-app"))["Id"]
    profile = client.create_configuration_profile(ApplicationId=app_id, Name="settings", LocationUri="hosted",
                                                  Type="AWS.Freeform")["Id"]
    yield client, app_id, profile
    for version in client.list_hosted_configuration_versions(ApplicationId=app_id,
                                                             ConfigurationProfileId=profile)["Items"]:
        client.delete_hosted_configuration_version(ApplicationId=app_id, ConfigurationProfileId=profile,
                                                   VersionNumber=version["VersionNumber"])
    client.delete_configuration_profile(ApplicationId=app_id, ConfigurationProfileId=profile)
    client.delete_application(ApplicationId=app_id)


def test_list_applications_lists_the_new_application(app):
    """ListApplications: "Lists all applications in your Amazon Web Services account" (Items: Id, Name)."""
    client, app_id, _ = app
    items = client.list_applications()["Items"]
    assert app_id in [item["Id"] for item in items]


def test_list_hosted_configuration_versions_lists_each_version_without_content(app):
    """ListHostedConfigurationVersions: one item per version of the profile, with VersionNumber and ContentType."""
    client, app_id, profile = app
    for n, label in ((1, "first"), (2, "second")):
        client.create_hosted_configuration_version(ApplicationId=app_id, ConfigurationProfileId=profile,
                                                   Content=b'{"n": %d}' % n, ContentType="application/json",
                                                   VersionLabel=label)
    items = client.list_hosted_configuration_versions(ApplicationId=app_id, ConfigurationProfileId=profile)["Items"]
    assert sorted(item["VersionNumber"] for item in items) == [1, 2]
    assert {item["VersionLabel"] for item in items} == {"first", "second"}
    assert all(item["ContentType"] == "application/json" and "Content" not in item for item in items)


@pytest.mark.embedded_only
def test_moto_still_lacks_the_list_operations(engine):
    """When this fails, moto implements ListApplications upstream and labkit's can go."""
    from labkit.emulator import appconfig as patch

    labkit.client("appconfig").list_applications()  # loads moto's appconfig, so the lazy install has run
    assert patch.moto_had_list_applications is False
    from moto.appconfig.responses import AppConfigResponse

    assert AppConfigResponse.list_hosted_configuration_versions is patch.list_hosted_configuration_versions
