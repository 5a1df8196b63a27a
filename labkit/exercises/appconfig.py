"""Checks for labs/appconfig."""
from __future__ import annotations

import json
import re

from botocore.exceptions import ClientError

from ..checks import Verdict, expect, failed, passed
from ..engines import current

FLAG_NAME = re.compile(r"^[a-z][a-zA-Z\d_-]{0,63}$")
"""A flag's (and an attribute's) key, as the AWS.AppConfig.FeatureFlags type reference allows it."""
DISCOUNT = 10
"""The discount_percent the exercise asks checkout_v2 to carry."""


ATTRIBUTE_TYPES = {"string": str, "number": (int, float), "boolean": bool}
"""An attribute constraint's ``type`` and the JSON value it allows; an ``array`` holds strings or numbers, each
judged by its ``elements`` constraints ("Understanding the type reference for AWS.AppConfig.FeatureFlags")."""


def _attribute_hints(flags: dict, values: dict) -> list[str]:
    """What AppConfig would not deploy in the attributes: the reserved name ``enabled``, and a value that breaks its
    definition's constraints (type, required, minimum, maximum, enum, pattern; "Creating a feature flag
    configuration profile in AWS AppConfig": constraints keep unexpected attribute values from being deployed).
    Returns one hint per problem; raises nothing."""
    hints = []
    for flag, definition in flags.items():
        attributes = (definition.get("attributes") if isinstance(definition, dict) else None) or {}
        value = values.get(flag) if isinstance(values.get(flag), dict) else {}
        for name, attribute in attributes.items() if isinstance(attributes, dict) else ():
            if name == "enabled":
                hints.append(f"{flag} defines an attribute named enabled: that name is reserved for the flag's "
                             "on/off state, choose another")
                continue
            constraints = (attribute.get("constraints") if isinstance(attribute, dict) else None) or {}
            if not isinstance(constraints, dict) or name not in value:
                if isinstance(constraints, dict) and constraints.get("required"):
                    hints.append(f"values.{flag} has no {name}, which its constraints mark required")
                continue
            kind, given = constraints.get("type"), value[name]
            if kind == "array":
                constraints = constraints.get("elements") if isinstance(constraints.get("elements"), dict) else {}
                items = given if isinstance(given, list) else None
                kind = constraints.get("type")
            else:
                items = [given]
            if kind is not None and kind not in ATTRIBUTE_TYPES:
                hints.append(f"{flag}.attributes.{name} has constraint type {kind!r}: AppConfig knows string, "
                             "number, boolean and array (of strings or numbers)")
                continue
            wanted = ATTRIBUTE_TYPES.get(kind) if kind else (str, int, float)
            if items is None or (any(
                    not isinstance(item, wanted) or (isinstance(item, bool) and wanted is not bool)
                    for item in items)):
                hints.append(f"values.{flag}.{name} is {given!r}, which its constraint type "
                             f"{constraints.get('type')!r} does not allow")
                continue
            for item in items:
                low, high = constraints.get("minimum"), constraints.get("maximum")
                if isinstance(item, (int, float)) and not isinstance(item, bool) and (
                        (isinstance(low, (int, float)) and item < low) or (isinstance(high, (int, float))
                                                                           and item > high)):
                    hints.append(f"values.{flag}.{name} is {item!r}, outside its constraints (minimum {low}, "
                                 f"maximum {high}): AppConfig would not deploy it")
                elif isinstance(constraints.get("enum"), list) and item not in constraints["enum"]:
                    hints.append(f"values.{flag}.{name} is {item!r}, not one of its enum {constraints['enum']}")
                elif isinstance(constraints.get("pattern"), str) and isinstance(item, str) and not _matches(
                        constraints["pattern"], item):
                    hints.append(f"values.{flag}.{name} is {item!r}, which does not match its pattern "
                                 f"{constraints['pattern']!r}")
    return hints


def _matches(pattern: str, text: str) -> bool:
    """True when ``text`` matches the JSON Schema ``pattern`` (searched, as JSON Schema does); a pattern Python
    cannot read is not held against the learner."""
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return True


FEATURE_FLAGS = "AWS.AppConfig.FeatureFlags"
"""The configuration profile type whose hosted versions are feature-flag documents (CreateConfigurationProfile)."""


def _flags_document(body: bytes) -> dict | None:
    """The feature-flag document in ``body`` when it is one that defines ``checkout_v2`` (the exercise's answer),
    else None. Raises nothing."""
    try:
        document = json.loads(body)
    except ValueError:
        return None
    flags = document.get("flags") if isinstance(document, dict) else None
    return document if isinstance(flags, dict) and "checkout_v2" in flags else None


def _stored_elsewhere(appconfig, app_id, profile_id, version_number) -> str | None:
    """The hint for an answer stored in another profile of the application: when a profile other than
    ``profile_id`` holds version ``version_number`` and that version is the exercise's flags document, a sentence
    naming that profile (its name and type); otherwise None. AppConfig numbers versions per profile, so the same
    number can exist in several. Raises nothing for a profile or version it cannot read."""
    try:
        profiles = appconfig.list_configuration_profiles(ApplicationId=app_id).get("Items", [])
    except ClientError:
        return None
    for other in profiles:
        if other.get("Id") == profile_id:
            continue
        try:
            got = appconfig.get_hosted_configuration_version(ApplicationId=app_id, ConfigurationProfileId=other["Id"],
                                                             VersionNumber=version_number)
        except ClientError:
            continue
        if _flags_document(got["Content"].read()) is not None:
            return (f"Your flags document is version {version_number} of the profile {other.get('Name')!r} "
                    f"({other.get('Type') or 'AWS.Freeform'}), not of the feature-flag profile flags_profile: "
                    "store it with store(flags_profile, ...) (or ConfigurationProfileId=flags_profile) and put that "
                    "VersionNumber in my_version.")
    return None


def feature_flags(app_id, profile_id, version_number) -> Verdict:
    """Hosted configuration version ``version_number`` of profile ``profile_id`` (application ``app_id``) is a
    feature-flag document with ``checkout_v2`` on (attribute ``discount_percent`` = 10, a number) and
    ``dark_mode`` off.

    What is judged ("Understanding the type reference for AWS.AppConfig.FeatureFlags", "Creating a feature flag
    configuration profile in AWS AppConfig"): content type ``application/json``; ``"version": "1"``; every flag
    key matches ``^[a-z][a-zA-Z\\d_-]{0,63}$``; each flag has a definition under ``flags`` and a value under
    ``values`` with a boolean ``enabled``; the attribute ``discount_percent`` is defined on ``checkout_v2`` and
    its value is the number 10; every attribute value meets its definition's constraints (type, minimum, maximum,
    enum, pattern, required) and no attribute is named ``enabled``. The embedded engine stores any content (a
    registered difference), so the check validates the document itself. A ``profile_id`` that is not of type
    AWS.AppConfig.FeatureFlags, or an answer stored in another profile of the application (found by
    ListConfigurationProfiles), gets a hint naming the profile. ``version_number``: the VersionNumber (int) that
    create_hosted_configuration_version returned. Returns a :class:`Verdict`.
    """
    if isinstance(version_number, bool):
        version_number = None
    expect(version_number, "my_version", int, "the VersionNumber that create_hosted_configuration_version "
                                              "returned (an int)")
    if not isinstance(app_id, str) or not isinstance(profile_id, str) or not app_id or not profile_id:
        return failed("app_id and flags_profile no longer hold the lab's application and profile ids (strings): run "
                      "the cells of Steps 1 and 3 again, then your answer cell.")
    appconfig = current().client("appconfig")
    try:
        kind = appconfig.get_configuration_profile(ApplicationId=app_id, ConfigurationProfileId=profile_id).get("Type")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("ResourceNotFoundException", "BadRequestException"):
            raise
        return failed("app_id and flags_profile no longer name the lab's application and feature-flag profile: run "
                      "the cells of Steps 1 and 3 again, then your answer cell.")
    if kind != FEATURE_FLAGS:
        return failed(f"The profile checked is of type {kind or 'AWS.Freeform'}, not {FEATURE_FLAGS}: the check "
                      "reads flags_profile (the feature-flag profile of Step 3); store your version there.")
    try:
        got = appconfig.get_hosted_configuration_version(ApplicationId=app_id, ConfigurationProfileId=profile_id,
                                                         VersionNumber=version_number)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("ResourceNotFoundException", "BadRequestException"):
            raise
        elsewhere = _stored_elsewhere(appconfig, app_id, profile_id, version_number)
        if elsewhere:
            return failed(elsewhere)
        return failed(f"The flags profile has no version {version_number}: run your "
                      "create_hosted_configuration_version cell (on the lab's app_id and flags_profile) again and "
                      "put its VersionNumber in my_version.")
    content_type = (got.get("ContentType") or "").split(";")[0].strip()
    body = got["Content"].read()
    if content_type != "application/json":
        return failed(f"The version's ContentType is {content_type or 'missing'}: feature flags are JSON, "
                      "so pass ContentType='application/json'.")
    try:
        document = json.loads(body)
    except ValueError:
        return failed("The content is not valid JSON: build a dict and pass json.dumps(flags).encode() as Content.")
    if not isinstance(document, dict):
        return failed("The content must be a JSON object with version, flags and values.")
    hints = []
    if document.get("version") != "1":
        hints.append(f'version is {document.get("version")!r}: the feature flag format needs "version": "1" '
                     "(a string)")
    flags, values = document.get("flags"), document.get("values")
    if not isinstance(flags, dict) or not isinstance(values, dict):
        hints.append("the document needs two objects: flags (the definitions) and values (each flag's state)")
        return failed("; ".join(hints) + ".")
    for name in list(flags) + list(values):
        if not FLAG_NAME.match(name):
            hints.append(f"{name!r} is not a valid flag key (a lowercase letter, then up to 63 letters, digits, "
                         "_ or -)")
    for name in values:
        if name not in flags:
            hints.append(f"values has {name!r}, which flags does not define: every value needs a definition")
    for name, value in values.items():
        if not isinstance(value, dict) or not isinstance(value.get("enabled"), bool):
            hints.append(f"values.{name} needs \"enabled\": true or false (a JSON boolean, not a string)")
    wanted = {"checkout_v2": True, "dark_mode": False}
    for name, state in wanted.items():
        value = values.get(name)
        if name not in flags or not isinstance(value, dict):
            hints.append(f"define {name} under flags and give it a value under values")
        elif value.get("enabled") is not state and isinstance(value.get("enabled"), bool):
            hints.append(f"{name} should be {'on' if state else 'off'} (enabled: {str(state).lower()})")
    checkout = flags.get("checkout_v2") if isinstance(flags.get("checkout_v2"), dict) else {}
    if "discount_percent" not in (checkout.get("attributes") or {}):
        hints.append("checkout_v2 has no attribute discount_percent under flags.checkout_v2.attributes")
    discount = (values.get("checkout_v2") or {}).get("discount_percent") if isinstance(
        values.get("checkout_v2"), dict) else None
    if isinstance(discount, bool) or not isinstance(discount, (int, float)) or discount != DISCOUNT:
        hints.append(f"values.checkout_v2.discount_percent is {discount!r}: set it to the number {DISCOUNT}")
    hints += _attribute_hints(flags, values)
    if hints and "checkout_v2" not in flags:
        elsewhere = _stored_elsewhere(appconfig, app_id, profile_id, version_number)
        if elsewhere:
            return failed(elsewhere)
    if hints:
        return failed("; ".join(dict.fromkeys(hints)) + ".")
    return passed(f"Version {version_number} is a valid feature-flag document: checkout_v2 on with a "
                  f"{DISCOUNT} % discount, dark_mode off. On AWS the next step is StartDeployment to an environment.")
