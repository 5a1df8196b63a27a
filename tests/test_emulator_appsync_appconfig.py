"""The 'Differs from AWS' notices of labkit/emulator/appsync.py and appconfig.py fire where a lab meets them, and
only there."""
from __future__ import annotations

import time
import warnings

import pytest

import labkit
from labkit.emulator import notices


def shown(call) -> list[str]:
    """The difference ids whose notice ``call()`` shows, from a fresh notice memory."""
    notices.reset()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [d.id for d in notices.differences() if any(d.aws in str(w.message) for w in caught)]


@pytest.fixture
def api(engine):
    appsync = labkit.client("appsync")
    api_id = appsync.create_graphql_api(name=labkit.name("notice"), authenticationType="API_KEY")["graphqlApi"][
        "apiId"]
    yield appsync, api_id
    appsync.delete_graphql_api(apiId=api_id)


def test_an_api_key_beyond_365_days_shows_the_notice(api):
    """CreateApiKey (AWS AppSync API Reference): 1 to 365 days; the engine accepts more, so the lab says so."""
    appsync, api_id = api
    assert "appsync-api-key-expiry-upper-bound" in shown(
        lambda: appsync.create_api_key(apiId=api_id, expires=int(time.time()) + 400 * 86400))
    assert "appsync-api-key-expiry-upper-bound" not in shown(
        lambda: appsync.create_api_key(apiId=api_id, expires=int(time.time()) + 30 * 86400))


def test_an_invalid_schema_upload_shows_no_notice(api):
    """The engine now validates schemas (labkit/emulator/appsync.py): no "differs" notice is left to show."""
    appsync, api_id = api
    assert shown(lambda: appsync.start_schema_creation(apiId=api_id,
                                                       definition=b"type Query { a: Undefined }")) == []


def test_a_feature_flag_version_shows_the_notice_and_a_freeform_one_does_not(engine):
    client = labkit.client("appconfig")
    app = client.create_application(Name=labkit.name("notice"))["Id"]
    flags = client.create_configuration_profile(ApplicationId=app, Name="f", LocationUri="hosted",
                                                Type="AWS.AppConfig.FeatureFlags")["Id"]
    free = client.create_configuration_profile(ApplicationId=app, Name="g", LocationUri="hosted",
                                               Type="AWS.Freeform")["Id"]

    def put(profile):
        return lambda: client.create_hosted_configuration_version(
            ApplicationId=app, ConfigurationProfileId=profile, Content=b"{}", ContentType="application/json")

    assert "appconfig-feature-flags-not-validated" not in shown(put(free))
    assert "appconfig-feature-flags-not-validated" in shown(put(flags))
    from labkit.inventory.appsync_appconfig import delete_application

    delete_application(client, app)
