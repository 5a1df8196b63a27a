"""labkit.exercises.elastic_beanstalk: right and wrong answers."""
from __future__ import annotations

from labkit.checks import evaluate
from labkit.exercises import elastic_beanstalk

RIGHT = """
option_settings:
  aws:elasticbeanstalk:application:environment:
    LOG_LEVEL: debug
  aws:autoscaling:asg:
    MinSize: 2
    MaxSize: 6
"""


def test_right_answer_passes():
    verdict = evaluate(elastic_beanstalk.scaling_config, RIGHT)
    assert verdict.passed, verdict.message


def test_long_form_passes():
    text = """
option_settings:
  - namespace: aws:elasticbeanstalk:application:environment
    option_name: LOG_LEVEL
    value: debug
  - {namespace: "aws:autoscaling:asg", option_name: MinSize, value: "2"}
  - {namespace: "aws:autoscaling:asg", option_name: MaxSize, value: "6"}
"""
    assert evaluate(elastic_beanstalk.scaling_config, text).passed


def test_tab_indentation_fails():
    verdict = evaluate(elastic_beanstalk.scaling_config, RIGHT.replace("  aws:autoscaling", "\taws:autoscaling"))
    assert not verdict.passed and "not valid YAML" in verdict.message


def test_wrong_namespace_fails():
    verdict = evaluate(elastic_beanstalk.scaling_config, RIGHT.replace("application:environment", "environment"))
    assert not verdict.passed and "LOG_LEVEL must be debug" in verdict.message


def test_wrong_sizes_fail():
    verdict = evaluate(elastic_beanstalk.scaling_config, RIGHT.replace("MaxSize: 6", "MaxSize: 4"))
    assert not verdict.passed and "MaxSize 4" in verdict.message


def test_missing_option_settings_fails():
    verdict = evaluate(elastic_beanstalk.scaling_config, "commands:\n  a:\n    command: ls\n")
    assert not verdict.passed and "top-level option_settings" in verdict.message
