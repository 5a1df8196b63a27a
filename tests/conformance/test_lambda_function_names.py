"""Lambda: the alias operations accept FunctionName as a name, an ARN or a partial ARN."""
from __future__ import annotations

import pytest

from _lambda_conformance import create_function


@pytest.fixture(scope="module")
def lam(engine):
    import labkit

    return labkit.client("lambda")


def test_list_and_get_alias_accept_every_function_name_format(lam):
    """ListAliases / GetAlias (AWS Lambda API Reference): FunctionName "Name formats — Function name, Function ARN,
    Partial ARN"."""
    import labkit

    name = create_function(lam, labkit.lambda_role(), "conf-names")
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    partial = arn.split(":", 4)[4]  # 123456789012:function:name
    for form in (name, arn, partial):
        assert [a["Name"] for a in lam.list_aliases(FunctionName=form)["Aliases"]] == ["live"], form
        assert lam.get_alias(FunctionName=form, Name="live")["FunctionVersion"] == version, form
