"""labkit.exercises.sam: right and wrong answers (the SAM transform runs offline)."""
from __future__ import annotations

import copy

from labkit.checks import evaluate
from labkit.exercises import sam

BASE = {
    "AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",
    "Resources": {"NotesFunction": {"Type": "AWS::Serverless::Function", "Properties": {
        "Handler": "app.handler", "Runtime": "python3.12", "CodeUri": "s3://bucket/app.zip"}}},
}


def with_props(**props):
    template = copy.deepcopy(BASE)
    template["Resources"]["NotesFunction"]["Properties"].update(props)
    return template


def test_right_answer_passes(engine):
    verdict = evaluate(sam.canary_alias, with_props(AutoPublishAlias="live",
                                                    DeploymentPreference={"Type": "Canary10Percent5Minutes"}))
    assert verdict.passed, verdict.message


def test_no_alias_fails(engine):
    verdict = evaluate(sam.canary_alias, BASE)
    assert not verdict.passed and "add AutoPublishAlias" in verdict.message


def test_wrong_alias_name_fails(engine):
    verdict = evaluate(sam.canary_alias, with_props(AutoPublishAlias="prod",
                                                    DeploymentPreference={"Type": "Canary10Percent5Minutes"}))
    assert not verdict.passed and "must be 'live'" in verdict.message


def test_no_deployment_preference_fails(engine):
    verdict = evaluate(sam.canary_alias, with_props(AutoPublishAlias="live"))
    assert not verdict.passed and "add DeploymentPreference" in verdict.message


def test_linear_instead_of_canary_fails(engine):
    verdict = evaluate(sam.canary_alias, with_props(AutoPublishAlias="live",
                                                    DeploymentPreference={"Type": "Linear10PercentEvery1Minute"}))
    assert not verdict.passed and "should be Canary10Percent5Minutes" in verdict.message


def test_not_a_template_fails(engine):
    verdict = evaluate(sam.canary_alias, None)
    assert verdict.kind == "failed" and "my_template is still None" in verdict.message
    verdict = evaluate(sam.canary_alias, {"Transform": "AWS::Serverless-2016-10-31"})
    assert verdict.kind == "failed" and "must be the SAM template as a dict" in verdict.message
