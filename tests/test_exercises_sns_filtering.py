"""labkit.exercises.sns_filtering: right and wrong answers, on the embedded engine."""
from __future__ import annotations

from labkit.checks import evaluate
from labkit.exercises import sns_filtering


def test_right_answer_passes(engine):
    verdict = evaluate(sns_filtering.warehouse_policy,
                       {"store": ["berlin", "hamburg"], "status": [{"anything-but": ["test"]}]})
    assert verdict.passed, verdict.message


def test_stores_only_lets_test_order_through(engine):
    verdict = evaluate(sns_filtering.warehouse_policy, {"store": ["berlin", "hamburg"]})
    assert not verdict.passed and "o3 arrived but should not" in verdict.message


def test_one_store_misses_hamburg(engine):
    verdict = evaluate(sns_filtering.warehouse_policy, {"store": ["berlin"], "status": [{"anything-but": ["test"]}]})
    assert not verdict.passed and "o5 did not arrive" in verdict.message


def test_not_a_dict_fails(engine):
    verdict = evaluate(sns_filtering.warehouse_policy, None)
    assert verdict.kind == "failed" and "my_policy is still None" in verdict.message


def test_a_policy_sns_rejects_is_a_hint(engine):
    verdict = evaluate(sns_filtering.warehouse_policy, {"store": {"berlin": 1}})
    assert verdict.kind == "failed" and "SNS rejects this filter policy" in verdict.message


def test_check_tidies_up(engine):
    import labkit

    def topics():
        return {t["TopicArn"] for t in labkit.client("sns").list_topics()["Topics"]}

    before = topics()
    assert sns_filtering.delivered({"store": ["paris"]}) == {"o2"}
    assert topics() == before


def test_a_key_in_the_wrong_case_says_names_are_case_sensitive(engine):
    verdict = evaluate(sns_filtering.warehouse_policy, {"Store": ["berlin"]})
    assert verdict.kind == "failed" and "attribute names are case-sensitive" in verdict.message
    assert "'Store'" in verdict.message and not verdict.message.startswith("Not yet")
