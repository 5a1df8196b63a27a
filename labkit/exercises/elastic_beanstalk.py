"""Checks for labs/elastic-beanstalk (the configuration file is validated locally, as the lab does)."""
from __future__ import annotations

import yaml

from ..checks import Verdict, expect, failed, passed

ENV = "aws:elasticbeanstalk:application:environment"
ASG = "aws:autoscaling:asg"


def scaling_config(text) -> Verdict:
    """``text`` is an .ebextensions document setting LOG_LEVEL=debug and an ASG of 2 to 6 instances."""
    expect(text, "my_config", str, "the YAML text of the configuration file")
    if not text.strip():
        return failed("my_config is blank: write the YAML text of the configuration file.")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return failed(f"That is not valid YAML: {str(exc).splitlines()[0]}. Indent with spaces, never tabs.")
    if not isinstance(document, dict) or not isinstance(document.get("option_settings"), (dict, list)):
        return failed("The file needs a top-level option_settings key.")
    options = document["option_settings"]
    if isinstance(options, list):  # the long form: [{namespace, option_name, value}, ...]
        flat = {}
        for item in options:
            if not isinstance(item, dict):
                return failed("In the long form, option_settings is a list of mappings, each with namespace, "
                              f"option_name and value; found {item!r}.")
            flat.setdefault(item.get("namespace"), {})[item.get("option_name")] = item.get("value")
        options = flat
    for namespace in (ENV, ASG):
        if namespace in options and not isinstance(options[namespace], dict):
            return failed(f"Under {namespace}, write option: value pairs (a mapping), not {options[namespace]!r}.")
    if str((options.get(ENV) or {}).get("LOG_LEVEL")) != "debug":
        return failed(f"LOG_LEVEL must be debug, under the namespace {ENV}.")
    asg = options.get(ASG) or {}
    if str(asg.get("MinSize")) != "2" or str(asg.get("MaxSize")) != "6":
        return failed(f"Under {ASG}, set MinSize: 2 and MaxSize: 6 (found MinSize {asg.get('MinSize')}, "
                      f"MaxSize {asg.get('MaxSize')}).")
    return passed("A valid configuration file: LOG_LEVEL=debug and an Auto Scaling group of 2 to 6 instances.")
