"""labkit.exercises.appconfig: right and wrong answers, on the embedded engine."""
from __future__ import annotations

import copy
import json

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import appconfig as exercise

RIGHT = {
    "version": "1",
    "flags": {
        "checkout_v2": {"name": "New checkout", "attributes": {
            "discount_percent": {"constraints": {"type": "number", "minimum": 0, "maximum": 50}}}},
        "dark_mode": {"name": "Dark mode"},
    },
    "values": {
        "checkout_v2": {"enabled": True, "discount_percent": 10},
        "dark_mode": {"enabled": False},
    },
}


@pytest.fixture
def profile(engine):
    client = labkit.client("appconfig")
    app_id = client.create_application(Name=labkit.name("ex-shop"))["Id"]
    profile_id = client.create_configuration_profile(ApplicationId=app_id, Name="flags", LocationUri="hosted",
                                                     Type="AWS.AppConfig.FeatureFlags")["Id"]

    def put(document=RIGHT, content_type="application/json", raw=None):
        content = raw if raw is not None else json.dumps(document).encode()
        return client.create_hosted_configuration_version(ApplicationId=app_id, ConfigurationProfileId=profile_id,
                                                          Content=content, ContentType=content_type)["VersionNumber"]

    yield app_id, profile_id, put
    for version in client.list_hosted_configuration_versions(ApplicationId=app_id,
                                                             ConfigurationProfileId=profile_id)["Items"]:
        client.delete_hosted_configuration_version(ApplicationId=app_id, ConfigurationProfileId=profile_id,
                                                   VersionNumber=version["VersionNumber"])
    client.delete_configuration_profile(ApplicationId=app_id, ConfigurationProfileId=profile_id)
    client.delete_application(ApplicationId=app_id)


def changed(edit):
    document = copy.deepcopy(RIGHT)
    edit(document)
    return document


def test_right_answer_passes(profile):
    app_id, profile_id, put = profile
    verdict = evaluate(exercise.feature_flags, app_id, profile_id, put())
    assert verdict.passed, verdict.message


def test_placeholder_is_a_hint(profile):
    app_id, profile_id, _ = profile
    verdict = evaluate(exercise.feature_flags, app_id, profile_id, None)
    assert verdict.kind == "failed" and "my_version is still None" in verdict.message


def test_a_version_that_does_not_exist_is_a_hint(profile):
    app_id, profile_id, put = profile
    verdict = evaluate(exercise.feature_flags, app_id, profile_id, put() + 5)
    assert verdict.kind == "failed" and "has no version" in verdict.message


def test_wrong_content_type_fails(profile):
    app_id, profile_id, put = profile
    verdict = evaluate(exercise.feature_flags, app_id, profile_id, put(content_type="text/plain"))
    assert verdict.kind == "failed" and "ContentType is text/plain" in verdict.message


def test_numeric_version_fails(profile):
    app_id, profile_id, put = profile
    verdict = evaluate(exercise.feature_flags, app_id, profile_id,
                       put(changed(lambda d: d.update(version=1))))
    assert verdict.kind == "failed" and 'needs "version": "1"' in verdict.message


def test_enabled_as_a_string_fails(profile):
    app_id, profile_id, put = profile
    verdict = evaluate(exercise.feature_flags, app_id, profile_id,
                       put(changed(lambda d: d["values"]["dark_mode"].update(enabled="false"))))
    assert verdict.kind == "failed" and "values.dark_mode needs" in verdict.message


def test_flag_switched_the_wrong_way_fails(profile):
    app_id, profile_id, put = profile
    verdict = evaluate(exercise.feature_flags, app_id, profile_id,
                       put(changed(lambda d: d["values"]["checkout_v2"].update(enabled=False))))
    assert verdict.kind == "failed" and "checkout_v2 should be on" in verdict.message


def test_value_without_definition_fails(profile):
    app_id, profile_id, put = profile
    verdict = evaluate(exercise.feature_flags, app_id, profile_id,
                       put(changed(lambda d: d["flags"].pop("dark_mode"))))
    assert verdict.kind == "failed" and "which flags does not define" in verdict.message


def test_undefined_attribute_and_wrong_discount_fail(profile):
    app_id, profile_id, put = profile

    def edit(d):
        d["flags"]["checkout_v2"].pop("attributes")
        d["values"]["checkout_v2"]["discount_percent"] = "10"

    verdict = evaluate(exercise.feature_flags, app_id, profile_id, put(changed(edit)))
    assert verdict.kind == "failed" and "no attribute discount_percent" in verdict.message
    assert "set it to the number 10" in verdict.message


def test_invalid_flag_key_fails(profile):
    app_id, profile_id, put = profile

    def edit(d):
        d["flags"]["Dark Mode"] = {"name": "x"}
        d["values"]["Dark Mode"] = {"enabled": False}

    verdict = evaluate(exercise.feature_flags, app_id, profile_id, put(changed(edit)))
    assert verdict.kind == "failed" and "'Dark Mode' is not a valid flag key" in verdict.message


def test_not_json_fails(profile):
    app_id, profile_id, put = profile
    verdict = evaluate(exercise.feature_flags, app_id, profile_id, put(raw=b"checkout_v2=on"))
    assert verdict.kind == "failed" and "not valid JSON" in verdict.message


@pytest.mark.parametrize("edit, hint", [
    (lambda d: d["flags"]["checkout_v2"]["attributes"]["discount_percent"]["constraints"].update(maximum=5),
     "outside its constraints (minimum 0, maximum 5)"),
    (lambda d: d["flags"]["checkout_v2"]["attributes"]["discount_percent"].update(constraints={"type": "string"}),
     "which its constraint type 'string' does not allow"),
    (lambda d: d["flags"]["checkout_v2"]["attributes"].update(enabled={"constraints": {"type": "boolean"}}),
     "attribute named enabled"),
    (lambda d: d["flags"]["dark_mode"].update(attributes={"theme": {"constraints": {"type": "string",
                                                                                    "required": True}}}),
     "values.dark_mode has no theme, which its constraints mark required"),
    (lambda d: (d["flags"]["dark_mode"].update(attributes={"themes": {"constraints": {
        "type": "array", "elements": {"type": "string", "enum": ["dark", "light"]}}}}),
                d["values"]["dark_mode"].update(themes=["dark", "sepia"])),
     "'sepia', not one of its enum"),
])
def test_attribute_value_breaking_its_constraints_fails(profile, edit, hint):
    """AppConfig keeps an attribute value that breaks its constraints from being deployed: the check says so."""
    app_id, profile_id, put = profile
    verdict = evaluate(exercise.feature_flags, app_id, profile_id, put(changed(edit)))
    assert verdict.kind == "failed" and hint in verdict.message, verdict.message


def test_attribute_values_within_their_constraints_pass(profile):
    app_id, profile_id, put = profile

    def edit(d):
        d["flags"]["dark_mode"]["attributes"] = {"themes": {"constraints": {
            "type": "array", "elements": {"type": "string", "pattern": "^[a-z]+$"}}}}
        d["values"]["dark_mode"]["themes"] = ["dark", "light"]

    verdict = evaluate(exercise.feature_flags, app_id, profile_id, put(changed(edit)))
    assert verdict.passed, verdict.message


def test_lab_ids_overwritten_is_a_hint_not_a_broken_check(profile):
    verdict = evaluate(exercise.feature_flags, None, None, 1)
    assert verdict.kind == "failed" and "run the cells of Steps 1 and 3 again" in verdict.message, verdict.message


@pytest.fixture
def settings_profile(profile):
    """A freeform profile next to the flags profile, as the lab's Step 1 makes (`settings`)."""
    app_id, profile_id, put = profile
    client = labkit.client("appconfig")
    settings = client.create_configuration_profile(ApplicationId=app_id, Name="settings", LocationUri="hosted",
                                                   Type="AWS.Freeform")["Id"]

    def store(document):
        return client.create_hosted_configuration_version(
            ApplicationId=app_id, ConfigurationProfileId=settings, Content=json.dumps(document).encode(),
            ContentType="application/json")["VersionNumber"]

    yield settings, store
    for version in client.list_hosted_configuration_versions(ApplicationId=app_id,
                                                             ConfigurationProfileId=settings)["Items"]:
        client.delete_hosted_configuration_version(ApplicationId=app_id, ConfigurationProfileId=settings,
                                                   VersionNumber=version["VersionNumber"])
    client.delete_configuration_profile(ApplicationId=app_id, ConfigurationProfileId=settings)


def test_flags_stored_in_the_freeform_profile_name_the_wrong_profile(profile, settings_profile):
    """The flags profile has no such version: the hint says where the answer went, not 'no version'."""
    app_id, profile_id, _ = profile
    _, store = settings_profile
    store({"max_items_per_page": 20})
    version = store(RIGHT)  # version 2 of settings; the flags profile has none
    verdict = evaluate(exercise.feature_flags, app_id, profile_id, version)
    assert verdict.kind == "failed" and "profile 'settings' (AWS.Freeform)" in verdict.message, verdict.message
    assert "store(flags_profile" in verdict.message and "dark_mode" not in verdict.message


def test_flags_stored_in_the_freeform_profile_under_a_number_the_flags_profile_has(profile, settings_profile):
    """The flags profile's version with that number is another document: the hint is the wrong profile, not its
    missing flags (issue 16)."""
    app_id, profile_id, put = profile
    _, store = settings_profile
    put({"version": "1", "flags": {"gift_wrap": {"name": "Gift"}}, "values": {"gift_wrap": {"enabled": True}}})
    version = store(RIGHT)  # version 1 of settings, and version 1 of the flags profile is the gift_wrap document
    verdict = evaluate(exercise.feature_flags, app_id, profile_id, version)
    assert verdict.kind == "failed" and "profile 'settings' (AWS.Freeform)" in verdict.message, verdict.message
    assert "dark_mode" not in verdict.message


def test_the_freeform_profile_checked_is_a_hint(profile, settings_profile):
    app_id, _, _ = profile
    settings, store = settings_profile
    verdict = evaluate(exercise.feature_flags, app_id, settings, store(RIGHT))
    assert verdict.kind == "failed" and "of type AWS.Freeform, not AWS.AppConfig.FeatureFlags" in verdict.message, \
        verdict.message


def test_a_wrong_answer_in_the_flags_profile_still_gets_its_own_hints(profile, settings_profile):
    """A flags document elsewhere does not hide what is wrong with the one in the flags profile."""
    app_id, profile_id, put = profile
    _, store = settings_profile
    store(RIGHT)
    version = put(changed(lambda d: d["values"]["dark_mode"].update(enabled=True)))
    verdict = evaluate(exercise.feature_flags, app_id, profile_id, version)
    assert verdict.kind == "failed" and "dark_mode should be off" in verdict.message, verdict.message


def test_a_missing_version_is_not_blamed_on_another_profile_holding_other_content(profile, settings_profile):
    app_id, profile_id, _ = profile
    _, store = settings_profile
    version = store({"max_items_per_page": 20})  # settings has this number, but not a flags document
    verdict = evaluate(exercise.feature_flags, app_id, profile_id, version)
    assert verdict.kind == "failed" and f"has no version {version}" in verdict.message, verdict.message
