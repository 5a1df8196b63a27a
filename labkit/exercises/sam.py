"""Checks for labs/sam."""
from __future__ import annotations

import copy

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def translate(template: dict) -> dict:
    """The CloudFormation the SAM transform makes of ``template`` (offline; region from the engine's session)."""
    import logging

    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    logging.getLogger("samtranslator").setLevel(logging.ERROR)  # feature-toggle notices are not for learners
    session = current().session()
    return Translator(None, Parser(), boto_session=session).translate(
        copy.deepcopy(template), parameter_values={}, get_managed_policy_map=lambda: {})


def canary_alias(template, function: str = "NotesFunction", alias: str = "live",
                 strategy: str = "Canary10Percent5Minutes") -> Verdict:
    """The template publishes a version on every deploy, aliases it ``alias`` and shifts traffic with ``strategy``."""
    expect(template, "my_template", dict, "the SAM template as a dict (start from copy.deepcopy(sam_template))")
    if "Resources" not in template:
        return failed("my_template must be the SAM template as a dict (start from copy.deepcopy(sam_template)).")
    try:
        resources = translate(template)["Resources"]
    except Exception as exc:  # noqa: BLE001 - the transform's own error is the most useful hint
        return failed(f"The SAM transform rejects the template: {exc}")
    types = {}
    for logical_id, resource in resources.items():
        types.setdefault(resource["Type"], []).append((logical_id, resource.get("Properties", {})))
    if "AWS::Lambda::Version" not in types:
        return failed(f"No AWS::Lambda::Version was generated: add AutoPublishAlias: {alias} to {function}.")
    aliases = [props for _, props in types.get("AWS::Lambda::Alias", [])]
    if not any(props.get("Name") == alias for props in aliases):
        return failed(f"The alias generated is named {[p.get('Name') for p in aliases]}; AutoPublishAlias must be "
                      f"{alias!r}.")
    groups = [props for _, props in types.get("AWS::CodeDeploy::DeploymentGroup", [])]
    if not groups:
        return failed("No CodeDeploy deployment group was generated: add DeploymentPreference with a Type.")
    config = groups[0].get("DeploymentConfigName", "")
    if isinstance(config, dict) and "Fn::Sub" in config:  # CodeDeployDefault.Lambda${ConfigName}
        text, variables = config["Fn::Sub"]
        config = text.replace("${ConfigName}", str(variables.get("ConfigName", "")))
    config = str(config)
    if not config.endswith(strategy):
        return failed(f"The deployment uses {config or 'no configuration'}; the Type should be {strategy} "
                      "(10 % first, the rest after 5 minutes).")
    return passed(f"Each deploy publishes a version, points {alias!r} at it and lets CodeDeploy shift 10 % of "
                  "the traffic first, the rest 5 minutes later.")
