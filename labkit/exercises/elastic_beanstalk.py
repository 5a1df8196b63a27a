"""Checks for labs/elastic-beanstalk (the configuration file is validated locally, as the lab does)."""
from __future__ import annotations

import yaml

from ..checks import Verdict, failed, passed

ENV = "aws:elasticbeanstalk:application:environment"
ASG = "aws:autoscaling:asg"


def scaling_config(text) -> Verdict:
    """``text`` is an .ebextensions document setting LOG_LEVEL=debug and an ASG of 2 to 6 instances."""
    if not isinstance(text, str) or not text.strip():
        return failed("my_config must be the YAML text of the file (a string).")
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
            flat.setdefault(item.get("namespace"), {})[item.get("option_name")] = item.get("value")
        options = flat
    if str((options.get(ENV) or {}).get("LOG_LEVEL")) != "debug":
        return failed(f"LOG_LEVEL must be debug, under the namespace {ENV}.")
    asg = options.get(ASG) or {}
    if str(asg.get("MinSize")) != "2" or str(asg.get("MaxSize")) != "6":
        return failed(f"Under {ASG}, set MinSize: 2 and MaxSize: 6 (found MinSize {asg.get('MinSize')}, "
                      f"MaxSize {asg.get('MaxSize')}).")
    return passed("A valid configuration file: LOG_LEVEL=debug and an Auto Scaling group of 2 to 6 instances.")
