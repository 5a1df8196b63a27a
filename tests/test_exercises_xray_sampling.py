"""The X-Ray sampling lab's exercise check: a right answer passes, each kind of wrong answer fails with its hint."""
from __future__ import annotations

import copy

from labkit.checks import evaluate
from labkit.exercises import xray_sampling as ex

RIGHT = {"version": 2,
         "rules": [{"description": "checkout", "host": "*", "http_method": "POST", "url_path": "/checkout",
                    "fixed_target": 3, "rate": 0.2}],
         "default": {"fixed_target": 1, "rate": 0.05}}


def changed(**rule):
    rules = copy.deepcopy(RIGHT)
    rules["rules"][0].update(rule)
    return rules


def test_right_answer_passes():
    assert ex.checkout_rules(RIGHT).passed


def test_nothing_fails():
    assert "my_rules is still None" in evaluate(ex.checkout_rules, None).message


def test_invalid_document_fails():
    verdict = ex.checkout_rules({"version": 2, "rules": []})
    assert not verdict.passed and "A default rule must be provided" in verdict.message


def test_rule_without_method_fails():
    rules = copy.deepcopy(RIGHT)
    del rules["rules"][0]["http_method"]
    verdict = ex.checkout_rules(rules)
    assert not verdict.passed and "refuses the document" in verdict.message


def test_wrong_reservoir_fails():
    verdict = ex.checkout_rules(changed(fixed_target=2))
    assert not verdict.passed and "2 were sampled by the reservoir" in verdict.message


def test_rule_on_one_host_only_fails():
    verdict = ex.checkout_rules(changed(host="api.example.com"))
    assert not verdict.passed and "1 were sampled by the reservoir" in verdict.message


def test_percentage_instead_of_fraction_fails():
    verdict = ex.checkout_rules(changed(rate=20))
    assert not verdict.passed and "not a percentage" in verdict.message


def test_any_method_fails():
    verdict = ex.checkout_rules(changed(http_method="*"))
    assert not verdict.passed and "A GET /checkout request should fall to the default rule" in verdict.message


def test_changed_default_fails():
    rules = copy.deepcopy(RIGHT)
    rules["default"]["rate"] = 0.1
    verdict = ex.checkout_rules(rules)
    assert not verdict.passed and "keep the default rule" in verdict.message


def test_string_numbers_fail_with_a_hint():
    verdict = evaluate(ex.checkout_rules, changed(fixed_target="3"))
    assert not verdict.passed and "This check broke" not in verdict.message


def test_rule_on_the_labs_host_only_fails():
    verdict = ex.checkout_rules(changed(host="shop.example.com"))
    assert not verdict.passed and "should match any host" in verdict.message
