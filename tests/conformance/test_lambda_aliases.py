"""Lambda aliases on the embedded engine: each test asserts the value AWS documents.

Pages: "Implement Lambda canary deployments using a weighted alias" (AWS Lambda Developer Guide: at most two
versions, both published — never $LATEST —, same execution role, same dead-letter queue configuration);
"CreateAlias", "UpdateAlias" and "AliasRoutingConfiguration" (AWS Lambda API Reference).
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from _lambda_conformance import create_function


@pytest.fixture(scope="module")
def lam(engine):
    import labkit

    return labkit.client("lambda")


@pytest.fixture(scope="module")
def role(engine):
    import labkit

    return labkit.lambda_role()


@pytest.fixture(scope="module")
def versions(lam, role):
    """A function with three published versions: (name, ["1", "2", "3"])."""
    name = create_function(lam, role, "conf-alias")
    published = []
    for index in range(3):
        lam.update_function_configuration(FunctionName=name, Description=f"release {index}")
        published.append(lam.publish_version(FunctionName=name)["Version"])
    return name, published


def error_code(call, **kwargs) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"]


def test_a_weighted_alias_between_two_published_versions_is_accepted(lam, versions):
    """"Implement Lambda canary deployments using a weighted alias": an alias may send a share of its traffic to one
    additional published version."""
    import labkit

    name, (v1, v2, _) = versions
    alias = lam.create_alias(FunctionName=name, Name=labkit.name("canary"), FunctionVersion=v1,
                             RoutingConfig={"AdditionalVersionWeights": {v2: 0.1}})
    assert alias["RoutingConfig"]["AdditionalVersionWeights"] == {v2: 0.1}


def test_an_alias_routes_to_at_most_two_versions(lam, versions):
    """"Implement Lambda canary deployments using a weighted alias": you can point an alias to a maximum of two
    versions, so AdditionalVersionWeights names one version at most."""
    import labkit

    name, (v1, v2, v3) = versions
    assert error_code(lam.create_alias, FunctionName=name, Name=labkit.name("three"), FunctionVersion=v1,
                      RoutingConfig={"AdditionalVersionWeights": {v2: 0.1, v3: 0.1}}
                      ) == "InvalidParameterValueException"


def test_update_alias_cannot_add_a_third_version(lam, versions):
    """"UpdateAlias" with the rule of "Implement Lambda canary deployments using a weighted alias": still two
    versions at most."""
    import labkit

    name, (v1, v2, v3) = versions
    alias = labkit.name("grow")
    lam.create_alias(FunctionName=name, Name=alias, FunctionVersion=v1,
                     RoutingConfig={"AdditionalVersionWeights": {v2: 0.1}})
    assert error_code(lam.update_alias, FunctionName=name, Name=alias,
                      RoutingConfig={"AdditionalVersionWeights": {v2: 0.1, v3: 0.2}}
                      ) == "InvalidParameterValueException"
    assert lam.get_alias(FunctionName=name, Name=alias)["RoutingConfig"]["AdditionalVersionWeights"] == {v2: 0.1}


def test_a_weighted_alias_cannot_point_to_latest(lam, versions):
    """"Implement Lambda canary deployments using a weighted alias": both versions must be published; the alias
    cannot point to $LATEST."""
    import labkit

    name, (_, v2, _) = versions
    assert error_code(lam.create_alias, FunctionName=name, Name=labkit.name("latest"), FunctionVersion="$LATEST",
                      RoutingConfig={"AdditionalVersionWeights": {v2: 0.1}}) == "InvalidParameterValueException"


def test_latest_cannot_be_the_additional_version(lam, versions):
    """"AliasRoutingConfiguration" (API Reference): the keys of AdditionalVersionWeights match [0-9]+, so $LATEST
    is refused; "Implement Lambda canary deployments using a weighted alias": never $LATEST."""
    import labkit

    name, (v1, _, _) = versions
    code = error_code(lam.create_alias, FunctionName=name, Name=labkit.name("to-latest"), FunctionVersion=v1,
                      RoutingConfig={"AdditionalVersionWeights": {"$LATEST": 0.1}})
    assert code in ("ValidationException", "InvalidParameterValueException")


def test_an_alias_without_routing_may_point_to_latest(lam, versions):
    """"CreateAlias" (API Reference): FunctionVersion matches (\\$LATEST|[0-9]+); only a weighted alias needs
    published versions."""
    import labkit

    name, _ = versions
    alias = lam.create_alias(FunctionName=name, Name=labkit.name("dev"), FunctionVersion="$LATEST")
    assert alias["FunctionVersion"] == "$LATEST"


def test_versions_with_different_roles_cannot_share_a_weighted_alias(lam, role):
    """"Implement Lambda canary deployments using a weighted alias": both versions must have the same execution
    role."""
    import labkit

    name = create_function(lam, role, "conf-alias-role")
    v1 = lam.publish_version(FunctionName=name)["Version"]
    lam.update_function_configuration(FunctionName=name, Role=labkit.lambda_role(base="conf-other-role"))
    v2 = lam.publish_version(FunctionName=name)["Version"]
    assert error_code(lam.create_alias, FunctionName=name, Name=labkit.name("roles"), FunctionVersion=v1,
                      RoutingConfig={"AdditionalVersionWeights": {v2: 0.5}}) == "InvalidParameterValueException"


def test_versions_with_different_dead_letter_queues_cannot_share_a_weighted_alias(lam, role):
    """"Implement Lambda canary deployments using a weighted alias": both versions must have the same dead-letter
    queue configuration, or none."""
    import labkit

    sqs = labkit.client("sqs")
    url = sqs.create_queue(QueueName=labkit.name("conf-alias-dlq"))["QueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = create_function(lam, role, "conf-alias-dlq")
    v1 = lam.publish_version(FunctionName=name)["Version"]
    lam.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": dlq})
    v2 = lam.publish_version(FunctionName=name)["Version"]
    assert error_code(lam.create_alias, FunctionName=name, Name=labkit.name("dlqs"), FunctionVersion=v1,
                      RoutingConfig={"AdditionalVersionWeights": {v2: 0.5}}) == "InvalidParameterValueException"
