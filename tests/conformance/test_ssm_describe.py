"""Parameter Store: DescribeParameters lists the account's own parameters, never AWS's public ones."""
from __future__ import annotations

import labkit
from labkit.emulator import ssm

PUBLIC = "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id"


def test_describe_parameters_lists_only_the_accounts_parameters(engine):
    """DescribeParameters (AWS Systems Manager API Reference): "Lists the parameters in your Amazon Web Services
    account or the parameters shared with you" — public parameters such as the ECS-optimised AMI ids can be read
    (GetParameter) but are not listed."""
    client = labkit.client("ssm")
    name = f"/{labkit.name('conformance')}/setting"
    client.put_parameter(Name=name, Value="v", Type="String")
    try:
        assert client.get_parameter(Name=PUBLIC)["Parameter"]["Value"]  # readable…
        listed = [p["Name"] for page in client.get_paginator("describe_parameters").paginate() for p in page["Parameters"]]
        assert name in listed
        assert not [n for n in listed if n.startswith("/aws/")]  # …but not listed as the account's own
    finally:
        client.delete_parameter(Name=name)


def test_moto_still_lists_public_parameters(engine):
    """Without labkit's fix moto lists the public parameters it has loaded: when this fails, moto fixed it upstream
    and labkit.emulator.ssm's patch can go."""
    from moto.ssm.models import ssm_backends

    labkit.client("ssm").get_parameter(Name=PUBLIC)
    backend = ssm_backends[labkit.engine().account_id][labkit.engine().region]
    assert any(p.name.startswith("/aws/") for p in ssm._original_describe(backend, [], []))
